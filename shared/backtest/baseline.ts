import type { OddsQuote } from '../entities';
import { D } from '../math/decimal';
import { mulberry32 } from '../random';
import { samePoint } from './grading';
import type { BacktestBet } from './run';
import { offersDraw, type EventState, type MarketState } from './state';

/**
 * The random baseline: bets on randomly chosen prices, graded and measured exactly as the strategy's (same
 * close, same settlement), so a strategy's CLV and yield can be read against what chance gives on the same
 * data. Two variants:
 * - matched: for every strategy bet, the same outcome and line at the same time at a random book quoting it
 *   (is the strategy's choice of book better than any book's price?);
 * - uniform: at every replay step, any quote of a random event on the board (what betting anything at a
 *   random time gives: the market's average CLV, about minus the margin).
 * Deterministic per seed: the same replay and seed give the same baseline bets.
 */
/** A bet's fields while it is open: not settled, graded or annotated yet (the engine's bets and the baselines'). */
export function unsettled(): Pick<
  BacktestBet,
  'status' | 'profit' | 'settledSeq' | 'clv' | 'closingBooks' | 'note'
> {
  return {
    status: 'unsettled',
    profit: new D(0),
    settledSeq: null,
    clv: null,
    closingBooks: null,
    note: null,
  };
}

export interface BaselineOptions {
  readonly seed: number;
}

export const BASELINE_KINDS = ['matched', 'uniform'] as const;
export type BaselineKind = (typeof BASELINE_KINDS)[number];

export type BaselineBets = Readonly<Record<BaselineKind, readonly BacktestBet[]>>;

export class BaselineSampler {
  /**
   * One stream per kind: with one shared stream the strategy's bets (each drawing a matched book) shifted
   * the uniform draws, so the market's average depended on which strategy ran beside it.
   */
  private readonly random: Record<BaselineKind, () => number>;
  private readonly bets: Record<BaselineKind, BacktestBet[]> = { matched: [], uniform: [] };
  private readonly own = new Set<BacktestBet>();
  private settledCount = 0;

  constructor(
    options: BaselineOptions,
    private readonly flatStake: D,
  ) {
    if (!Number.isSafeInteger(options.seed))
      throw new RangeError(`baseline seed must be a whole number, got ${options.seed}`);
    this.random = { matched: mulberry32(options.seed), uniform: mulberry32(options.seed ^ 0x2545f491) };
  }

  /** A strategy bet was placed: bet the same outcome and line at a random book quoting it now. */
  matched(bet: BacktestBet, ev: EventState, state: MarketState | undefined): void {
    if (state === undefined) return;
    const same = state.quotes.filter((q) => q.outcome === bet.outcome && samePoint(q.point, bet.point));
    if (same.length === 0) return;
    const quote = same[this.pick('matched', same.length)]!;
    this.place('matched', ev, state, quote, bet.placedAt, bet.threeWay, bet.stake);
  }

  /** A replay step: bet any quote of a random event on the board. */
  uniform(at: string, onBoard: ReadonlyMap<string, EventState>): void {
    if (onBoard.size === 0) return;
    let k = this.pick('uniform', onBoard.size);
    let ev: EventState | undefined;
    for (const e of onBoard.values()) if (k-- === 0) ev = e;
    const quotes = ev!.markets.flatMap((m) => m.quotes.map((q) => [m, q] as const));
    if (quotes.length === 0) return;
    const [state, quote] = quotes[this.pick('uniform', quotes.length)]!;
    this.place('uniform', ev!, state, quote, at, offersDraw(ev!.event, state), this.flatStake);
  }

  /** Settlement order of the baseline's own bets (kept apart from the strategies'); false if not ours. */
  settled(bet: BacktestBet): boolean {
    if (!this.own.has(bet)) return false;
    bet.settledSeq = this.settledCount++;
    return true;
  }

  result(): BaselineBets {
    return this.bets;
  }

  private pick(kind: BaselineKind, n: number): number {
    return Math.min(n - 1, Math.floor(this.random[kind]() * n));
  }

  private place(
    kind: BaselineKind,
    ev: EventState,
    state: MarketState,
    q: OddsQuote,
    at: string,
    threeWay: boolean,
    stake: D,
  ): void {
    const list = this.bets[kind];
    const bet: BacktestBet = {
      seq: list.length,
      strategy: `baseline:${kind}`,
      opportunity: null,
      legIndex: 0,
      event: ev.event,
      market: q.market,
      marketKey: state.key,
      outcome: q.outcome,
      point: q.point,
      bookmaker: q.bookmaker,
      price: q.price,
      stake,
      probability: null,
      placedAt: at,
      threeWay,
      ...unsettled(),
    };
    list.push(bet);
    this.own.add(bet);
    (ev.pending ??= []).push(bet);
  }
}
