import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { QueueActivities } from '../../shared/queues';
import { breaches, evaluateGate, stageAfterFailure } from '../../shared/rollout';
import { SA } from '../../shared/search-attributes';
import {
  abortRolloutSignal,
  approveRolloutUpdate,
  pauseRolloutSignal,
  resumeRolloutSignal,
  rolloutStatusQuery,
  type RolloutEvent,
  type RolloutInput,
  type RolloutResult,
  type RolloutState,
  type RolloutStatus,
} from './messages';
import { reloadSignal, strategyWorkflowId } from '../strategies/messages';

const { applyRolloutStage, measureRolloutStage } = proxyActivities<QueueActivities<'strategies'>>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
});

const MAX_EVENTS = 30;
const ITERATIONS_BEFORE_CONTINUE = 500;

/**
 * One per strategy (id `rollout:<strategy>`): backtest → gate → paper → gate → live at 0.25, 0.5, 1.0 of
 * target. Each stage runs at least its minimum duration and bet count, then its gate passes (next stage,
 * after an operator's approval where configured) or fails (demotion or pause). Drawdown and void/limit
 * breaches end a stage at once.
 */
export async function rolloutWorkflow({
  strategy,
  config,
  state: carried,
}: RolloutInput): Promise<RolloutResult> {
  const stages = config.stages;
  const state: RolloutState = carried ?? {
    stageIndex: 0,
    stageStartedAt: Date.now(),
    paused: false,
    pauseReason: null,
    awaitingApproval: false,
    lastMetrics: null,
    lastVerdict: null,
    events: [],
  };
  let aborted = false;
  let abortReason = '';
  let approvedBy: string | null = null;
  let applied = carried !== undefined;

  const stage = () => stages[state.stageIndex]!;
  const record = (event: RolloutEvent['event'], reasons: string[]) => {
    state.events.push({ at: new Date().toISOString(), stage: stage().name, event, reasons });
    if (state.events.length > MAX_EVENTS) state.events.splice(0, state.events.length - MAX_EVENTS);
  };
  const status = (): RolloutStatus => ({
    ...state,
    strategy,
    stage: stage().name,
    stages: stages.map((s) => s.name),
    aborted,
    done: false,
  });

  setHandler(rolloutStatusQuery, status);
  setHandler(pauseRolloutSignal, (reason) => {
    if (state.paused) return;
    state.paused = true;
    state.pauseReason = reason ?? 'paused by an operator';
    record('paused', [state.pauseReason]);
  });
  setHandler(resumeRolloutSignal, () => {
    if (!state.paused) return;
    state.paused = false;
    state.pauseReason = null;
    record('resumed', []);
  });
  setHandler(abortRolloutSignal, (reason) => {
    aborted = true;
    abortReason = reason ?? 'aborted by an operator';
  });
  setHandler(
    approveRolloutUpdate,
    (by) => {
      approvedBy = by;
      return status();
    },
    {
      validator: (by: string) => {
        if (!state.awaitingApproval)
          throw new Error(`nothing to approve: stage ${stage().name} is not waiting for an approval`);
        if (typeof by !== 'string' || by.trim() === '')
          throw new Error('approve: "by" must name the operator');
      },
    },
  );

  /** A running strategy workflow caches its row: tell it the stage changed it (none running: nothing to tell). */
  const tellStrategy = async () => {
    if (!patched('rollout-reloads-strategy')) return;
    await getExternalWorkflowHandle(strategyWorkflowId(strategy))
      .signal(reloadSignal, { by: 'rollout' })
      .catch(() => undefined);
  };

  const show = (details: string) => {
    upsertSearchAttributes([
      { key: SA.RolloutStage, value: stage().name },
      { key: SA.Strategy, value: strategy },
    ]);
    setCurrentDetails(
      `**${strategy}** · stage **${stage().name}** (${state.stageIndex + 1}/${stages.length})\n\n${details}`,
    );
  };

  for (let iteration = 0; ; iteration++) {
    if (aborted) break;
    if (state.paused) {
      show(`paused: ${state.pauseReason ?? ''}`);
      await condition(() => !state.paused || aborted);
      continue;
    }
    const current = stage();
    if (!applied) {
      await applyRolloutStage({
        strategy,
        stage: current.name,
        mode: current.mode,
        stakeMultiplier: current.stakeMultiplier,
      });
      applied = true;
      await tellStrategy();
      record('entered', [`mode ${current.mode}, stake multiplier ${current.stakeMultiplier}`]);
      show(`entered: mode ${current.mode}, stake multiplier ${current.stakeMultiplier}; measuring`);
    }

    const metrics = await measureRolloutStage({
      strategy,
      stage: current.name,
      since: new Date(state.stageStartedAt).toISOString(),
    });
    state.lastMetrics = metrics;
    // A backtest is measured in one go: its duration is the history it covered, not wall time.
    const elapsed = current.name === 'backtest' ? Infinity : (Date.now() - state.stageStartedAt) / 1000;
    const breached = current.name === 'backtest' ? [] : breaches(current.gate, metrics);
    const verdict = breached.length
      ? { verdict: 'fail' as const, reasons: breached }
      : evaluateGate(current.gate, metrics, elapsed);
    state.lastVerdict = `${verdict.verdict}: ${verdict.reasons.join('; ')}`;
    show(
      `${metrics.settled} settled of ${metrics.bets} bets · profit ${metrics.profit} · yield ${metrics.yield ?? 'n/a'} · CLV ${metrics.clvMean ?? 'n/a'}\n\ngate: ${state.lastVerdict}`,
    );

    if (verdict.verdict === 'wait') {
      await condition(() => aborted || state.paused, `${config.checkIntervalSeconds} seconds`);
    } else if (verdict.verdict === 'pass') {
      if (current.gate.manualApproval) {
        state.awaitingApproval = true;
        show(
          `gate passed (${verdict.reasons.join('; ')}); **waiting for an operator's approval** (\`alphabet rollout approve ${strategy}\`)`,
        );
        await condition(() => approvedBy !== null || aborted);
        state.awaitingApproval = false;
        if (aborted) break;
        record('approved', [`by ${approvedBy ?? '?'}`]);
        approvedBy = null;
      }
      record('passed', verdict.reasons);
      if (state.stageIndex === stages.length - 1) {
        record('completed', ['every stage passed: the strategy runs at full target stakes']);
        show('completed: every stage passed');
        return { strategy, outcome: 'completed', finalStage: current.name, events: state.events };
      }
      state.stageIndex += 1;
      state.stageStartedAt = Date.now();
      applied = false;
    } else {
      record(breached.length ? 'breached' : 'failed', verdict.reasons);
      const next = stageAfterFailure(stages, state.stageIndex);
      if (next.index !== state.stageIndex) {
        state.stageIndex = next.index;
        applied = false;
      }
      state.stageStartedAt = Date.now();
      if (next.pause) {
        state.paused = true;
        state.pauseReason = `gate failed at ${current.name}: ${verdict.reasons.join('; ')}`;
        record('paused', [state.pauseReason]);
      }
    }

    if (iteration >= ITERATIONS_BEFORE_CONTINUE || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof rolloutWorkflow>({ strategy, config, state });
    }
  }

  // Aborted: take the strategy off real stakes before saying so.
  await applyRolloutStage({ strategy, stage: 'paper', mode: 'paper', stakeMultiplier: '0' });
  await tellStrategy();
  record('aborted', [abortReason]);
  show(`aborted: ${abortReason}; strategy back to paper at stake multiplier 0`);
  return { strategy, outcome: 'aborted', finalStage: stage().name, events: state.events };
}
