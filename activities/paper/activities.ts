import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from '../deps';
import { PROJECT_ROOT } from '../../config/paths';
import { ALERT_EVENTS, routedEventTypes, type Alert } from '../../shared/alerts';
import { betsToMetrics } from '../../shared/backtest/recorded';
import type { MetricsJson } from '../../shared/backtest/metrics';
import { OPEN_STATUSES } from '../../shared/bets';
import { formatDuration } from '../../shared/duration';
import {
  paperAccount,
  sessionGate,
  type PaperProgress,
  type PaperSessionSpec,
  type PaperVerdict,
} from '../../shared/paper';
import type { RolloutGate } from '../../shared/rollout';
import {
  StrategyParameterError,
  applyParameterChanges,
  parseStrategyParameters,
} from '../../shared/strategies';
import {
  bankrollSvg,
  markdownDocument,
  methodSection,
  metricsSections,
  type Section,
} from '../backtest/report';
import { balances, ensureAccount } from '../bets/ledger';
import { stageMetricsFromBets } from '../rollout/activities';
import { getStrategy } from '../strategies/store';
import {
  completePaperSession,
  endPaperSessionRows,
  getPaperSession,
  insertPaperSession,
  sessionProgressRows,
  sessionReportRows,
  type PaperSessionRow,
} from './store';

export interface OpenPaperSessionInput {
  sessionId: string;
  /** The workflow's first run id (the same across continue-as-new and retries). */
  firstRunId: string;
  spec: PaperSessionSpec;
}

/** What the workflow needs to run a session: small, and the same on every retry (read back from the row). */
export interface OpenedPaperSession {
  strategyType: string;
  parameters: Record<string, unknown>;
  fallbackIntervalMs: number;
  betsTaskQueue: string;
  account: string;
  bankroll: string;
  gate: RolloutGate;
  settleTimeoutMs: number;
  progressIntervalMs: number;
  startedAt: string;
}

export interface FinishPaperSessionInput {
  sessionId: string;
  verdict: PaperVerdict;
  verdictReasons: string[];
  activeMs: number;
  sweeps: number;
}

export interface FinishedPaperSession {
  verdict: PaperVerdict;
  metrics: MetricsJson;
  reportPath: string | null;
  /** The end-of-session alert, when some enabled channel takes it (the workflow starts its delivery). */
  alert: Alert | null;
}

/** Paper-trading sessions: their row, their own ledger account, progress from their bets, the end report. */
export function createPaperActivities(deps: ActivityDeps) {
  const { db, config, logger } = deps;

  async function sessionRow(sessionId: string): Promise<PaperSessionRow> {
    const row = await getPaperSession(db, sessionId);
    if (!row)
      throw ApplicationFailure.nonRetryable(
        `paper session ${sessionId} is not recorded`,
        'UnknownPaperSession',
      );
    return row;
  }

  return {
    /**
     * Record the session (idempotent: a retry reads back the first attempt's row) with a snapshot of the
     * strategy's type and parameters, and fund its ledger account with the virtual bankroll.
     */
    async openPaperSession({
      sessionId,
      firstRunId,
      spec,
    }: OpenPaperSessionInput): Promise<OpenedPaperSession> {
      const strategy = await getStrategy(db, spec.strategy);
      if (!strategy)
        throw ApplicationFailure.nonRetryable(
          `strategy: "${spec.strategy}" is not in the strategies table (alphabet strategy list)`,
          'UnknownStrategy',
        );
      let parameters: Record<string, unknown>;
      try {
        parameters = spec.parameters
          ? applyParameterChanges(strategy.type, strategy.parameters, spec.parameters).parameters
          : parseStrategyParameters(strategy.type, strategy.parameters);
      } catch (err) {
        if (err instanceof StrategyParameterError || (err instanceof Error && 'issues' in err))
          throw ApplicationFailure.nonRetryable(
            `parameters: ${(err as Error).message}`,
            'InvalidStrategyParameters',
          );
        throw err;
      }
      const account = paperAccount(sessionId);
      const gate = sessionGate(config.paper.gate, spec.gate);
      await insertPaperSession(db, {
        sessionId,
        firstRunId,
        strategyName: strategy.name,
        strategyType: strategy.type,
        parameters,
        account,
        bankroll: spec.bankroll,
        stakeMultiplier: spec.stakeMultiplier,
        durationMs: spec.durationMs,
        maxBets: spec.maxBets,
        gate,
        by: spec.by,
      });
      const row = await sessionRow(sessionId);
      if (row.first_run_id !== firstRunId)
        throw ApplicationFailure.nonRetryable(
          `session id "${sessionId}" belongs to an earlier paper session (${row.status}, started ${row.started_at.toISOString()}); start this one under another id`,
          'PaperSessionExists',
        );
      await ensureAccount(db, row.account, 'paper', config.risk.currency, row.bankroll);
      const stored = row.parameters as { fallbackIntervalMs?: number };
      return {
        strategyType: row.strategy_type,
        parameters: row.parameters,
        fallbackIntervalMs: stored.fallbackIntervalMs ?? 30_000,
        betsTaskQueue: config.temporal.taskQueues.bets,
        account: row.account,
        bankroll: row.bankroll,
        gate: row.gate,
        settleTimeoutMs: spec.settleTimeoutMs ?? config.paper.settleTimeoutSeconds * 1000,
        progressIntervalMs: config.paper.progressIntervalSeconds * 1000,
        startedAt: row.started_at.toISOString(),
      };
    },

    /** The session's results so far: its bets as gate metrics, its opportunities by decision, its equity. */
    async paperSessionProgress({ sessionId }: { sessionId: string }): Promise<PaperProgress> {
      const row = await sessionRow(sessionId);
      const [{ bets, opportunities: o }, equity] = await Promise.all([
        sessionProgressRows(db, sessionId),
        balances(db, row.account),
      ]);
      const open: readonly string[] = OPEN_STATUSES;
      return {
        metrics: stageMetricsFromBets(bets, row.bankroll),
        opportunities: {
          recorded: o.recorded,
          handedOff: o.handed_off,
          placed: o.placed,
          skipped: o.skipped,
          inFlight: o.in_flight,
        },
        open: bets.filter((b) => open.includes(b.status)).length,
        equity: equity.equity,
        asOf: new Date().toISOString(),
      };
    },

    /**
     * The session stops trading: the row says why and when (first call wins), and what it found but never
     * handed to a bet lifecycle is recorded as skipped, so every decision is on record.
     */
    async endPaperSession({ sessionId, reason }: { sessionId: string; reason: string }): Promise<number> {
      return endPaperSessionRows(db, sessionId, reason);
    },

    /**
     * The end report: the backtest's metrics over the session's bets, the gate verdict, the decisions; stored
     * in the row (and as Markdown + SVG under config paper.reportDir), and the alert to send. Idempotent:
     * a completed session returns what it stored.
     */
    async finishPaperSession(input: FinishPaperSessionInput): Promise<FinishedPaperSession> {
      const row = await sessionRow(input.sessionId);
      const alertTypes = routedEventTypes(
        config.alerts.routes,
        new Set(config.alerts.channels.filter((c) => c.enabled).map((c) => c.name)),
      );
      if (row.status === 'completed' && row.metrics !== null) {
        return {
          verdict: row.verdict ?? input.verdict,
          metrics: row.metrics,
          reportPath: row.report_path,
          alert: null,
        };
      }
      const { bets, decisions } = await sessionReportRows(db, input.sessionId);
      const { metrics, statuses, curve } = betsToMetrics(bets, row.bankroll);
      const endedAt = row.ended_at ?? new Date();
      const stem = input.sessionId.replace(/[^A-Za-z0-9_-]+/g, '-');
      const dir = resolve(PROJECT_ROOT, config.paper.reportDir);
      const chartPath = join(dir, `${stem}-bankroll.svg`);
      const reportPath = join(dir, `${stem}.md`);
      const markdown = renderPaperReport({
        row,
        endedAt,
        input,
        metrics,
        statuses,
        decisions,
        chartFile: basename(chartPath),
        clvReference: `${config.placement.closingLine.sharpBookmakers.join(', ')} closing line, devigged (${config.placement.closingLine.devigMethod})`,
      });
      let written: string | null = reportPath;
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(chartPath, bankrollSvg(curve));
        writeFileSync(reportPath, markdown);
      } catch (err) {
        // The row holds the report either way; a read-only disk must not lose the session's result.
        logger.warn({ err, dir }, 'paper session report not written to disk (kept in the database)');
        written = null;
      }
      await completePaperSession(db, {
        sessionId: input.sessionId,
        verdict: input.verdict,
        verdictReasons: input.verdictReasons,
        metrics,
        curve,
        markdown,
        reportPath: written,
      });
      const type = input.verdict === 'fail' ? 'paper.gate_failed' : 'paper.completed';
      const alert: Alert | null = alertTypes.includes(type)
        ? {
            id: `${input.sessionId}/${type}`,
            type,
            severity: ALERT_EVENTS[type],
            subject: input.sessionId,
            title: `Paper trading ${row.strategy_name}: gate ${input.verdict}`,
            text: `${row.end_reason ?? 'ended'}; ${metrics.bets} bets, profit ${metrics.profit} on turnover ${metrics.turnover}, yield ${metrics.yield ?? 'n/a'}, mean CLV ${metrics.clv.mean ?? 'n/a'}. ${input.verdictReasons.join('; ')}`,
            fields: {
              strategy: row.strategy_name,
              session: input.sessionId,
              verdict: input.verdict,
              bets: String(metrics.bets),
              profit: metrics.profit,
              yield: metrics.yield ?? 'n/a',
              report: written ?? `alphabet paper report ${input.sessionId}`,
            },
            at: new Date().toISOString(),
            link: `${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${encodeURIComponent(input.sessionId)}`,
          }
        : null;
      return { verdict: input.verdict, metrics, reportPath: written, alert };
    },
  };
}

/** The session report in Markdown: what ran, the verdict, the backtest's metrics, every decision. */
export function renderPaperReport(r: {
  row: PaperSessionRow;
  endedAt: Date;
  input: FinishPaperSessionInput;
  metrics: MetricsJson;
  statuses: Record<string, number>;
  decisions: { decision: string; reason: string; n: number }[];
  chartFile: string | null;
  clvReference: string;
}): string {
  const { row, input, metrics } = r;
  const ctx = {
    leadRows: [
      ['sweeps of the live board', String(input.sweeps)],
      ['opportunities recorded', String(r.decisions.reduce((n, d) => n + d.n, 0))],
    ],
    unsettledLabel: 'unsettled (still open at the report)',
    clvReference: r.clvReference,
    settledBy:
      'Every bet was placed on the paper book at the quoted price and settled from the event result.',
  };
  const [results, sample, calibration] = metricsSections(metrics, ctx);
  const limits = [
    row.duration_ms === null ? null : `duration ${formatDuration(Number(row.duration_ms))} of active time`,
    row.max_bets === null ? null : `${row.max_bets} bets`,
  ].filter((x) => x !== null);
  const body: Section[] = [
    {
      title: 'Session',
      text: [
        `strategy: ${row.strategy_name} (type ${row.strategy_type}), parameters ${JSON.stringify(row.parameters)}`,
        `virtual bankroll ${row.bankroll} on ledger account ${row.account}; stake multiplier ${row.stake_multiplier}`,
        `limits: ${limits.join(' or ')}; started by ${row.started_by} at ${row.started_at.toISOString()}`,
        `ended ${r.endedAt.toISOString()} after ${formatDuration(input.activeMs)} of active trading: ${row.end_reason ?? 'ended'}`,
      ],
    },
    {
      title: `Gate: ${input.verdict}`,
      text: [input.verdictReasons.join('; ') || 'no reasons recorded', `gate: ${JSON.stringify(row.gate)}`],
    },
    results!,
    sample!,
    {
      title: 'Decisions (every opportunity the session found)',
      header: ['decision', 'reason', 'opportunities'],
      rows: r.decisions.map((d) => [d.decision, d.reason || '-', String(d.n)]),
      text: [
        `bets (legs) by status: ${
          Object.entries(r.statuses)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || 'none'
        }`,
      ],
    },
    calibration!,
    methodSection(ctx),
  ];
  return markdownDocument(
    `Paper trading: ${row.strategy_name}`,
    `Session \`${row.session_id}\`, reported ${new Date().toISOString()}.`,
    body,
    r.chartFile,
  );
}
