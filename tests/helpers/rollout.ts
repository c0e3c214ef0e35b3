// Shared by the rollout tests (rollout, prod-server): the strategy and settled bets its gates read, and
// waiting on the workflow's status query.
import type { WorkflowHandle } from '@temporalio/client';
import type { Pool } from '../../activities/infra/postgres';
import type { RolloutConfig } from '../../shared/rollout';
import { rolloutStatusQuery, type RolloutStatus } from '../../workflows/rollout/messages';

const EVENT = 'rollout-event';

const gate = {
  clvZ: 1.645,
  minClvLowerBound: null,
  maxDrawdownFraction: null,
  maxVoidOrLimitRate: null,
  manualApproval: false,
};
/**
 * Paper passes on three settled bets with a yield of at least 0; live-0.25 needs two more and a manual
 * approval; live-1.0 breaches on any drawdown over 0.1%.
 */
export const ROLLOUT_TEST_CONFIG: RolloutConfig = {
  checkIntervalSeconds: 0.5,
  stages: [
    {
      name: 'paper',
      mode: 'paper',
      stakeMultiplier: '0',
      onBreach: 'pause',
      gate: { ...gate, minDurationSeconds: 1, minBets: 3, minYield: '0' },
    },
    {
      name: 'live-0.25',
      mode: 'live',
      stakeMultiplier: '0.25',
      onBreach: 'demote',
      gate: { ...gate, minDurationSeconds: 1, minBets: 2, minYield: '0', manualApproval: true },
    },
    {
      name: 'live-1.0',
      mode: 'live',
      stakeMultiplier: '1.0',
      onBreach: 'demote',
      gate: { ...gate, minDurationSeconds: 3600, minBets: 1000, minYield: '0', maxDrawdownFraction: '0.001' },
    },
  ],
};

/** A value strategy in backtest mode and the completed event its bets are on. */
export async function seedRolloutStrategy(db: Pool, strategy: string): Promise<void> {
  await db.query(
    `INSERT INTO events (event_id, sport, start_time, status, participants) VALUES ($1, 'soccer', now(), 'completed',
     '[{"id":"a","name":"A","role":"home"},{"id":"b","name":"B","role":"away"}]') ON CONFLICT DO NOTHING`,
    [EVENT],
  );
  await db.query(
    `INSERT INTO strategies (name, type, enabled, mode, stake_multiplier) VALUES ($1, 'value', true, 'backtest', 0)`,
    [strategy],
  );
}

/** Record one settled paper bet of `strategy` (with its opportunity), as settlement would. */
export async function settledRolloutBet(
  db: Pool,
  strategy: string,
  bet: { id: string; status: 'won' | 'lost'; stake: string; profit: string },
): Promise<void> {
  await db.query(
    `INSERT INTO opportunities (opportunity_id, strategy_name, kind, event_id, sport, market_type, legs, edge, rule, detected_at)
     VALUES ($1, $2, 'value', $3, 'soccer', 'h2h', '[]', 0.05, 'test', now())`,
    [bet.id, strategy, EVENT],
  );
  await db.query(
    `INSERT INTO bets (bet_id, opportunity_id, idempotency_key, strategy_name, event_id, sport, market_type, outcome, bookmaker,
                       mode, stake, price, status, profit_loss, settled_at)
     VALUES ($1, $1, $1, $2, $3, 'soccer', 'h2h', 'A', 'book', 'paper', $4, 2.0, $5, $6, now())`,
    [bet.id, strategy, EVENT, bet.stake, bet.status, bet.profit],
  );
}

/** Whether the rollout has entered `stage` at least `times` times. */
export const enteredStage = (s: RolloutStatus, stage: string, times = 1) =>
  s.events.filter((e) => e.stage === stage && e.event === 'entered').length >= times;

/** Poll the status query until `pred` holds (20 s at most). */
export async function waitForRollout(
  handle: WorkflowHandle,
  pred: (s: RolloutStatus) => boolean,
): Promise<RolloutStatus> {
  for (let i = 0; i < 200; i++) {
    const s = await handle.query(rolloutStatusQuery);
    if (pred(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not reached: ${JSON.stringify(await handle.query(rolloutStatusQuery))}`);
}
