import { ApplicationFailure } from '@temporalio/activity';
import { D } from '../../shared/math/decimal';
import { maxDrawdown, meanAndStandardError } from '../../shared/backtest/metrics';
import type { RolloutStageName, StageMetrics } from '../../shared/rollout';
import type { StrategyMode } from '../../shared/entities';
import type { ActivityDeps } from '../deps';
import { fromDefinition } from '../../shared/backtest/adapter';
import { runBacktestAsync } from '../../shared/backtest/engine';
import { strategyDefinition } from '../../shared/strategies/registry';
import { oddsHistoryReplay } from '../backtest/postgres';

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

interface BetRow {
  status: string;
  stake: string;
  profit_loss: string | null;
  clv_sharp: string | null;
}

const SETTLED = new Set(['won', 'lost', 'push']);

/** Pure: a stage's metrics from its bets in settlement order. */
export function stageMetricsFromBets(rows: readonly BetRow[], bankroll: string): StageMetrics {
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
    const { rows } = await db.query<{ type: string; parameters: unknown }>(
      'SELECT type, parameters FROM strategies WHERE name = $1',
      [strategy],
    );
    const row = rows[0];
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
      const client = await db.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ mode: string; stake_multiplier: string }>(
          'SELECT mode, stake_multiplier FROM strategies WHERE name = $1 FOR UPDATE',
          [strategy],
        );
        const before = rows[0];
        if (!before)
          throw ApplicationFailure.nonRetryable(`unknown strategy "${strategy}"`, 'UnknownStrategy');
        if (before.mode !== mode || !new D(before.stake_multiplier).eq(stakeMultiplier)) {
          await client.query(
            'UPDATE strategies SET mode = $2, stake_multiplier = $3, updated_at = now() WHERE name = $1',
            [strategy, mode, stakeMultiplier],
          );
          await client.query(
            `INSERT INTO strategy_changes (strategy_name, changed_by, field, old_value, new_value)
             VALUES ($1, 'rollout', 'rollout_stage', $2, $3)`,
            [
              strategy,
              JSON.stringify({ mode: before.mode, stakeMultiplier: before.stake_multiplier }),
              JSON.stringify({ stage, mode, stakeMultiplier }),
            ],
          );
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },

    /**
     * The stage's results so far: for the backtest stage, the strategy (the live code, its current
     * parameters) replayed over the PostgreSQL odds history; otherwise the bets it made since the stage began.
     */
    async measureRolloutStage({ strategy, stage, since }: MeasureStageInput): Promise<StageMetrics> {
      if (stage === 'backtest') return backtestMetrics(strategy);
      const { rows } = await db.query<BetRow>(
        `SELECT status, stake, profit_loss, clv_sharp FROM bets
          WHERE strategy_name = $1 AND created_at >= $2 AND paper_session_id IS NULL
          ORDER BY settled_at NULLS LAST, created_at`,
        [strategy, since],
      );
      return stageMetricsFromBets(rows, config.risk.bankroll);
    },
  };
}
