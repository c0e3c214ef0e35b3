import { MarketType, type MarketKey, type OddsQuote, type SportEvent } from '../entities';
import type { EventResult, ReplayFrame } from '../backtest/types';
import { D, toDecimalString } from '../math/decimal';
import { americanToDecimal } from '../math/odds';
import { csvLines, isBlankRecord, splitCsvLine } from './csv';
import type { ProviderQuote, RejectInput } from './types';
import {
  excerpt,
  marketLine,
  normalizeOutcomeName,
  parseDecimalValue,
  parseIsoTime,
  parsePrice,
} from './values';

/**
 * The Odds API line-change files (../shared/data/README.md): `<sport>_line_changes.csv.gz` (one row each
 * time an (event, book, market, outcome) price or point first appears within 7 days of the start, or
 * changes), with `<sport>_events.csv` beside it for the teams and start times. Pure: the callers read the
 * files (activities/backtest/line-changes.ts, activities/providers/replay.ts).
 *
 * Two readings of the same rows:
 * - the backtest's (`lineChangeReplay`): rows → replay frames of quotes, unusable rows counted by reason;
 * - the replay provider's (`lineChangeQuote`): one row → a provider quote or a reject, as live ingestion
 *   records them.
 *
 * Backtest: rows are replayed in snapshot order
 * (sorted stably: a file may hold a row out of order), one frame per snapshot; American prices become
 * exact decimal odds. The files have no scores: results come from a separate CSV (`event_id,home_score,
 * away_score`) when there is one, otherwise bets stay unsettled (CLV against the close is still measured).
 */

export interface LineChangeReplay {
  readonly frames: Iterable<ReplayFrame>;
  readonly frameCount: number;
  readonly rows: number;
  /** Events described in the events file, and how many of them had quotes. */
  readonly events: number;
  readonly eventsQuoted: number;
  readonly skipped: Record<string, number>;
  readonly results: number;
}

const MARKETS = new Set<MarketType>(MarketType.options);
const PROVIDER = 'the-odds-api';

/** Header index of each wanted column; throws naming the file and the missing column. */
function columns<K extends string>(
  header: readonly string[],
  names: readonly K[],
  file: string,
): Record<K, number> {
  const out = {} as Record<K, number>;
  const trimmed = header.map((h) => h.trim());
  for (const n of names) {
    const i = trimmed.indexOf(n);
    if (i < 0) throw new Error(`${file}: no ${n} column`);
    out[n] = i;
  }
  return out;
}

/** The events file: id, sport, start and the two teams of every event. */
export function parseLineChangeEvents(text: string, file = 'events.csv'): Map<string, SportEvent> {
  const lines = csvLines(text);
  const c = columns(
    splitCsvLine(lines[0] ?? ''),
    ['event_id', 'sport_key', 'sport_title', 'commence_time', 'home_team', 'away_team'],
    file,
  );
  const events = new Map<string, SportEvent>();
  for (let r = 1; r < lines.length; r++) {
    const f = splitCsvLine(lines[r]!);
    if (isBlankRecord(f)) continue;
    const id = f[c.event_id]!.trim();
    const start = Date.parse(f[c.commence_time]!);
    if (id === '' || !Number.isFinite(start)) continue;
    const home = f[c.home_team]!.trim();
    const away = f[c.away_team]!.trim();
    events.set(id, {
      id,
      sport: f[c.sport_key]!.trim(),
      league: f[c.sport_title]!.trim() || null,
      participants: [
        { id: slug(home), name: home, role: 'home' },
        { id: slug(away), name: away, role: 'away' },
      ],
      startTime: new Date(start).toISOString(),
      status: 'scheduled',
      metadata: {},
    });
  }
  return events;
}

/**
 * Results as `event_id,home_score,away_score` (a `status` column may say cancelled/postponed/abandoned);
 * scores are keyed by the event's team names.
 */
export function parseResultsCsv(
  text: string,
  events: ReadonlyMap<string, SportEvent>,
  file = 'results.csv',
): Map<string, EventResult> {
  const lines = csvLines(text);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  const c = columns(header, ['event_id', 'home_score', 'away_score'], file);
  const status = header.indexOf('status');
  const out = new Map<string, EventResult>();
  for (let r = 1; r < lines.length; r++) {
    const f = splitCsvLine(lines[r]!);
    if (isBlankRecord(f)) continue;
    const id = f[c.event_id]!.trim();
    const event = events.get(id);
    if (event === undefined) continue;
    const st = status >= 0 ? (f[status] ?? '').trim() : '';
    if (st === 'cancelled' || st === 'postponed' || st === 'abandoned') {
      out.set(id, { status: st, scores: {} });
      continue;
    }
    const hs = f[c.home_score]!.trim();
    const as = f[c.away_score]!.trim();
    if (!/^\d+(\.\d+)?$/.test(hs) || !/^\d+(\.\d+)?$/.test(as)) {
      throw new Error(`${file}: line ${r + 1}: scores must be numbers, got "${hs}" and "${as}"`);
    }
    const [home, away] = event.participants;
    const scores = Object.create(null) as Record<string, string>;
    scores[home!.name] = hs;
    scores[away!.name] = as;
    out.set(id, { status: 'completed', scores });
  }
  return out;
}

/** Canonical decimal text ("3.50" → "3.5", "-0" → "0"), cached: points repeat a lot. */
function canonicalizer(): (text: string) => string | null {
  const cache = new Map<string, string | null>();
  return (text) => {
    let out = cache.get(text);
    if (out === undefined) {
      out = /^[+-]?\d+(\.\d+)?$/.test(text.trim()) ? toDecimalString(new D(text.trim())) : null;
      cache.set(text, out);
    }
    return out;
  };
}

/** The replay of one line-change file and its events (and optional results). */
export function lineChangeReplay(
  changesText: string,
  eventsById: ReadonlyMap<string, SportEvent>,
  results: ReadonlyMap<string, EventResult> = new Map(),
  file = 'line_changes.csv',
): LineChangeReplay {
  const lines = csvLines(changesText);
  const c = columns(
    splitCsvLine(lines[0] ?? ''),
    [
      'snapshot_utc',
      'event_id',
      'bookmaker',
      'market',
      'outcome',
      'point',
      'price_american',
      'book_last_update',
    ],
    file,
  );
  const skipped: Record<string, number> = {};
  const skip = (reason: string): void => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };
  const canonical = canonicalizer();
  const prices = new Map<string, string | null>();
  const times = new Map<string, { ms: number; iso: string }>();
  const time = (text: string): { ms: number; iso: string } => {
    let t = times.get(text);
    if (t === undefined) {
      const ms = Date.parse(text);
      times.set(text, (t = { ms, iso: Number.isFinite(ms) ? new Date(ms).toISOString() : '' }));
    }
    return t;
  };
  const markets = new Map<string, MarketKey>();
  const rows: { ms: number; at: string; quote: OddsQuote }[] = [];
  for (let r = 1; r < lines.length; r++) {
    const f = splitCsvLine(lines[r]!);
    if (isBlankRecord(f)) continue;
    const { ms, iso } = time(f[c.snapshot_utc]!.trim());
    if (!Number.isFinite(ms)) {
      skip('unreadable snapshot time');
      continue;
    }
    const eventId = f[c.event_id]!.trim();
    if (!eventsById.has(eventId)) {
      skip('event not in the events file');
      continue;
    }
    const type = f[c.market]!.trim() as MarketType;
    if (!MARKETS.has(type)) {
      skip(`market ${type} not replayed`);
      continue;
    }
    const american = f[c.price_american]!.trim();
    let price = prices.get(american);
    if (price === undefined) {
      try {
        price = toDecimalString(americanToDecimal(american));
      } catch {
        price = null;
      }
      prices.set(american, price);
    }
    if (price === null) {
      skip('invalid American price');
      continue;
    }
    const pointText = f[c.point]!.trim();
    const point = type === 'h2h' || pointText === '' ? null : canonical(pointText);
    if (type !== 'h2h' && point === null) {
      skip(`${type} row without a point`);
      continue;
    }
    const line = point === null ? null : point.replace(/^-/, '');
    const mk = `${eventId}|${type}|${line ?? '-'}`;
    let market = markets.get(mk);
    if (market === undefined) markets.set(mk, (market = { eventId, marketType: type, line, period: 'full' }));
    const updated = time(f[c.book_last_update]!.trim());
    rows.push({
      ms,
      at: iso,
      quote: {
        market,
        outcome: f[c.outcome]!.trim(),
        point,
        provider: PROVIDER,
        bookmaker: f[c.bookmaker]!.trim(),
        price,
        observedAt: iso,
        sourceUpdatedAt: updated.iso === '' ? null : updated.iso,
      },
    });
  }
  // Stable: rows of one snapshot keep file order.
  rows.sort((a, b) => a.ms - b.ms);
  const quoted = new Set(rows.map((r) => r.quote.market.eventId));
  let frameCount = 0;
  for (let i = 0; i < rows.length; i++) if (i === 0 || rows[i]!.ms !== rows[i - 1]!.ms) frameCount++;
  return {
    frames: { [Symbol.iterator]: () => framesOf(rows, eventsById, results) },
    frameCount,
    rows: rows.length,
    events: eventsById.size,
    eventsQuoted: quoted.size,
    skipped,
    results: [...results.keys()].filter((id) => quoted.has(id)).length,
  };
}

function* framesOf(
  rows: readonly { ms: number; at: string; quote: OddsQuote }[],
  events: ReadonlyMap<string, SportEvent>,
  results: ReadonlyMap<string, EventResult>,
): Generator<ReplayFrame> {
  const introduced = new Set<string>();
  let i = 0;
  while (i < rows.length) {
    const { ms, at } = rows[i]!;
    const quotes: OddsQuote[] = [];
    const newEvents: SportEvent[] = [];
    const newResults: { eventId: string; result: EventResult }[] = [];
    for (; i < rows.length && rows[i]!.ms === ms; i++) {
      const q = rows[i]!.quote;
      const id = q.market.eventId;
      if (!introduced.has(id)) {
        introduced.add(id);
        newEvents.push(events.get(id)!);
        const result = results.get(id);
        if (result !== undefined) newResults.push({ eventId: id, result });
      }
      quotes.push(q);
    }
    // Each snapshot is a fetch that saw every price; rows exist only for the prices that changed.
    yield { at, atMs: ms, events: newEvents, quotes, results: newResults, observedAll: true };
  }
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'x'
  );
}

/** `<dir>/<sport>_line_changes.csv.gz` → `<dir>/<sport>_events.csv`. */
export function eventsFileFor(changesPath: string): string {
  return changesPath.replace(/_line_changes\.csv(\.gz)?$/, '_events.csv');
}

/** An events-file row as the replay provider plays it. */
export interface LineChangeEvent {
  id: string;
  sport: string;
  title: string;
  commenceMs: number;
  commence: string;
  home: string;
  away: string;
}

/** An events file (as records keyed by its header) for the replay provider; `sport` when a row has none. */
export function lineChangeEvent(e: Record<string, string>, sport: string): LineChangeEvent | null {
  const commenceMs = Date.parse(e.commence_time ?? '');
  if (!e.event_id || Number.isNaN(commenceMs)) return null;
  return {
    id: e.event_id,
    sport: e.sport_key || sport,
    title: e.sport_title ?? '',
    commenceMs,
    commence: new Date(commenceMs).toISOString(),
    home: e.home_team ?? '',
    away: e.away_team ?? '',
  };
}

/** One line-change row read for live-style ingestion: its slot (event|book|market|outcome) and quote or reject. */
export interface LineChangeQuote {
  slot: string;
  eventId: string;
  quote: ProviderQuote | null;
  reject: RejectInput | null;
}

/** A line-change row (a record keyed by the header) as a provider quote, or a reject saying why not. */
export function lineChangeQuote(
  r: Record<string, string>,
  where: string,
  events: ReadonlyMap<string, unknown>,
): LineChangeQuote {
  const eventId = r.event_id ?? '';
  const bookmaker = (r.bookmaker ?? '').trim();
  const market = r.market ?? '';
  const slot = `${eventId}|${bookmaker}|${market}|${r.outcome ?? ''}`;
  const bad = (
    reason: RejectInput['reason'],
    message: string,
    field: string,
    value: string | undefined,
  ): LineChangeQuote => ({
    slot,
    eventId,
    quote: null,
    reject: { reason, message, field: `${where}.${field}`, value: value ?? null, rawExcerpt: excerpt(r) },
  });
  if (!events.has(eventId))
    return bad('missing_field', 'event is not in the events file', 'event_id', eventId);
  if (!bookmaker) return bad('missing_field', 'row has no bookmaker', 'bookmaker', r.bookmaker);
  if (!(MarketType.options as readonly string[]).includes(market)) {
    return bad(
      'unknown_market',
      `market ${JSON.stringify(market)} is not one of h2h, spreads, totals`,
      'market',
      market,
    );
  }
  const marketType = market as MarketType;
  if (!r.outcome?.trim()) return bad('missing_field', 'row has no outcome', 'outcome', r.outcome);
  const price = parsePrice(r.price_american, 'american');
  if (!price.ok) return bad('invalid_price', price.message, 'price_american', r.price_american);
  let point: string | null = null;
  if (marketType !== 'h2h') {
    const p = parseDecimalValue(r.point);
    if (!p.ok)
      return bad(r.point ? 'invalid_point' : 'missing_field', `point is ${p.message}`, 'point', r.point);
    point = p.value;
  }
  const updated = parseIsoTime(r.book_last_update);
  return {
    slot,
    eventId,
    reject: null,
    quote: {
      providerEventId: eventId,
      marketType,
      period: 'full',
      line: marketLine(marketType, point),
      outcome: normalizeOutcomeName(marketType, r.outcome),
      point,
      bookmaker,
      price: price.value.price,
      sourceUpdatedAt: updated.ok ? updated.value : null,
      original: price.value.original,
      path: where,
    },
  };
}
