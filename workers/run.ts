import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load';
import { createLogger } from '../activities/infra/logger';
import { createWorkerSet } from './worker';
import type { QueueRole } from '../shared/queues';

/**
 * The worker process (`alphabet worker`, `npm run worker`, the Docker image): serves the given task queues
 * until SIGINT/SIGTERM, which drain the workers (the SDK runtime's shutdown signals), then closes every
 * connection. ALPHABET_WORKFLOW_BUNDLE names a prebuilt workflow bundle to serve instead of bundling at
 * start (a supervisor restarting workers often, like the kill test).
 */
export async function runWorkerProcess(roles: readonly QueueRole[], env = process.env): Promise<void> {
  const loaded = loadConfig({ env });
  const logger = createLogger({ level: loaded.config.log.level, name: 'worker', secrets: loaded.secrets });
  const codePath = env.ALPHABET_WORKFLOW_BUNDLE || undefined;
  if (codePath && !existsSync(codePath))
    throw new Error(`ALPHABET_WORKFLOW_BUNDLE: no workflow bundle at "${codePath}"`);
  const set = await createWorkerSet({
    loaded,
    roles,
    logger,
    workflowBundle: codePath ? { codePath } : undefined,
  });
  await set.run();
}
