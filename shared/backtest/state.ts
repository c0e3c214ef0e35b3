import type { MarketKey, OddsQuote, SportEvent } from '../entities';
import { hasDraw, indexBoard, type BoardEvent, type IndexedBoard } from '../strategies/board';
import type { BacktestBet } from './run';
import type { EventResult, MarketAggregate, ReplayBoard, ReplayFrame, ReplaySnapshot } from './types';

// The engine's working state: one record per event and per market on the board.

export interface MarketState {
  readonly key: string;
  readonly market: MarketKey;
  readonly ev: EventState;
  quotes: OddsQuote[];
  readonly index: Map<string, number>;
  aggregate: MarketAggregate | null;
}

/** Everything the engine knows of one event, in one record (one map lookup per touch). */
export interface EventState {
  readonly id: string;
  event: SportEvent;
  board: BoardEvent;
  startMs: number;
  started: boolean;
  /** Markets on the board. */
  markets: MarketState[];
  result: EventResult | null;
  /** Bets waiting for the result. */
  pending: BacktestBet[] | null;
  /** Closing prices published separately (every market of the event). */
  closing: OddsQuote[] | null;
}

const DRAW = /^(draw|tie|x)$/i;

export function quoteSlot(q: OddsQuote): string {
  return `${q.outcome}|${q.point ?? '-'}|${q.bookmaker}`;
}

/** (event, market type, period, outcome, book): where a book's one line per outcome is kept. */
export function bookLineKey(q: OddsQuote): string {
  return `${q.market.eventId}|${q.market.marketType}|${q.market.period}|${q.outcome}|${q.bookmaker}`;
}

export function sameSlot(a: OddsQuote, b: OddsQuote): boolean {
  return (
    a.outcome === b.outcome &&
    a.point === b.point &&
    a.bookmaker === b.bookmaker &&
    a.market.marketType === b.market.marketType &&
    a.market.period === b.market.period &&
    a.market.line === b.market.line
  );
}

/** Stands for every started event nothing waits on any more (it only says "started"). */
export const STARTED: EventState = Object.freeze<EventState>({
  id: '',
  event: null as unknown as SportEvent,
  board: null as unknown as BoardEvent,
  startMs: -Infinity,
  started: true,
  markets: [],
  result: null,
  pending: null,
  closing: null,
});

/** The strategy's view of a step; the index is built on first use and shared by every strategy. */
export class Board implements ReplayBoard {
  private built: IndexedBoard | null = null;

  /**
   * @param observedAtMs when a complete fetch last observed every quote on the board (frames with
   *   `observedAll`); no quote is older than that. Null when the source says nothing of it.
   */
  constructor(
    readonly asOf: string,
    readonly asOfMs: number,
    readonly snapshot: ReplaySnapshot,
    readonly observedAtMs: number | null = null,
  ) {}

  get indexed(): IndexedBoard {
    if (this.built === null) {
      this.built = indexBoard(this.snapshot);
      if (this.observedAtMs !== null) {
        const cap = Math.max(0, this.asOfMs - this.observedAtMs);
        const ages = this.built.ageMs;
        for (let i = 0; i < ages.length; i++) if (ages[i]! > cap) ages[i] = cap;
      }
    }
    return this.built;
  }
}

/** Take one quote off a market (a book moved to another line); the market stays, perhaps empty. */
export function removeQuote(state: MarketState, slot: string): void {
  const at = state.index.get(slot);
  if (at === undefined) return;
  state.quotes.splice(at, 1);
  state.index.delete(slot);
  for (let i = at; i < state.quotes.length; i++) state.index.set(quoteSlot(state.quotes[i]!), i);
}

/** The board as the strategy engine's snapshot: every quote and aggregate of the given events. */
export function boardOf(
  frame: ReplayFrame,
  events: Iterable<EventState>,
  observedAtMs: number | null = null,
): Board {
  const quotes: OddsQuote[] = [];
  const aggregates: MarketAggregate[] = [];
  // A dictionary from the start: event ids as property names would each make a new hidden class.
  const boardEvents = Object.create(null) as Record<string, BoardEvent>;
  for (const ev of events) {
    boardEvents[ev.id] = ev.board;
    for (const state of ev.markets) {
      for (const q of state.quotes) quotes.push(q);
      if (state.aggregate !== null) aggregates.push(state.aggregate);
    }
  }
  return new Board(
    frame.at,
    frame.atMs,
    { asOf: frame.at, cursor: null, events: boardEvents, quotes, aggregates },
    observedAtMs,
  );
}

/** The market offers a draw (by its sport or its outcomes): a level score loses h2h bets on either side. */
export function offersDraw(event: SportEvent, state: MarketState | undefined): boolean {
  return (
    hasDraw(event.sport) ||
    (state !== undefined &&
      (state.quotes.some((q) => DRAW.test(q.outcome)) ||
        (state.aggregate?.outcomes.some((o) => DRAW.test(o.outcome)) ?? false)))
  );
}

/** The event as the board shows it: always before its start, so in-play quotes never reach a strategy. */
export function boardEventOf(e: SportEvent): BoardEvent {
  return {
    id: e.id,
    sport: e.sport,
    league: e.league,
    startTime: e.startTime,
    status: 'scheduled',
    participants: e.participants,
    inPlay: false,
  };
}
