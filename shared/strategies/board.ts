import type { EventStatus, MarketKey, OddsQuote, Participant } from '../entities';
import { BetMarketGrouper } from './bet-markets';

export { hasDraw } from './bet-markets';

/**
 * What a strategy evaluates: the current board at one instant. Live, it is read from Redis by the sweep
 * activity; in backtests it is rebuilt from history; in the CLI it is parsed from a provider response.
 * Everything is plain JSON (ISO times, decimal strings), so the same pure code runs everywhere.
 */
export interface BoardEvent {
  id: string;
  sport: string;
  league: string | null;
  startTime: string;
  status: EventStatus;
  participants: Participant[];
  /** The provider's own in-play flag when it has one; otherwise derived from status and start time. */
  inPlay?: boolean;
}

/**
 * A quote on a board. `atMs`, when a reader already knows it, is sourceUpdatedAt ?? observedAt in epoch ms
 * (saves parsing 100,000 timestamps per sweep); it must agree with those fields.
 */
export type BoardQuote = OddsQuote & { atMs?: number };

export interface BoardSnapshot {
  /** The instant the board describes; quote ages are measured against it. */
  asOf: string;
  /** Position in the board's change stream when it was read (live boards); null for files and replays. */
  cursor?: string | null;
  events: Record<string, BoardEvent>;
  quotes: BoardQuote[];
}

/** Where an event stands at the board's instant. */
export type EventPhase = 'pre-match' | 'in-play' | 'closed' | 'unknown';

/** One outcome of a line-aware market: the selection and its signed point (null for h2h). */
export interface OutcomeSlot {
  outcome: string;
  point: string | null;
}

/**
 * A bettable market whose outcomes are complementary, so one price per outcome makes a complete book.
 * h2h: every named outcome. Totals: Over x with Under x. Spreads: one team at +x with the other at −x;
 * the same absolute line with the signs swapped is a different BetMarket.
 */
export interface BetMarket {
  /** Unique on the board: the market key string, plus the first team's signed point for spreads. */
  key: string;
  market: MarketKey;
  eventId: string;
  slots: OutcomeSlot[];
  /** Outcomes a complete line needs (h2h with a draw: 3). */
  expected: number;
  /** Quote indices (into the board's arrays, see IndexedBoard.quote), and each quote's slot (parallel arrays). */
  quotes: number[];
  slotOf: number[];
}

export interface IndexedBoard {
  readonly snapshot: BoardSnapshot;
  readonly asOfMs: number;
  readonly markets: BetMarket[];
  /** Float64 price per quote (screening only; anything reported is recomputed exactly). */
  readonly price: Float64Array;
  /** Age per quote in ms at asOf: asOf − (sourceUpdatedAt ?? observedAt), never negative. */
  readonly ageMs: Float64Array;
  /** Quotes that could not be placed in a line-aware market (a spread whose event has not two teams…). */
  readonly unpaired: number;
  /** Bookmaker of each quote as an index into `books`. */
  readonly bookOf: Int32Array;
  readonly books: readonly string[];
  /** Scratch row per book for bookLines (all -1 between calls). */
  readonly bookScratch: Int32Array;
  phase(eventId: string): EventPhase;
  /**
   * Quote `qi` as an object (bookmaker, outcome, exact price text…). A live board makes it on demand, so
   * scans read the typed arrays and call this only for the quotes they keep.
   */
  quote(qi: number): BoardQuote;
}

export function eventPhase(event: BoardEvent | undefined, asOfMs: number): EventPhase {
  if (!event) return 'unknown';
  if (event.status === 'completed' || event.status === 'cancelled' || event.status === 'postponed')
    return 'closed';
  if (event.inPlay !== undefined) return event.inPlay ? 'in-play' : 'pre-match';
  if (event.status === 'live') return 'in-play';
  return parseTime(event.startTime) <= asOfMs ? 'in-play' : 'pre-match';
}

/** Epoch ms of an ISO time; throws on garbage so a bad board never passes as "fresh". */
export function parseTime(iso: string): number {
  const fast = parseUtcIso(iso);
  if (fast !== null) return fast;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`not an ISO time: ${JSON.stringify(iso)}`);
  return ms;
}

/**
 * "YYYY-MM-DDTHH:MM:SS.sssZ" (what toISOString() writes) read with integer arithmetic: several times
 * faster than Date.parse, which matters on a 100,000-quote board. Anything else returns null.
 */
function parseUtcIso(s: string): number | null {
  if (s.length !== 24 || s.charCodeAt(23) !== 90 || s.charCodeAt(10) !== 84 || s.charCodeAt(19) !== 46)
    return null;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const milli = digits(s, 20, 3);
  if (
    !(year >= 0 && year <= 9999) ||
    !(month >= 1 && month <= 12) ||
    !(day >= 1 && day <= 31) ||
    !(hour >= 0 && hour <= 23) ||
    !(minute >= 0 && minute <= 59) ||
    !(second >= 0 && second <= 59) ||
    !(milli >= 0 && milli <= 999) ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  ) {
    return null;
  }
  // Days from civil (Howard Hinnant's algorithm), proleptic Gregorian.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + milli;
}

/** The decimal number in s[from, from + count), or NaN when a character is not a digit. */
function digits(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Group a snapshot's quotes into line-aware bet markets (one pass, plus one over spreads to learn each
 * event's two teams), with float prices and ages for screening.
 */
export function indexBoard(snapshot: BoardSnapshot): IndexedBoard {
  const asOfMs = parseTime(snapshot.asOf);
  const quotes = snapshot.quotes;
  const n = quotes.length;
  const price = new Float64Array(n);
  const ageMs = new Float64Array(n);
  const bookOf = new Int32Array(n);
  const books: string[] = [];
  const bookIds = new Map<string, number>();
  let lastBook: string | null = null;
  let lastBookId = -1;

  const grouper = new BetMarketGrouper();
  for (let i = 0; i < n; i++) {
    const q = quotes[i]!;
    if (q.market.marketType === 'spreads') grouper.noteSpread(q.market.eventId, q.outcome);
  }
  grouper.sortTeams();

  let lastTime: string | null = null;
  let lastTimeMs = 0;
  for (let i = 0; i < n; i++) {
    const q = quotes[i]!;
    price[i] = Number(q.price);
    if (q.bookmaker !== lastBook) {
      lastBook = q.bookmaker;
      let id = bookIds.get(lastBook);
      if (id === undefined) {
        id = books.length;
        bookIds.set(lastBook, id);
        books.push(lastBook);
      }
      lastBookId = id;
    }
    bookOf[i] = lastBookId;
    const stamp = q.sourceUpdatedAt ?? q.observedAt;
    let t: number;
    if (q.atMs !== undefined) t = q.atMs;
    else if (stamp === lastTime) t = lastTimeMs;
    else {
      t = parseTime(stamp);
      lastTime = stamp;
      lastTimeMs = t;
    }
    ageMs[i] = asOfMs > t ? asOfMs - t : 0;
    grouper.add(i, q.market, q.outcome, q.point);
  }

  const markets = grouper.finish((id) => snapshot.events[id]);
  const phases = new Map<string, EventPhase>();
  const phase = (eventId: string): EventPhase => {
    let p = phases.get(eventId);
    if (p === undefined) phases.set(eventId, (p = eventPhase(snapshot.events[eventId], asOfMs)));
    return p;
  };
  const bookScratch = new Int32Array(books.length).fill(-1);
  return {
    snapshot,
    asOfMs,
    markets,
    price,
    ageMs,
    unpaired: grouper.unpaired,
    bookOf,
    books,
    bookScratch,
    phase,
    quote: (qi) => quotes[qi]!,
  };
}

/** One bookmaker's complete line in a bet market: a quote per outcome slot. */
export interface BookLine {
  bookmaker: string;
  /** Quote index per slot. */
  quotes: number[];
  /** Float price per slot. */
  prices: number[];
}

/**
 * Every bookmaker's complete line in a market among the quotes `keep` accepts. A book quoting a slot twice
 * keeps its freshest quote.
 */
export function bookLines(board: IndexedBoard, bet: BetMarket, keep: (quote: number) => boolean): BookLine[] {
  const slots = bet.expected;
  if (bet.slots.length !== slots) return [];
  const rowOf = board.bookScratch;
  const rows: number[][] = [];
  const ids: number[] = [];
  for (let k = 0; k < bet.quotes.length; k++) {
    const qi = bet.quotes[k]!;
    if (!keep(qi)) continue;
    const b = board.bookOf[qi]!;
    let r = rowOf[b]!;
    if (r < 0) {
      r = rows.length;
      rowOf[b] = r;
      ids.push(b);
      rows.push(new Array<number>(slots).fill(-1));
    }
    const row = rows[r]!;
    const s = bet.slotOf[k]!;
    const current = row[s]!;
    if (current < 0 || board.ageMs[qi]! < board.ageMs[current]!) row[s] = qi;
  }
  const lines: BookLine[] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    rowOf[ids[r]!] = -1;
    let complete = true;
    const prices = new Array<number>(slots);
    for (let s = 0; s < slots; s++) {
      const qi = row[s]!;
      if (qi < 0) {
        complete = false;
        break;
      }
      prices[s] = board.price[qi]!;
    }
    if (complete) lines.push({ bookmaker: board.books[ids[r]!]!, quotes: row, prices });
  }
  return lines;
}
