import type { Command } from 'commander';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { loadConfig } from '../../config/load';
import { approveRollout, controlRollout, rolloutStatus, startRollout } from '../../workflows/rollout/client';
import { rolloutWorkflowId, type RolloutStatus } from '../../workflows/rollout/messages';
import { withClient, workflowUrl } from '../client';
import { emit, UsageError } from '../output';

const NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;

function strategyName(name: string): string {
  if (!NAME_RE.test(name))
    throw new UsageError(
      `<strategy>: "${name}" is not a strategy name (lower-case letters, digits, - and _)`,
    );
  return name;
}

function formatStatus(s: RolloutStatus): string {
  const lines = [
    `${s.strategy}: stage ${s.stage} (${s.stages.indexOf(s.stage) + 1}/${s.stages.length}: ${s.stages.join(' → ')})` +
      `${s.paused ? `, PAUSED (${s.pauseReason ?? ''})` : ''}${s.awaitingApproval ? ', waiting for approval' : ''}`,
    `  stage started ${new Date(s.stageStartedAt).toISOString()}`,
  ];
  if (s.lastMetrics) {
    const m = s.lastMetrics;
    lines.push(
      `  ${m.settled} settled of ${m.bets} bets, profit ${m.profit}, yield ${m.yield ?? 'n/a'}, CLV ${m.clvMean ?? 'n/a'} ± ${m.clvStandardError ?? 'n/a'}, drawdown ${m.maxDrawdownFraction}`,
    );
  }
  if (s.lastVerdict) lines.push(`  gate: ${s.lastVerdict}`);
  for (const e of s.events.slice(-5))
    lines.push(`  ${e.at} ${e.stage} ${e.event}${e.reasons.length ? `: ${e.reasons.join('; ')}` : ''}`);
  return lines.join('\n');
}

export function registerRollout(program: Command): void {
  const rollout = program
    .command('rollout')
    .description('staged rollout of a strategy: backtest → paper → live at 0.25, 0.5, 1.0');

  rollout
    .command('start <strategy>')
    .description('start the rollout workflow (id rollout:<strategy>) with the stages and gates of the config')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: { json?: boolean }) => {
      const strategy = strategyName(name);
      const loaded = loadConfig();
      const workflowId = rolloutWorkflowId(strategy);
      const result = await withClient(loaded, (client) => startRollout(client, loaded.config, strategy));
      emit(
        { strategy, workflowId, result, url: workflowUrl(loaded, workflowId) },
        opts,
        (r) => `${r.strategy}: rollout ${r.result} (${r.url})`,
      );
    });

  rollout
    .command('status <strategy>')
    .description('stage, metrics, gate verdict and latest events')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: { json?: boolean }) => {
      const strategy = strategyName(name);
      const loaded = loadConfig();
      const status = await withClient(loaded, (client) => rolloutStatus(client, strategy));
      if (!status) throw new UsageError(`${strategy}: no rollout (alphabet rollout start ${strategy})`);
      emit(status, opts, formatStatus);
    });

  rollout
    .command('approve <strategy>')
    .description('approve a gate configured as manual (refused unless the rollout waits for it)')
    .option('--by <operator>', 'who approves', process.env.USER ?? 'operator')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: { by: string; json?: boolean }) => {
      const strategy = strategyName(name);
      const loaded = loadConfig();
      const status = await withClient(loaded, async (client) => {
        try {
          return await approveRollout(client, strategy, opts.by);
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError)
            throw new UsageError(`refused: ${err.cause?.message ?? err.message}`);
          throw err;
        }
      });
      if (!status) throw new UsageError(`${strategy}: no rollout running`);
      emit(status, opts, formatStatus);
    });

  for (const verb of ['pause', 'resume', 'abort'] as const) {
    rollout
      .command(`${verb} <strategy>`)
      .description(
        verb === 'abort'
          ? 'end the rollout and put the strategy back on paper at stake multiplier 0'
          : `${verb} the rollout`,
      )
      .option('--reason <text>', 'recorded with the event')
      .option('--json', 'machine-readable output')
      .action(async (name: string, opts: { reason?: string; json?: boolean }) => {
        const strategy = strategyName(name);
        const loaded = loadConfig();
        const sent = await withClient(loaded, (client) =>
          controlRollout(client, strategy, verb, opts.reason),
        );
        if (!sent) throw new UsageError(`${strategy}: no rollout running`);
        emit({ strategy, result: `${verb} sent` }, opts, (r) => `${r.strategy}: ${r.result}`);
      });
  }
}
