import { D, ZERO, toSignificantString } from '../math/decimal';
import { AGGREGATE_BOOK } from '../strategies/consensus';
import type { BacktestBet } from './run';
import type { GroupLine } from './summary';

/**
 * Where the edge comes from, by bookmaker. An edge concentrated at one book of a data set whose columns were
 * collected at different times (or one book's stale prices) is a warning sign, not a result.
 */

/** A warning fires when more than this share of the profit, or of the positive CLV, comes from one book. */
export const EDGE_CONCENTRATION = 0.5;

/**
 * Warnings about edge concentrated at one book: its share of the profit of the books in profit, and of the
 * summed positive CLV (stake × CLV over bets with CLV > 0).
 */
export function concentrationWarnings(
  bets: readonly BacktestBet[],
  byBook: Readonly<Record<string, GroupLine>>,
): string[] {
  const positiveClv = new Map<string, D>();
  for (const b of bets) {
    if (b.clv === null || !b.clv.gt(ZERO) || b.status === 'void') continue;
    positiveClv.set(b.bookmaker, (positiveClv.get(b.bookmaker) ?? ZERO).plus(b.clv.mul(b.stake)));
  }
  const profits = new Map(Object.entries(byBook).map(([book, l]) => [book, new D(l.profit)] as const));
  const out: string[] = [];
  for (const [what, shares] of [
    ['profit made at books in profit', profits],
    ['positive CLV', positiveClv],
  ] as const) {
    const top = topShare(shares);
    // The published market best is the best price over all books, whose book the source does not name.
    if (top === null || top.book === AGGREGATE_BOOK || !top.share.gt(EDGE_CONCENTRATION)) continue;
    out.push(
      `${toSignificantString(top.share.mul(100), 3)}% of the ${what} comes from one book, ${top.book} ` +
        `(${byBook[top.book]?.bets ?? 0} of ${bets.length} bets, ${shares.size} books): ` +
        'an edge at one book is a warning sign (stale or differently timed prices), not a result',
    );
  }
  return out;
}

/**
 * The book with the largest share of what the books in profit (in positive CLV) made together, or null when
 * none did. Shares of a net total would swing past 100% when losing books bring the total near zero.
 */
function topShare(values: ReadonlyMap<string, D>): { book: string; share: D } | null {
  let total = ZERO;
  for (const v of values.values()) if (v.gt(ZERO)) total = total.plus(v);
  if (!total.gt(ZERO)) return null;
  let best: { book: string; value: D } | null = null;
  for (const [book, value] of [...values.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (best === null || value.gt(best.value)) best = { book, value };
  }
  return best === null ? null : { book: best.book, share: best.value.div(total) };
}
