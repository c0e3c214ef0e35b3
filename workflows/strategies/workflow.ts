import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PendingOpportunity, StrategyRow, SweepResult } from '../../activities';
import { SA } from '../../shared/search-attributes';
import { startBetLifecycle } from '../bets/hand-off';
import { DIRECT_HAND_OFF_LIMIT, HAND_OFF_BATCH, store, sweeper, waitForBoardOrInterrupt } from './sweep';
import { strategyDefinition } from '../../shared/strategies';
import {
  pauseSignal,
  reloadSignal,
  resumeSignal,
  setParametersUpdate,
  strategyStatusQuery,
  validateSetParameters,
  type LastSweep,
  type SetParametersRequest,
  type StrategyCounts,
  type StrategyPhase,
  type StrategyStatus,
  type StrategyWorkflowInput,
} from './messages';

export * from './messages';

/**
 * Lifecycles started straight from the sweep's result (no separate claim pass), all of a batch at once in
 * one workflow task instead of one after another. Histories recorded before keep the claim pass.
 */
export const DIRECT_HAND_OFF_PATCH = 'strategy-direct-hand-off';
const DEFAULT_ITERATIONS_PER_RUN = 500;

const emptyCounts = (): StrategyCounts => ({
  sweeps: 0,
  found: 0,
  recorded: 0,
  duplicates: 0,
  suspect: 0,
  skipped: 0,
  handedOff: 0,
  alreadyHandedOff: 0,
  noLifecycle: 0,
  suppressed: 0,
});

/**
 * One per strategy (workflow id `strategy:<name>`): sweeps the board when it changes (and at least every
 * fallbackIntervalMs). The sweep is an activity that reads the board from Redis, evaluates the strategy and
 * records what it finds; the workflow only sees counts, never boards. New opportunities are handed to
 * their bet lifecycle under a deterministic workflow id (bet:<opportunity>, REJECT_DUPLICATE), so an
 * opportunity found on every sweep is still bet once. Signals pause/resume; update setParameters (its
 * validator refuses bad values before they reach the workflow); query status.
 */
export async function strategyWorkflow(input: StrategyWorkflowInput): Promise<void> {
  const { name } = input;
  const handOffMode = input.handOff ?? 'lifecycle';
  const carry = input.carry;
  const counts: StrategyCounts = carry?.counts ?? emptyCounts();
  let paused = carry?.paused ?? false;
  let pausedBy = carry?.pausedBy ?? null;
  let lastSweep: LastSweep | null = carry?.lastSweep ?? null;
  let cursor: string | null = carry?.cursor ?? null;
  const runs = (carry?.runs ?? 0) + 1;
  let phase: StrategyPhase = 'starting';
  /** Bumped by every accepted change and by pause/resume: interrupts a wait. */
  let version = 0;
  const audit: { field: string; value: unknown; by: string }[] = [];

  // Handlers first: a query or signal that arrives while the row loads (or right after continue-as-new)
  // must find them. Until the row is loaded, the last run's copy (or placeholders) answers.
  let strategy: StrategyRow | null = carry?.strategy ?? null;

  const status = (): StrategyStatus => ({
    name,
    type: strategy?.type ?? 'unknown',
    mode: strategy?.mode ?? 'unknown',
    enabled: strategy?.enabled ?? false,
    stakeMultiplier: strategy?.stakeMultiplier ?? '0',
    parameters: strategy?.parameters ?? {},
    paused,
    pausedBy,
    phase,
    counts: { ...counts },
    lastSweep,
    runs,
  });

  setHandler(strategyStatusQuery, status);
  setHandler(pauseSignal, (req) => {
    if (paused) return;
    paused = true;
    pausedBy = req?.by ?? null;
    version++;
    audit.push({
      field: 'paused',
      value: { paused: true, reason: req?.reason ?? null },
      by: req?.by ?? 'signal',
    });
  });
  setHandler(resumeSignal, (req) => {
    if (!paused) return;
    paused = false;
    pausedBy = null;
    version++;
    audit.push({
      field: 'paused',
      value: { paused: false, reason: req?.reason ?? null },
      by: req?.by ?? 'signal',
    });
  });
  let reloadRequested = false;
  setHandler(reloadSignal, () => {
    reloadRequested = true;
    version++;
  });
  setHandler(
    setParametersUpdate,
    async (req) => {
      await condition(() => strategy !== null);
      const result = await store.updateStrategy({ name, ...req });
      const modeChanged = result.strategy.mode !== strategy!.mode;
      strategy = result.strategy;
      if (modeChanged) upsertSearchAttributes([{ key: SA.StrategyMode, value: result.strategy.mode }]);
      if (result.changes.length > 0) version++;
      show();
      return result;
    },
    {
      validator: (req: SetParametersRequest) => {
        if (!strategy) throw new Error('the strategy is still loading; try again in a moment');
        validateSetParameters(strategy, req);
      },
    },
  );

  const loaded = await store.loadStrategy({ name });
  strategy = loaded.strategy;
  const betsTaskQueue = loaded.betsTaskQueue;
  const current = (): StrategyRow => strategy!;

  upsertSearchAttributes([
    { key: SA.Strategy, value: name },
    { key: SA.StrategyMode, value: current().mode },
  ]);

  const parameters = () =>
    strategyDefinition(current().type).parameters.parse(current().parameters) as {
      fallbackIntervalMs: number;
    };

  function show(note?: string): void {
    const head =
      phase === 'paused'
        ? `**paused**${pausedBy ? ` by ${pausedBy}` : ''}`
        : phase === 'disabled'
          ? '**disabled** in the strategies table'
          : `**${phase}**`;
    const last = lastSweep
      ? `last sweep #${lastSweep.sweep} at ${lastSweep.at} (${lastSweep.trigger}): ${lastSweep.quotes} quotes, ${lastSweep.found} found, ${lastSweep.recorded} new, ${lastSweep.duplicates} seen before; read ${lastSweep.readMs} ms, evaluate ${lastSweep.evaluateMs} ms`
      : 'no sweep yet';
    setCurrentDetails(
      [
        `${head} · ${current().type} · mode **${current().mode}** · stake multiplier ${current().stakeMultiplier}`,
        '',
        last,
        '',
        `totals: ${counts.sweeps} sweeps · ${counts.recorded} recorded · ${counts.duplicates} duplicates · ${counts.suspect} suspect · ${counts.skipped} skipped · ${counts.handedOff} handed to bet lifecycles${counts.noLifecycle ? ` · ${counts.noLifecycle} without lifecycle` : ''}${counts.suppressed ? ` · ${counts.suppressed} wake-ups while paused` : ''}`,
        ...(note ? ['', note] : []),
      ].join('\n'),
    );
  }

  async function flushAudit(): Promise<void> {
    while (audit.length > 0) {
      const entry = audit[0]!;
      await store.recordStrategyEvent({ name, ...entry });
      audit.shift();
    }
  }

  /** Start these opportunities' lifecycles (bet:<id>, REJECT_DUPLICATE), then mark them handed off. */
  async function startLifecycles(pending: readonly PendingOpportunity[], together: boolean): Promise<void> {
    const started = together
      ? await Promise.all(pending.map((o) => startBetLifecycle(o, name, betsTaskQueue)))
      : [];
    if (!together) for (const o of pending) started.push(await startBetLifecycle(o, name, betsTaskQueue));
    for (const s of started) {
      if (s === 'started') counts.handedOff++;
      else counts.alreadyHandedOff++;
    }
    await store.markOpportunitiesHandedOff({ ids: pending.map((o) => o.id) });
  }

  async function handOff(together: boolean): Promise<void> {
    for (;;) {
      const pending: PendingOpportunity[] = await store.claimPendingOpportunities({
        name,
        limit: HAND_OFF_BATCH,
      });
      if (pending.length === 0) return;
      const ids = pending.map((o) => o.id);
      if (handOffMode === 'record-only') {
        counts.noLifecycle += await store.skipPendingOpportunities({ ids, reason: 'no lifecycle' });
      } else {
        await startLifecycles(pending, together);
      }
      if (pending.length < HAND_OFF_BATCH) return;
    }
  }

  const maxIterations = input.maxIterationsPerRun ?? DEFAULT_ITERATIONS_PER_RUN;
  let trigger = lastSweep ? 'continued as new' : 'first sweep';
  // Opportunities left pending by an earlier run (or a pause) are claimed after the first sweep.
  let backlog = true;
  for (let iteration = 0; ; iteration++) {
    if (iteration >= maxIterations || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await flushAudit();
      await continueAsNew<typeof strategyWorkflow>({
        ...input,
        carry: { strategy: current(), paused, pausedBy, counts, lastSweep, cursor, runs },
      });
    }
    await flushAudit();
    if (reloadRequested) {
      reloadRequested = false;
      const before = current().mode;
      strategy = (await store.loadStrategy({ name })).strategy;
      if (current().mode !== before)
        upsertSearchAttributes([{ key: SA.StrategyMode, value: current().mode }]);
      trigger = 'reloaded';
    }
    const interval = parameters().fallbackIntervalMs;

    if (paused || !current().enabled) {
      phase = paused ? 'paused' : 'disabled';
      show();
      const seen = version;
      const woke = await condition(
        () => (!paused && current().enabled) || version !== seen || audit.length > 0,
        interval,
      );
      if (!woke) counts.suppressed++;
      trigger = paused || !current().enabled ? trigger : 'resumed';
      continue;
    }

    phase = 'sweeping';
    show();
    const row = current();
    const direct = patched(DIRECT_HAND_OFF_PATCH);
    const r: SweepResult = await sweeper.sweepStrategy({
      name,
      type: row.type,
      mode: row.mode,
      parameters: row.parameters,
      sweep: counts.sweeps + 1,
      ...(direct && handOffMode === 'lifecycle' ? { handOffLimit: DIRECT_HAND_OFF_LIMIT } : {}),
    });
    counts.sweeps++;
    counts.found += r.found;
    counts.recorded += r.recorded;
    counts.duplicates += r.duplicates;
    counts.suspect += r.suspect;
    counts.skipped += r.skipped;
    cursor = r.cursor;
    lastSweep = {
      sweep: counts.sweeps,
      at: new Date().toISOString(),
      boardAsOf: r.asOf,
      quotes: r.quotes,
      found: r.found,
      recorded: r.recorded,
      duplicates: r.duplicates,
      readMs: r.readMs,
      evaluateMs: r.evaluateMs,
      recordMs: r.recordMs,
      trigger,
    };
    // Paused mid-sweep: what it found waits (pending) until resumed; no new bets while paused.
    if (direct && !backlog && !paused && r.pending > 0 && r.handOff?.length === r.pending) {
      // Everything new came back with the sweep: start it now, no claim pass.
      phase = 'handing-off';
      show();
      await startLifecycles(r.handOff, true);
    } else if (r.pending > 0) backlog = true;
    if (backlog && !paused) {
      phase = 'handing-off';
      show();
      await handOff(direct);
      backlog = false;
    }

    if (paused) continue;
    phase = 'waiting';
    show();
    const seen = version;
    const woke = await waitForBoardOrInterrupt(cursor, interval, () => paused || version !== seen);
    if (woke !== null) {
      cursor = woke.cursor;
      trigger = woke.changed ? 'board change' : 'fallback interval';
    } else {
      trigger = 'parameters changed';
    }
  }
}
