import type { MarketKey, MarketType, OddsQuote, SportEvent } from '../../shared/entities';
import type { EventResult, ReplayFrame } from '../../shared/backtest/types';
import { scoresFromResult } from '../../shared/settlement';

/**
 * The PostgreSQL odds history as a replay: `odds_quotes` (one row per first sight or change of a market,
 * outcome and book price) read in observation order, one frame per observation instant, in windows of a
 * day so memory stays bounded; `events` gives teams, start times and results (the `result` JSON, read by
 * the live settlement's scoresFromResult). NUMERIC prices, lines and points are read as text: exact.
 */

/** What the importer needs of a database client (a pg Pool or Client). */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface OddsHistoryOptions {
  /** ISO times; default: the whole history. */
  readonly from?: string;
  readonly to?: string;
  readonly sport?: string;
  readonly provider?: string;
  /** Rows are fetched a window of observation time at a time (default one day). */
  readonly windowMs?: number;
}

export interface OddsHistoryReplay {
  readonly frames: AsyncIterable<ReplayFrame>;
  readonly rows: number;
  readonly events: number;
  readonly results: number;
  readonly from: string | null;
  readonly to: string | null;
  readonly skipped: Record<string, number>;
}

/** An odds_quotes row as read back (bench/history-writers.ts reads the same columns). */
export interface QuoteRow {
  event_id: string;
  market_type: string;
  period: string;
  line: string | null;
  outcome: string;
  point: string | null;
  provider: string;
  bookmaker: string;
  price: string;
  observed_at: Date | string;
  source_updated_at: Date | string | null;
}

interface EventRow {
  event_id: string;
  sport: string;
  league: string | null;
  start_time: Date | string;
  status: string;
  participants: unknown;
  result: unknown;
}

const MARKETS = new Set(['h2h', 'spreads', 'totals']);
const DAY_MS = 86_400_000;

function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** "2.5000" → "2.5", "-0.0" → "0": NUMERIC text in canonical form. */
export function canonicalNumeric(text: string): string {
  let t = text.trim();
  if (t.includes('.')) t = t.replace(/0+$/, '').replace(/\.$/, '');
  if (/^-0*$/.test(t)) return '0';
  return t;
}

function filters(options: OddsHistoryOptions, first: number): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  if (options.sport !== undefined) {
    values.push(options.sport);
    parts.push(`e.sport = $${first + values.length - 1}`);
  }
  if (options.provider !== undefined) {
    values.push(options.provider);
    parts.push(`q.provider = $${first + values.length - 1}`);
  }
  return { sql: parts.map((p) => ` AND ${p}`).join(''), values };
}

/** The events of a history range as SportEvents, and their results where the row has one. */
export function eventFromRow(row: EventRow): { event: SportEvent; result: EventResult | null } {
  const raw = Array.isArray(row.participants) ? (row.participants as unknown[]) : [];
  const participants = raw
    .filter((p): p is { id?: unknown; name: string; role?: unknown } => {
      return typeof p === 'object' && p !== null && typeof (p as { name?: unknown }).name === 'string';
    })
    .map((p, i) => ({
      id: typeof p.id === 'string' && p.id !== '' ? p.id : p.name,
      name: p.name,
      role: typeof p.role === 'string' && p.role !== '' ? p.role : i === 0 ? 'home' : 'away',
    }));
  const event: SportEvent = {
    id: row.event_id,
    sport: row.sport,
    league: row.league,
    participants,
    startTime: iso(row.start_time),
    status: 'scheduled',
    metadata: {},
  };
  let result: EventResult | null = null;
  if (row.status === 'cancelled' || row.status === 'postponed') {
    result = { status: row.status, scores: {} };
  } else if (row.status === 'completed') {
    const scores = scoresFromResult(row.result);
    if (scores !== null) result = { status: 'completed', scores };
  }
  return { event, result };
}

/** Prepare a replay of the odds history; frames are read from the database as they are replayed. */
export async function oddsHistoryReplay(
  db: Queryable,
  options: OddsHistoryOptions = {},
): Promise<OddsHistoryReplay> {
  const from = options.from ?? '-infinity';
  const to = options.to ?? 'infinity';
  const f = filters(options, 3);
  const range = (
    await db.query(
      `SELECT min(q.observed_at) AS first, max(q.observed_at) AS last, count(*)::text AS rows
       FROM odds_quotes q JOIN events e ON e.event_id = q.event_id
      WHERE q.observed_at >= $1::timestamptz AND q.observed_at < $2::timestamptz${f.sql}`,
      [from, to, ...f.values],
    )
  ).rows[0] as { first: Date | string | null; last: Date | string | null; rows: string } | undefined;
  const eventRows = (
    await db.query(
      `SELECT e.event_id, e.sport, e.league, e.start_time, e.status, e.participants, e.result
       FROM events e
      WHERE EXISTS (SELECT 1 FROM odds_quotes q
                     WHERE q.event_id = e.event_id
                       AND q.observed_at >= $1::timestamptz AND q.observed_at < $2::timestamptz${f.sql})
      ORDER BY e.start_time, e.event_id`,
      [from, to, ...f.values],
    )
  ).rows as EventRow[];
  const events = new Map<string, { event: SportEvent; result: EventResult | null }>();
  for (const row of eventRows) events.set(row.event_id, eventFromRow(row));
  const skipped: Record<string, number> = {};
  const first = range?.first == null ? null : new Date(range.first).getTime();
  const last = range?.last == null ? null : new Date(range.last).getTime();
  const windowMs = options.windowMs ?? DAY_MS;

  async function* frames(): AsyncGenerator<ReplayFrame> {
    if (first === null || last === null) return;
    const introduced = new Set<string>();
    const markets = new Map<string, MarketKey>();
    for (let start = first; start <= last; start += windowMs) {
      const end = Math.min(start + windowMs, last + 1);
      const rows = (
        await db.query(
          `SELECT q.event_id, q.market_type, q.period, q.line::text AS line, q.outcome, q.point::text AS point,
                q.provider, q.bookmaker, q.price::text AS price, q.observed_at, q.source_updated_at
           FROM odds_quotes q JOIN events e ON e.event_id = q.event_id
          WHERE q.observed_at >= $1 AND q.observed_at < $2${f.sql}
          ORDER BY q.observed_at, q.event_id, q.market_type, q.period, q.line, q.outcome, q.point, q.bookmaker, q.provider`,
          [new Date(start), new Date(end), ...f.values],
        )
      ).rows as QuoteRow[];
      let i = 0;
      while (i < rows.length) {
        const at = iso(rows[i]!.observed_at);
        const atMs = Date.parse(at);
        const quotes: OddsQuote[] = [];
        const newEvents: SportEvent[] = [];
        const results: { eventId: string; result: EventResult }[] = [];
        for (; i < rows.length && iso(rows[i]!.observed_at) === at; i++) {
          const r = rows[i]!;
          const known = events.get(r.event_id);
          if (known === undefined) {
            skipped['event row missing'] = (skipped['event row missing'] ?? 0) + 1;
            continue;
          }
          if (!MARKETS.has(r.market_type)) {
            skipped[`market ${r.market_type} not replayed`] =
              (skipped[`market ${r.market_type} not replayed`] ?? 0) + 1;
            continue;
          }
          if (!introduced.has(r.event_id)) {
            introduced.add(r.event_id);
            newEvents.push(known.event);
            if (known.result !== null) results.push({ eventId: r.event_id, result: known.result });
          }
          const line = r.line === null ? null : canonicalNumeric(r.line);
          const mk = `${r.event_id}|${r.market_type}|${r.period}|${line ?? '-'}`;
          let market = markets.get(mk);
          if (market === undefined) {
            market = { eventId: r.event_id, marketType: r.market_type as MarketType, line, period: r.period };
            markets.set(mk, market);
          }
          quotes.push({
            market,
            outcome: r.outcome,
            point: r.point === null ? null : canonicalNumeric(r.point),
            provider: r.provider,
            bookmaker: r.bookmaker,
            price: canonicalNumeric(r.price),
            observedAt: at,
            sourceUpdatedAt: r.source_updated_at === null ? null : iso(r.source_updated_at),
          });
        }
        yield { at, atMs, events: newEvents, quotes, results };
      }
    }
  }

  return {
    frames: { [Symbol.asyncIterator]: frames },
    rows: Number(range?.rows ?? 0),
    events: events.size,
    results: [...events.values()].filter((e) => e.result !== null).length,
    from: first === null ? null : new Date(first).toISOString(),
    to: last === null ? null : new Date(last).toISOString(),
    skipped,
  };
}
