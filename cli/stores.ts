import { userInfo } from 'node:os';
import type { Client } from '@temporalio/client';
import { loadConfig, type LoadedConfig } from '../config/load';
import { createPool, type Pool } from '../activities/infra/postgres';
import { connectClient } from '../activities/infra/temporal';
import { UsageError } from './output';

/** Who is acting: --by, else $USER, else the OS account. */
export function who(by: string | undefined): string {
  const name = by ?? process.env.USER ?? safeUser();
  if (!name || !name.trim()) throw new UsageError('--by: say who is making the change');
  return name.trim();
}

function safeUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

export async function withStores<T>(
  run: (s: { loaded: LoadedConfig; db: Pool; client: () => Promise<Client> }) => Promise<T>,
): Promise<T> {
  const loaded = loadConfig();
  const db = createPool(loaded.config.database.url, 2);
  let client: Client | null = null;
  try {
    return await run({
      loaded,
      db,
      client: async () => (client ??= await connectClient(loaded.config, loaded.secrets)),
    });
  } finally {
    await db.end().catch(() => undefined);
    const c = client as Client | null;
    await c?.connection.close().catch(() => undefined);
  }
}
