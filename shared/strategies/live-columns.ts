import type { MarketKey } from '../entities';
import type { BoardQuote } from './board';

/**
 * The live board's quotes in columns (issue 14): one slot per quote across typed arrays, so the board holds
 * no object per quote and a sweep reads prices, ages and books straight from the arrays it evaluates (the
 * slot is the quote index of IndexedBoard). Freed slots are reused; the arrays double when full (pages of
 * the unused tail are never touched, so they cost no memory).
 */
export class QuoteColumns {
  /** Interned strings (outcomes, points, price texts, provider and poll); columns hold their ids. */
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();
  /** Bookmakers numbered apart from other strings: bookOf indexes this list, as IndexedBoard.books. */
  readonly books: string[] = [];
  private readonly bookIds = new Map<string, number>();

  bookOf = new Int32Array(0);
  outcome = new Int32Array(0);
  /** String id of the point, -1 for none. */
  point = new Int32Array(0);
  priceText = new Int32Array(0);
  /**
   * String id of "<provider>\u0000<poll id>" (what a checksum selects on), bit-inverted when the book gave
   * no update time of its own (sourceUpdatedAt null).
   */
  source = new Int32Array(0);
  /** The book's update time (sourceUpdatedAt ?? observedAt), epoch ms. */
  atMs = new Float64Array(0);
  /** When we saw it (observedAt) − atMs, ms; -1: see seenOverflow. */
  seenDelta = new Int32Array(0);
  private seenOverflow = new Map<number, number>();
  /** When Redis lets it go stale (Infinity: never). */
  staleAt = new Float64Array(0);
  /** Float price (screening only: anything reported is computed from priceText). */
  price = new Float64Array(0);
  /** Age at the asOf of the last board built over this slot (written by each sweep, for its markets). */
  ageMs = new Float64Array(0);
  /** The market of each slot, as an id into `markets`. */
  marketId = new Int32Array(0);
  private readonly markets: (MarketKey | undefined)[] = [];
  private freeMarkets: number[] = [];

  private used = 0;
  private free: number[] = [];

  intern(s: string): number {
    return internIn(this.strings, this.ids, s);
  }

  /** The id of an interned string, or undefined when no quote ever used it. */
  idOf(s: string): number | undefined {
    return this.ids.get(s);
  }

  bookId(book: string): number {
    return internIn(this.books, this.bookIds, book);
  }

  alloc(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    // Grow by a half: a grown array is copied, so growing leaves that much of it resident but unused.
    if (this.used === this.bookOf.length) this.grow(Math.max(1024, Math.ceil(this.used * 1.5)));
    return this.used++;
  }

  release(slots: readonly number[]): void {
    for (const slot of slots) {
      this.free.push(slot);
      if (this.seenDelta[slot] === -1) this.seenOverflow.delete(slot);
    }
  }

  /** A number for a market's slots to point at (`set`), until dropMarket. */
  addMarket(market: MarketKey): number {
    const id = this.freeMarkets.pop() ?? this.markets.length;
    this.markets[id] = market;
    return id;
  }

  dropMarket(id: number): void {
    this.markets[id] = undefined;
    this.freeMarkets.push(id);
  }

  /** Fill a slot with one quote of market `marketId`. */
  set(
    slot: number,
    marketId: number,
    q: {
      bookmaker: string;
      outcome: string;
      point: string | null;
      price: string;
      source: string;
      hasSource: boolean;
      atMs: number;
      seenAt: number;
      staleAt: number;
    },
  ): void {
    this.bookOf[slot] = this.bookId(q.bookmaker);
    this.outcome[slot] = this.intern(q.outcome);
    this.point[slot] = q.point === null ? -1 : this.intern(q.point);
    this.priceText[slot] = this.intern(q.price);
    const source = this.intern(q.source);
    this.source[slot] = q.hasSource ? source : ~source;
    this.atMs[slot] = q.atMs;
    const delta = q.seenAt - q.atMs;
    // Nearly always a few seconds; an exotic one (weeks, a fraction of a ms) is kept exactly on the side.
    if (Number.isInteger(delta) && delta >= 0 && delta < 0x7fffffff) this.seenDelta[slot] = delta;
    else {
      this.seenDelta[slot] = -1;
      this.seenOverflow.set(slot, q.seenAt);
    }
    this.staleAt[slot] = q.staleAt;
    this.price[slot] = Number(q.price);
    this.marketId[slot] = marketId;
  }

  seenAt(slot: number): number {
    const d = this.seenDelta[slot]!;
    return d === -1 ? this.seenOverflow.get(slot)! : this.atMs[slot]! + d;
  }

  /** The "<provider>\u0000<poll id>" string id of a slot. */
  sourceOf(slot: number): number {
    const v = this.source[slot]!;
    return v < 0 ? ~v : v;
  }

  /** Forget every quote (a resync); strings and books stay interned. */
  reset(): void {
    this.used = 0;
    this.free = [];
    this.markets.length = 0;
    this.freeMarkets = [];
    this.seenOverflow = new Map();
  }

  /** Quote `slot` as an object; `iso` turns epoch ms into ISO text (callers cache it). */
  quote(slot: number, iso: (ms: number) => string): BoardQuote {
    const s = this.strings;
    const atMs = this.atMs[slot]!;
    const source = s[this.sourceOf(slot)]!;
    return {
      market: this.markets[this.marketId[slot]!]!,
      outcome: s[this.outcome[slot]!]!,
      point: this.point[slot]! < 0 ? null : s[this.point[slot]!]!,
      provider: source.slice(0, source.indexOf('\u0000')),
      bookmaker: this.books[this.bookOf[slot]!]!,
      price: s[this.priceText[slot]!]!,
      observedAt: iso(this.seenAt(slot)),
      sourceUpdatedAt: this.source[slot]! >= 0 ? iso(atMs) : null,
      atMs,
    };
  }

  private grow(capacity: number): void {
    const widen = <T extends Int32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    const ints = (n: number) => new Int32Array(n);
    const floats = (n: number) => new Float64Array(n);
    this.bookOf = widen(this.bookOf, ints);
    this.outcome = widen(this.outcome, ints);
    this.point = widen(this.point, ints);
    this.priceText = widen(this.priceText, ints);
    this.source = widen(this.source, ints);
    this.atMs = widen(this.atMs, floats);
    this.seenDelta = widen(this.seenDelta, ints);
    this.marketId = widen(this.marketId, ints);
    this.staleAt = widen(this.staleAt, floats);
    this.price = widen(this.price, floats);
    this.ageMs = widen(this.ageMs, floats);
  }
}

/** The number of `s` in a list of distinct strings, appended when new. */
function internIn(list: string[], ids: Map<string, number>, s: string): number {
  let id = ids.get(s);
  if (id === undefined) {
    id = list.length;
    list.push(s);
    ids.set(s, id);
  }
  return id;
}

/** ISO text of epoch ms, remembered: a board's quotes share few distinct times. */
export function isoCache(): (ms: number) => string {
  const cache = new Map<number, string>();
  return (ms) => {
    let v = cache.get(ms);
    if (v === undefined) cache.set(ms, (v = new Date(ms).toISOString()));
    return v;
  };
}
