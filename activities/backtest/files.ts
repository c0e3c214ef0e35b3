import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * File access for the pure readers of shared/readers/ (which take text): reading, gunzip, `--data` globs.
 */

/** A data file's text (UTF-8), gunzipped when its name ends in .gz. */
export function readDataText(path: string): string {
  const buf = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(buf).toString('utf8') : buf.toString('utf8');
}

/**
 * `<sport>_events.csv` and `<sport>_snapshots.csv` beside `<sport>_line_changes.csv(.gz)`: read with the
 * line changes (teams, start times, fetch times), not data of their own.
 */
function isLineChangeCompanion(name: string, names: readonly string[]): boolean {
  const m = /^(.+)_(events|snapshots)\.csv$/i.exec(name);
  if (!m) return false;
  return names.some((n) => n.toLowerCase().startsWith(`${m[1]!.toLowerCase()}_line_changes.csv`));
}

/**
 * `--data` arguments as files: a file as is, a directory as every .csv / .csv.gz in it (but the companion
 * files of line changes, read with them), and a glob
 * (`*`, `?`, `[…]` in any path segment, `**` for any depth) as its matches, sorted. The shell usually
 * expands globs first; quoted ones are expanded here. Duplicates are dropped, order is kept.
 */
export function expandDataArgs(
  args: readonly string[],
  cwd = process.cwd(),
): { files: string[]; unmatched: string[] } {
  const files: string[] = [];
  const seen = new Set<string>();
  const unmatched: string[] = [];
  const add = (f: string): void => {
    if (!seen.has(f)) {
      seen.add(f);
      files.push(f);
    }
  };
  for (const arg of args) {
    const abs = resolve(cwd, arg);
    if (!/[*?[]/.test(arg)) {
      let isDir = false;
      try {
        isDir = statSync(abs).isDirectory();
      } catch {
        unmatched.push(arg);
        continue;
      }
      if (isDir) {
        const names = readdirSync(abs);
        const inside = names
          .filter((n) => /\.csv(\.gz)?$/i.test(n) && !isLineChangeCompanion(n, names))
          .sort()
          .map((n) => join(abs, n));
        if (inside.length === 0) unmatched.push(arg);
        inside.forEach(add);
      } else add(abs);
      continue;
    }
    const matches = glob(abs);
    if (matches.length === 0) unmatched.push(arg);
    matches.forEach(add);
  }
  return { files, unmatched };
}

function segmentRegex(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${segment
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function glob(pattern: string): string[] {
  const parts = pattern.split(sep);
  const root = parts[0] === '' ? sep : parts[0]!;
  const out: string[] = [];
  const walk = (dir: string, i: number): void => {
    if (i === parts.length) {
      out.push(dir);
      return;
    }
    const part = parts[i]!;
    if (part === '**') {
      walk(dir, i + 1);
      for (const e of entries(dir)) if (e.dir) walk(join(dir, e.name), i);
      return;
    }
    if (!/[*?[]/.test(part)) {
      const next = join(dir, part);
      if (i === parts.length - 1 ? exists(next) : isDirectory(next)) walk(next, i + 1);
      return;
    }
    const re = segmentRegex(part);
    for (const e of entries(dir)) {
      if (!re.test(e.name) || e.name.startsWith('.')) continue;
      if (i === parts.length - 1 ? !e.dir : e.dir) walk(join(dir, e.name), i + 1);
    }
  };
  walk(root, 1);
  return [...new Set(out)].sort();
}

function entries(dir: string): { name: string; dir: boolean }[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, dir: d.isDirectory() }));
  } catch {
    return [];
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** What `--data` (and tune's --train/--test) can replay, as the messages name it. */
export const BACKTEST_INPUTS =
  'football-data CSVs (*.csv) and The Odds API line-change files (*_line_changes.csv.gz)';

/**
 * Why arguments gave no file, for a usage error: a directory that exists but holds no .csv/.csv.gz file is
 * said to be one (with the JSON files in it, e.g. The Odds API snapshots, which are no backtest input);
 * anything else matched nothing.
 */
export function unmatchedMessage(flag: string, unmatched: readonly string[], cwd = process.cwd()): string {
  const nothing: string[] = [];
  const clauses: string[] = [];
  for (const arg of unmatched) {
    if (!isDirectory(resolve(cwd, arg))) {
      nothing.push(`"${arg}"`);
      continue;
    }
    const json = entries(resolve(cwd, arg)).filter((e) => !e.dir && /\.json$/i.test(e.name)).length;
    clauses.push(
      `"${arg}" is a directory with no .csv or .csv.gz file in it` +
        (json > 0
          ? ` (${json} .json file${json === 1 ? '' : 's'}: The Odds API snapshot JSON is not a backtest input)`
          : ''),
    );
  }
  // A directory that exists is not a typo: say what the backtest would have read in it.
  const reads = clauses.length > 0 ? `; the backtest reads ${BACKTEST_INPUTS}` : '';
  if (nothing.length > 0) clauses.unshift(`no file matches ${nothing.join(', ')}`);
  return `${flag}: ${clauses.join('; ')}${reads}`;
}

/** Files no importer reads, for a usage error (a JSON file is most likely a The Odds API snapshot). */
export function unsupportedMessage(flag: string, files: readonly string[]): string {
  const json = files.some((f) => /\.json$/i.test(f));
  return (
    `${flag}: not a backtest input: ${files.join(', ')}; the backtest reads ${BACKTEST_INPUTS}` +
    (json ? ', not The Odds API snapshot JSON' : '')
  );
}

/** The importer a file belongs to, by name. */
export function dataKind(file: string): 'football-data' | 'line-changes' | 'unknown' {
  if (/_line_changes\.csv(\.gz)?$/i.test(file)) return 'line-changes';
  if (/\.csv$/i.test(file)) return 'football-data';
  return 'unknown';
}
