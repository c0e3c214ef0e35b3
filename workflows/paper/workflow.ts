import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { OpenedPaperSession } from '../../activities';
import { SA } from '../../shared/search-attributes';
import { formatDuration } from '../../shared/duration';
import {
  PaperRequestError,
  handOffAllowance,
  parsePaperRequest,
  type PaperProgress,
  type PaperSessionSpec,
  type PaperVerdict,
} from '../../shared/paper';
import { breaches, evaluateGate } from '../../shared/rollout';
import { alertDeliveryChildOptions } from '../alerts/messages';
import { alertDeliveryWorkflow } from '../alerts/workflow';
import { startBetLifecycle } from '../bets/hand-off';
import { HAND_OFF_BATCH, store, sweeper, waitForBoardOrInterrupt } from '../strategies/sweep';
import {
  pausePaperSignal,
  paperProgressQuery,
  resumePaperSignal,
  stopPaperSignal,
  type PaperCarry,
  type PaperCounts,
  type PaperPhase,
  type PaperResult,
  type PaperStatus,
  type PaperTradingInput,
  type StopRequest,
} from './messages';

export * from './messages';

const ITERATIONS_BEFORE_CONTINUE = 300;

/**
 * An operator's paper-trading session (the workflow id is the session id): the strategy, with a snapshot
 * of its parameters, sweeps the live board in paper mode and bets on the session's own virtual bankroll
 * until its active time or bet count is reached, a drawdown or void/limit breach ends it, or an operator
 * stops it. Then it waits (bounded) for open bets to settle, judges the gate and stores and alerts its
 * report. Signals pause/resume/stop; query progress. Pauses do not count as trading time.
 */
export async function paperTradingWorkflow(input: PaperTradingInput): Promise<PaperResult> {
  const sessionId = workflowInfo().workflowId;
  const { iterationsPerRun = ITERATIONS_BEFORE_CONTINUE, ...request } = input;
  const carry = 'carry' in request ? request.carry : undefined;
  let spec: PaperSessionSpec;
  try {
    spec = carry?.spec ?? parsePaperRequest(request);
  } catch (err) {
    if (err instanceof PaperRequestError)
      throw ApplicationFailure.nonRetryable(err.message, 'InvalidPaperRequest');
    throw err;
  }

  let session: OpenedPaperSession | null = carry?.session ?? null;
  const counts: PaperCounts = carry?.counts ?? {
    sweeps: 0,
    found: 0,
    recorded: 0,
    handedOff: 0,
  };
  let progress: PaperProgress | null = carry?.progress ?? null;
  let cursor = carry?.cursor ?? null;
  let paused = carry?.paused ?? false;
  let pausedBy = carry?.pausedBy ?? null;
  let activeMs = carry?.activeMs ?? 0;
  let activeSince: number | null = paused ? null : Date.now();
  let stop: StopRequest | null = null;
  let phase: PaperPhase = 'starting';
  let endReason: string | null = null;
  let result: PaperResult | null = null;
  /** Bumped by pause, resume and stop: interrupts a wait. */
  let version = 0;
  const active = () => activeMs + (activeSince === null ? 0 : Date.now() - activeSince);

  const status = (): PaperStatus => ({
    sessionId,
    strategy: spec.strategy,
    phase,
    paused,
    pausedBy,
    startedAt: session?.startedAt ?? null,
    activeSeconds: Math.floor(active() / 1000),
    durationSeconds: spec.durationMs === null ? null : spec.durationMs / 1000,
    maxBets: spec.maxBets,
    bankroll: spec.bankroll,
    counts: { ...counts },
    progress,
    endReason,
    result,
    runs: carry?.runs ?? 1,
  });
  setHandler(paperProgressQuery, status);
  setHandler(pausePaperSignal, (req) => {
    if (paused || endReason !== null) return;
    activeMs = active();
    activeSince = null;
    paused = true;
    pausedBy = req?.by ?? null;
    version++;
  });
  setHandler(resumePaperSignal, () => {
    if (!paused) return;
    paused = false;
    pausedBy = null;
    activeSince = Date.now();
    version++;
  });
  setHandler(stopPaperSignal, (req) => {
    // A second stop may only add "now" (stop waiting for open bets).
    stop = { ...(stop ?? req ?? {}), now: (stop?.now ?? false) || (req?.now ?? false) };
    version++;
  });

  const show = (note?: string) => {
    const p = progress;
    const limits = [
      spec.durationMs === null
        ? null
        : `${formatDuration(active())} of ${formatDuration(spec.durationMs)} active`,
      spec.maxBets === null ? null : `${p?.opportunities.placed ?? 0} of ${spec.maxBets} bets`,
    ].filter((x) => x !== null);
    setCurrentDetails(
      [
        `**paper trading ${spec.strategy}** · **${phase}**${paused ? ` by ${pausedBy ?? 'an operator'}` : ''} · bankroll ${spec.bankroll}`,
        '',
        limits.join(' · '),
        '',
        p
          ? `${p.opportunities.recorded} opportunities · ${p.opportunities.placed} placed · ${p.opportunities.skipped} skipped · ${p.open} open legs · ${p.metrics.settled} settled · profit ${p.metrics.profit} · yield ${p.metrics.yield ?? 'n/a'} · CLV ${p.metrics.clvMean ?? 'n/a'} · equity ${p.equity}`
          : 'no results yet',
        ...(note ? ['', note] : []),
      ].join('\n'),
    );
  };

  if (session === null) {
    try {
      session = await store.openPaperSession({
        sessionId,
        firstRunId: workflowInfo().firstExecutionRunId,
        spec,
      });
    } catch (err) {
      // A refused request (unknown strategy, bad parameters, a used id) is the session's own failure: say
      // it at the top, where the Web UI and `paper status` show it, not only inside the activity's failure.
      if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable)
        throw ApplicationFailure.nonRetryable(err.cause.message, err.cause.type ?? 'PaperSessionRefused');
      throw err;
    }
    upsertSearchAttributes([
      { key: SA.Strategy, value: spec.strategy },
      { key: SA.StrategyMode, value: 'paper' },
    ]);
  }
  const opened = session;

  const endOfTrading = (): string | null => {
    if (stop !== null)
      return `stopped by ${stop.by ?? 'an operator'}${stop.reason ? `: ${stop.reason}` : ''}`;
    if (progress) {
      const breached = breaches(opened.gate, progress.metrics);
      if (breached.length) return `breached: ${breached.join('; ')}`;
      if (spec.maxBets !== null && progress.opportunities.placed >= spec.maxBets)
        return `${spec.maxBets} bets placed`;
    }
    if (spec.durationMs !== null && active() >= spec.durationMs)
      return `ran its ${formatDuration(spec.durationMs)} of active trading`;
    return null;
  };

  async function handOff(): Promise<void> {
    for (;;) {
      const allowance = handOffAllowance(spec.maxBets, progress);
      if (allowance <= 0) return;
      const pending = await store.claimPendingOpportunities({
        name: spec.strategy,
        limit: Math.min(HAND_OFF_BATCH, allowance),
        session: sessionId,
      });
      if (pending.length === 0) return;
      for (const o of pending) {
        if ((await startBetLifecycle(o, spec.strategy, opened.betsTaskQueue)) === 'started')
          counts.handedOff++;
      }
      await store.markOpportunitiesHandedOff({ ids: pending.map((o) => o.id) });
      // In flight now: counted against the bet limit until their lifecycles decide.
      progress = await store.paperSessionProgress({ sessionId });
      if (pending.length < HAND_OFF_BATCH) return;
    }
  }

  for (let iteration = 0; ; iteration++) {
    endReason = endOfTrading();
    if (endReason !== null) break;
    if (iteration >= iterationsPerRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      if (endOfTrading() === null) {
        const next: PaperCarry = {
          spec,
          session: opened,
          activeMs: active(),
          paused,
          pausedBy,
          counts,
          progress,
          cursor,
          runs: (carry?.runs ?? 1) + 1,
        };
        return continueAsNew<typeof paperTradingWorkflow>({ carry: next, iterationsPerRun });
      }
      continue;
    }
    if (paused) {
      phase = 'paused';
      show();
      await condition(() => !paused || stop !== null);
      continue;
    }

    phase = 'sweeping';
    show();
    const r = await sweeper.sweepStrategy({
      name: spec.strategy,
      type: opened.strategyType,
      mode: 'paper',
      parameters: opened.parameters,
      sweep: counts.sweeps + 1,
      session: sessionId,
    });
    counts.sweeps++;
    counts.found += r.found;
    counts.recorded += r.recorded;
    cursor = r.cursor;
    if (!paused && stop === null) await handOff();
    progress = await store.paperSessionProgress({ sessionId });
    if (endOfTrading() !== null || paused) continue;

    phase = 'waiting';
    show();
    const remaining = spec.durationMs === null ? Infinity : spec.durationMs - active();
    const timeoutMs = Math.max(1, Math.min(opened.fallbackIntervalMs, opened.progressIntervalMs, remaining));
    const seen = version;
    const woke = await waitForBoardOrInterrupt(cursor, timeoutMs, () => version !== seen);
    if (woke !== null) cursor = woke.cursor;
  }

  // The end: no new bets; what was handed off before settles (bounded by the settle timeout).
  activeMs = active();
  activeSince = null;
  const reason = endReason;
  await store.endPaperSession({ sessionId, reason });
  phase = 'settling';
  const deadline = Date.now() + opened.settleTimeoutMs;
  for (;;) {
    progress = await store.paperSessionProgress({ sessionId });
    show(`ended: ${reason}; waiting for ${progress.open} open legs to settle`);
    if (progress.open === 0 && progress.opportunities.inFlight === 0) break;
    const left = deadline - Date.now();
    if (left <= 0 || (stop as StopRequest | null)?.now === true) break;
    await condition(() => stop?.now === true, Math.min(left, opened.progressIntervalMs));
  }

  phase = 'reporting';
  show(`ended: ${reason}`);
  const verdict = judge(opened, progress, activeMs);
  const finished = await store.finishPaperSession({
    sessionId,
    verdict: verdict.verdict,
    verdictReasons: verdict.reasons,
    activeMs,
    sweeps: counts.sweeps,
  });
  if (finished.alert !== null) {
    await startChild(
      alertDeliveryWorkflow,
      alertDeliveryChildOptions(finished.alert, workflowInfo().taskQueue),
    ).catch(() => undefined);
  }
  result = {
    sessionId,
    strategy: spec.strategy,
    endReason: reason,
    verdict: finished.verdict,
    verdictReasons: verdict.reasons,
    metrics: finished.metrics,
    reportPath: finished.reportPath,
  };
  phase = 'done';
  show(
    `ended: ${reason}\n\n**gate ${finished.verdict}**: ${verdict.reasons.join('; ')}${finished.reportPath ? `\n\nreport: ${finished.reportPath}` : ''}`,
  );
  await condition(allHandlersFinished);
  return result;
}

/** The gate at the end: a breach fails it; too little evidence (time or settled bets) is inconclusive. */
function judge(
  session: OpenedPaperSession,
  progress: PaperProgress,
  activeMs: number,
): { verdict: PaperVerdict; reasons: string[] } {
  const v = evaluateGate(session.gate, progress.metrics, activeMs / 1000);
  if (v.verdict === 'wait') return { verdict: 'inconclusive', reasons: v.reasons };
  return v;
}
