import { parseMarketKeyString, type MarketKey } from '../entities';
import type { BoardEvent, BoardQuote, BoardSnapshot } from './board';
import { QuoteColumns, isoCache } from './live-columns';
import { EventIndexer, type LiveEvent, type LiveIndexedBoard, type PackedMarket } from './live-events';

export type { LiveIndexedBoard } from './live-events';

/**
 * The board a strategy worker keeps in memory (issue 14): every quote in typed-array columns (no object per
 * quote), a change log so a sweep can take only the markets changed since its last one, the per-market
 * checksum ingestion writes in the change stream, and, per event, the line-aware bet markets strategies
 * evaluate, kept between sweeps and rebuilt only when one of the event's markets changes or one of its quotes
 * goes stale. A sweep evaluates that persistent index (`board()`) instead of rebuilding quote objects and an
 * index every time. Pure: the Redis-following loop is activities/strategies/live-board.ts.
 */

/** One quote as ingestion stores it in a market hash (the BoardEntry fields the board needs). */
export interface LiveEntry {
  price: string;
  point: string | null;
  provider: string;
  observedAt: string;
  sourceUpdatedAt: string | null;
  seenAt?: number;
  staleAt?: number;
  pollId?: string;
}

/** FNV-1a's (32 bits) starting state. */
export const FNV1A_OFFSET = 0x811c9dc5;

/** FNV-1a continued over `text` from the state `h` (FNV1A_OFFSET to start; `>>> 0` to finish). */
export function fnv1aAdd(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * A quote's hash in a market checksum: FNV-1a of `${field}\u0000${price}` (hashed in pieces: no joined
 * string). Cheap, and good enough to catch a quote the board holds differently from Redis.
 */
export function quoteHash(field: string, price: string): number {
  return fnv1aAdd(fnv1aAdd(fnv1aAdd(FNV1A_OFFSET, field), '\u0000'), price) >>> 0;
}

/**
 * Checksum of the quotes one poll wrote to a market: "<count>:<hex>", the XOR of one hash per board hash
 * field and price (quoteHash), so the order of the fields does not matter. Ingestion puts it in the
 * change-stream entry (`sum`); the live board recomputes it over the quotes it holds from that provider and poll.
 */
export function marketChecksum(quotes: Iterable<{ field: string; price: string }>): string {
  let x = 0;
  let n = 0;
  for (const q of quotes) {
    x = (x ^ quoteHash(q.field, q.price)) >>> 0;
    n++;
  }
  return checksumText(n, x);
}

/** The checksum text of `n` quotes whose hashes XOR to `x`. */
export function checksumText(n: number, x: number): string {
  return `${n}:${(x >>> 0).toString(16)}`;
}

const eventIdOfKey = (key: string) => key.slice(0, key.indexOf('|'));

export class LiveBoardIndex {
  private readonly cols = new QuoteColumns();
  private readonly markets = new Map<string, PackedMarket>();
  private readonly events = new Map<string, LiveEvent>();
  /** Change log: market keys in version order (versions log[i] = logBase + i + 1). */
  private log: string[] = [];
  private logBase = 0;
  private quotes = 0;
  private readonly indexer = new EventIndexer(this.cols, (id) => this.events.get(id));
  /** Bumped on every change; a consumer remembers the version it swept. */
  version = 0;
  /** Bumped on every rebuild: a consumer's version from another epoch means "sweep everything". */
  epoch = 0;

  get quoteCount(): number {
    return this.quotes;
  }
  get marketCount(): number {
    return this.markets.size;
  }

  marketKeys(): IterableIterator<string> {
    return this.markets.keys();
  }

  /** Start over (a resync): every consumer's next sweep is a full one. */
  clear(): void {
    this.markets.clear();
    this.events.clear();
    this.cols.reset();
    this.log = [];
    this.logBase = this.version;
    this.quotes = 0;
    this.epoch++;
  }

  private touch(key: string): void {
    this.version++;
    this.log.push(key);
    // Keep the log about as long as the board: older consumers fall back to a full sweep.
    if (this.log.length > Math.max(1024, 2 * this.markets.size)) {
      const drop = this.log.length >> 1;
      this.log = this.log.slice(drop);
      this.logBase += drop;
    }
  }

  private liveEvent(id: string): LiveEvent {
    let e = this.events.get(id);
    if (!e) {
      e = {
        id,
        event: undefined,
        startMs: NaN,
        markets: new Map(),
        bets: null,
        unpaired: 0,
        included: 0,
        validFrom: -Infinity,
        validUntil: Infinity,
        phaseEvent: undefined,
        phaseStart: NaN,
        phaseAsOf: NaN,
        phase: 'unknown',
        rangesDirty: true,
        minAt: Infinity,
        maxAt: -Infinity,
        minStaleAt: Infinity,
        maxStaleAt: -Infinity,
      };
      this.events.set(id, e);
    }
    return e;
  }

  setEvent(event: BoardEvent): void {
    const e = this.liveEvent(event.id);
    const old = e.event;
    e.event = event;
    e.startMs = Date.parse(event.startTime);
    if (old && JSON.stringify(old) === JSON.stringify(event)) return;
    e.bets = null;
    for (const key of e.markets.keys()) this.touch(key);
  }

  event(id: string): BoardEvent | undefined {
    return this.events.get(id)?.event;
  }

  /**
   * Replace a market with the fields of its Redis hash ("<bookmaker>|<outcome>|<point or ->" → entry).
   * An empty hash removes the market. Unparseable fields are left out, as the Redis reader does.
   */
  setMarket(key: string, hash: Record<string, LiveEntry>): void {
    const old = this.markets.get(key);
    let market: MarketKey;
    try {
      market = old?.market ?? parseMarketKeyString(key);
    } catch {
      return;
    }
    const c = this.cols;
    if (old) {
      c.release(old.slots);
      this.quotes -= old.slots.length;
    }
    const id = old?.id ?? c.addMarket(market);
    let slots: number[] = [];
    let minStaleAt = Infinity;
    for (const field in hash) {
      const e = hash[field]!;
      const first = field.indexOf('|');
      const last = field.lastIndexOf('|');
      if (first < 0 || last <= first || typeof e.price !== 'string') continue;
      const seenAt = typeof e.seenAt === 'number' ? e.seenAt : Date.parse(e.observedAt);
      const bookAge = e.sourceUpdatedAt
        ? Math.max(0, Date.parse(e.observedAt) - Date.parse(e.sourceUpdatedAt))
        : 0;
      const staleAt = typeof e.staleAt === 'number' ? e.staleAt : Infinity;
      const at = seenAt - bookAge;
      const slot = c.alloc();
      c.set(slot, id, {
        bookmaker: field.slice(0, first),
        outcome: field.slice(first + 1, last),
        point: e.point,
        price: e.price,
        source: `${e.provider}\u0000${e.pollId ?? ''}`,
        hasSource: !!e.sourceUpdatedAt,
        atMs: at,
        seenAt,
        staleAt,
      });
      slots.push(slot);
      if (staleAt < minStaleAt) minStaleAt = staleAt;
    }
    // Exact length: a board keeps one per market, and pushing leaves spare capacity.
    slots = slots.slice();
    const event = old?.event ?? this.liveEvent(market.eventId);
    event.bets = null;
    event.rangesDirty = true;
    if (slots.length === 0) {
      c.dropMarket(id);
      if (!old) return;
      this.markets.delete(key);
      event.markets.delete(key);
      this.touch(key);
      return;
    }
    this.quotes += slots.length;
    const packed: PackedMarket = { key, market, id, event, slots, minStaleAt };
    this.markets.set(key, packed);
    event.markets.set(key, packed);
    this.touch(key);
  }

  /** Markets changed after `version` of this epoch, or null when the log no longer reaches back that far. */
  changedSince(epoch: number, version: number): Set<string> | null {
    if (epoch !== this.epoch || version < this.logBase) return null;
    return new Set(this.log.slice(version - this.logBase));
  }

  /**
   * Markets whose inputs change with time alone between two sweeps: a quote crossing `maxAgeMs` or its
   * staleAt, an event starting (its phase turns in-play). A full sweep sees these; an incremental one must
   * take them too, or it would miss what ageing alone makes (or unmakes).
   */
  timeChanged(fromMs: number, toMs: number, maxAgeMs: number | null): Set<string> {
    const out = new Set<string>();
    const { atMs, staleAt } = this.cols;
    for (const e of this.events.values()) {
      if (e.startMs > fromMs && e.startMs <= toMs) {
        for (const k of e.markets.keys()) out.add(k);
        continue;
      }
      // Most events have no quote near either edge: their ranges say so without reading the quotes.
      if (e.rangesDirty) this.measure(e);
      const mayAge = maxAgeMs !== null && e.maxAt + maxAgeMs >= fromMs && e.minAt + maxAgeMs < toMs;
      const mayStale = e.maxStaleAt > fromMs && e.minStaleAt <= toMs;
      if (!mayAge && !mayStale) continue;
      for (const m of e.markets.values()) {
        for (const slot of m.slots) {
          const a = atMs[slot]!;
          const aged = maxAgeMs !== null && a + maxAgeMs >= fromMs && a + maxAgeMs < toMs;
          const stale = staleAt[slot]! > fromMs && staleAt[slot]! <= toMs;
          if (aged || stale) {
            out.add(m.key);
            break;
          }
        }
      }
    }
    return out;
  }

  /** An event's ranges of atMs and staleAt over its quotes. */
  private measure(e: LiveEvent): void {
    const { atMs, staleAt } = this.cols;
    e.minAt = e.minStaleAt = Infinity;
    e.maxAt = e.maxStaleAt = -Infinity;
    for (const m of e.markets.values()) {
      for (const slot of m.slots) {
        e.minAt = Math.min(e.minAt, atMs[slot]!);
        e.maxAt = Math.max(e.maxAt, atMs[slot]!);
        e.minStaleAt = Math.min(e.minStaleAt, staleAt[slot]!);
        e.maxStaleAt = Math.max(e.maxStaleAt, staleAt[slot]!);
      }
    }
    e.rangesDirty = false;
  }

  /**
   * Markets whose first quote goes stale in (fromMs, toMs]: the follower re-reads them, since ingestion
   * refreshes unchanged quotes in Redis without a change-stream entry.
   */
  expiringBetween(fromMs: number, toMs: number): string[] {
    const out: string[] = [];
    for (const m of this.markets.values()) if (m.minStaleAt > fromMs && m.minStaleAt <= toMs) out.push(m.key);
    return out;
  }

  /** The checksum of the quotes one provider's poll wrote to a market, as the board holds them. */
  checksum(key: string, provider: string, pollId: string): string {
    const m = this.markets.get(key);
    const c = this.cols;
    const source = c.idOf(`${provider}\u0000${pollId}`);
    const picked: { field: string; price: string }[] = [];
    if (m && source !== undefined) {
      const s = c.strings;
      for (const slot of m.slots) {
        if (c.sourceOf(slot) !== source) continue;
        const point = c.point[slot]! < 0 ? '-' : s[c.point[slot]!]!;
        picked.push({
          field: `${c.books[c.bookOf[slot]!]}|${s[c.outcome[slot]!]}|${point}`,
          price: s[c.priceText[slot]!]!,
        });
      }
    }
    return marketChecksum(picked);
  }

  /**
   * The board at `asOfMs` as quote objects: every market (keys null) or the given ones, only events of
   * `sports` when given, entries past their staleAt left out (the Redis reader's rules).
   */
  snapshot(asOfMs: number, keys: Iterable<string> | null, sports: readonly string[] | null): BoardSnapshot {
    const sportSet = sports ? new Set(sports) : null;
    const events: Record<string, BoardEvent> = {};
    const quotes: BoardQuote[] = [];
    const iso = isoCache();
    const take = (m: PackedMarket | undefined) => {
      const event = m?.event.event;
      if (!m || !event || (sportSet && !sportSet.has(event.sport))) return;
      const before = quotes.length;
      for (const slot of m.slots)
        if (this.cols.staleAt[slot]! > asOfMs) quotes.push(this.cols.quote(slot, iso));
      if (quotes.length > before) events[event.id] = event;
    };
    if (keys === null) for (const m of this.markets.values()) take(m);
    else for (const k of keys) take(this.markets.get(k));
    return { asOf: new Date(asOfMs).toISOString(), cursor: null, events, quotes };
  }

  /**
   * The board at `asOfMs` as strategies evaluate it, over the persistent index: every event (keys null) or
   * the events of the given markets, with `snapshot()`'s rules (sports, staleAt). Only events whose markets
   * changed, or whose quotes crossed their staleAt, are re-indexed; the rest is reused as it is.
   *
   * The board shares this index's arrays: use it before yielding (no await in between), since the next
   * change or board rewrites them. `snapshot.quotes` is made on first access.
   */
  board(asOfMs: number, keys: Iterable<string> | null, sports: readonly string[] | null): LiveIndexedBoard {
    let picked: Iterable<LiveEvent>;
    if (keys === null) picked = this.events.values();
    else {
      const set = new Set<LiveEvent>();
      for (const k of keys) {
        const e = this.markets.get(k)?.event ?? this.events.get(eventIdOfKey(k));
        if (e) set.add(e);
      }
      picked = set;
    }
    return this.indexer.board(asOfMs, picked, sports, keys === null);
  }
}
