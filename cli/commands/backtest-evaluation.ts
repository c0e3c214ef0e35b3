import type { BacktestSummary, BaselineOptions, ClvReference } from '../../shared/backtest';
import { UsageError } from '../output';

// The backtest's evaluation options: what CLV is measured against and the random baseline beside it.

/** The value of --clv-book that asks for the consensus close rather than one book's. */
export const CONSENSUS_CLV = 'consensus';
export const DEFAULT_CLV_MIN_BOOKS = 3;

export interface EvaluationOptions {
  clvBook: string;
  clvMinBooks?: string;
  baseline?: string;
  seed?: string;
}

export interface Evaluation {
  readonly clvReference: ClvReference;
  readonly baseline?: BaselineOptions;
}

/** --clv-book/--clv-min-books and --baseline/--seed as the engine's options; usage errors name the flag. */
export function evaluationOf(options: EvaluationOptions): Evaluation {
  const book = options.clvBook.trim();
  if (book === '') throw new UsageError('--clv-book: expected a bookmaker key or "consensus", got ""');
  if (options.clvMinBooks !== undefined && book !== CONSENSUS_CLV)
    throw new UsageError(`--clv-min-books belongs to --clv-book consensus (got --clv-book ${book})`);
  let clvReference: ClvReference = { kind: 'book', bookmaker: book };
  if (book === CONSENSUS_CLV) {
    const text = options.clvMinBooks ?? String(DEFAULT_CLV_MIN_BOOKS);
    if (!/^\d+$/.test(text) || Number(text) < 1)
      throw new UsageError(`--clv-min-books: expected a whole number of at least 1, got "${text}"`);
    clvReference = { kind: 'consensus', minBooks: Number(text) };
  }
  if (options.baseline === undefined) {
    if (options.seed !== undefined) throw new UsageError('--seed belongs to --baseline random');
    return { clvReference };
  }
  if (options.baseline !== 'random')
    throw new UsageError(`--baseline: expected "random", got "${options.baseline}"`);
  const seed = options.seed ?? '1';
  if (!/^\d+$/.test(seed) || !Number.isSafeInteger(Number(seed)))
    throw new UsageError(`--seed: expected a whole number, got "${seed}"`);
  return { clvReference, baseline: { seed: Number(seed) } };
}

/** The human lines for the baseline, the per-book breakdown and the warnings. */
export function evaluationLines(s: BacktestSummary): string[] {
  const pct = (v: string | null): string => (v === null ? 'n/a' : `${(Number(v) * 100).toFixed(2)}%`);
  const clv = (c: { bets: number; mean: string | null; standardError: string | null }): string =>
    c.mean === null ? 'no CLV' : `CLV ${pct(c.mean)} ± ${pct(c.standardError)} over ${c.bets} bets`;
  const lines: string[] = [];
  const books = Object.entries(s.byBookmaker);
  if (books.length > 1) {
    lines.push('by bookmaker:');
    for (const [book, l] of books) {
      const c = { bets: l.clvBets, mean: l.clvMean, standardError: l.clvStandardError };
      lines.push(
        `  ${book}: ${l.bets} bets, staked ${l.staked}, profit ${l.profit}, yield ${pct(l.yield)}, ${clv(c)}`,
      );
    }
  }
  if (s.baseline !== undefined) {
    const b = s.baseline;
    lines.push(
      `random baseline (seed ${b.seed}), matched: ${b.bets} bets, profit ${b.profit}, yield ${pct(b.yield)}, ${clv(b.clv)}`,
      `random baseline (seed ${b.seed}), uniform: ${b.uniform.bets} bets, profit ${b.uniform.profit}, yield ${pct(b.uniform.yield)}, ${clv(b.uniform.clv)}`,
    );
  }
  for (const w of s.warnings) lines.push(`WARNING: ${w}`);
  return lines;
}
