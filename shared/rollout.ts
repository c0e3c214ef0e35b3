import Decimal from 'decimal.js';
import { z } from 'zod';
import { DecimalString, StrategyMode } from './entities';

/**
 * Staged rollout: a strategy earns real stakes stage by stage (backtest → paper → live at 0.25, 0.5, 1.0
 * of target), each stage gated on measured results. Pure: the workflow decides with these functions,
 * activities only measure.
 */

export const RolloutGate = z.strictObject({
  /** The stage lasts at least this long before its gate is judged. */
  minDurationSeconds: z.number().nonnegative(),
  /** …and has at least this many settled bets. */
  minBets: z.number().int().nonnegative(),
  /** Mean CLV minus clvZ standard errors must reach this (null: not gated). */
  minClvLowerBound: DecimalString.nullable().default(null),
  clvZ: z.number().positive().default(1.645),
  minYield: DecimalString.nullable().default(null),
  /** Largest fall from a peak, as a fraction of that peak; breached at any time, not only at the gate. */
  maxDrawdownFraction: DecimalString.nullable().default(null),
  /** (voided + rejected by the book) / bets; breached at any time. */
  maxVoidOrLimitRate: DecimalString.nullable().default(null),
  /** An operator must approve with the `approve` update once the numbers pass. */
  manualApproval: z.boolean().default(false),
});
export type RolloutGate = z.infer<typeof RolloutGate>;

export const RolloutStageName = z.enum(['backtest', 'paper', 'live-0.25', 'live-0.5', 'live-1.0']);
export type RolloutStageName = z.infer<typeof RolloutStageName>;

export const RolloutStage = z.strictObject({
  name: RolloutStageName,
  mode: StrategyMode,
  stakeMultiplier: DecimalString,
  gate: RolloutGate,
  /** What a breach or a failed gate does: step back one stage, or pause for an operator. */
  onBreach: z.enum(['demote', 'pause']).default('demote'),
});
export type RolloutStage = z.infer<typeof RolloutStage>;

export const RolloutConfig = z.strictObject({
  checkIntervalSeconds: z.number().positive(),
  stages: z.array(RolloutStage).min(1),
});
export type RolloutConfig = z.infer<typeof RolloutConfig>;

/** What a stage measured (decimal strings; null where there is nothing to measure yet). */
export interface StageMetrics {
  bets: number;
  settled: number;
  voided: number;
  rejected: number;
  turnover: string;
  profit: string;
  yield: string | null;
  clvMean: string | null;
  clvStandardError: string | null;
  maxDrawdownFraction: string;
}

export type GateVerdict =
  | { verdict: 'wait'; reasons: string[] }
  | { verdict: 'pass'; reasons: string[] }
  | { verdict: 'fail'; reasons: string[] };

/** Limits that end a stage early whatever its duration: drawdown and void/limit rate. */
export function breaches(gate: RolloutGate, m: StageMetrics): string[] {
  const reasons: string[] = [];
  if (gate.maxDrawdownFraction !== null && new Decimal(m.maxDrawdownFraction).gt(gate.maxDrawdownFraction)) {
    reasons.push(`drawdown ${pct(m.maxDrawdownFraction)} exceeds ${pct(gate.maxDrawdownFraction)}`);
  }
  if (gate.maxVoidOrLimitRate !== null && m.bets > 0) {
    const rate = new Decimal(m.voided + m.rejected).div(m.bets);
    if (rate.gt(gate.maxVoidOrLimitRate)) {
      reasons.push(
        `void/limit rate ${pct(rate)} exceeds ${pct(gate.maxVoidOrLimitRate)} (${m.voided} voided, ${m.rejected} rejected of ${m.bets})`,
      );
    }
  }
  return reasons;
}

/** Judge a stage's gate: wait until it has run long enough with enough bets, then pass or fail with reasons. */
export function evaluateGate(gate: RolloutGate, m: StageMetrics, elapsedSeconds: number): GateVerdict {
  const breached = breaches(gate, m);
  if (breached.length) return { verdict: 'fail', reasons: breached };
  const waiting: string[] = [];
  if (elapsedSeconds < gate.minDurationSeconds)
    waiting.push(`ran ${Math.floor(elapsedSeconds)} s of ${gate.minDurationSeconds} s`);
  if (m.settled < gate.minBets) waiting.push(`${m.settled} of ${gate.minBets} settled bets`);
  if (waiting.length) return { verdict: 'wait', reasons: waiting };

  const failed: string[] = [];
  const passed: string[] = [`${m.settled} settled bets`];
  if (gate.minYield !== null) {
    if (m.yield === null || new Decimal(m.yield).lt(gate.minYield))
      failed.push(`yield ${m.yield === null ? 'n/a' : pct(m.yield)} below ${pct(gate.minYield)}`);
    else passed.push(`yield ${pct(m.yield)} ≥ ${pct(gate.minYield)}`);
  }
  if (gate.minClvLowerBound !== null) {
    const bound = clvLowerBound(m, gate.clvZ);
    if (bound === null || bound.lt(gate.minClvLowerBound)) {
      failed.push(
        `CLV lower bound ${bound === null ? 'n/a (needs two bets with a close)' : pct(bound)} below ${pct(gate.minClvLowerBound)}`,
      );
    } else passed.push(`CLV lower bound ${pct(bound)} ≥ ${pct(gate.minClvLowerBound)}`);
  }
  return failed.length ? { verdict: 'fail', reasons: failed } : { verdict: 'pass', reasons: passed };
}

export function clvLowerBound(m: StageMetrics, z: number): Decimal | null {
  if (m.clvMean === null || m.clvStandardError === null) return null;
  return new Decimal(m.clvMean).minus(new Decimal(m.clvStandardError).mul(z));
}

/** The stage after a failed gate or a breach: one back (never before paper) or a pause. */
export function stageAfterFailure(
  stages: readonly RolloutStage[],
  index: number,
): { index: number; pause: boolean } {
  const stage = stages[index];
  if (!stage || stage.onBreach === 'pause') return { index, pause: true };
  const paperIndex = stages.findIndex((s) => s.name === 'paper');
  const floor = paperIndex >= 0 ? paperIndex : 0;
  return { index: Math.max(floor, index - 1), pause: index <= floor };
}

function pct(value: Decimal.Value): string {
  return `${new Decimal(value).mul(100).toDecimalPlaces(2).toString()}%`;
}
