import type { MarketKey, OddsQuote, Opportunity, SportEvent } from '../entities';
import type { BoardSnapshot, IndexedBoard } from '../strategies/board';

/**
 * The backtest engine's contracts. A replay source turns history (football-data files, The Odds API line
 * changes, the PostgreSQL odds history) into a time-ordered sequence of frames; the engine keeps the board
 * those frames describe, hands every strategy a snapshot of it (the strategy engine's BoardSnapshot, so the
 * evaluation code is the live code), takes the opportunities as bets, settles them from results and
 * measures them. Pure: no I/O, no clocks.
 */

/** Final score of an event as the source reported it; the live settlement rules (shared/settlement) grade bets from it. */
export interface EventResult {
  /** 'completed' settles bets; 'cancelled'/'postponed'/'abandoned' void them. */
  readonly status: 'completed' | 'cancelled' | 'postponed' | 'abandoned';
  /** Scores by participant name, exact decimal strings ("2"), as shared/settlement reads them. */
  readonly scores: Readonly<Record<string, string>>;
}

/** One outcome of a market-level aggregate: the market average and the best price over all books. */
export interface AggregateOutcome {
  readonly outcome: string;
  readonly point: string | null;
  /** Average decimal odds over the books quoting it (exact string as published). */
  readonly average: string;
  /** Best (maximum) decimal odds over those books. */
  readonly best: string;
  /** Whose price the best is, when the source says (football-data does not). */
  readonly bestBookmaker: string | null;
}

/**
 * Market-level aggregates some sources publish instead of (or besides) every book's price, e.g.
 * football-data's BbAv/BbMx (or Avg/Max) columns and the Bb1X2 count of books.
 */
export interface MarketAggregate {
  readonly market: MarketKey;
  /** Outcomes in market order (1X2: home, draw, away); empty when the source's line is incomplete. */
  readonly outcomes: readonly AggregateOutcome[];
  /** Number of books behind the aggregate, when the source has it. */
  readonly books: number | null;
  /** Where it came from, e.g. "football-data:BbAv/BbMx" (shown in bet context). */
  readonly source: string;
}

/**
 * The strategy engine's board snapshot, extended with the market aggregates some replay sources publish.
 * Live boards have none; a strategy that can use them (consensus) reads them when present and falls back
 * to the books on the board otherwise.
 */
export interface ReplaySnapshot extends BoardSnapshot {
  aggregates?: MarketAggregate[];
}

/** What the engine hands a strategy at each step: the snapshot, indexed once and shared by every strategy. */
export interface ReplayBoard {
  readonly asOf: string;
  readonly asOfMs: number;
  readonly snapshot: ReplaySnapshot;
  /** indexBoard(snapshot), built on first use. */
  readonly indexed: IndexedBoard;
}

/** Why a strategy passed on an event it looked at (counted per event in the results). */
export interface SkipNote {
  readonly eventId: string;
  readonly reason: string;
}

export interface StrategyEvaluation {
  readonly opportunities: readonly Opportunity[];
  /** Optional: per-event reasons for passing (consensus reports them). */
  readonly skipped?: readonly SkipNote[];
  /** Optional: the evaluation's counters, summed over the replay. */
  readonly stats?: Readonly<Record<string, number>>;
}

/**
 * The engine's view of a strategy. `fromDefinition` adapts any strategy type of the strategy engine
 * (shared/strategies: the same pure evaluate() the live sweep runs) to it.
 */
export interface BacktestStrategy {
  readonly name: string;
  /**
   * The strategy keeps state across boards (steam's per-market history): it is handed the whole board at
   * every step, as the live sweep is, whatever `snapshots` says. Shown only the events that changed, its
   * history of a quiet market would lapse and the first move after a quiet spell would have no baseline.
   */
  readonly wholeBoard?: boolean;
  evaluate(board: ReplayBoard): StrategyEvaluation;
}

/** One step of history. Frames must come in non-decreasing time order. */
export interface ReplayFrame {
  readonly at: string;
  readonly atMs: number;
  /** Events first seen (or updated) in this frame. */
  readonly events?: readonly SportEvent[];
  /** New or changed prices: each replaces the quote with the same market, outcome, point and bookmaker. */
  readonly quotes?: readonly OddsQuote[];
  /** New or changed market aggregates (replace the previous aggregate of the market). */
  readonly aggregates?: readonly MarketAggregate[];
  /**
   * Closing prices published separately (football-data's PSCH/B365CH…): kept as the closing line of the
   * market for CLV, never shown to strategies. Sources with a full history leave this out; the engine then
   * takes the last quotes before the start as the close. Once a frame carries it (even empty), only published
   * closes count: a source whose board holds pre-match prices (football-data) must not measure CLV against them.
   */
  readonly closing?: readonly OddsQuote[];
  /** Results known by now (the engine settles bets when it meets them, or at the end). */
  readonly results?: readonly { readonly eventId: string; readonly result: EventResult }[];
  /**
   * The frame is a complete fetch of the board: every quote on it that the frame does not replace was
   * observed unchanged at `at` (The Odds API line-change files record a row only when a price changes, but
   * each fetch every 5–12 minutes saw every price). Strategies then see those quotes as fresh at `at`, as
   * the live feed's per-fetch `last_update` shows them, instead of aged since their last change.
   */
  readonly observedAll?: boolean;
}

/** Whatever a source could not turn into frames, by reason (e.g. files without closing columns). */
export type SourceSkips = Readonly<Record<string, number>>;
