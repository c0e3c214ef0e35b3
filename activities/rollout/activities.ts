import { ApplicationFailure } from '@temporalio/activity';
import { D } from '../../shared/math/decimal';
import { maxDrawdown, meanAndStandardError } from '../../shared/backtest/metrics';
import type { RolloutStageName, StageMetrics } from '../../shared/rollout';
import type { StrategyMode } from '../../shared/entities';
import type { ActivityDeps } from '../deps';
import { fromDefinition } from '../../shared/backtest/adapter';
import { runBacktestAsync } from '../../shared/backtest/run';
import { strategyDefinition } from '../../shared/strategies/registry';
import { oddsHistoryReplay } from '../backtest/postgres';
import { getStrategy } from '../strategies/store';
import { applyStageToStrategy, stageBets, type StageBetRow } from './store';

export interface ApplyStageInput {
  strategy: string;
  stage: RolloutStageName;
  mode: StrategyMode;
  stakeMultiplier: string;
}

export interface MeasureStageInput {
  strategy: string;
  stage: RolloutStageName;
  /** ISO time the stage began: only bets created since then count. */
  since: string;
}

const SETTLED = new Set(['won', 'lost', 'push']);

/** Pure: a stage's metrics from its bets in settlement order. */
export function stageMetricsFromBets(rows: readonly StageBetRow[], bankroll: string): StageMetrics {
  let turnover = new D(0);
  let profit = new D(0);
  let settled = 0;
  let voided = 0;
  let rejected = 0;
  let bets = 0;
  const clvs: D[] = [];
  const curve: D[] = [new D(bankroll)];
  for (const row of rows) {
    if (row.status === 'voided') voided++;
    if (row.status === 'rejected') rejected++;
    if (
      SETTLED.has(row.status) ||
      row.status === 'voided' ||
      row.status === 'rejected' ||
      row.status === 'placed'
    )
      bets++;
    if (!SETTLED.has(row.status)) continue;
    settled++;
    turnover = turnover.plus(row.stake);
    profit = profit.plus(row.profit_loss ?? 0);
    curve.push(curve[curve.length - 1]!.plus(row.profit_loss ?? 0));
    if (row.clv_sharp !== null) clvs.push(new D(row.clv_sharp));
  }
  const clv = meanAndStandardError(clvs);
  return {
    bets,
    settled,
    voided,
    rejected,
    turnover: turnover.toFixed(),
    profit: profit.toFixed(),
    yield: turnover.isZero() ? null : profit.div(turnover).toSignificantDigits(12).toFixed(),
    clvMean: clv.mean === null ? null : clv.mean.toSignificantDigits(12).toFixed(),
    clvStandardError: clv.standardError === null ? null : clv.standardError.toSignificantDigits(12).toFixed(),
    maxDrawdownFraction: maxDrawdown(curve).fraction.toSignificantDigits(12).toFixed(),
  };
}

export function createRolloutActivities({ db, config }: ActivityDeps) {
  async function backtestMetrics(strategy: string): Promise<StageMetrics> {
    const row = await getStrategy(db, strategy);
    if (!row) throw ApplicationFailure.nonRetryable(`unknown strategy "${strategy}"`, 'UnknownStrategy');
    let candidate;
    try {
      candidate = fromDefinition(strategyDefinition(row.type), row.parameters, strategy);
    } catch (err) {
      throw ApplicationFailure.nonRetryable((err as Error).message, 'InvalidStrategyParameters');
    }
    const replay = await oddsHistoryReplay(db);
    const run = await runBacktestAsync(replay.frames, [candidate]);
    const settled = new Set(run.settled);
    const bets = [...run.settled, ...run.bets.filter((b) => !settled.has(b))].map((b) => ({
      status: b.status === 'void' ? 'voided' : b.status === 'unsettled' ? 'placed' : b.status,
      stake: b.stake.toFixed(),
      profit_loss: b.status === 'unsettled' ? null : b.profit.toFixed(),
      clv_sharp: b.clv === null ? null : b.clv.toFixed(),
    }));
    return stageMetricsFromBets(bets, config.risk.bankroll);
  }

  return {
    /** Put the strategy on the stage's mode and stake multiplier, recorded as a change by "rollout". */
    async applyRolloutStage({ strategy, stage, mode, stakeMultiplier }: ApplyStageInput): Promise<void> {
      if (!(await applyStageToStrategy(db, { strategy, stage, mode, stakeMultiplier })))
        throw ApplicationFailure.nonRetryable(`unknown strategy "${strategy}"`, 'UnknownStrategy');
    },

    /**
     * The stage's results so far: for the backtest stage, the strategy (the live code, its current
     * parameters) replayed over the PostgreSQL odds history; otherwise the bets it made since the stage began.
     */
    async measureRolloutStage({ strategy, stage, since }: MeasureStageInput): Promise<StageMetrics> {
      if (stage === 'backtest') return backtestMetrics(strategy);
      return stageMetricsFromBets(await stageBets(db, strategy, since), config.risk.bankroll);
    },
  };
}
