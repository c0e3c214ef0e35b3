import type { Command } from 'commander';
import { parseQueueRoles, QueueListError, QUEUE_ROLES } from '../../shared/queues';
import { UsageError } from '../output';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'run a worker serving only the given task queues; SIGINT/SIGTERM drain it and exit (ALPHABET_WORKER_QUEUES when --queues is absent)',
    )
    .option('--queues <list>', `comma-separated, some of ${QUEUE_ROLES.join(', ')} (default: all three)`)
    .action(async (opts: { queues?: string }) => {
      let roles;
      try {
        roles =
          opts.queues === undefined
            ? parseQueueRoles(process.env.ALPHABET_WORKER_QUEUES, 'ALPHABET_WORKER_QUEUES')
            : parseQueueRoles(opts.queues, '--queues');
      } catch (err) {
        throw err instanceof QueueListError ? new UsageError(err.message) : err;
      }
      // The worker SDK is heavy to load: only this command needs it, so other commands stay quick.
      const { runWorkerProcess } = await import('../../workers/run');
      await runWorkerProcess(roles);
    });
}
