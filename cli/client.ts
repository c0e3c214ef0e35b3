import type { Client } from '@temporalio/client';
import type { LoadedConfig } from '../config/load';
import { connectClient } from '../activities/infra/temporal';

/** Run one CLI action with a Temporal client, closing the connection afterwards. */
export async function withClient<T>(loaded: LoadedConfig, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectClient(loaded.config, loaded.secrets);
  try {
    return await fn(client);
  } finally {
    await client.connection.close();
  }
}

export function workflowUrl(loaded: LoadedConfig, workflowId: string): string {
  const { uiUrl, namespace } = loaded.config.temporal;
  return `${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`;
}
