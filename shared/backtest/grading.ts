import type { OddsQuote } from '../entities';
import { D, toDecimalString } from '../math/decimal';
import type { DevigMethod } from '../math/devig';
import { clvAgainstFairClose } from '../math/ev';
import { SettlementError, settleBet } from '../settlement';
import type { BacktestBet } from './run';
import type { EventResult } from './types';

// Grading backtest bets: settlement by the live rules (shared/settlement) and CLV against the close.

/** What grading reads and writes of a bet (strategy bets and baseline bets alike). */
export type GradedBet = Pick<
  BacktestBet,
  'market' | 'outcome' | 'point' | 'price' | 'stake' | 'threeWay' | 'status' | 'profit' | 'note'
>;

/** Settle bets on one event from its result; `unit` is the currency unit payouts are rounded down to. */
export function gradeBets(bets: readonly GradedBet[], result: EventResult, unit: string): void {
  for (const bet of bets) {
    if (result.status !== 'completed') {
      bet.status = 'void';
      bet.note = `event ${result.status}`;
      continue;
    }
    try {
      const s = settleBet({
        marketType: bet.market.marketType,
        outcome: bet.outcome,
        point: bet.point,
        scores: result.scores,
        threeWay: bet.threeWay,
        stake: toDecimalString(bet.stake),
        price: bet.price,
        unit,
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
}

/**
 * Whose close CLV is measured against: one named book's devigged closing line, or the consensus close, the
 * mean of the devigged closing lines of every book with a full line on the bet's line (at least `minBooks`).
 */
export type ClvReference =
  | { readonly kind: 'book'; readonly bookmaker: string }
  | { readonly kind: 'consensus'; readonly minBooks: number };

/** The reference as the results name it. */
export function clvReferenceLabel(ref: ClvReference, method: DevigMethod): string {
  return ref.kind === 'book'
    ? `${ref.bookmaker} closing line, devigged (${method})`
    : `consensus close: mean of the devigged (${method}) closing lines of at least ${ref.minBooks} books quoting the same line`;
}

/** A bet measured against the close: its CLV, and how many closing lines the reference could use. */
export interface ClvMeasure {
  /** null where there is no such close. */
  readonly clv: D | null;
  /**
   * Books with a full closing line on the bet's line that the reference admits (a named book: 0 or 1):
   * tells "no closing prices" (0) from "too few books for the consensus close".
   */
  readonly books: number;
}

/** The bet's CLV against the reference close. */
export function clvOf(
  bet: GradedBet,
  close: readonly OddsQuote[],
  ref: ClvReference,
  method: DevigMethod,
): ClvMeasure {
  const lines = new Map<string, OddsQuote[]>();
  for (const q of close) {
    if (!sameLine(q, bet) || (ref.kind === 'book' && q.bookmaker !== ref.bookmaker)) continue;
    const line = lines.get(q.bookmaker);
    if (line === undefined) lines.set(q.bookmaker, [q]);
    else line.push(q);
  }
  // A full line has every outcome the line is quoted with: a book missing one cannot be devigged.
  let outcomes = 0;
  for (const line of lines.values()) outcomes = Math.max(outcomes, line.length);
  let sum = new D(0);
  let books = 0;
  for (const line of lines.values()) {
    const index = line.findIndex((q) => q.outcome === bet.outcome && samePoint(q.point, bet.point));
    if (index < 0 || line.length < 2 || line.length < outcomes) continue;
    try {
      sum = sum.plus(
        clvAgainstFairClose(
          bet.price,
          line.map((q) => q.price),
          index,
          method,
        ).fairProbability,
      );
      books++;
    } catch {
      // A line that cannot be devigged (a zero probability) is not a reference.
    }
  }
  if (books === 0 || (ref.kind === 'consensus' && books < ref.minBooks)) return { clv: null, books };
  return { clv: new D(bet.price).mul(sum.div(books)).minus(1), books };
}

/** The closing quote prices the same line as the bet: a spread's other side carries the opposite point. */
function sameLine(q: OddsQuote, bet: GradedBet): boolean {
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

export function samePoint(a: string | null, b: string | null): boolean {
  return a === null || b === null ? a === b : a === b || Number(a) === Number(b);
}
