import type { BaselineBets } from './baseline';
import { concentrationWarnings } from './books';
import type { BacktestBet, BacktestRun } from './run';
import type { GroupLine } from './summary';

/**
 * The report's warnings (BacktestSummary.warnings, printed as WARNING lines and a "Warnings" section):
 * what an operator must know before reading a figure, because the figure alone hides it: an edge from one
 * book, a CLV or baseline that covers only some of the bets, a strategy the data cannot trigger.
 */

/** Below this share of the strategy's bets, a CLV mean or a matched baseline describes a subset: say so. */
export const COVERAGE = 0.5;

/** Every warning about one strategy's bets in a run, in a fixed order. */
export function backtestWarnings(
  run: BacktestRun,
  strategy: string,
  bets: readonly BacktestBet[],
  byBookmaker: Readonly<Record<string, GroupLine>>,
): string[] {
  return [
    ...concentrationWarnings(bets, byBookmaker),
    ...clvCoverageWarnings(bets, run.clvBookmaker),
    ...(run.baseline === undefined ? [] : baselineWarnings(bets, run.baseline)),
    ...movesWarnings(run, strategy, bets.length),
  ];
}

/**
 * CLV measured on fewer than COVERAGE of the bets, with why the others have none: no closing line on their
 * line at all, or closes from fewer books than the consensus close needs (football-data before 2019/20 has
 * only Pinnacle's closing columns).
 */
export function clvCoverageWarnings(bets: readonly BacktestBet[], clvBookmaker: string): string[] {
  const measurable = bets.filter((b) => b.status !== 'void');
  const covered = measurable.filter((b) => b.clv !== null).length;
  if (measurable.length === 0 || covered >= COVERAGE * measurable.length) return [];
  const missing = new Map<number, number>();
  for (const b of measurable) {
    if (b.clv === null) missing.set(b.closingBooks ?? 0, (missing.get(b.closingBooks ?? 0) ?? 0) + 1);
  }
  const reference = clvBookmaker === 'consensus' ? 'any book' : clvBookmaker;
  const reasons = [...missing.entries()]
    .sort(([a], [b]) => a - b)
    .map(([books, n]) =>
      books === 0
        ? `${n} ${n === 1 ? 'has' : 'have'} no closing line from ${reference}`
        : `${n} ${n === 1 ? 'has' : 'have'} closing lines from only ${books} book${books === 1 ? '' : 's'}, ` +
          'fewer than the consensus close needs (--clv-min-books)',
    );
  return [
    `CLV covers ${covered} of ${measurable.length} bets (${share(covered, measurable.length)}): ` +
      `${reasons.join('; ')}. The mean CLV describes the covered bets only`,
  ];
}

/**
 * A random baseline that matched fewer than COVERAGE of the bets, or placed no uniform bet: it draws from
 * the books' own quotes on the board, and a board of published aggregates (average/best) has none.
 */
export function baselineWarnings(bets: readonly BacktestBet[], baseline: BaselineBets): string[] {
  const matched = baseline.matched.length;
  const uniform = baseline.uniform.length;
  if (bets.length === 0 || (matched >= COVERAGE * bets.length && uniform > 0)) return [];
  const what =
    matched === 0 && uniform === 0
      ? `the random baseline is empty (0 of ${bets.length} bets matched, no uniform bet)`
      : `the random baseline matched ${matched} of ${bets.length} bets${uniform === 0 ? ' and placed no uniform bet' : ''}`;
  // No uniform bet at all: not one book's own quote was on the board, only published aggregates.
  const why =
    uniform === 0
      ? "the board held no book's own quote, only the published average and best (football-data " +
        "without --books, the default for --strategy consensus): --books puts the books' quotes on the board"
      : "no book's own quote of the bet's outcome and line was on the board at the time";
  return [`${what}: it draws from the books' own quotes on the board, and ${why}`];
}

/** A strategy that acts on price moves, replayed over data in which no price moved. */
export function movesWarnings(run: BacktestRun, strategy: string, bets: number): string[] {
  if (!run.withHistory.includes(strategy) || run.priceMoves > 0 || run.frames === 0) return [];
  return [
    `the data has no price moves (every book's price was seen once, as in football-data's one pre-match ` +
      `price set per match): ${strategy} keeps a price history and bets on moves, so its ${bets} bets say ` +
      'nothing about the strategy; replay data with line changes (The Odds API line-change files, --db)',
  ];
}

function share(n: number, of: number): string {
  return `${((100 * n) / of).toFixed(1)}%`;
}
