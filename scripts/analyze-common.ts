import { readDataText } from '../activities/backtest/files';
import { csvObjects } from '../shared/readers/csv';

/**
 * Helpers shared by the strategy analyses (scripts/analyze-steam.ts, scripts/analyze-value.ts): reading the
 * team's CSV files, a seeded random generator, and `key=value` parameter overrides.
 */

/** Rows of a CSV file (gzip by extension) as records keyed by the header; rows with no value are dropped. */
export function readCsv(path: string): Record<string, string>[] {
  return csvObjects(readDataText(path)).filter((r) => Object.values(r).some((cell) => cell !== ''));
}

export { mulberry32 as seededRandom } from '../shared/random';

/** `--flag value` options and `key=value` parameter overrides from argv. */
export function parseArgs(argv: string[]): {
  flags: Record<string, string>;
  overrides: Record<string, string>;
} {
  const flags: Record<string, string> = {};
  const overrides: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) flags[a.slice(2)] = 'true';
      else {
        flags[a.slice(2)] = next;
        i++;
      }
    } else if (a.includes('=')) {
      const at = a.indexOf('=');
      overrides[a.slice(0, at)] = a.slice(at + 1);
    } else {
      throw new Error(`unexpected argument "${a}" (use --flag value or parameter=value)`);
    }
  }
  return { flags, overrides };
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Standard error of the mean. */
export function stderr(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
  return Math.sqrt(v / xs.length);
}

export function fmtPct(x: number, places = 2): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(places)}%` : 'n/a';
}
