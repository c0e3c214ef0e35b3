import type { Pool } from '../infra/postgres';
import { OPEN_STATUSES } from '../../shared/bets';
import type { BankrollView, BetListRow } from '../../shared/api-types';

/** Read-only views of bets and the bankroll for operators (the CLI). Decimals stay strings. */

export type { BankrollView, BetListRow };

const LIST_COLUMNS = `bet_id AS "betId", opportunity_id AS "opportunityId", strategy_name AS strategy, sport,
  event_id AS "eventId", market_type || CASE WHEN period <> 'full' THEN ' ' || period ELSE '' END AS market, outcome,
  point::text AS point, bookmaker, mode, status, stake::text AS stake, price::text AS price,
  profit_loss::text AS "profitLoss", clv_sharp::text AS "clvSharp", clv_book::text AS "clvBook", reason,
  to_char(placed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "placedAt",
  to_char(settled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "settledAt",
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt"`;

export async function listBets(
  db: Pool,
  filter: { status?: string; strategy?: string; limit: number },
): Promise<BetListRow[]> {
  const { rows } = await db.query<BetListRow>(
    `SELECT ${LIST_COLUMNS} FROM bets
      WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR strategy_name = $2)
      ORDER BY created_at DESC, bet_id LIMIT $3`,
    [filter.status ?? null, filter.strategy ?? null, filter.limit],
  );
  return rows;
}

export interface BetDetail extends BetListRow {
  account: string | null;
  idempotencyKey: string;
  workflowId: string | null;
  detectedPrice: string | null;
  expectedValue: string | null;
  bookReference: string | null;
  closingPriceBook: string | null;
  closingFairSharp: string | null;
  settlement: unknown;
  ledger: { kind: string; at: string; entries: Record<string, string> }[];
}

export async function getBet(db: Pool, betId: string): Promise<BetDetail | null> {
  const { rows } = await db.query<Omit<BetDetail, 'ledger'>>(
    `SELECT ${LIST_COLUMNS}, account, idempotency_key AS "idempotencyKey", workflow_id AS "workflowId",
            detected_price::text AS "detectedPrice", expected_value::text AS "expectedValue",
            book_reference AS "bookReference", closing_price_book::text AS "closingPriceBook",
            closing_fair_sharp::text AS "closingFairSharp", settlement
       FROM bets WHERE bet_id = $1`,
    [betId],
  );
  const bet = rows[0];
  if (!bet) return null;
  const { rows: ledger } = await db.query<{ kind: string; at: string; entries: Record<string, string> }>(
    `SELECT t.kind, to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at,
            jsonb_object_agg(e.bucket, e.amount::text) AS entries
       FROM ledger_transactions t JOIN ledger_entries e USING (txn_id)
      WHERE t.bet_id = $1 GROUP BY t.txn_id ORDER BY t.txn_id`,
    [betId],
  );
  return { ...bet, ledger };
}

export async function bankroll(db: Pool, dayTimeZone: string, account?: string): Promise<BankrollView[]> {
  const { rows: accounts } = await db.query<{ account: string; kind: string; currency: string }>(
    `SELECT account, kind, currency FROM ledger_accounts WHERE ($1::text IS NULL OR account = $1) ORDER BY account`,
    [account ?? null],
  );
  const out: BankrollView[] = [];
  for (const a of accounts) {
    const { rows: b } = await db.query<{
      available: string;
      reserved: string;
      at_risk: string;
      balance: string;
      today: string;
    }>(
      `SELECT COALESCE(SUM(amount) FILTER (WHERE bucket = 'available'), 0)::text AS available,
              COALESCE(SUM(amount) FILTER (WHERE bucket = 'reserved'), 0)::text AS reserved,
              COALESCE(SUM(amount) FILTER (WHERE bucket = 'at_risk'), 0)::text AS at_risk,
              COALESCE(SUM(amount) FILTER (WHERE bucket <> 'external'), 0)::text AS balance,
              (SELECT COALESCE(SUM(profit_loss), 0)::text FROM bets WHERE account = $1
                 AND settled_at >= (date_trunc('day', now() AT TIME ZONE $2) AT TIME ZONE $2)) AS today
         FROM ledger_entries WHERE account = $1`,
      [a.account, dayTimeZone],
    );
    const { rows: events } = await db.query<{ eventId: string; sport: string; stake: string; bets: number }>(
      `SELECT event_id AS "eventId", sport, SUM(stake)::text AS stake, count(*)::int AS bets FROM bets
        WHERE account = $1 AND status = ANY($2) GROUP BY event_id, sport ORDER BY SUM(stake) DESC, event_id`,
      [a.account, OPEN_STATUSES],
    );
    const { rows: sports } = await db.query<{ sport: string; stake: string; bets: number }>(
      `SELECT sport, SUM(stake)::text AS stake, count(*)::int AS bets FROM bets
        WHERE account = $1 AND status = ANY($2) GROUP BY sport ORDER BY SUM(stake) DESC, sport`,
      [a.account, OPEN_STATUSES],
    );
    const r = b[0]!;
    out.push({
      ...a,
      balance: r.balance,
      available: r.available,
      reserved: r.reserved,
      atRisk: r.at_risk,
      todayProfitLoss: r.today,
      exposureByEvent: events,
      exposureBySport: sports,
    });
  }
  return out;
}

/** An account's balance (every bucket but `external`) after each ledger transaction, oldest first. */
export async function bankrollHistory(
  db: Pool,
  account: string,
  limit: number,
): Promise<{ at: string; balance: string }[]> {
  const { rows } = await db.query<{ at: string; balance: string }>(
    `SELECT at, balance FROM (
       SELECT t.txn_id,
              to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
              (SUM(SUM(e.amount) FILTER (WHERE e.bucket <> 'external')) OVER (ORDER BY t.txn_id))::text AS balance
         FROM ledger_transactions t JOIN ledger_entries e USING (txn_id)
        WHERE e.account = $1 GROUP BY t.txn_id, t.created_at) h
      ORDER BY txn_id DESC LIMIT $2`,
    [account, limit],
  );
  return rows.reverse();
}

export interface PerformancePoint {
  at: string;
  /** Sum of profit and loss of the strategy's settled bets up to this one. */
  cumulativePnl: string;
  /** Sum of their closing-line value against the sharp line (bets without one add nothing). */
  cumulativeClv: string;
  bets: number;
}

/** A strategy's settled bets (not paper sessions'), in settlement order, as running totals for charts. */
export async function strategyPerformanceSeries(
  db: Pool,
  strategy: string,
  limit: number,
): Promise<PerformancePoint[]> {
  const { rows } = await db.query<PerformancePoint>(
    `SELECT at, "cumulativePnl", "cumulativeClv", bets FROM (
       SELECT settled_at, bet_id,
              to_char(settled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
              SUM(COALESCE(profit_loss, 0)) OVER w ::text AS "cumulativePnl",
              SUM(COALESCE(clv_sharp, 0)) OVER w ::text AS "cumulativeClv",
              (count(*) OVER w)::int AS bets
         FROM bets
        WHERE strategy_name = $1 AND paper_session_id IS NULL AND settled_at IS NOT NULL
       WINDOW w AS (ORDER BY settled_at, bet_id)) s
      ORDER BY settled_at DESC, bet_id DESC LIMIT $2`,
    [strategy, limit],
  );
  return rows.reverse();
}
