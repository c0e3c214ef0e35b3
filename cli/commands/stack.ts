import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { emit, UsageError } from '../output';

// Loaded on use: the stack module pulls in the PostgreSQL, Redis and Temporal clients.
const stackModule = () => import('../../scripts/stack');

export function registerStack(program: Command): void {
  const stack = program
    .command('stack')
    .description('the local platform: Temporal dev server, PostgreSQL, Redis, migrations');

  stack
    .command('up')
    .description(
      'start what is missing (idempotent): Temporal (dev server or --temporal server) with search attributes, PostgreSQL, Redis, migrations, --workers',
    )
    .option('--temporal <mode>', 'dev (CLI dev server, SQLite) or server (Temporal server on PostgreSQL)')
    .option(
      '--workers [plan]',
      'worker processes per queue in the background, e.g. bets=2,strategies=1,ingestion=1 (no value: stack.workers)',
    )
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean; temporal?: string; workers?: string | boolean }) => {
      if (opts.temporal !== undefined && opts.temporal !== 'dev' && opts.temporal !== 'server') {
        throw new UsageError(`--temporal: "${opts.temporal}" is neither dev nor server`);
      }
      const loaded = loadConfig();
      const { stackUp, formatStatuses, downComponents } = await stackModule();
      const { parseWorkerPlan } = await import('../../scripts/workers');
      let workers;
      try {
        workers =
          opts.workers === undefined
            ? undefined
            : opts.workers === true
              ? loaded.config.stack.workers
              : parseWorkerPlan(String(opts.workers));
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const statuses = await stackUp(loaded, (m) => process.stderr.write(`${m}\n`), {
        ...(opts.temporal ? { temporal: opts.temporal } : {}),
        ...(workers ? { workers } : {}),
      });
      emit({ components: statuses }, opts, () => formatStatuses(statuses));
      if (downComponents(statuses).length) process.exitCode = 1;
    });

  stack
    .command('down')
    .description(
      'drain the worker processes, stop the Temporal dev server or server started from this data folder (state kept)',
    )
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const { stackDown, formatStatuses } = await stackModule();
      const statuses = await stackDown(loadConfig());
      emit({ components: statuses }, opts, () => formatStatuses(statuses));
    });

  stack
    .command('status')
    .description('every component, its address and whether it is healthy')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const { stackStatus, formatStatuses, downComponents } = await stackModule();
      const statuses = await stackStatus(loadConfig());
      emit({ components: statuses }, opts, () => formatStatuses(statuses));
      if (downComponents(statuses).length) process.exitCode = 1;
    });
}
