import { marketKeyString, type MarketKey, type SportEvent } from '../entities';
import { D } from '../math/decimal';
import type { DevigMethod } from '../math/devig';
import { BaselineSampler, unsettled } from './baseline';
import { clvOf, clvReferenceLabel, gradeBets, type ClvReference } from './grading';
import { heapPop, heapPush, type HeapItem } from './heap';
import type { BacktestBet, BacktestOptions, BacktestRun } from './run';
import {
  boardEventOf,
  boardOf,
  bookLineKey,
  offersDraw,
  type Board,
  STARTED,
  quoteSlot,
  removeQuote,
  sameSlot,
  type EventState,
  type MarketState,
} from './state';
import type { BacktestStrategy, ReplayFrame } from './types';

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
  private readonly clv: ClvReference;
  private readonly baseline: BaselineSampler | null;
  private readonly clvMethod: DevigMethod;
  private readonly unit: string;
  private readonly oneLinePerBook: boolean;
  private readonly wholeBoard: boolean;
  /** Time of the last complete fetch (frames with `observedAll`): no quote on the board is older. */
  private observedAtMs: number | null = null;
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
  /** Quotes that replaced the same book's other price or line for an outcome (BacktestRun.priceMoves). */
  private priceMoves = 0;
  private finished = false;
  /** The source publishes closing lines (ReplayFrame.closing): its board before a start is no close. */
  private closesPublished = false;

  constructor(strategies: readonly BacktestStrategy[], options: BacktestOptions = {}) {
    const names = strategies.map((s) => s.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) throw new Error(`strategy "${twice}" is given twice`);
    this.strategies = strategies;
    this.flatStake = new D(options.flatStake ?? 1);
    this.oncePer = options.oncePer ?? 'market';
    this.clv = options.clvReference ?? { kind: 'book', bookmaker: options.clvBookmaker ?? 'pinnacle' };
    this.clvMethod = options.clvMethod ?? 'multiplicative';
    this.unit = options.unit ?? '0.01';
    this.oneLinePerBook = options.oneLinePerBook ?? true;
    this.wholeBoard = options.snapshots === 'board';
    this.baseline =
      options.baseline === undefined ? null : new BaselineSampler(options.baseline, this.flatStake);
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
    if (frame.observedAll === true) this.observedAtMs = frame.atMs;

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
      this.closesPublished = true;
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
          const key = bookLineKey(q);
          const previous = this.bookLine.get(key);
          if (previous !== undefined && (previous.state !== state || previous.slot !== slot)) {
            removeQuote(previous.state, previous.slot);
            this.priceMoves++;
          }
          this.bookLine.set(key, { state, slot });
        }
        const at = state.index.get(slot);
        if (at === undefined) {
          state.index.set(slot, state.quotes.length);
          state.quotes.push(q);
        } else {
          if (state.quotes[at]!.price !== q.price) this.priceMoves++;
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
    this.baseline?.uniform(frame.at, this.onBoard);
    if (changed.length === 0) return;
    let changedBoard: Board | null = null;
    let whole: Board | null = null;
    for (let s = 0; s < this.strategies.length; s++) {
      const board =
        this.wholeBoard || this.strategies[s]!.wholeBoard === true
          ? (whole ??= boardOf(frame, this.onBoard.values(), this.observedAtMs))
          : (changedBoard ??= boardOf(frame, changed, this.observedAtMs));
      this.evaluate(s, board);
    }
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
      priceMoves: this.priceMoves,
      withHistory: this.strategies.filter((s) => s.wholeBoard === true).map((s) => s.name),
      clvBookmaker: this.clv.kind === 'book' ? this.clv.bookmaker : 'consensus',
      clvReference: clvReferenceLabel(this.clv, this.clvMethod),
      ...(this.baseline === null ? {} : { baseline: this.baseline.result() }),
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
      const threeWay = offersDraw(event, state);
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
          ...unsettled(),
        };
        this.bets.push(bet);
        (ev.pending ??= []).push(bet);
        this.baseline?.matched(bet, ev, state);
      });
    }
  }

  private addEvent(e: SportEvent): void {
    const known = this.eventState.get(e.id);
    if (known !== undefined && known.started) return;
    const board = boardEventOf(e);
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
          for (const q of state.quotes) this.bookLine.delete(bookLineKey(q));
        }
      }
      if (ev.pending !== null) {
        // The line has closed: measure every bet on the event against it, settled or not: against the
        // published close where the source publishes closes, else the last quotes on the board.
        for (const bet of ev.pending) {
          const published = ev.closing?.filter((q) => marketKeyString(q.market) === bet.marketKey) ?? [];
          const board = ev.markets.find((m) => m.key === bet.marketKey)?.quotes ?? [];
          const measured = clvOf(bet, this.closesPublished ? published : board, this.clv, this.clvMethod);
          bet.clv = measured.clv;
          bet.closingBooks = measured.books;
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
    gradeBets(bets, result, this.unit);
    for (const bet of bets) {
      if (this.baseline?.settled(bet) === true) continue;
      bet.settledSeq = this.settled.length;
      this.settled.push(bet);
    }
  }
}
