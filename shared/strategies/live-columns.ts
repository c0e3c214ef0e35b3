import type { MarketKey } from '../entities';
import type { BoardQuote } from './board';

/**
 * The live board's quotes in columns (issue 14): one slot per quote across typed arrays, so the board holds
 * no object per quote and a sweep reads prices, ages and books straight from the arrays it evaluates (the
 * slot is the quote index of IndexedBoard). Freed slots are reused; the arrays double when full (pages of
 * the unused tail are never touched, so they cost no memory).
 */
export class QuoteColumns {
  /** Interned strings (outcomes, points, price texts, providers, polls); columns hold their ids. */
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
  provider = new Int32Array(0);
  poll = new Int32Array(0);
  /** 1 when the book gave its own update time (sourceUpdatedAt = atMs). */
  hasSource = new Uint8Array(0);
  /** The book's update time (sourceUpdatedAt ?? observedAt), epoch ms. */
  atMs = new Float64Array(0);
  /** When we saw it (observedAt), epoch ms. */
  seenAt = new Float64Array(0);
  /** When Redis lets it go stale (Infinity: never). */
  staleAt = new Float64Array(0);
  /** Float price (screening only: anything reported is computed from priceText). */
  price = new Float64Array(0);
  /** Age at the asOf of the last board built over this slot (written by each sweep, for its markets). */
  ageMs = new Float64Array(0);
  /** The market of each slot. */
  market: MarketKey[] = [];

  private used = 0;
  private free: number[] = [];

  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  /** The id of an interned string, or undefined when no quote ever used it. */
  idOf(s: string): number | undefined {
    return this.ids.get(s);
  }

  bookId(book: string): number {
    let id = this.bookIds.get(book);
    if (id === undefined) {
      id = this.books.length;
      this.books.push(book);
      this.bookIds.set(book, id);
    }
    return id;
  }

  alloc(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.used === this.bookOf.length) this.grow(Math.max(1024, this.used * 2));
    return this.used++;
  }

  release(slots: readonly number[]): void {
    for (const slot of slots) this.free.push(slot);
  }

  /** Forget every quote (a resync); strings and books stay interned. */
  reset(): void {
    this.used = 0;
    this.free = [];
    this.market = [];
  }

  /** Quote `slot` as an object; `iso` turns epoch ms into ISO text (callers cache it). */
  quote(slot: number, iso: (ms: number) => string): BoardQuote {
    const s = this.strings;
    const atMs = this.atMs[slot]!;
    return {
      market: this.market[slot]!,
      outcome: s[this.outcome[slot]!]!,
      point: this.point[slot]! < 0 ? null : s[this.point[slot]!]!,
      provider: s[this.provider[slot]!]!,
      bookmaker: this.books[this.bookOf[slot]!]!,
      price: s[this.priceText[slot]!]!,
      observedAt: iso(this.seenAt[slot]!),
      sourceUpdatedAt: this.hasSource[slot] ? iso(atMs) : null,
      atMs,
    };
  }

  private grow(capacity: number): void {
    const widen = <T extends Int32Array | Uint8Array | Float64Array>(old: T, make: (n: number) => T): T => {
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
    this.provider = widen(this.provider, ints);
    this.poll = widen(this.poll, ints);
    this.hasSource = widen(this.hasSource, (n) => new Uint8Array(n));
    this.atMs = widen(this.atMs, floats);
    this.seenAt = widen(this.seenAt, floats);
    this.staleAt = widen(this.staleAt, floats);
    this.price = widen(this.price, floats);
    this.ageMs = widen(this.ageMs, floats);
  }
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
