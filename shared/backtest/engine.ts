import {
  marketKeyString,
  type MarketKey,
  type OddsQuote,
  type Opportunity,
  type SportEvent,
} from '../entities';
import { D, toDecimalString, type DecimalInput } from '../math/decimal';
import type { DevigMethod } from '../math/devig';
import { clvAgainstFairClose } from '../math/ev';
import { SettlementError, settleBet } from '../settlement';
import { hasDraw, indexBoard, type BoardEvent, type IndexedBoard } from '../strategies/board';
import type {
  BacktestStrategy,
  EventResult,
  MarketAggregate,
  ReplayBoard,
  ReplayFrame,
  ReplaySnapshot,
} from './types';

export interface BacktestOptions {
  /** Stake of every bet whose opportunity leg suggests none. Default 1 (a flat unit). */
  readonly flatStake?: DecimalInput;
  /** Currency unit payouts are rounded down to, as the live settlement does. Default "0.01". */
  readonly unit?: string;
  /**
   * At most one bet per strategy and market (default), per event, or per opportunity id. Live code bets an
   * opportunity id once; a replay re-evaluates a market at every change, so "once per market" is the rule
   * that reproduces one-bet-per-match rules such as consensus.
   */
  readonly oncePer?: 'market' | 'event' | 'opportunity';
  /** Whose closing line the CLV is measured against (default "pinnacle"), devigged with `clvMethod`. */
  readonly clvBookmaker?: string;
  readonly clvMethod?: DevigMethod;
  /**
   * A book quotes one line per outcome at a time (default true, as The Odds API's main markets): a quote
   * on a new spread or total line takes the book's quote off its previous line. False keeps every line
   * (sources with alternate lines).
   */
  readonly oneLinePerBook?: boolean;
  /**
   * What each snapshot holds: the events whose prices changed in that step, with all their markets
   * ('changed', default), or every event on the board ('board'). Quotes only age between changes, so a
   * per-market strategy finds nothing new on an unchanged event; 'board' replays exactly what a live sweep
   * of the whole board sees, at a cost proportional to the board's size at every step.
   */
  readonly snapshots?: 'changed' | 'board';
}

/** How a backtest bet ended; 'unsettled' when the data has no result for its event. */
export type BetOutcome = 'won' | 'lost' | 'push' | 'void' | 'unsettled';

export interface BacktestBet {
  /** Placement order, from 0. */
  readonly seq: number;
  readonly strategy: string;
  readonly opportunity: Opportunity;
  readonly legIndex: number;
  readonly event: SportEvent;
  readonly market: MarketKey;
  readonly marketKey: string;
  readonly outcome: string;
  readonly point: string | null;
  readonly bookmaker: string;
  /** Decimal odds taken, exact string. */
  readonly price: string;
  readonly stake: D;
  /** The strategy's probability for the leg (its fairProbability), for calibration. */
  readonly probability: D | null;
  readonly placedAt: string;
  /** The market offers a draw: a level score loses h2h bets on either side. */
  readonly threeWay: boolean;
  status: BetOutcome;
  profit: D;
  /** Settlement order, from 0; null while unsettled. */
  settledSeq: number | null;
  /** Closing-line value against the devigged close of `clvBookmaker`; null where there is no such close. */
  clv: D | null;
  note: string | null;
}

export interface BacktestRun {
  readonly strategies: readonly string[];
  readonly frames: number;
  /** Events seen in the replay. */
  readonly events: number;
  readonly firstAt: string | null;
  readonly lastAt: string | null;
  /** Every bet in placement order. */
  readonly bets: readonly BacktestBet[];
  /** Settled bets in settlement order (the bankroll curve's order). */
  readonly settled: readonly BacktestBet[];
  /** Per strategy: events it never bet, by the last reason it gave for passing on them. */
  readonly skips: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Per strategy: opportunities not taken because that market (event, id) was already bet. */
  readonly repeats: Readonly<Record<string, number>>;
  /** Per strategy: its evaluation counters summed over every snapshot. */
  readonly stats: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Quotes dropped: for an event already started (in-play), or for an event the source never described. */
  readonly ignoredQuotes: { readonly inPlay: number; readonly unknownEvent: number };
  readonly clvBookmaker: string;
}

interface MarketState {
  readonly key: string;
  readonly market: MarketKey;
  readonly ev: EventState;
  quotes: OddsQuote[];
  readonly index: Map<string, number>;
  aggregate: MarketAggregate | null;
}

/** Everything the engine knows of one event, in one record (one map lookup per touch). */
interface EventState {
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

function quoteSlot(q: OddsQuote): string {
  return `${q.outcome}|${q.point ?? '-'}|${q.bookmaker}`;
}

function sameSlot(a: OddsQuote, b: OddsQuote): boolean {
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
const STARTED: EventState = Object.freeze<EventState>({
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
class Board implements ReplayBoard {
  private built: IndexedBoard | null = null;

  constructor(
    readonly asOf: string,
    readonly asOfMs: number,
    readonly snapshot: ReplaySnapshot,
  ) {}

  get indexed(): IndexedBoard {
    return (this.built ??= indexBoard(this.snapshot));
  }
}

/**
 * The replay engine: push frames in time order, then finish(). Each frame first takes off the board every
 * event that has started by its time (their last quotes become the closing line), applies its events,
 * quotes and aggregates, hands each strategy the board, turns opportunities into bets and settles bets
 * whose event has started and whose result is known. Deterministic: the same frames give the same run.
 */
export class BacktestEngine {
  private readonly strategies: readonly BacktestStrategy[];
  private readonly flatStake: D;
  private readonly oncePer: 'market' | 'event' | 'opportunity';
  private readonly clvBookmaker: string;
  private readonly clvMethod: DevigMethod;
  private readonly unit: string;
  private readonly oneLinePerBook: boolean;
  private readonly wholeBoard: boolean;
  /** (event, market type, period, outcome, book) → the market and slot its current quote is in. */
  private readonly bookLine = new Map<string, { state: MarketState; slot: string }>();

  private readonly eventState = new Map<string, EventState>();
  /** Events on the board (not started), in the order they were first seen. */
  private readonly onBoard = new Map<string, EventState>();
  private readonly heap: HeapItem[] = [];
  private heapSeq = 0;
  private readonly marketState = new Map<string, MarketState>();
  private lastMarket: MarketKey | null = null;
  private lastMarketState: MarketState | null = null;
  private lastKeyOf: MarketKey | null = null;
  private lastKey = '';
  private readonly taken: Set<string>[];
  private readonly skipNotes: Map<string, string>[];
  private readonly betEvents: Set<string>[];
  private readonly repeatCounts: number[];
  private readonly statTotals: Record<string, number>[];
  private readonly bets: BacktestBet[] = [];
  private readonly settled: BacktestBet[] = [];
  private frames = 0;
  private lastMs = -Infinity;
  private firstAt: string | null = null;
  private lastAt: string | null = null;
  private inPlay = 0;
  private unknownEvent = 0;
  private finished = false;

  constructor(strategies: readonly BacktestStrategy[], options: BacktestOptions = {}) {
    const names = new Set<string>();
    for (const s of strategies) {
      if (names.has(s.name)) throw new Error(`strategy "${s.name}" is given twice`);
      names.add(s.name);
    }
    this.strategies = strategies;
    this.flatStake = new D(options.flatStake ?? 1);
    this.oncePer = options.oncePer ?? 'market';
    this.clvBookmaker = options.clvBookmaker ?? 'pinnacle';
    this.clvMethod = options.clvMethod ?? 'multiplicative';
    this.unit = options.unit ?? '0.01';
    this.oneLinePerBook = options.oneLinePerBook ?? true;
    this.wholeBoard = options.snapshots === 'board';
    this.taken = strategies.map(() => new Set<string>());
    this.skipNotes = strategies.map(() => new Map<string, string>());
    this.betEvents = strategies.map(() => new Set<string>());
    this.repeatCounts = strategies.map(() => 0);
    this.statTotals = strategies.map(() => ({}));
  }

  push(frame: ReplayFrame): void {
    if (this.finished) throw new Error('backtest already finished');
    if (frame.atMs < this.lastMs) {
      throw new Error(`frames out of order: ${frame.at} comes after ${this.lastAt ?? '?'}`);
    }
    this.lastMs = frame.atMs;
    this.firstAt ??= frame.at;
    this.lastAt = frame.at;
    this.frames++;
    this.startEvents(frame.atMs);

    if (frame.events !== undefined) for (const e of frame.events) this.addEvent(e);
    if (frame.results !== undefined) {
      for (const r of frame.results) {
        const ev = this.eventState.get(r.eventId);
        // A result for a started event without bets waiting on it has nothing left to settle.
        if (ev === undefined || (ev.started && ev.pending === null)) continue;
        ev.result = r.result;
        if (ev.started) this.settleEvent(ev);
      }
    }
    if (frame.closing !== undefined) {
      for (const q of frame.closing) {
        const ev = this.eventState.get(q.market.eventId);
        if (ev === undefined || ev.started) continue;
        const list = (ev.closing ??= []);
        let i = 0;
        while (i < list.length && !sameSlot(list[i]!, q)) i++;
        list[i] = q;
      }
    }

    const changed: EventState[] = [];
    if (frame.quotes !== undefined) {
      for (const q of frame.quotes) {
        const state = this.stateFor(q.market, frame.atMs);
        if (state === null) continue;
        if (!changed.includes(state.ev)) changed.push(state.ev);
        const slot = quoteSlot(q);
        if (this.oneLinePerBook && q.market.marketType !== 'h2h') {
          const key = `${q.market.eventId}|${q.market.marketType}|${q.market.period}|${q.outcome}|${q.bookmaker}`;
          const previous = this.bookLine.get(key);
          if (previous !== undefined && (previous.state !== state || previous.slot !== slot)) {
            removeQuote(previous.state, previous.slot);
          }
          this.bookLine.set(key, { state, slot });
        }
        const at = state.index.get(slot);
        if (at === undefined) {
          state.index.set(slot, state.quotes.length);
          state.quotes.push(q);
        } else {
          state.quotes[at] = q;
        }
      }
    }
    if (frame.aggregates !== undefined) {
      for (const a of frame.aggregates) {
        const state = this.stateFor(a.market, frame.atMs);
        if (state === null) continue;
        state.aggregate = a;
        if (!changed.includes(state.ev)) changed.push(state.ev);
      }
    }
    if (changed.length === 0) return;
    const board = this.board(frame, this.wholeBoard ? this.onBoard.values() : changed);
    for (let s = 0; s < this.strategies.length; s++) this.evaluate(s, board);
  }

  /** The board as the strategy engine's snapshot: every quote and aggregate of the given events. */
  private board(frame: ReplayFrame, events: Iterable<EventState>): Board {
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
    return new Board(frame.at, frame.atMs, {
      asOf: frame.at,
      cursor: null,
      events: boardEvents,
      quotes,
      aggregates,
    });
  }

  finish(): BacktestRun {
    if (!this.finished) {
      this.finished = true;
      // The history has ended: whatever is still on the board closes now.
      this.startEvents(Infinity);
      for (const ev of this.eventState.values()) {
        for (const b of ev.pending ?? []) b.note ??= 'no result in the data';
      }
    }
    const skips: Record<string, Record<string, number>> = {};
    const repeats: Record<string, number> = {};
    const stats: Record<string, Record<string, number>> = {};
    this.strategies.forEach((s, i) => {
      const counts: Record<string, number> = {};
      for (const [eventId, reason] of this.skipNotes[i]!) {
        if (this.betEvents[i]!.has(eventId)) continue;
        counts[reason] = (counts[reason] ?? 0) + 1;
      }
      skips[s.name] = counts;
      repeats[s.name] = this.repeatCounts[i]!;
      stats[s.name] = { ...this.statTotals[i]! };
    });
    return {
      strategies: this.strategies.map((s) => s.name),
      frames: this.frames,
      events: this.eventState.size,
      firstAt: this.firstAt,
      lastAt: this.lastAt,
      bets: this.bets,
      settled: this.settled,
      skips,
      repeats,
      stats,
      ignoredQuotes: { inPlay: this.inPlay, unknownEvent: this.unknownEvent },
      clvBookmaker: this.clvBookmaker,
    };
  }

  private evaluate(s: number, board: Board): void {
    const strategy = this.strategies[s]!;
    const result = strategy.evaluate(board);
    if (result.skipped) {
      const notes = this.skipNotes[s]!;
      for (const n of result.skipped) notes.set(n.eventId, n.reason);
    }
    if (result.stats) {
      const totals = this.statTotals[s]!;
      for (const k in result.stats) totals[k] = (totals[k] ?? 0) + result.stats[k]!;
    }
    for (const opp of result.opportunities) {
      const key =
        this.oncePer === 'opportunity'
          ? opp.id
          : this.oncePer === 'event'
            ? opp.market.eventId
            : marketKeyString(opp.market);
      if (this.taken[s]!.has(key)) {
        this.repeatCounts[s]!++;
        continue;
      }
      const marketKey = marketKeyString(opp.market);
      const ev = this.onBoard.get(opp.market.eventId);
      if (ev === undefined) {
        throw new Error(
          `strategy "${strategy.name}" proposed a bet on ${opp.market.eventId}, which is not on the board`,
        );
      }
      const state = this.marketState.get(marketKey);
      const event = ev.event;
      this.taken[s]!.add(key);
      this.betEvents[s]!.add(event.id);
      const threeWay =
        hasDraw(event.sport) ||
        (state !== undefined &&
          (state.quotes.some((q) => DRAW.test(q.outcome)) ||
            (state.aggregate?.outcomes.some((o) => DRAW.test(o.outcome)) ?? false)));
      opp.legs.forEach((leg, legIndex) => {
        const bet: BacktestBet = {
          seq: this.bets.length,
          strategy: strategy.name,
          opportunity: opp,
          legIndex,
          event,
          market: opp.market,
          marketKey,
          outcome: leg.outcome,
          point: leg.point,
          bookmaker: leg.bookmaker,
          price: leg.price,
          stake: leg.stake === null ? this.flatStake : new D(leg.stake),
          probability: leg.fairProbability === null ? null : new D(leg.fairProbability),
          placedAt: board.asOf,
          threeWay,
          status: 'unsettled',
          profit: new D(0),
          settledSeq: null,
          clv: null,
          note: null,
        };
        this.bets.push(bet);
        (ev.pending ??= []).push(bet);
      });
    }
  }

  private addEvent(e: SportEvent): void {
    const known = this.eventState.get(e.id);
    if (known !== undefined && known.started) return;
    // On the board an event is always before its start: in-play quotes never reach a strategy.
    const board: BoardEvent = {
      id: e.id,
      sport: e.sport,
      league: e.league,
      startTime: e.startTime,
      status: 'scheduled',
      participants: e.participants,
      inPlay: false,
    };
    const ms = Date.parse(e.startTime);
    if (known !== undefined) {
      known.event = e;
      known.board = board;
      if (known.startMs === ms) return;
      known.startMs = ms;
    } else {
      const ev: EventState = {
        id: e.id,
        event: e,
        board,
        startMs: ms,
        started: false,
        markets: [],
        result: null,
        pending: null,
        closing: null,
      };
      this.eventState.set(e.id, ev);
      this.onBoard.set(e.id, ev);
    }
    heapPush(this.heap, { ms, id: e.id, seq: this.heapSeq++ });
  }

  private stateFor(market: MarketKey, atMs: number): MarketState | null {
    if (market === this.lastMarket && this.lastMarketState !== null && !this.lastMarketState.ev.started) {
      return this.lastMarketState;
    }
    const key = this.keyOf(market);
    let state = this.marketState.get(key);
    if (state === undefined) {
      const ev = this.onBoard.get(market.eventId);
      if (ev === undefined) {
        if (this.eventState.has(market.eventId)) this.inPlay++;
        else this.unknownEvent++;
        return null;
      }
      if (ev.startMs <= atMs) {
        this.inPlay++;
        return null;
      }
      state = { key, market, ev, quotes: [], index: new Map<string, number>(), aggregate: null };
      this.marketState.set(key, state);
      ev.markets.push(state);
    }
    this.lastMarket = market;
    this.lastMarketState = state;
    return state;
  }

  /** marketKeyString, remembering the last market object (quotes of one market arrive together). */
  private keyOf(market: MarketKey): string {
    if (market !== this.lastKeyOf) {
      this.lastKeyOf = market;
      this.lastKey = marketKeyString(market);
    }
    return this.lastKey;
  }

  /** Take every event that has started by `ms` off the board; its last quotes are its closing line. */
  private startEvents(ms: number): void {
    while (this.heap.length > 0 && this.heap[0]!.ms <= ms) {
      const { ms: startMs, id } = heapPop(this.heap);
      const ev = this.eventState.get(id)!;
      if (ev.started || ev.startMs !== startMs) continue;
      ev.started = true;
      this.onBoard.delete(id);
      if (this.lastMarketState?.ev === ev) this.lastMarketState = null;
      for (const state of ev.markets) {
        this.marketState.delete(state.key);
        if (this.oneLinePerBook) {
          for (const q of state.quotes) {
            this.bookLine.delete(
              `${id}|${q.market.marketType}|${q.market.period}|${q.outcome}|${q.bookmaker}`,
            );
          }
        }
      }
      if (ev.pending !== null) {
        // The line has closed: measure every bet on the event against it, settled or not. A published
        // close wins over the last quotes on the board.
        for (const bet of ev.pending) {
          const published = ev.closing?.filter((q) => marketKeyString(q.market) === bet.marketKey) ?? [];
          const board = ev.markets.find((m) => m.key === bet.marketKey)?.quotes ?? [];
          bet.clv = this.clvOf(bet, published.length > 0 ? published : board);
        }
      }
      ev.markets = [];
      ev.closing = null;
      if (ev.result !== null) this.settleEvent(ev);
      if (ev.pending === null) {
        // Nothing more will happen to it: keep only the fact that it started.
        ev.result = null;
        this.eventState.set(id, STARTED);
      }
    }
  }

  private settleEvent(ev: EventState): void {
    const bets = ev.pending;
    const result = ev.result;
    if (bets === null || result === null) return;
    ev.pending = null;
    ev.result = null;
    if (ev.started) this.eventState.set(ev.id, STARTED);
    for (const bet of bets) {
      if (result.status !== 'completed') {
        bet.status = 'void';
        bet.note = `event ${result.status}`;
      } else {
        try {
          const s = settleBet({
            marketType: bet.market.marketType,
            outcome: bet.outcome,
            point: bet.point,
            scores: result.scores,
            threeWay: bet.threeWay,
            stake: toDecimalString(bet.stake),
            price: bet.price,
            unit: this.unit,
          });
          bet.status = s.status === 'voided' ? 'void' : s.status;
          bet.profit = new D(s.profitLoss);
          bet.note = s.status === 'voided' ? s.rule : null;
        } catch (err) {
          if (!(err instanceof SettlementError)) throw err;
          bet.status = 'void';
          bet.note = `cannot settle: ${err.message}`;
        }
      }
      bet.settledSeq = this.settled.length;
      this.settled.push(bet);
    }
  }

  private clvOf(bet: BacktestBet, close: readonly OddsQuote[]): D | null {
    const sharp = close.filter((q) => q.bookmaker === this.clvBookmaker && sameLine(q, bet));
    const index = sharp.findIndex((q) => q.outcome === bet.outcome && samePoint(q.point, bet.point));
    if (index < 0 || sharp.length < 2) return null;
    try {
      return clvAgainstFairClose(
        bet.price,
        sharp.map((q) => q.price),
        index,
        this.clvMethod,
      ).clv;
    } catch {
      return null;
    }
  }
}

/** Take one quote off a market (a book moved to another line); the market stays, perhaps empty. */
function removeQuote(state: MarketState, slot: string): void {
  const at = state.index.get(slot);
  if (at === undefined) return;
  state.quotes.splice(at, 1);
  state.index.delete(slot);
  for (let i = at; i < state.quotes.length; i++) state.index.set(quoteSlot(state.quotes[i]!), i);
}

/** Run a whole replay synchronously. */
export function runBacktest(
  frames: Iterable<ReplayFrame>,
  strategies: readonly BacktestStrategy[],
  options: BacktestOptions = {},
): BacktestRun {
  const engine = new BacktestEngine(strategies, options);
  for (const f of frames) engine.push(f);
  return engine.finish();
}

/** Run a replay whose frames arrive asynchronously (a database cursor). */
export async function runBacktestAsync(
  frames: AsyncIterable<ReplayFrame> | Iterable<ReplayFrame>,
  strategies: readonly BacktestStrategy[],
  options: BacktestOptions = {},
): Promise<BacktestRun> {
  const engine = new BacktestEngine(strategies, options);
  for await (const f of frames) engine.push(f);
  return engine.finish();
}

interface HeapItem {
  readonly ms: number;
  readonly id: string;
  readonly seq: number;
}

function heapPush(heap: HeapItem[], item: HeapItem): void {
  heap.push(item);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!less(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function heapPop(heap: HeapItem[]): HeapItem {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
  return top;
}

// Same start: the event seen first starts first, so the order never depends on the heap's layout.
function less(a: HeapItem, b: HeapItem): boolean {
  return a.ms !== b.ms ? a.ms < b.ms : a.seq < b.seq;
}

/** The closing quote prices the same line as the bet: a spread's other side carries the opposite point. */
function sameLine(q: OddsQuote, bet: BacktestBet): boolean {
  if (
    bet.market.marketType !== 'spreads' ||
    q.outcome === bet.outcome ||
    bet.point === null ||
    q.point === null
  ) {
    return bet.market.marketType !== 'spreads' || samePoint(q.point, bet.point);
  }
  return Number(q.point) === -Number(bet.point);
}

function samePoint(a: string | null, b: string | null): boolean {
  return a === null || b === null ? a === b : a === b || Number(a) === Number(b);
}

/** Several time-ordered frame sequences as one (ties: the earlier source first). Lazy. */
export function* mergeFrames(sources: readonly Iterable<ReplayFrame>[]): Generator<ReplayFrame> {
  const its = sources.map((s) => s[Symbol.iterator]());
  const heads = its.map((it) => it.next());
  for (;;) {
    let pick = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]!;
      if (h.done === true) continue;
      if (pick < 0 || h.value.atMs < (heads[pick]!.value as ReplayFrame).atMs) pick = i;
    }
    if (pick < 0) return;
    yield heads[pick]!.value as ReplayFrame;
    heads[pick] = its[pick]!.next();
  }
}
