import { parseQueueRoles, QueueListError } from '../shared/queues';
import { runWorkerProcess } from './run';

/**
 * `npm run worker` and the Docker image: ALPHABET_WORKER_QUEUES=ingestion,strategies,bets (default: all)
 * picks the task queues, parsed like `alphabet worker --queues`. SIGINT/SIGTERM drain and exit cleanly.
 */
try {
  await runWorkerProcess(parseQueueRoles(process.env.ALPHABET_WORKER_QUEUES, 'ALPHABET_WORKER_QUEUES'));
} catch (err) {
  process.stderr.write(`worker: ${(err as Error).message}\n`);
  process.exit(err instanceof QueueListError ? 2 : 1);
}
