import type { OddsQuote } from '../entities';
import type { RejectInput } from '../readers/types';
import { parseOddsEvents } from '../readers/the-odds-api';
import type { BoardEvent, BoardSnapshot } from './board';

/**
 * A strategy board from one recorded The Odds API v4 `/odds` response file (American prices), read by the
 * one reader of that format (shared/readers/the-odds-api.ts) exactly as live ingestion reads it: `arb scan
 * --file` and the strategy tests use it. Pure: the caller reads the file and says when it was fetched.
 */
export interface RecordedBoard {
  snapshot: BoardSnapshot;
  /** What the reader could not use (not a response, an unknown market, a bad price…), with why. */
  rejects: RejectInput[];
}

/** The fetch time encoded in a recorded file name ("nfl_20251116T175443Z.json"), or null. */
export function fetchTimeFromName(name: string): string | null {
  const m = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(name);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : null;
}

/**
 * Read a response into a board as of `asOf` (the fetch time). Each quote is observed at `asOf` and carries
 * its market's `last_update` (else its bookmaker's) as the book's own update time, so its age is how long
 * the book had not refreshed it. An event that has started by `asOf` is in play. A recorded file may hold
 * several sports: each event is read under its own `sport_key`.
 */
export function boardFromOddsApi(raw: unknown, asOf: string, provider = 'the-odds-api'): RecordedBoard {
  const asOfIso = new Date(Date.parse(asOf)).toISOString();
  const events: Record<string, BoardEvent> = {};
  const quotes: OddsQuote[] = [];
  const rejects: RejectInput[] = [];
  for (const [sport, group] of bySport(raw)) {
    const parsed = parseOddsEvents(group, { sport, oddsFormat: 'american', observedAt: asOfIso });
    rejects.push(...parsed.rejects);
    for (const e of parsed.events)
      events[e.providerEventId] = {
        id: e.providerEventId,
        sport: e.sport,
        league: e.league,
        startTime: e.startTime,
        status: e.status,
        participants: e.participants.map((p) => ({ id: p.name, name: p.name, role: p.role })),
      };
    for (const q of parsed.quotes)
      quotes.push({
        market: { eventId: q.providerEventId, marketType: q.marketType, period: q.period, line: q.line },
        outcome: q.outcome,
        point: q.point,
        provider,
        bookmaker: q.bookmaker,
        price: q.price,
        observedAt: asOfIso,
        sourceUpdatedAt: q.sourceUpdatedAt,
      });
  }
  return { snapshot: { asOf: asOfIso, cursor: null, events, quotes }, rejects };
}

/** The latest book update in a board: the best guess of a file's fetch time when nothing else says. */
export function latestUpdate(snapshot: BoardSnapshot): string | null {
  let best = -Infinity;
  for (const q of snapshot.quotes) {
    const ms = q.sourceUpdatedAt ? Date.parse(q.sourceUpdatedAt) : NaN;
    if (ms > best) best = ms;
  }
  return Number.isFinite(best) ? new Date(best).toISOString() : null;
}

/** A response's events grouped by their own sport key (anything that is not an array stays whole). */
function bySport(raw: unknown): Map<string, unknown> {
  if (!Array.isArray(raw)) return new Map([['(file)', raw]]);
  const groups = new Map<string, unknown[]>();
  for (const e of raw as unknown[]) {
    const key = (e as { sport_key?: unknown } | null)?.sport_key;
    const sport = typeof key === 'string' && key.trim() !== '' ? key.trim() : '(no sport_key)';
    groups.set(sport, [...(groups.get(sport) ?? []), e]);
  }
  return groups;
}
