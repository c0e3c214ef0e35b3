import type { PoolClient } from 'pg';
import type { Pool } from '../infra/postgres';
import { D, toDecimalString } from '../../shared/math';
import type { BetStatus, MarketType } from '../../shared/entities';
import type { Settlement } from '../../shared/settlement';
import { OPEN_STATUSES } from '../../shared/bets';
import { post } from './ledger';
import { BetBusinessError, BetFailure } from './errors';
import type { ClosingLine, EventOutcome, LegState, PlacementMode, PlanLeg } from './types';

/**
 * The bet activities' SQL (the ledger's postings are in ./ledger, the operators' read-only views in
 * ./queries). Functions taking a PoolClient run inside the caller's transaction.
 */

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

// ---- the plan --------------------------------------------------------------------------------------------

export interface PlanRow {
  opportunity_id: string;
  strategy_name: string;
  kind: string;
  event_id: string;
  sport: string;
  market_type: MarketType;
  period: string;
  line: string | null;
  legs: unknown;
  edge: string;
  start_time: Date;
  event_status: string;
  participants: { name: string; role: string }[];
  strategy_mode: 'backtest' | 'paper' | 'live';
  enabled: boolean;
  stake_multiplier: string;
  parameters: Record<string, unknown>;
  paper_session_id: string | null;
  session_account: string | null;
  session_bankroll: string | null;
  session_stake_multiplier: string | null;
  session_status: string | null;
  session_parameters: Record<string, unknown> | null;
}

/** The opportunity with its event, strategy and paper session: everything a bet plan is made from. */
export async function readPlanRow(db: Pool, opportunityId: string): Promise<PlanRow | undefined> {
  const { rows } = await db.query<PlanRow>(
    `SELECT o.opportunity_id, o.strategy_name, o.kind, o.event_id, o.sport, o.market_type, o.period,
            o.line::text AS line, o.legs, o.edge::text AS edge, e.start_time, e.status AS event_status,
            e.participants, s.mode AS strategy_mode, s.enabled, s.stake_multiplier::text AS stake_multiplier,
            s.parameters, o.paper_session_id, ps.account AS session_account,
            ps.bankroll::text AS session_bankroll, ps.stake_multiplier::text AS session_stake_multiplier,
            ps.status AS session_status, ps.parameters AS session_parameters
       FROM opportunities o JOIN events e USING (event_id) JOIN strategies s ON s.name = o.strategy_name
            LEFT JOIN paper_sessions ps ON ps.session_id = o.paper_session_id
      WHERE o.opportunity_id = $1`,
    [opportunityId],
  );
  return rows[0];
}

/** A leg's `pending` bet, once: a second insert with the same idempotency key does nothing. */
export async function insertPendingBet(
  client: PoolClient,
  o: PlanRow,
  l: PlanLeg,
  placement: { mode: PlacementMode; account: string; workflowId: string },
): Promise<void> {
  await client.query(
    `INSERT INTO bets (bet_id, opportunity_id, idempotency_key, strategy_name, event_id, sport, market_type,
                       period, line, outcome, point, bookmaker, mode, stake, price, status, account, leg_index,
                       detected_price, fair_probability, workflow_id, paper_session_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, 'pending', $15, $16, $14, $17, $18, $19)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [
      l.betId,
      o.opportunity_id,
      l.idempotencyKey,
      o.strategy_name,
      o.event_id,
      o.sport,
      o.market_type,
      o.period,
      o.line,
      l.outcome,
      l.point,
      l.bookmaker,
      placement.mode,
      l.detectedPrice,
      placement.account,
      l.legIndex,
      l.probability,
      placement.workflowId,
      o.paper_session_id,
    ],
  );
}

// ---- reservation and placement ---------------------------------------------------------------------------

/** Open stakes on the event and the sport, and today's settled P&L (the day in `dayTimeZone`). */
export async function exposures(
  client: PoolClient,
  account: string,
  eventId: string,
  sport: string,
  dayTimeZone: string,
): Promise<{ event: string; sport: string; today: string }> {
  const { rows } = await client.query<{ event: string; sport: string; today: string }>(
    `SELECT
       (SELECT COALESCE(SUM(stake), 0)::text FROM bets
         WHERE account = $1 AND event_id = $2 AND status = ANY($4)) AS event,
       (SELECT COALESCE(SUM(stake), 0)::text FROM bets
         WHERE account = $1 AND sport = $3 AND status = ANY($4)) AS sport,
       (SELECT COALESCE(SUM(profit_loss), 0)::text FROM bets
         WHERE account = $1 AND settled_at >= (date_trunc('day', now() AT TIME ZONE $5) AT TIME ZONE $5)) AS today`,
    [account, eventId, sport, OPEN_STATUSES, dayTimeZone],
  );
  return rows[0]!;
}

export async function markReserved(client: PoolClient, betId: string, stake: string, price: string) {
  await client.query(
    `UPDATE bets SET status = 'reserved', stake = $2, price = $3, updated_at = now() WHERE bet_id = $1`,
    [betId, stake, price],
  );
}

/** The bet's status without a lock, or null when there is no such bet. */
export async function betStatus(db: Pool, betId: string): Promise<string | null> {
  const { rows } = await db.query<{ status: string }>(`SELECT status FROM bets WHERE bet_id = $1`, [betId]);
  return rows[0]?.status ?? null;
}

export async function markAwaitingConfirmation(client: PoolClient, opportunityId: string): Promise<void> {
  await client.query(
    `UPDATE bets SET status = 'awaiting_confirmation', updated_at = now()
      WHERE opportunity_id = $1 AND status = 'reserved'`,
    [opportunityId],
  );
}

/** Who decided a manual bet, and the reason and quoted price of a price override. */
export async function recordDecider(
  client: PoolClient,
  betId: string,
  d: { by: string | null; overrideReason: string | null; overrideQuoted: string | null },
): Promise<void> {
  await client.query(
    `UPDATE bets SET decided_by = $2, price_override_reason = $3, price_override_quoted = $4
      WHERE bet_id = $1`,
    [betId, d.by, d.overrideReason, d.overrideQuoted],
  );
}

// ---- closing line and settlement -------------------------------------------------------------------------

export type PlacedBet = Pick<BetRow, 'bet_id' | 'bookmaker' | 'outcome' | 'point' | 'price' | 'status'>;

/** The opportunity's placed (or settled) bets, in leg order. */
export async function placedBets(db: Pool, opportunityId: string): Promise<PlacedBet[]> {
  const { rows } = await db.query<PlacedBet>(
    `SELECT bet_id, bookmaker, outcome, point::text AS point, price::text AS price, status
       FROM bets WHERE opportunity_id = $1 AND status = ANY($2) ORDER BY leg_index`,
    [opportunityId, PLACED_OR_LATER],
  );
  return rows;
}

export async function recordClosingLine(db: Pool, line: ClosingLine): Promise<void> {
  await db.query(
    `UPDATE bets SET closing_price_book = $2, closing_fair_sharp = $3, clv_book = $4, clv_sharp = $5,
            notes = COALESCE($6, notes), updated_at = now() WHERE bet_id = $1`,
    [line.betId, line.closingPriceBook, line.closingFairSharp, line.clvBook, line.clvSharp, line.note],
  );
}

/** The event's status and result as ingestion recorded them; undefined when there is no such event. */
export async function eventResult(
  db: Pool,
  eventId: string,
): Promise<{ status: string; result: unknown } | undefined> {
  const { rows } = await db.query<{ status: string; result: unknown }>(
    `SELECT status, result FROM events WHERE event_id = $1`,
    [eventId],
  );
  return rows[0];
}

/** The account and strategy of an opportunity's bets; undefined when it has none. */
export async function opportunityOwner(
  client: PoolClient,
  opportunityId: string,
): Promise<{ account: string; strategy_name: string } | undefined> {
  const { rows } = await client.query<{ account: string; strategy_name: string }>(
    `SELECT account, strategy_name FROM bets WHERE opportunity_id = $1 LIMIT 1`,
    [opportunityId],
  );
  return rows[0];
}

export async function recordSettlement(
  client: PoolClient,
  betId: string,
  s: Settlement,
  outcome: EventOutcome,
): Promise<void> {
  await client.query(
    `UPDATE bets SET status = $2, profit_loss = $3, settled_at = now(), settlement = $4, updated_at = now(),
            reason = CASE WHEN $2 = 'voided' THEN $5 ELSE reason END
      WHERE bet_id = $1`,
    [betId, s.status, s.profitLoss, JSON.stringify({ rule: s.rule, outcome }), s.rule],
  );
}
