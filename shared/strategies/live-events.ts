import type { MarketKey } from '../entities';
import { BetMarketGrouper } from './bet-markets';
import {
  eventPhase,
  parseTime,
  type BetMarket,
  type BoardEvent,
  type BoardQuote,
  type BoardSnapshot,
  type EventPhase,
  type IndexedBoard,
} from './board';
import { isoCache, type QuoteColumns } from './live-columns';

/**
 * The live board's indexed form (issue 14): per event, the line-aware bet markets strategies evaluate, kept
 * between sweeps and rebuilt only when one of the event's markets changes or one of its quotes crosses its
 * staleAt; and the IndexedBoard a sweep evaluates over them and the quote columns, without copying either.
 */

export interface PackedMarket {
  key: string;
  market: MarketKey;
  /** Its number in the columns (QuoteColumns.addMarket). */
  id: number;
  event: LiveEvent;
  /** Column slots of its quotes, in hash field order. */
  slots: number[];
  /** Earliest staleAt of its quotes (the follower re-reads the market from Redis before then). */
  minStaleAt: number;
}

export interface LiveEvent {
  id: string;
  event: BoardEvent | undefined;
  startMs: number;
  /** Its markets in board order. */
  markets: Map<string, PackedMarket>;
  /** The indexed form: bet markets over the quotes not stale at build time; null when a change voided it. */
  bets: BetMarket[] | null;
  unpaired: number;
  /** Quotes not stale at build time. */
  included: number;
  /** The bet markets hold for asOf in [validFrom, validUntil): no quote crosses its staleAt in between. */
  validFrom: number;
  validUntil: number;
  /** Its phase at phaseAsOf for the event object phaseEvent, and that object's parsed start (phaseOf). */
  phaseEvent: BoardEvent | undefined;
  phaseStart: number;
  phaseAsOf: number;
  phase: EventPhase;
  /** Ranges of its quotes' atMs and staleAt (LiveBoardIndex.timeChanged), stale when rangesDirty. */
  rangesDirty: boolean;
  minAt: number;
  maxAt: number;
  minStaleAt: number;
  maxStaleAt: number;
}

/** An IndexedBoard over the live index, and how many quotes it holds. */
export interface LiveIndexedBoard extends IndexedBoard {
  readonly quoteCount: number;
}

export class EventIndexer {
  /** Slot patterns and outcome lists (BetMarket.slotOf, slots) shared by the bet markets that have them. */
  private readonly patterns = new Map<string, unknown[]>();

  /** The events of the board being built (scratch, read only within board()). */
  private readonly picks: LiveEvent[] = [];
  /** The last whole board's containers, for the next whole board to reuse while nothing in them changed. */
  private lastFull: View | null = null;

  constructor(
    private readonly cols: QuoteColumns,
    /** The index's live event of an id (a board's phase() looks its events up there). */
    private readonly liveEvent: (id: string) => LiveEvent | undefined,
  ) {}

  /** Rebuild an event's bet markets over its quotes not stale at `asOfMs` (the grouping indexBoard does). */
  private indexEvent(e: LiveEvent, asOfMs: number): void {
    const c = this.cols;
    const s = c.strings;
    const grouper = new BetMarketGrouper();
    for (const m of e.markets.values()) {
      if (m.market.marketType !== 'spreads') continue;
      for (const slot of m.slots)
        if (c.staleAt[slot]! > asOfMs) grouper.noteSpread(e.id, s[c.outcome[slot]!]!);
    }
    grouper.sortTeams();
    let validFrom = -Infinity;
    let validUntil = Infinity;
    let included = 0;
    for (const m of e.markets.values()) {
      for (const slot of m.slots) {
        const stale = c.staleAt[slot]!;
        if (stale <= asOfMs) {
          if (stale > validFrom) validFrom = stale;
          continue;
        }
        if (stale < validUntil) validUntil = stale;
        included++;
        const point = c.point[slot]!;
        grouper.add(slot, m.market, s[c.outcome[slot]!]!, point < 0 ? null : s[point]!);
      }
    }
    e.bets = grouper.finish(() => e.event);
    this.compact(e);
    e.unpaired = grouper.unpaired;
    e.included = included;
    e.validFrom = validFrom;
    e.validUntil = validUntil;
  }

  /**
   * Bet markets are kept between sweeps: share what they repeat. A market's quotes are usually exactly its
   * hash's slots (and its key the hash's key), and the slot pattern of a market recurs on many others.
   */
  private compact(e: LiveEvent): void {
    const byFirst = new Map<number, PackedMarket>();
    for (const m of e.markets.values()) if (m.slots.length) byFirst.set(m.slots[0]!, m);
    for (const bet of e.bets!) {
      const m = byFirst.get(bet.quotes[0]!);
      if (m && m.slots.length === bet.quotes.length && bet.quotes.every((q, i) => q === m.slots[i]))
        bet.quotes = m.slots;
      else bet.quotes = bet.quotes.slice();
      if (m && bet.key === m.key) bet.key = m.key;
      const same = m?.market;
      if (
        same &&
        bet.market !== same &&
        bet.market.marketType === same.marketType &&
        bet.market.period === same.period &&
        bet.market.line === same.line
      )
        bet.market = same;
      bet.slotOf = this.shared(bet.slotOf.join(), bet.slotOf);
      bet.slots = this.shared(JSON.stringify(bet.slots), bet.slots);
    }
  }

  private shared<T>(key: string, value: T[]): T[] {
    let found = this.patterns.get(key) as T[] | undefined;
    if (!found) {
      if (this.patterns.size >= 100_000) this.patterns.clear();
      this.patterns.set(key, (found = value.slice()));
    }
    return found;
  }
  /**
   * The board at `asOfMs` as strategies evaluate it, over the persistent index: every event (keys null) or
   * the events of the given markets, with `snapshot()`'s rules (sports, staleAt). Only events whose markets
   * changed, or whose quotes crossed their staleAt, are re-indexed; the rest is reused as it is.
   *
   * The board shares this index's arrays: use it before yielding (no await in between), since the next
   * change or board rewrites them. `snapshot.quotes` is made on first access.
   */
  board(
    asOfMs: number,
    picked: Iterable<LiveEvent>,
    sports: readonly string[] | null,
    full: boolean,
  ): LiveIndexedBoard {
    const sportSet = sports ? new Set(sports) : null;
    const c = this.cols;
    const { atMs, ageMs } = c;
    // One pass re-indexes what changed, writes the ages and checks whether the containers of the last
    // whole-board view still hold (same events, same event objects, same bet markets).
    const sportsKey = sports ? sports.join('\u0000') : null;
    const last = full && this.lastFull?.sportsKey === sportsKey ? this.lastFull : null;
    let unchanged = last !== null;
    const picks = this.picks;
    let count = 0;
    for (const e of picked) {
      const event = e.event;
      if (!event || (sportSet && !sportSet.has(event.sport))) continue;
      if (e.bets === null || asOfMs < e.validFrom || asOfMs >= e.validUntil) this.indexEvent(e, asOfMs);
      if (e.included === 0) continue;
      if (
        unchanged &&
        !(last!.inView[count] === e && last!.bets[count] === e.bets && last!.eventObjects[count] === event)
      )
        unchanged = false;
      picks[count++] = e;
      for (const bet of e.bets!) {
        for (const qi of bet.quotes) {
          const t = atMs[qi]!;
          ageMs[qi] = asOfMs > t ? asOfMs - t : 0;
        }
      }
    }
    let view: View;
    if (unchanged && count === last!.inView.length) view = last!;
    else {
      view = viewOf(picks.slice(0, count), sportsKey);
      if (full) this.lastFull = view;
    }
    picks.length = Math.min(picks.length, count);
    const { events, inView } = view;
    const iso = isoCache();
    const liveEvent = this.liveEvent;
    let materialized: BoardQuote[] | null = null;
    const snapshot: BoardSnapshot = {
      asOf: new Date(asOfMs).toISOString(),
      cursor: null,
      events,
      get quotes(): BoardQuote[] {
        if (materialized === null) {
          materialized = [];
          for (const e of inView)
            for (const m of e.markets.values())
              for (const slot of m.slots)
                if (c.staleAt[slot]! > asOfMs) materialized.push(c.quote(slot, iso));
        }
        return materialized;
      },
    };
    return {
      snapshot,
      asOfMs,
      markets: view.markets,
      price: c.price,
      ageMs,
      unpaired: view.unpaired,
      bookOf: c.bookOf,
      books: c.books,
      bookScratch: new Int32Array(c.books.length).fill(-1),
      phase(eventId) {
        const event = events[eventId];
        const e = event && liveEvent(eventId);
        return e ? phaseOf(e, event, asOfMs) : eventPhase(event, asOfMs);
      },
      quote: (qi) => c.quote(qi, iso),
      quoteCount: view.quotes,
    };
  }
}

/**
 * The containers of a board (its events, bet markets and their counts) and what they were built from: a
 * whole-board view is reused by the next whole board when none of that changed, so a full sweep of a quiet
 * board allocates no 1,000-key record and 5,000-entry list. Shared boards never change these afterwards.
 */
interface View {
  sportsKey: string | null;
  inView: LiveEvent[];
  bets: (BetMarket[] | null)[];
  eventObjects: BoardEvent[];
  events: Record<string, BoardEvent>;
  markets: BetMarket[];
  unpaired: number;
  quotes: number;
}

function viewOf(inView: LiveEvent[], sportsKey: string | null): View {
  const events: Record<string, BoardEvent> = {};
  const markets: BetMarket[] = [];
  let unpaired = 0;
  let quotes = 0;
  for (const e of inView) {
    events[e.id] = e.event!;
    unpaired += e.unpaired;
    quotes += e.included;
    for (const bet of e.bets!) markets.push(bet);
  }
  return {
    sportsKey,
    inView,
    bets: inView.map((e) => e.bets),
    eventObjects: inView.map((e) => e.event!),
    events,
    markets,
    unpaired,
    quotes,
  };
}

/**
 * eventPhase(event, asOfMs), remembered on the live event: for one event object it changes only where asOfMs
 * crosses the start time (parsed once with the same parseTime), so most sweeps skip the parse and the check.
 */
function phaseOf(e: LiveEvent, event: BoardEvent, asOfMs: number): EventPhase {
  if (e.phaseEvent !== event) {
    e.phaseEvent = event;
    e.phaseAsOf = NaN;
    try {
      e.phaseStart = parseTime(event.startTime);
    } catch {
      // Unparseable: never remembered, so eventPhase throws where it would have (only if it reads it).
      e.phaseStart = NaN;
    }
  }
  const start = e.phaseStart;
  if (!Number.isNaN(start) && !Number.isNaN(e.phaseAsOf) && e.phaseAsOf >= start === asOfMs >= start)
    return e.phase;
  const phase = eventPhase(event, asOfMs);
  e.phase = phase;
  e.phaseAsOf = asOfMs;
  return phase;
}
