import type { PoolClient } from 'pg';
import { D, toDecimalString } from '../../shared/math';
import type { BetStatus } from '../../shared/entities';
import { post } from './ledger';
import { BetBusinessError, BetFailure } from './errors';
import type { LegState } from './types';

/** SQL shared by the bet activities. Every function runs inside the caller's transaction. */

export interface BetRow {
  bet_id: string;
  opportunity_id: string;
  idempotency_key: string;
  strategy_name: string;
  event_id: string;
  sport: string;
  market_type: string;
  period: string;
  line: string | null;
  outcome: string;
  point: string | null;
  bookmaker: string;
  mode: 'paper' | 'manual' | 'adapter';
  account: string;
  leg_index: number;
  stake: string;
  price: string;
  fair_probability: string | null;
  status: BetStatus;
  reason: string | null;
  book_reference: string | null;
}

const BET_COLUMNS = `bet_id, opportunity_id, idempotency_key, strategy_name, event_id, sport, market_type, period,
  line::text AS line, outcome, point::text AS point, bookmaker, mode, account, leg_index, stake::text AS stake,
  price::text AS price, fair_probability::text AS fair_probability, status, reason, book_reference`;

export const PLACED_OR_LATER: readonly BetStatus[] = ['placed', 'won', 'lost', 'push', 'voided'];
export const UNPLACED_FINAL: readonly BetStatus[] = ['skipped', 'rejected', 'expired', 'failed'];

export function legState(row: BetRow): LegState {
  return {
    betId: row.bet_id,
    status: row.status,
    stake: row.stake,
    price: row.price,
    bookReference: row.book_reference,
    reason: row.reason,
  };
}

/** One bet, locked for the rest of the transaction. */
export async function lockBet(client: PoolClient, betId: string): Promise<BetRow> {
  const { rows } = await client.query<BetRow>(
    `SELECT ${BET_COLUMNS} FROM bets WHERE bet_id = $1 FOR UPDATE`,
    [betId],
  );
  const row = rows[0];
  if (!row) throw new BetBusinessError(BetFailure.NotFound, `no bet ${betId}`);
  return row;
}

/** Every leg of an opportunity, in leg order, locked. */
export async function lockOpportunityBets(client: PoolClient, opportunityId: string): Promise<BetRow[]> {
  const { rows } = await client.query<BetRow>(
    `SELECT ${BET_COLUMNS} FROM bets WHERE opportunity_id = $1 ORDER BY leg_index FOR UPDATE`,
    [opportunityId],
  );
  if (rows.length === 0)
    throw new BetBusinessError(BetFailure.NotFound, `no bets for opportunity ${opportunityId}`);
  return rows;
}

/** The opportunity's decision follows its bets: placed once any leg is, skipped when every leg ended unplaced. */
export async function syncDecision(client: PoolClient, opportunityId: string): Promise<void> {
  await client.query(
    `UPDATE opportunities o
        SET decision = d.decision, decision_reason = d.reason, decided_at = COALESCE(o.decided_at, now())
       FROM (SELECT CASE WHEN bool_or(status = ANY($2)) THEN 'placed'
                         WHEN bool_and(status = ANY($3)) THEN 'skipped' END AS decision,
                    string_agg(DISTINCT reason, '; ') AS reason
               FROM bets WHERE opportunity_id = $1) d
      WHERE o.opportunity_id = $1 AND d.decision IS NOT NULL
        AND (o.decision IS DISTINCT FROM d.decision OR o.decision_reason IS DISTINCT FROM d.reason)`,
    [opportunityId, PLACED_OR_LATER, UNPLACED_FINAL],
  );
}

/** Give a reservation back (skip, expiry, failure, rejection): reserved → available, and the bet's ending. */
export async function releaseBet(
  client: PoolClient,
  bet: BetRow,
  status: 'skipped' | 'expired' | 'failed' | 'rejected',
  reason: string,
): Promise<BetRow> {
  if (bet.status === 'reserved' || bet.status === 'awaiting_confirmation') {
    await post(client, {
      account: bet.account,
      kind: 'release',
      betId: bet.bet_id,
      idempotencyKey: `release:${bet.idempotency_key}`,
      note: `${status}: ${reason}`.slice(0, 500),
      entries: { reserved: toDecimalString(new D(bet.stake).neg()), available: bet.stake },
    });
  } else if (bet.status !== 'pending') {
    return bet;
  }
  await client.query(`UPDATE bets SET status = $2, reason = $3, updated_at = now() WHERE bet_id = $1`, [
    bet.bet_id,
    status,
    reason,
  ]);
  return { ...bet, status, reason };
}

/**
 * Record a fill: reserved → at risk for the stake taken, the rest of the reservation back to available,
 * in one ledger transaction with the bet's update. The stake taken can never exceed the reservation.
 */
export async function recordFill(
  client: PoolClient,
  bet: BetRow,
  fill: { price: string; stake: string; bookReference: string | null; note: string | null },
): Promise<BetRow> {
  if (PLACED_OR_LATER.includes(bet.status)) return bet;
  if (bet.status !== 'reserved' && bet.status !== 'awaiting_confirmation')
    throw new BetBusinessError(BetFailure.State, `bet ${bet.bet_id} is ${bet.status}, not reserved`);
  const reserved = new D(bet.stake);
  const stake = new D(fill.stake);
  if (stake.gt(reserved) || stake.lte(0))
    throw new BetBusinessError(
      BetFailure.Rule,
      `stake ${fill.stake} is not within the reserved ${bet.stake}`,
    );
  await post(client, {
    account: bet.account,
    kind: 'place',
    betId: bet.bet_id,
    idempotencyKey: `place:${bet.idempotency_key}`,
    note: fill.note,
    entries: {
      reserved: toDecimalString(reserved.neg()),
      at_risk: toDecimalString(stake),
      available: toDecimalString(reserved.minus(stake)),
    },
  });
  const ev =
    bet.fair_probability === null
      ? null
      : toDecimalString(
          stake.mul(new D(bet.fair_probability).mul(new D(fill.price)).minus(1)).toDecimalPlaces(6),
        );
  await client.query(
    `UPDATE bets SET status = 'placed', price = $2, stake = $3, book_reference = $4, expected_value = $5,
            placed_at = now(), notes = COALESCE($6, notes), updated_at = now()
      WHERE bet_id = $1`,
    [bet.bet_id, fill.price, fill.stake, fill.bookReference, ev, fill.note],
  );
  return {
    ...bet,
    status: 'placed',
    price: fill.price,
    stake: fill.stake,
    book_reference: fill.bookReference,
  };
}

/** Strategy performance from its settled bets, merged under `performance_metrics.bets` (other keys kept). */
export async function refreshStrategyPerformance(client: PoolClient, strategy: string): Promise<void> {
  // Lock first, then aggregate in a fresh statement: the sums always include every committed settlement.
  await client.query(`SELECT 1 FROM strategies WHERE name = $1 FOR UPDATE`, [strategy]);
  await client.query(
    `UPDATE strategies SET updated_at = now(), performance_metrics = jsonb_set(performance_metrics, '{bets}', (
       SELECT jsonb_build_object(
         'settled', count(*),
         'won', count(*) FILTER (WHERE status = 'won'),
         'lost', count(*) FILTER (WHERE status = 'lost'),
         'push', count(*) FILTER (WHERE status = 'push'),
         'voided', count(*) FILTER (WHERE status = 'voided'),
         'staked', COALESCE(sum(stake) FILTER (WHERE status <> 'voided'), 0)::text,
         'profitLoss', COALESCE(sum(profit_loss), 0)::text,
         'roi', CASE WHEN sum(stake) FILTER (WHERE status <> 'voided') > 0
                     THEN round(sum(profit_loss) / sum(stake) FILTER (WHERE status <> 'voided'), 6)::text END,
         'avgClvSharp', round(avg(clv_sharp), 6)::text,
         'avgClvBook', round(avg(clv_book), 6)::text,
         'updatedAt', now())
         FROM bets WHERE strategy_name = $1 AND paper_session_id IS NULL
                  AND status IN ('won', 'lost', 'push', 'voided')), true)
     WHERE name = $1`,
    [strategy],
  );
}
