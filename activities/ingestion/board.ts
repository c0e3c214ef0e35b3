import type { Redis } from 'ioredis';
import { parseMarketKeyString, type MarketKey } from '../../shared/entities';
import { marketLine } from '../../shared/readers/values';
import { checksumText } from '../../shared/strategies/live-index';
import {
  boardField,
  boardQuoteHash,
  encodeLastKnown,
  quoteMarketKey,
  type CanonicalQuote,
  type Change,
  type LastKnown,
} from './changes';
import { RedisBatch } from '../infra/redis-batch';
import { announceChanges, LAST_KNOWN_MARKER, LAST_KNOWN_TTL_SECONDS, type IngestKeys } from './keys';

/**
 * Quotes built between two turns of the event loop (well under a millisecond of work): a poll builds its
 * Redis write while its PostgreSQL commit is in flight, and the commit's replies are handled in between.
 */
const BUILD_SLICE = 200;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One price on the board (the value of a board hash field). */
export interface BoardEntry {
  price: string;
  point: string | null;
  provider: string;
  /** When we observed it (recorded time for replays). */
  observedAt: string;
  /** The book's own update time. */
  sourceUpdatedAt: string | null;
  /** When the history recorded this price (the last change). */
  changedAt: string;
  /** Wall-clock ms of the last refresh, and when the entry goes stale without another one. */
  seenAt: number;
  staleAt: number;
  pollId: string;
}

/** The event as the board stores it (JSON at `board:ev:<id>:info`); readers turn it into a BoardEvent. */
export interface BoardEventInfo {
  eventId: string;
  sport: string;
  league: string | null;
  startTime: string;
  status: string;
  participants: { name: string; role: string }[];
}

export interface BoardWrite {
  provider: string;
  pollId: string;
  observedAt: string;
  seenAtMs: number;
  stalenessSeconds: number;
  quotes: readonly CanonicalQuote[];
  changes: readonly Change[];
  /** Last known state the changes were detected against (for changedAt of unchanged quotes). */
  lastKnown: Map<string, Map<string, LastKnown>>;
  /** Events the provider never carried before (EventResolver): this write starts their last-known hash. */
  firstMapped?: ReadonlySet<string>;
  events: readonly BoardEventInfo[];
}

/**
 * The Redis write of a committed poll, as one transaction: last-known prices, the board (every quote seen
 * refreshes its entry and the market's expiry; a moved line removes the book's entry from the old market),
 * the indexes, one change-stream entry and one pub/sub message listing the changed markets; then the
 * "applied" marker, only once all of that succeeded (a batch that fails, or a crash before the marker, leaves
 * it unset, and the next poll reconciles). Built in slices while the poll commits (runPoll), queued on Redis,
 * and applied only once the commit has happened.
 */
export async function pollRedisWrite(keys: IngestKeys, w: BoardWrite): Promise<RedisBatch> {
  // The commit started just before: its first query goes out (microtasks) before the first slice is built.
  await nextTurn();
  const b = new RedisBatch();
  const ttlSeconds = Math.max(1, Math.ceil(w.stalenessSeconds));
  const ttl = String(ttlSeconds);
  const ttlMs = ttlSeconds * 1000;
  const staleAt = w.seenAtMs + ttlMs;

  // Last known prices.
  const changedByEvent = new Map<string, Change[]>();
  for (const c of w.changes) {
    const list = changedByEvent.get(c.quote.eventId);
    if (list) list.push(c);
    else changedByEvent.set(c.quote.eventId, [c]);
  }
  for (const ev of new Set(w.quotes.map((q) => q.eventId))) {
    const key = keys.last(w.provider, ev);
    const fields: string[] = [];
    // A first-mapped event's hash is whole with this poll's changes (it has no history): it gets the marker,
    // on a hash started afresh. Any other event's HSET never carries it: on a hash that is gone (evicted,
    // deleted) the HSET creates one without it, which its next reader rebuilds whole from PostgreSQL
    // instead of taking this poll's changes for all.
    if (w.firstMapped?.has(ev)) {
      b.call('del', key);
      fields.push(LAST_KNOWN_MARKER, '1');
    }
    for (const c of changedByEvent.get(ev) ?? []) {
      fields.push(
        c.quote.slot,
        encodeLastKnown({ point: c.quote.point, price: c.quote.price, changedAt: w.observedAt }),
      );
    }
    if (fields.length) b.call('hset', key, ...fields);
    b.call('expire', key, String(LAST_KNOWN_TTL_SECONDS));
  }

  // Board entries, grouped per market. The changes hold the very quote objects of w.quotes. Every entry
  // ends with the poll's shared fields, serialised once.
  const shared: Omit<BoardEntry, 'price' | 'point' | 'sourceUpdatedAt' | 'changedAt'> = {
    provider: w.provider,
    observedAt: w.observedAt,
    seenAt: w.seenAtMs,
    staleAt,
    pollId: w.pollId,
  };
  const tail = `,${JSON.stringify(shared).slice(1)}`;
  const changed = new Set(w.changes.map((c) => c.quote));
  const byMarket = new Map<string, string[]>();
  // The quotes this poll wrote per market, for the checksum in its change-stream entry.
  const written = new Map<string, CanonicalQuote[]>();
  const marketsByEvent = new Map<string, Set<string>>();
  let done = 0;
  for (const q of w.quotes) {
    if (++done % BUILD_SLICE === 0) await nextTurn();
    const mk = q.market;
    const field = boardField(q);
    const changedAt = changed.has(q)
      ? w.observedAt
      : (w.lastKnown.get(q.eventId)?.get(q.slot)?.changedAt ?? w.observedAt);
    // The entry's own fields, then the shared tail: the whole BoardEntry JSON (its own fields written out:
    // one string each, no object serialised and cut on each of a poll's quotes).
    const entry =
      `{"price":${JSON.stringify(q.price)},"point":${q.point === null ? 'null' : JSON.stringify(q.point)},` +
      `"sourceUpdatedAt":${q.sourceUpdatedAt === null ? 'null' : JSON.stringify(q.sourceUpdatedAt)},` +
      `"changedAt":${JSON.stringify(changedAt)}${tail}`;
    const fields = byMarket.get(mk);
    const quotes = written.get(mk);
    if (fields && quotes) {
      fields.push(field, entry);
      quotes.push(q);
    } else {
      byMarket.set(mk, [field, entry]);
      written.set(mk, [q]);
      const set = marketsByEvent.get(q.eventId);
      if (set) set.add(mk);
      else marketsByEvent.set(q.eventId, new Set([mk]));
    }
  }
  await nextTurn();
  for (const [mk, fields] of byMarket) {
    if (++done % (BUILD_SLICE / 4) === 0) await nextTurn();
    const key = keys.market(mk);
    b.call('hset', key, ...fields);
    // Every write refreshes the key's expiry; each entry also carries its own staleAt, which readers check.
    b.call('expire', key, ttl);
  }

  // Indexes: event → markets, sport → events, sports; scored by refresh time and trimmed when stale.
  const seen = String(w.seenAtMs);
  const minScore = `(${w.seenAtMs - ttlMs}`;
  const sports = new Set<string>();
  for (const ev of w.events) {
    const markets = marketsByEvent.get(ev.eventId);
    if (!markets) continue;
    const mkKey = keys.eventMarkets(ev.eventId);
    b.call('zadd', mkKey, ...[...markets].flatMap((mk) => [seen, mk]));
    b.call('zremrangebyscore', mkKey, '-inf', minScore);
    b.call('expire', mkKey, ttl);
    b.call('set', keys.eventInfo(ev.eventId), JSON.stringify(ev), 'EX', ttl);
    b.call('zadd', keys.sportEvents(ev.sport), seen, ev.eventId);
    sports.add(ev.sport);
  }
  for (const sport of sports) {
    b.call('zremrangebyscore', keys.sportEvents(sport), '-inf', minScore);
    b.call('expire', keys.sportEvents(sport), ttl);
    b.call('zadd', keys.sports, seen, sport);
  }
  if (sports.size) {
    b.call('zremrangebyscore', keys.sports, '-inf', minScore);
    b.call('expire', keys.sports, ttl);
  }

  // Announce the changed markets. A book that moved its line leaves the old line's market, which changed
  // too (a live board must drop the quote).
  const changedMarkets = new Map<string, { event: string; sport: string; n: number }>();
  const countChange = (mk: string, c: Change) => {
    const e = changedMarkets.get(mk) ?? { event: c.quote.eventId, sport: c.quote.sport, n: 0 };
    e.n++;
    changedMarkets.set(mk, e);
  };
  for (const c of w.changes) {
    countChange(c.quote.market, c);
    const prev = c.previous;
    if (!prev || prev.point === c.quote.point) continue;
    const oldKey = quoteMarketKey({ ...c.quote, line: marketLine(c.quote.marketType, prev.point) });
    b.call(
      'hdel',
      keys.market(oldKey),
      boardField({ bookmaker: c.quote.bookmaker, outcome: c.quote.outcome, point: prev.point }),
    );
    countChange(oldKey, c);
  }
  await nextTurn();
  announceChanges(
    b,
    keys,
    { provider: w.provider, pollId: w.pollId, observedAt: w.observedAt },
    [...changedMarkets].map(([market, e]) => ({
      market,
      event: e.event,
      sport: e.sport,
      changes: e.n,
      sum: writtenChecksum(written.get(market) ?? []),
    })),
  );
  b.last('set', keys.applied(w.provider), w.pollId);
  return b;
}

/** marketChecksum of the quotes a poll wrote to a market, hashed from the quotes themselves. */
function writtenChecksum(quotes: readonly CanonicalQuote[]): string {
  let x = 0;
  for (const q of quotes) x ^= boardQuoteHash(q);
  return checksumText(quotes.length, x);
}

export interface BoardQuoteView extends BoardEntry {
  bookmaker: string;
  outcome: string;
  /** How old the book's price is: its age when observed plus the time since we observed it. */
  ageMs: number;
  stale: boolean;
}

export interface BoardMarketView {
  key: string;
  market: MarketKey;
  quotes: BoardQuoteView[];
}

export interface BoardEventView extends BoardEventInfo {
  markets: BoardMarketView[];
}

export interface ReadBoardOptions {
  eventId?: string;
  sport?: string;
  now?: number;
  /** Show entries past their staleness limit too (marked stale). */
  includeStale?: boolean;
}

/** The current board from Redis, with quote ages. */
export async function readBoard(
  redis: Redis,
  keys: IngestKeys,
  opts: ReadBoardOptions = {},
): Promise<BoardEventView[]> {
  const now = opts.now ?? Date.now();
  let eventIds: string[];
  if (opts.eventId) eventIds = [opts.eventId];
  else {
    const sports = opts.sport ? [opts.sport] : await redis.zrange(keys.sports, '0', '-1');
    const lists = await Promise.all(sports.map((s) => redis.zrange(keys.sportEvents(s), '0', '-1')));
    eventIds = [...new Set(lists.flat())];
  }
  const out: BoardEventView[] = [];
  for (const eventId of eventIds) {
    const [info, marketKeys] = await Promise.all([
      redis.get(keys.eventInfo(eventId)),
      redis.zrange(keys.eventMarkets(eventId), '0', '-1'),
    ]);
    if (!info && marketKeys.length === 0) continue;
    const event: BoardEventInfo = info
      ? (JSON.parse(info) as BoardEventInfo)
      : { eventId, sport: '?', league: null, startTime: '', status: 'unknown', participants: [] };
    const pipe = redis.pipeline();
    for (const mk of marketKeys) pipe.hgetall(keys.market(mk));
    const hashes = (await pipe.exec()) ?? [];
    const markets: BoardMarketView[] = [];
    marketKeys.forEach((mk, i) => {
      const hash = (hashes[i]?.[1] ?? {}) as Record<string, string>;
      const quotes: BoardQuoteView[] = [];
      for (const [field, value] of Object.entries(hash)) {
        const entry = JSON.parse(value) as BoardEntry;
        const stale = entry.staleAt <= now;
        if (stale && !opts.includeStale) continue;
        const [bookmaker = '', outcome = ''] = field.split('|');
        const bookAge = entry.sourceUpdatedAt
          ? Math.max(0, Date.parse(entry.observedAt) - Date.parse(entry.sourceUpdatedAt))
          : 0;
        quotes.push({
          ...entry,
          bookmaker,
          outcome,
          ageMs: bookAge + Math.max(0, now - entry.seenAt),
          stale,
        });
      }
      if (quotes.length === 0) return;
      quotes.sort((a, b) => a.outcome.localeCompare(b.outcome) || a.bookmaker.localeCompare(b.bookmaker));
      markets.push({ key: mk, market: parseMarketKeyString(mk), quotes });
    });
    if (markets.length === 0 && !opts.eventId) continue;
    markets.sort((a, b) => a.key.localeCompare(b.key));
    out.push({ ...event, markets });
  }
  out.sort((a, b) => a.startTime.localeCompare(b.startTime) || a.eventId.localeCompare(b.eventId));
  return out;
}
