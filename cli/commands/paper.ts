import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Client } from '@temporalio/client';
import { PROJECT_ROOT } from '../../config/paths';
import type { Pool } from '../../activities/infra/postgres';
import { getStrategy } from '../../activities/strategies/store';
import { listPaperSessions, paperSessionRecord, type PaperSessionRecord } from '../../activities/paper/store';
import { bankrollSvg } from '../../activities/backtest/report';
import { formatDuration } from '../../shared/duration';
import { PaperRequestError, paperSessionId, type PaperTradingRequest } from '../../shared/paper';
import {
  checkPaperStart,
  controlPaperSession,
  paperSessionView,
  startPaperSession,
} from '../../workflows/paper/client';
import type { PaperStatus } from '../../workflows/paper/messages';
import { workflowUrl } from '../client';
import { emit, UsageError, type OutputOptions } from '../output';
import { who, withStores } from '../stores';
import { parseAssignments } from './strategy';

interface StartOptions extends OutputOptions {
  strategy?: string;
  bankroll?: string;
  duration?: string;
  bets?: string;
  stakeMultiplier?: string;
  param: string[];
  gate: string[];
  settleTimeout?: string;
  id?: string;
  by?: string;
}

interface ControlOptions extends OutputOptions {
  by?: string;
  reason?: string;
  now?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const GATE_NUMBERS = new Set(['minDurationSeconds', 'minBets', 'clvZ']);
const GATE_DECIMALS = new Set(['minClvLowerBound', 'minYield', 'maxDrawdownFraction', 'maxVoidOrLimitRate']);

/** `--gate key=value` into gate overrides (the request schema checks the values). */
function gateOverrides(assignments: readonly string[]): Record<string, unknown> | undefined {
  if (assignments.length === 0) return undefined;
  const gate: Record<string, unknown> = {};
  for (const a of assignments) {
    const at = a.indexOf('=');
    if (at <= 0) throw new UsageError(`--gate: expected key=value, got "${a}"`);
    const key = a.slice(0, at).trim();
    const text = a.slice(at + 1).trim();
    if (GATE_NUMBERS.has(key)) gate[key] = Number(text);
    else if (GATE_DECIMALS.has(key)) gate[key] = text === 'null' ? null : text;
    else
      throw new UsageError(
        `--gate: unknown gate field "${key}" (${[...GATE_NUMBERS, ...GATE_DECIMALS].join(', ')})`,
      );
  }
  return gate;
}

/** The start request from the options, checked exactly as the workflow will check it. */
async function buildRequest(db: Pool, opts: StartOptions, bankroll: string): Promise<PaperTradingRequest> {
  if (opts.strategy === undefined) throw new UsageError('--strategy: which strategy to paper-trade');
  let bets: number | undefined;
  if (opts.bets !== undefined) {
    bets = Number(opts.bets);
    if (!/^\d+$/.test(opts.bets) || bets <= 0)
      throw new UsageError(`--bets: expected a whole number of bets above zero, got "${opts.bets}"`);
  }
  const by = who(opts.by);
  let parameters: Record<string, unknown> | undefined;
  if (opts.param.length > 0) {
    const row = await getStrategy(db, opts.strategy);
    if (row) {
      // `key=value` text typed by the strategy's schema; checkPaperStart checks the values.
      const request = parseAssignments(row, opts.param, by);
      if (
        request.mode !== undefined ||
        request.stakeMultiplier !== undefined ||
        request.enabled !== undefined
      )
        throw new UsageError(
          '--param: mode, stakeMultiplier and enabled are not parameters (use --stake-multiplier)',
        );
      parameters = request.parameters;
    }
  }
  const request: PaperTradingRequest = {
    strategy: opts.strategy,
    bankroll,
    ...(opts.duration !== undefined ? { duration: opts.duration } : {}),
    ...(bets !== undefined ? { bets } : {}),
    ...(opts.stakeMultiplier !== undefined ? { stakeMultiplier: opts.stakeMultiplier } : {}),
    ...(parameters !== undefined ? { parameters } : {}),
    ...(opts.settleTimeout !== undefined ? { settleTimeout: opts.settleTimeout } : {}),
    ...(opts.gate.length > 0 ? { gate: gateOverrides(opts.gate) } : {}),
    by,
  };
  try {
    await checkPaperStart(db, request, { strategy: '--strategy', parameters: '--param' });
  } catch (err) {
    if (err instanceof PaperRequestError) throw new UsageError(err.message);
    throw err;
  }
  return request;
}

function formatStatus(s: PaperStatus): string {
  const p = s.progress;
  const limits = [
    s.durationSeconds === null
      ? null
      : `${formatDuration(s.activeSeconds * 1000)} of ${formatDuration(s.durationSeconds * 1000)} active`,
    s.maxBets === null ? null : `${p?.opportunities.placed ?? 0} of ${s.maxBets} bets`,
  ].filter((x) => x !== null);
  const lines = [
    `${s.sessionId}: ${s.phase}${s.paused ? ` (paused${s.pausedBy ? ` by ${s.pausedBy}` : ''})` : ''} · strategy ${s.strategy ?? '?'} · bankroll ${s.bankroll ?? '?'} · ${limits.join(' · ')}`,
    `  sweeps ${s.counts.sweeps}, opportunities found ${s.counts.found}, recorded ${s.counts.recorded}, handed to bet lifecycles ${s.counts.handedOff}`,
  ];
  if (p) {
    const m = p.metrics;
    lines.push(
      `  ${p.opportunities.placed} placed, ${p.opportunities.skipped} skipped, ${p.opportunities.inFlight} in flight; ${p.open} open legs, ${m.settled} settled`,
      `  profit ${m.profit} on turnover ${m.turnover}, yield ${m.yield ?? 'n/a'}, mean CLV ${m.clvMean ?? 'n/a'} ± ${m.clvStandardError ?? 'n/a'}, drawdown ${m.maxDrawdownFraction}, equity ${p.equity}`,
    );
  }
  if (s.endReason) lines.push(`  ended: ${s.endReason}`);
  if (s.result)
    lines.push(
      `  gate ${s.result.verdict}: ${s.result.verdictReasons.join('; ')}`,
      `  report: ${s.result.reportPath ?? `alphabet paper report ${s.sessionId}`}`,
    );
  return lines.join('\n');
}

/** A running session answers its progress query; a finished one is read from its row. */
async function sessionStatus(
  db: Pool,
  client: Client,
  id: string,
): Promise<PaperStatus | PaperSessionRecord> {
  const view = await paperSessionView(client, db, id);
  if (view.kind === 'not-paper')
    throw new UsageError(`<session>: ${id} is a ${view.type}, not a paper session`);
  if (view.kind === 'running') return view.status;
  if (view.kind === 'missing')
    throw new UsageError(`<session>: no paper session "${id}" (alphabet paper status lists them)`);
  return view.record;
}

function formatRow(r: PaperSessionRecord): string {
  const m = r.metrics;
  return [
    `${r.session_id}: ${r.status} · strategy ${r.strategy_name} · bankroll ${r.bankroll} · started ${r.started_at.toISOString()} by ${r.started_by}`,
    ...(r.end_reason ? [`  ended: ${r.end_reason}`] : []),
    ...(m
      ? [`  ${m.bets} bets, profit ${m.profit}, yield ${m.yield ?? 'n/a'}, mean CLV ${m.clv.mean ?? 'n/a'}`]
      : []),
    ...(r.verdict ? [`  gate ${r.verdict}: ${(r.verdict_reasons ?? []).join('; ')}`] : []),
    ...(r.report_path ? [`  report: ${r.report_path}`] : []),
  ].join('\n');
}

export function registerPaper(program: Command): void {
  const paper = program
    .command('paper')
    .description(
      'operator-started paper trading: a strategy on the live board with its own virtual bankroll',
    );

  paper
    .command('start')
    .description('start a paper-trading session (a workflow whose id is the session id)')
    .option('--strategy <name>', 'the strategy (its type and current parameters)')
    .option('--bankroll <amount>', 'virtual bankroll (default config paper.defaultBankroll)')
    .option('--duration <time>', 'active trading time, e.g. 6h, 90m (pauses do not count)')
    .option('--bets <n>', 'or end after this many bets placed (an arbitrage counts once)')
    .option('--stake-multiplier <m>', 'fraction of the target stake, (0, 1]', undefined)
    .option('--param <key=value>', 'override a strategy parameter for this session (repeatable)', collect, [])
    .option('--gate <key=value>', 'override a gate field of config paper.gate (repeatable)', collect, [])
    .option('--settle-timeout <time>', 'after the end, wait at most this long for open bets (default config)')
    .option('--id <session>', 'session (workflow) id (default paper:<strategy>:<UTC time>)')
    .option('--by <who>', 'who starts it (default $USER)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      [
        '',
        'Give --duration, --bets or both. The report (the backtest metrics, the bankroll curve, the gate',
        'verdict and every decision) is stored with the session, written under reports/ and alerted.',
        'From the Web UI: start workflow type paperTradingWorkflow on the strategies task queue with input',
        '  {"strategy": "value-sharp", "bankroll": "1000", "duration": "6h"}',
        '',
        'Examples:',
        '  alphabet paper start --strategy value-sharp --bankroll 1000 --duration 6h',
        '  alphabet paper start --strategy arb-us --bets 50 --param minEdge=0.01 --gate minBets=40',
      ].join('\n'),
    )
    .action(async (opts: StartOptions) => {
      const result = await withStores(async ({ loaded, db, client }) => {
        const request = await buildRequest(db, opts, opts.bankroll ?? loaded.config.paper.defaultBankroll);
        const workflowId = opts.id ?? paperSessionId(request.strategy, new Date());
        if (!(await startPaperSession(await client(), loaded.config, workflowId, request)))
          throw new UsageError(`--id: session "${workflowId}" was used before; choose another id`);
        return { sessionId: workflowId, request, url: workflowUrl(loaded, workflowId) };
      });
      emit(result, opts, (r) =>
        [
          `started paper session ${r.sessionId}`,
          `  Web UI: ${r.url}`,
          `  alphabet paper status ${r.sessionId}    (pause | resume | stop ${r.sessionId})`,
        ].join('\n'),
      );
    });

  paper
    .command('status [session]')
    .description(
      'progress of a session (running: its query; finished: its stored results); no id lists sessions',
    )
    .option('--strategy <name>', 'list only this strategy')
    .option('--json', 'machine-readable output')
    .action(async (id: string | undefined, opts: OutputOptions & { strategy?: string }) => {
      await withStores(async ({ db, client }) => {
        if (id === undefined) {
          const rows = await listPaperSessions(db, opts.strategy ?? null);
          emit(rows, opts, (list) =>
            list.length === 0
              ? 'no paper sessions yet (alphabet paper start --strategy <name> --duration 1h)'
              : list.map(formatRow).join('\n'),
          );
          return;
        }
        const status = await sessionStatus(db, await client(), id);
        emit(status, opts, (s) => ('phase' in s ? formatStatus(s) : formatRow(s)));
      });
    });

  for (const verb of ['pause', 'resume', 'stop'] as const) {
    const cmd = paper
      .command(`${verb} <session>`)
      .description(
        verb === 'stop'
          ? 'end trading now; the report follows once open bets settle (--now: at once)'
          : verb === 'pause'
            ? 'stop sweeping and betting; paused time does not count toward the duration'
            : 'go on trading',
      )
      .option('--by <who>', 'who (default $USER)')
      .option('--reason <text>', 'why (kept with the session)')
      .option('--json', 'machine-readable output');
    if (verb === 'stop') cmd.option('--now', 'do not wait for open bets: report them unsettled');
    cmd.action(async (id: string, opts: ControlOptions) => {
      const by = who(opts.by);
      const result = await withStores(async ({ db, client }) => {
        const state = await controlPaperSession(await client(), id, verb, {
          by,
          reason: opts.reason ?? null,
          now: opts.now === true,
        });
        if (state.kind === 'missing')
          throw new UsageError(`<session>: no paper session "${id}" (alphabet paper status lists them)`);
        if (state.kind === 'not-paper')
          throw new UsageError(`<session>: ${id} is a ${state.type}, not a paper session`);
        if (state.kind === 'closed') {
          const row = await paperSessionRecord(db, id);
          throw new UsageError(
            `<session>: ${id} has ended (${row?.end_reason ?? state.status.toLowerCase()}); nothing to ${verb}`,
          );
        }
        return { sessionId: id, signal: verb, by };
      });
      emit(result, opts, (r) => `${r.signal} sent to ${r.sessionId} by ${r.by}`);
    });
  }

  paper
    .command('report <session>')
    .description("write a finished session's stored report (Markdown + bankroll SVG) to a directory")
    .option('--dir <dir>', 'where to write it', resolve(PROJECT_ROOT, 'reports'))
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: OutputOptions & { dir: string }) => {
      const result = await withStores(async ({ db }) => {
        const row = await paperSessionRecord(db, id);
        if (!row)
          throw new UsageError(`<session>: no paper session "${id}" (alphabet paper status lists them)`);
        if (row.status !== 'completed' || row.report_markdown === null)
          throw new UsageError(
            `<session>: ${id} is ${row.status}; its report comes at the end (alphabet paper status ${id})`,
          );
        const stem = id.replace(/[^A-Za-z0-9_-]+/g, '-');
        mkdirSync(opts.dir, { recursive: true });
        const chart = join(opts.dir, `${stem}-bankroll.svg`);
        const report = join(opts.dir, `${stem}.md`);
        writeFileSync(chart, bankrollSvg(row.curve ?? []));
        writeFileSync(
          report,
          row.report_markdown.replace(/\(([^)]*-bankroll\.svg)\)/, `(${basename(chart)})`),
        );
        return { sessionId: id, report, chart, verdict: row.verdict, metrics: row.metrics };
      });
      emit(result, opts, (r) => `report of ${r.sessionId} (gate ${r.verdict ?? '?'}): ${r.report}`);
    });
}
