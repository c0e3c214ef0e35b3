import type { Pool } from 'pg';
import { inTransaction } from '../infra/postgres';
import { D } from '../../shared/math';
import type { Opportunity } from '../../shared/entities';
import type { BoardSnapshot } from '../../shared/strategies';
import type { OpportunityRow } from '../../shared/api-types';

/** The opportunities table's SQL: what the sweeps found, their decisions and their hand-off to bets. */
export type Decision = { decision: 'pending' } | { decision: 'skipped'; reason: string };

export interface RecordResult {
  /** Ids inserted now, by decision. */
  inserted: { id: string; decision: 'pending' | 'skipped' }[];
  /** Already recorded by an earlier sweep (same id): not recorded or handed off again. */
  duplicates: number;
  /** Event rows this call created because ingestion had not (yet). */
  eventsCreated: number;
}

/**
 * Record opportunities with their decision, in one transaction: the events they reference are upserted
 * from the board snapshot first (opportunities have a foreign key to events), then every opportunity is
 * inserted unless its id is already there. The id is deterministic, so a repeat sweep records nothing new.
 */
export async function recordOpportunities(
  db: Pool,
  board: Pick<BoardSnapshot, 'events'>,
  items: readonly { opportunity: Opportunity; decision: Decision }[],
  paperSession: string | null = null,
): Promise<RecordResult> {
  if (items.length === 0) return { inserted: [], duplicates: 0, eventsCreated: 0 };
  const eventIds = [...new Set(items.map((i) => i.opportunity.market.eventId))];
  const events = eventIds.flatMap((id) => {
    const e = board.events[id];
    if (!e) return [];
    return [
      {
        event_id: e.id,
        sport: e.sport,
        league: e.league,
        start_time: e.startTime,
        status: e.status,
        participants: e.participants.length ? e.participants : [{ id: e.id, name: e.id, role: 'event' }],
      },
    ];
  });
  const rows = items.map(({ opportunity: o, decision }) => ({
    opportunity_id: o.id,
    strategy_name: o.strategy,
    kind: o.kind,
    event_id: o.market.eventId,
    sport: o.sport,
    market_type: o.market.marketType,
    period: o.market.period,
    line: o.market.line,
    legs: o.legs,
    edge: o.edge,
    fair_method: o.fairMethod,
    rule: o.rule,
    suspect: o.suspect,
    suspect_reasons: o.suspectReasons,
    context: o.context,
    detected_at: o.detectedAt,
    decision: decision.decision,
    decision_reason: decision.decision === 'skipped' ? decision.reason : null,
    paper_session_id: paperSession,
  }));
  return inTransaction(db, async (client) => {
    const created = await client.query(
      `INSERT INTO events (event_id, sport, league, start_time, status, participants)
       SELECT event_id, sport, league, start_time, status, participants
       FROM jsonb_to_recordset($1::jsonb) AS x(event_id text, sport text, league text, start_time timestamptz,
                                             status text, participants jsonb)
       ON CONFLICT (event_id) DO NOTHING`,
      [JSON.stringify(events)],
    );
    const { rows: inserted } = await client.query<{
      opportunity_id: string;
      decision: 'pending' | 'skipped';
    }>(
      `INSERT INTO opportunities (opportunity_id, strategy_name, kind, event_id, sport, market_type, period, line, legs,
                                  edge, fair_method, rule, suspect, suspect_reasons, context, detected_at, decision,
                                  decision_reason, decided_at, paper_session_id)
       SELECT opportunity_id, strategy_name, kind, event_id, sport, market_type, period, line, legs, edge, fair_method,
              rule, suspect, ARRAY(SELECT jsonb_array_elements_text(suspect_reasons)), context, detected_at, decision,
              decision_reason, CASE WHEN decision = 'skipped' THEN now() END, paper_session_id
       FROM jsonb_to_recordset($1::jsonb) AS x(opportunity_id text, strategy_name text, kind text, event_id text,
            sport text, market_type text, period text, line numeric, legs jsonb, edge numeric, fair_method text,
            rule text, suspect boolean, suspect_reasons jsonb, context jsonb, detected_at timestamptz,
            decision text, decision_reason text, paper_session_id text)
       ON CONFLICT (opportunity_id) DO NOTHING
       RETURNING opportunity_id, decision`,
      [JSON.stringify(rows)],
    );
    return {
      inserted: inserted.map((r) => ({ id: r.opportunity_id, decision: r.decision })),
      duplicates: items.length - inserted.length,
      eventsCreated: created.rowCount ?? 0,
    };
  });
}

export interface PendingOpportunity {
  id: string;
  kind: Opportunity['kind'];
  sport: string;
  edge: string;
  market: Opportunity['market'];
  legs: Opportunity['legs'];
}

/** An opportunity as its hand-off carries it, with numbers written as the table returns them. */
export function pendingOpportunity(o: Opportunity): PendingOpportunity {
  return {
    id: o.id,
    kind: o.kind,
    sport: o.sport,
    edge: new D(o.edge).toFixed(),
    market: { ...o.market, line: o.market.line === null ? null : new D(o.market.line).toFixed() },
    legs: o.legs,
  };
}

/**
 * Pending opportunities of a strategy not yet handed to a bet lifecycle, oldest first: the strategy
 * workflow's own (paperSession null) or one paper-trading session's.
 */
export async function pendingOpportunities(
  db: Pool,
  strategy: string,
  limit: number,
  paperSession: string | null = null,
): Promise<PendingOpportunity[]> {
  const { rows } = await db.query<{
    opportunity_id: string;
    kind: Opportunity['kind'];
    sport: string;
    edge: string;
    event_id: string;
    market_type: Opportunity['market']['marketType'];
    period: string;
    line: string | null;
    legs: Opportunity['legs'];
  }>(
    `SELECT opportunity_id, kind, sport, edge, event_id, market_type, period, line, legs FROM opportunities
     WHERE strategy_name = $1 AND decision = 'pending' AND handed_off_at IS NULL
       AND paper_session_id IS NOT DISTINCT FROM $3
     ORDER BY detected_at, opportunity_id LIMIT $2`,
    [strategy, limit, paperSession],
  );
  return rows.map((r) => ({
    id: r.opportunity_id,
    kind: r.kind,
    sport: r.sport,
    edge: new D(r.edge).toFixed(),
    market: {
      eventId: r.event_id,
      marketType: r.market_type,
      period: r.period,
      line: r.line === null ? null : new D(r.line).toFixed(),
    },
    legs: r.legs,
  }));
}

/** Mark opportunities as handed to their bet lifecycle (the lifecycle then owns their decision). */
export async function markHandedOff(db: Pool, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db.query(
    `UPDATE opportunities SET handed_off_at = now() WHERE opportunity_id = ANY($1::text[]) AND handed_off_at IS NULL`,
    [ids],
  );
  return r.rowCount ?? 0;
}

/** Decide pending opportunities without a lifecycle (record-only hand-off): skipped, with the reason. */
export async function skipPending(db: Pool, ids: readonly string[], reason: string): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db.query(
    `UPDATE opportunities SET decision = 'skipped', decision_reason = $2, decided_at = now(), handed_off_at = now()
     WHERE opportunity_id = ANY($1::text[]) AND decision = 'pending'`,
    [ids, reason],
  );
  return r.rowCount ?? 0;
}

export type { OpportunityRow };

/** Recorded opportunities for operators, newest first: placed and skipped alike, with their reasons. */
export async function listOpportunities(
  db: Pool,
  filter: { strategy?: string; decision?: string; limit: number },
): Promise<OpportunityRow[]> {
  const { rows } = await db.query<OpportunityRow>(
    `SELECT opportunity_id AS "opportunityId", strategy_name AS strategy, kind, sport, event_id AS "eventId",
            market_type AS "marketType", period, line::text AS line, legs, edge::text AS edge, rule, suspect,
            decision, decision_reason AS reason,
            to_char(detected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "detectedAt",
            to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "decidedAt"
       FROM opportunities
      WHERE ($1::text IS NULL OR strategy_name = $1) AND ($2::text IS NULL OR decision = $2)
      ORDER BY detected_at DESC, opportunity_id LIMIT $3`,
    [filter.strategy ?? null, filter.decision ?? null, filter.limit],
  );
  return rows;
}
