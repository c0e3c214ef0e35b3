import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { emit } from '../output';

// Loaded on use: the stack module pulls in the PostgreSQL, Redis and Temporal clients.
const stackModule = () => import('../../scripts/stack');

export function registerStack(program: Command): void {
  const stack = program
    .command('stack')
    .description('the local platform: Temporal dev server, PostgreSQL, Redis, migrations');

  stack
    .command('up')
    .description(
      'start what is missing (idempotent): dev server with search attributes, PostgreSQL, Redis, migrations',
    )
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const loaded = loadConfig();
      const { stackUp, formatStatuses } = await stackModule();
      const statuses = await stackUp(loaded, (m) => process.stderr.write(`${m}\n`));
      emit({ components: statuses }, opts, () => formatStatuses(statuses));
      if (statuses.some((s) => !s.healthy && s.component !== 'temporal-ui')) process.exitCode = 1;
    });

  stack
    .command('down')
    .description('stop the Temporal dev server started from this data folder (its SQLite state is kept)')
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
      const { stackStatus, formatStatuses } = await stackModule();
      const statuses = await stackStatus(loadConfig());
      emit({ components: statuses }, opts, () => formatStatuses(statuses));
      if (statuses.some((s) => !s.healthy)) process.exitCode = 1;
    });
}
