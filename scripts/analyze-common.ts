import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * Helpers shared by the strategy analyses (scripts/analyze-steam.ts, scripts/analyze-value.ts): reading the
 * team's CSV files, a seeded random generator, and `key=value` parameter overrides.
 */

/** Rows of a CSV file (gzip by extension) as records keyed by the header; handles quoted fields. */
export function readCsv(path: string): Record<string, string>[] {
  const buffer = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(buffer) : buffer).toString('utf8');
  const rows = parseCsv(text);
  const header = rows.shift() ?? [];
  return rows
    .filter((r) => r.some((cell) => cell !== ''))
    .map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Mulberry32: a small seeded generator, so the random baselines are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
