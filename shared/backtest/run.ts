import type { MarketKey, Opportunity, SportEvent } from '../entities';
import type { D, DecimalInput } from '../math/decimal';
import type { DevigMethod } from '../math/devig';
import type { BaselineBets, BaselineOptions } from './baseline';
import type { ClvReference } from './grading';
import type { BacktestStrategy, ReplayFrame } from './types';
import { BacktestEngine } from './engine';

// The backtest engine's options and what a run returns (the engine itself is in ./engine).

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
  /** The CLV reference, a book or the consensus close; wins over `clvBookmaker`. */
  readonly clvReference?: ClvReference;
  /** Also bet randomly chosen prices, measured the same way (run.baseline). */
  readonly baseline?: BaselineOptions;
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
  /** null for a random baseline bet. */
  readonly opportunity: Opportunity | null;
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
  /** Closing-line value against the reference close (BacktestOptions.clvReference); null where there is none. */
  clv: D | null;
  /** Closing lines the CLV reference could use for this bet (ClvMeasure.books); null until its line closes. */
  closingBooks: number | null;
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
  /**
   * Quotes that replaced the same book's different price (or line) for an outcome. 0 when every price was
   * seen once, as in football-data's one pre-match price set per match: nothing moved.
   */
  readonly priceMoves: number;
  /** Strategies that keep a history across boards (BacktestStrategy.wholeBoard, steam): they act on moves. */
  readonly withHistory: readonly string[];
  readonly clvBookmaker: string;
  /** What the CLV was measured against, in words. */
  readonly clvReference: string;
  /** The random baseline's bets by variant, when asked for (BacktestOptions.baseline). */
  readonly baseline?: BaselineBets;
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
