import type { Command } from 'commander';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Pool } from '../../activities/infra/postgres';
import {
  getStrategy,
  listStrategies,
  strategyChanges,
  type StrategyRow,
} from '../../activities/strategies/store';
import {
  changeStrategy,
  controlStrategy,
  startStrategyWorkflows,
  strategyWorkflowStatus,
} from '../../workflows/strategies/client';
import { StrategyParameterError, coerceParameter } from '../../shared/strategies';
import {
  strategyWorkflowId,
  validateSetParameters,
  type SetParametersRequest,
  type StrategyStatus,
} from '../../workflows/strategies/messages';
import { emit, UsageError, type OutputOptions } from '../output';
import { who, withStores } from '../stores';

interface ByOptions extends OutputOptions {
  by?: string;
  reason?: string;
}

async function requireStrategy(db: Pool, name: string): Promise<StrategyRow> {
  const row = await getStrategy(db, name);
  if (!row)
    throw new UsageError(
      `<name>: unknown strategy "${name}" (see alphabet strategy list; alphabet strategy start seeds config.strategies)`,
    );
  return row;
}

/** `key=value` arguments into a setParameters request, each value typed by the strategy's schema. */
export function parseAssignments(
  row: Pick<StrategyRow, 'type' | 'parameters'>,
  assignments: readonly string[],
  by: string,
): SetParametersRequest {
  const request: SetParametersRequest = { by };
  const parameters: Record<string, unknown> = {};
  for (const a of assignments) {
    const at = a.indexOf('=');
    if (at <= 0) throw new UsageError(`expected key=value, got "${a}"`);
    const key = a.slice(0, at).trim();
    const text = a.slice(at + 1).trim();
    if (key === 'mode') request.mode = text as SetParametersRequest['mode'];
    else if (key === 'stakeMultiplier') request.stakeMultiplier = text;
    else if (key === 'enabled') {
      if (text !== 'true' && text !== 'false')
        throw new UsageError(`enabled: expected true or false, got "${text}"`);
      request.enabled = text === 'true';
    } else {
      try {
        parameters[key] = coerceParameter(row.type, key, text);
      } catch (err) {
        if (err instanceof StrategyParameterError) throw new UsageError(err.message);
        throw err;
      }
    }
  }
  if (Object.keys(parameters).length) request.parameters = parameters;
  try {
    validateSetParameters(row, request);
  } catch (err) {
    if (err instanceof StrategyParameterError) throw new UsageError(err.message);
    throw err;
  }
  return request;
}

function describeStatus(row: StrategyRow, status: StrategyStatus | null): string {
  const lines = [
    `${row.name}: ${row.type}, mode ${row.mode}, stake multiplier ${row.stakeMultiplier}, ${row.enabled ? 'enabled' : 'disabled'}`,
  ];
  if (!status) {
    lines.push(`workflow ${strategyWorkflowId(row.name)}: not running (alphabet strategy start ${row.name})`);
  } else {
    const c = status.counts;
    lines.push(
      `workflow ${strategyWorkflowId(row.name)}: ${status.phase}${status.paused ? ` (paused${status.pausedBy ? ` by ${status.pausedBy}` : ''})` : ''}, run ${status.runs}`,
    );
    lines.push(
      `sweeps ${c.sweeps}; found ${c.found}, recorded ${c.recorded}, duplicates ${c.duplicates}, suspect ${c.suspect}, skipped ${c.skipped}, handed off ${c.handedOff} (already ${c.alreadyHandedOff}), no lifecycle ${c.noLifecycle}`,
    );
    if (status.lastSweep) {
      const l = status.lastSweep;
      lines.push(
        `last sweep #${l.sweep} at ${l.at} (${l.trigger}): ${l.quotes} quotes, ${l.found} found, ${l.recorded} new; read ${l.readMs} ms, evaluate ${l.evaluateMs} ms, record ${l.recordMs} ms`,
      );
    }
  }
  lines.push(`parameters: ${JSON.stringify(status?.parameters ?? row.parameters)}`);
  return lines.join('\n');
}

export function registerStrategy(program: Command): void {
  const cmd = program
    .command('strategy')
    .description('strategies: list, status, pause, resume, set parameters, start');

  cmd
    .command('list')
    .description('every strategy in the strategies table with its workflow state')
    .option('--json', 'machine-readable output')
    .action(async (opts: OutputOptions) => {
      const result = await withStores(async ({ db, client }) => {
        const rows = await listStrategies(db);
        let c: Client | null = null;
        try {
          c = await client();
        } catch {
          c = null; // Temporal unreachable: the table still answers
        }
        return Promise.all(
          rows.map(async (row) => {
            const status = c ? await strategyWorkflowStatus(c, row.name).catch(() => null) : null;
            return {
              ...row,
              workflow: status ? (status.paused ? 'paused' : status.phase) : c ? 'not running' : 'unknown',
              sweeps: status?.counts.sweeps ?? null,
              recorded: status?.counts.recorded ?? null,
            };
          }),
        );
      });
      emit({ strategies: result }, opts, (r) =>
        r.strategies.length === 0
          ? 'no strategies (alphabet strategy start seeds them from config)'
          : r.strategies
              .map(
                (s) =>
                  `${s.name.padEnd(20)} ${s.type.padEnd(10)} ${s.mode.padEnd(8)} x${s.stakeMultiplier.padEnd(5)} ${(s.enabled ? 'enabled' : 'disabled').padEnd(9)} ${s.workflow}${s.sweeps === null ? '' : ` · ${s.sweeps} sweeps · ${s.recorded} recorded`}`,
              )
              .join('\n'),
      );
    });

  cmd
    .command('status <name>')
    .description("a strategy's row, its workflow's state and counts, and its latest changes")
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: OutputOptions) => {
      const result = await withStores(async ({ db, client }) => {
        const row = await requireStrategy(db, name);
        const status = await strategyWorkflowStatus(await client(), name);
        const changes = await strategyChanges(db, name, 10);
        return {
          strategy: row,
          workflowId: strategyWorkflowId(name),
          running: status !== null,
          status,
          changes,
        };
      });
      emit(result, opts, (r) =>
        [
          describeStatus(r.strategy, r.status),
          ...(r.changes.length ? ['latest changes:'] : []),
          ...r.changes.map(
            (c) =>
              `  ${c.changedAt} ${c.changedBy}: ${c.field} ${JSON.stringify(c.oldValue)} -> ${JSON.stringify(c.newValue)}`,
          ),
        ].join('\n'),
      );
    });

  for (const verb of ['pause', 'resume'] as const) {
    cmd
      .command(`${verb} <name>`)
      .description(verb === 'pause' ? 'stop sweeping (at most the sweep in flight finishes)' : 'sweep again')
      .option('--by <who>', 'who (default $USER)')
      .option('--reason <text>', 'why, for the change log')
      .option('--json', 'machine-readable output')
      .action(async (name: string, opts: ByOptions) => {
        const by = who(opts.by);
        const result = await withStores(async ({ db, client }) => {
          await requireStrategy(db, name);
          const c = await client();
          const status = await strategyWorkflowStatus(c, name);
          if (!status)
            throw new Error(
              `workflow ${strategyWorkflowId(name)} is not running (alphabet strategy start ${name})`,
            );
          const { applied } = await controlStrategy(c, name, verb, { by, reason: opts.reason ?? null });
          return { name, workflowId: strategyWorkflowId(name), signal: verb, by, applied };
        });
        emit(result, opts, (r) =>
          r.applied
            ? `${r.workflowId} ${r.signal === 'pause' ? 'paused' : 'resumed'} by ${r.by}`
            : `${r.signal} sent to ${r.workflowId} by ${r.by}; not applied yet (is a strategies worker running?)`,
        );
      });
  }

  cmd
    .command('set <name> <assignments...>')
    .description(
      "change parameters (key=value…), validated by the type's schema; mode=, stakeMultiplier=, enabled= too",
    )
    .option('--by <who>', 'who (default $USER), recorded in strategy_changes')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      [
        '',
        'Values are read as the parameter needs them: decimals as written (minEdge=0.03), numbers, true/false,',
        'and lists comma-separated (books=draftkings,fanduel) or as JSON. A running workflow is updated through',
        'its setParameters update; otherwise the table is changed directly. Either way the change is recorded.',
        '',
        'Examples:',
        '  alphabet strategy set value-sharp minEdge=0.03 devigMethod=worst-case',
        '  alphabet strategy set arb-us books=draftkings,fanduel,betmgm --by alice',
      ].join('\n'),
    )
    .action(async (name: string, assignments: string[], opts: ByOptions) => {
      const by = who(opts.by);
      const result = await withStores(async ({ db, client }) => {
        const row = await requireStrategy(db, name);
        const request = parseAssignments(row, assignments, by);
        try {
          return { name, ...(await changeStrategy(await client(), db, name, request)) };
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError)
            throw new UsageError(err.cause?.message ?? err.message);
          if (err instanceof StrategyParameterError) throw new UsageError(err.message);
          throw err;
        }
      });
      emit(result, opts, (r) =>
        r.changes.length === 0
          ? `${r.name}: nothing changed`
          : [
              `${r.name}: ${r.changes.length} change(s) by ${by} via ${r.via}`,
              ...r.changes.map(
                (c) => `  ${c.field}: ${JSON.stringify(c.oldValue)} -> ${JSON.stringify(c.newValue)}`,
              ),
            ].join('\n'),
      );
    });

  cmd
    .command('start [names...]')
    .description(
      'seed the strategies table from config and start the workflows of enabled (or named) strategies',
    )
    .option(
      '--record-only',
      'record opportunities without handing them to bet lifecycles (skipped, "no lifecycle")',
    )
    .option('--json', 'machine-readable output')
    .action(async (names: string[], opts: OutputOptions & { recordOnly?: boolean }) => {
      const result = await withStores(async ({ loaded, db, client }) => ({
        started: await startStrategyWorkflows(await client(), loaded, db, {
          names,
          ...(opts.recordOnly ? { handOff: 'record-only' as const } : {}),
        }),
      }));
      emit(
        result,
        opts,
        (r) => r.started.map((s) => `${s.name}: ${s.result} (${s.workflowId})`).join('\n') || 'no strategies',
      );
    });
}
