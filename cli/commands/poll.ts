import type { Command } from 'commander';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { loadConfig, type LoadedConfig } from '../../config/load';
import {
  controlPoller,
  pollerStatus,
  PollerConfigError,
  selectProviders,
  startPollingWorkflows,
  updatePollerSettings,
  type PollerStatusReport,
} from '../../workflows/ingestion/client';
import { pollingWorkflowId, type PollSettingsPatch } from '../../workflows/ingestion/messages';
import { withClient } from '../client';
import { parseDuration } from '../duration';
import { emit, UsageError } from '../output';

interface CommonOpts {
  provider?: string;
  json?: boolean;
}

function providerNames(opts: CommonOpts): string[] | undefined {
  return opts.provider
    ? opts.provider
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
}

function select(loaded: LoadedConfig, opts: CommonOpts) {
  try {
    const list = selectProviders(loaded, providerNames(opts));
    if (list.length === 0)
      throw new UsageError(
        'no enabled provider in the config (providers[].enabled); name one with --provider',
      );
    return list;
  } catch (err) {
    if (err instanceof PollerConfigError) throw new UsageError(err.message);
    throw err;
  }
}

export function registerPoll(program: Command): void {
  const poll = program
    .command('poll')
    .description('the odds polling workflows, one per provider (workflow id odds-poll:<provider>)');

  poll
    .command('start')
    .description(
      'start the polling workflow of every enabled provider (or --provider); already running is fine',
    )
    .option('--provider <names>', 'only these providers (comma-separated)')
    .option('--json', 'machine-readable output')
    .action(async (opts: CommonOpts) => {
      const loaded = loadConfig();
      select(loaded, opts);
      const started = await withClient(loaded, async (client) => {
        try {
          return await startPollingWorkflows(client, loaded, { providers: providerNames(opts) });
        } catch (err) {
          if (err instanceof PollerConfigError) throw new UsageError(err.message);
          throw err;
        }
      });
      const ui = `${loaded.config.temporal.uiUrl}/namespaces/${loaded.config.temporal.namespace}/workflows`;
      emit({ pollers: started }, opts, (r) =>
        [
          ...r.pollers.map(
            (p) =>
              `${p.provider} (${p.type}): ${p.result === 'started' ? 'started' : 'already running'} as ${p.workflowId}`,
          ),
          `Web UI: ${ui}`,
          'the ingestion worker polls them (npm start, or npm run worker)',
        ].join('\n'),
      );
    });

  for (const [name, verb] of [
    ['pause', 'paused'],
    ['resume', 'resumed'],
  ] as const) {
    poll
      .command(name)
      .description(`${name} polling of every enabled provider (or --provider)`)
      .option('--provider <names>', 'only these providers (comma-separated)')
      .option('--json', 'machine-readable output')
      .action(async (opts: CommonOpts) => {
        const loaded = loadConfig();
        const providers = select(loaded, opts);
        const results = await withClient(loaded, async (client) => {
          const out: { provider: string; workflowId: string; result: string }[] = [];
          for (const p of providers) {
            const workflowId = pollingWorkflowId(p.name);
            const sent = await controlPoller(client, p.name, name);
            out.push({
              provider: p.name,
              workflowId,
              result: sent ? verb : 'not running (alphabet poll start)',
            });
          }
          return out;
        });
        emit({ pollers: results }, opts, (r) =>
          r.pollers.map((p) => `${p.provider}: ${p.result}`).join('\n'),
        );
        if (results.some((r) => r.result !== verb)) process.exitCode = 1;
      });
  }

  poll
    .command('set')
    .description('change the polling interval or the sports of a running poller (validated by the workflow)')
    .requiredOption('--provider <name>', 'the provider')
    .option('--interval <duration>', 'new interval, e.g. 5s, 2m')
    .option('--sports <keys>', 'new sport keys, comma-separated')
    .option('--json', 'machine-readable output')
    .action(async (opts: CommonOpts & { interval?: string; sports?: string }) => {
      const loaded = loadConfig();
      const [p] = select(loaded, opts);
      const patch: PollSettingsPatch = {};
      if (opts.interval) patch.intervalSeconds = parseDuration(opts.interval, '--interval') / 1000;
      if (opts.sports)
        patch.sports = opts.sports
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      if (patch.intervalSeconds === undefined && patch.sports === undefined)
        throw new UsageError('poll set: give --interval or --sports');
      const settings = await withClient(loaded, async (client) => {
        try {
          return await updatePollerSettings(client, p!.name, patch);
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError)
            throw new UsageError(`refused: ${err.cause?.message ?? err.message}`);
          throw err;
        }
      });
      if (!settings) throw new UsageError(`${p!.name}: not running (alphabet poll start)`);
      emit(
        { provider: p!.name, settings },
        opts,
        (r) => `${r.provider}: every ${r.settings.intervalSeconds} s, sports ${r.settings.sports.join(', ')}`,
      );
    });

  poll
    .command('status')
    .description('state, last poll, quotes seen, changes written, rejects, errors and quota of each poller')
    .option('--provider <names>', 'only these providers (comma-separated)')
    .option('--json', 'machine-readable output')
    .action(async (opts: CommonOpts) => {
      const loaded = loadConfig();
      const providers = select(loaded, opts);
      const reports = await withClient(loaded, (client) =>
        Promise.all(providers.map((p) => pollerStatus(client, p.name))),
      );
      emit({ pollers: reports }, opts, (r) => r.pollers.map(formatStatus).join('\n\n'));
      if (reports.some((r) => !r.running)) process.exitCode = 1;
    });
}

function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (Math.abs(s) < 120) return `${s} s ago`;
  if (Math.abs(s) < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

export function formatStatus(r: PollerStatusReport): string {
  if (!r.status) return `${r.provider}: ${r.error ?? 'no status'}`;
  const s = r.status;
  const t = s.totals;
  const lines = [
    `${s.provider} (${s.providerType ?? '?'}): ${s.state}${s.paused ? ' (paused)' : ''}, ${s.mode} every ${s.intervalSeconds} s, sports ${s.sports.join(', ')}`,
    `  last poll ${s.lastPollAt ?? 'never'} (${ago(s.lastPollAt)}); ${t.polls} polls, ${t.quotesSeen} quotes seen, ${t.changesWritten} changes written, ${t.rejects} rejects, ${t.errors} errors`,
  ];
  if (t.resultFetches || t.resultErrors)
    lines.push(
      `  scores: ${t.resultFetches} fetches, ${t.resultsCompleted} results, ${t.resultErrors} errors`,
    );
  if (s.quota)
    lines.push(
      `  quota: ${s.quota.remaining ?? '?'} requests remaining, ${s.quota.used ?? '?'} used (as of ${s.quota.at})`,
    );
  if (s.backoffUntil) lines.push(`  backing off until ${s.backoffUntil}`);
  if (s.lastError)
    lines.push(
      `  last error ${s.lastError.at}${s.lastError.nonRetryable ? ' (not retryable)' : ''}: ${s.lastError.message}`,
    );
  if (r.activity && r.activity.attempt > 1) {
    lines.push(
      `  retrying: attempt ${r.activity.attempt}${r.activity.lastFailure ? ` after "${r.activity.lastFailure}"` : ''}${r.activity.nextAttemptAt ? `, next at ${r.activity.nextAttemptAt}` : ''}`,
    );
  }
  lines.push(`  ${s.runs} continue-as-new, history ${s.historyLength} events, running since ${s.startedAt}`);
  return lines.join('\n');
}
