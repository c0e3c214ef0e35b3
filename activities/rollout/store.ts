import { inTransaction, type Pool } from '../infra/postgres';
import type { RolloutStageName } from '../../shared/rollout';
import type { StrategyMode } from '../../shared/entities';
import { D } from '../../shared/math/decimal';

/** A bet as a stage's metrics read it (amounts as exact decimal text). */
export interface StageBetRow {
  status: string;
  stake: string;
  profit_loss: string | null;
  clv_sharp: string | null;
}

export interface StageSetting {
  strategy: string;
  stage: RolloutStageName;
  mode: StrategyMode;
  stakeMultiplier: string;
}

/**
 * Put the strategy on a stage's mode and stake multiplier, recording the change as made by "rollout" (no
 * change, no record). False when the strategy is not in the table.
 */
export async function applyStageToStrategy(db: Pool, s: StageSetting): Promise<boolean> {
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<{ mode: string; stake_multiplier: string }>(
      'SELECT mode, stake_multiplier FROM strategies WHERE name = $1 FOR UPDATE',
      [s.strategy],
    );
    const before = rows[0];
    if (!before) return false;
    if (before.mode !== s.mode || !new D(before.stake_multiplier).eq(s.stakeMultiplier)) {
      await client.query(
        'UPDATE strategies SET mode = $2, stake_multiplier = $3, updated_at = now() WHERE name = $1',
        [s.strategy, s.mode, s.stakeMultiplier],
      );
      await client.query(
        `INSERT INTO strategy_changes (strategy_name, changed_by, field, old_value, new_value)
         VALUES ($1, 'rollout', 'rollout_stage', $2, $3)`,
        [
          s.strategy,
          JSON.stringify({ mode: before.mode, stakeMultiplier: before.stake_multiplier }),
          JSON.stringify({ stage: s.stage, mode: s.mode, stakeMultiplier: s.stakeMultiplier }),
        ],
      );
    }
    return true;
  });
}

/** The strategy's live (not paper-session) bets since a stage began, in settlement order. */
export async function stageBets(db: Pool, strategy: string, since: string): Promise<StageBetRow[]> {
  const { rows } = await db.query<StageBetRow>(
    `SELECT status, stake, profit_loss, clv_sharp FROM bets
      WHERE strategy_name = $1 AND created_at >= $2 AND paper_session_id IS NULL
      ORDER BY settled_at NULLS LAST, created_at`,
    [strategy, since],
  );
  return rows;
}
