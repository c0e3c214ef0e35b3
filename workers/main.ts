import { loadConfig } from '../config/load';
import { createLogger } from '../activities/infra/logger';
import { createWorkerSet, QUEUE_ROLES, type QueueRole } from './worker';

/**
 * The worker process. ALPHABET_WORKER_QUEUES=ingestion,strategies,bets (default: all) picks the task
 * queues, so each can be scaled out on its own machines. SIGINT/SIGTERM drain and exit cleanly.
 */
const loaded = loadConfig();
const logger = createLogger({ level: loaded.config.log.level, name: 'worker', secrets: loaded.secrets });
const roles = parseRoles(process.env.ALPHABET_WORKER_QUEUES);
const set = await createWorkerSet({ loaded, roles, logger });
await set.run();

function parseRoles(text: string | undefined): QueueRole[] {
  if (!text) return [...QUEUE_ROLES];
  const roles = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const r of roles) {
    if (!(QUEUE_ROLES as readonly string[]).includes(r)) {
      logger.fatal(
        `ALPHABET_WORKER_QUEUES: unknown queue "${r}"; expected some of ${QUEUE_ROLES.join(', ')}`,
      );
      process.exit(2);
    }
  }
  return roles as QueueRole[];
}
