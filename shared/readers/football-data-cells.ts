import { splitCsvLine } from './csv';
import type { FootballDataMatch, MatchPrices } from './football-data';

/**
 * The cells of football-data.co.uk files (./football-data.ts reads the files with these): header names as
 * the re-saving tool rewrites them, odds cells, dates and UK kick-off times, seasons from file names, and
 * the line reader that turns only the cells asked for into strings (a season holds one line per match;
 * its prices are read from the line when the replay asks for them).
 */

/** One bookmaker's (or aggregate's) three 1X2 columns. */
export interface Triple {
  readonly h: number;
  readonly d: number;
  readonly a: number;
}

export interface PriceColumns {
  readonly books: { readonly bookmaker: string; readonly cols: Triple }[];
  readonly average: Triple | null;
  readonly best: Triple | null;
  /** Bb1X2 (opening only). */
  readonly count: number;
  readonly label: string | null;
}

/** The rewriting of the re-saving tool: non-word characters → `_`, the n-th duplicate suffixed `_n`. */
export function normalizeHeader(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((raw) => {
    let name = raw.trim().replace(/\W/g, '_');
    if (name === 'HT') name = 'HomeTeam';
    else if (name === 'AT') name = 'AwayTeam';
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    return n === 0 ? name : `${name}_${n}`;
  });
}

/** "2.50" → "2.5", "8.0" → "8"; null for an empty cell; undefined when it is not decimal odds above 1. */
export function cleanOdds(cell: string | undefined): string | null | undefined {
  if (cell === undefined) return null;
  let start = 0;
  let end = cell.length;
  while (start < end && cell.charCodeAt(start) <= 32) start++;
  while (end > start && cell.charCodeAt(end - 1) <= 32) end--;
  if (start === end) return null;
  // One pass: digits with at most one dot (not first or last), the integer part's value class, and
  // where the significant fraction ends.
  let dot = -1;
  let intValue = 0; // 0, 1 or 2 (meaning "2 or more")
  let fractionNonZero = false;
  let lastNonZero = -1;
  for (let i = start; i < end; i++) {
    const c = cell.charCodeAt(i);
    if (c === 46) {
      if (dot >= 0 || i === start || i === end - 1) return undefined;
      dot = i;
    } else if (c >= 48 && c <= 57) {
      if (dot < 0) intValue = intValue === 0 ? (c === 48 ? 0 : c === 49 ? 1 : 2) : 2;
      else if (c !== 48) {
        fractionNonZero = true;
        lastNonZero = i;
      }
    } else return undefined;
  }
  if (intValue === 0 || (intValue === 1 && !fractionNonZero)) return undefined;
  const cut = dot < 0 ? end : fractionNonZero ? lastNonZero + 1 : dot;
  return start === 0 && cut === cell.length ? cell : cell.slice(start, cut);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DATES = new Map<string, string | null>();

/** dd/mm/yy or dd/mm/yyyy → yyyy-mm-dd (two-digit years: 00–49 → 20xx, 50–99 → 19xx); null if not a date. */
export function parseFootballDataDate(text: string): string | null {
  let out = DATES.get(text);
  if (out === undefined) {
    out = readDate(text.trim());
    if (DATES.size < 100_000) DATES.set(text, out);
  }
  return out;
}

function readDate(t: string): string | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(t);
  if (!m) return null;
  const day = Number(m[1]);
  const month = Number(m[2]);
  let year = Number(m[3]);
  if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
  if (month < 1 || month > 12 || day < 1) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return null;
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** UK wall-clock time → UTC ISO: BST (UTC+1) from the last Sunday of March to the last Sunday of October, 01:00 UTC. */
export function londonToUtc(date: string, time: string): string | null {
  const t = /^(\d{1,2}):(\d{2})$/.exec(time.trim());
  if (!t) return null;
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const hh = Number(t[1]);
  const mm = Number(t[2]);
  if (hh > 23 || mm > 59) return null;
  const wall = Date.UTC(y, mo - 1, d, hh, mm);
  const bstStart = Date.UTC(y, 2, lastSunday(y, 2), 1);
  const bstEnd = Date.UTC(y, 9, lastSunday(y, 9), 1);
  const asBst = wall - 3_600_000;
  const utc = asBst >= bstStart && asBst < bstEnd ? asBst : wall;
  return new Date(utc).toISOString();
}

const KICK_OFFS = new Map<string, string | null>();

export function kickOff(date: string, time: string): string | null {
  const key = `${date} ${time}`;
  let out = KICK_OFFS.get(key);
  if (out === undefined) {
    out = londonToUtc(date, time);
    if (KICK_OFFS.size < 100_000) KICK_OFFS.set(key, out);
  }
  return out;
}

function lastSunday(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return last.getUTCDate() - last.getUTCDay();
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The file name of a path ("data/E0_0910.csv" → "E0_0910.csv"): node:path's basename, without I/O imports. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** "E0_0910.csv" → "2009/10", "D1_056.csv" → "2005/06"; null when the name carries no season code. */
export function seasonFromFileName(file: string): string | null {
  const m = /_(\d{2})(\d{1,2})\.csv$/i.exec(baseName(file));
  if (!m) return null;
  const y1 = Number(m[1]);
  const start = y1 < 50 ? 2000 + y1 : 1900 + y1;
  return `${start}/${pad((start + 1) % 100)}`;
}

const SLUGS = new Map<string, string>();

/** "Man United" → "man-united" (team names repeat: cached). */
export function slug(text: string): string {
  let out = SLUGS.get(text);
  if (out === undefined) {
    out =
      text
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '') || 'x';
    SLUGS.set(text, out);
  }
  return out;
}

export const COUNT = /^\d+(\.0*)?$/;

/** The fields of one record by comma offsets: only the cells asked for become strings. */
export class RowReader {
  private line = '';
  private readonly starts: Int32Array;
  private fields = 0;
  private quoted: string[] | null = null;

  constructor(columns: number) {
    this.starts = new Int32Array(columns + 2);
  }

  get capacity(): number {
    return this.starts.length - 2;
  }

  load(line: string): void {
    // The same line again (a match's prices read one after another): the offsets are still right.
    if (line === this.line && this.fields > 0) return;
    this.line = line;
    if (line.includes('"')) {
      this.quoted = splitCsvLine(line);
      this.fields = this.quoted.length;
      return;
    }
    this.quoted = null;
    const max = this.starts.length - 1;
    let n = 0;
    let pos = 0;
    this.starts[0] = 0;
    while (n < max) {
      const comma = line.indexOf(',', pos);
      if (comma < 0) break;
      this.starts[++n] = comma + 1;
      pos = comma + 1;
    }
    this.fields = n + 1;
    this.starts[n + 1] = line.length + 1;
  }

  get(k: number): string {
    if (this.quoted !== null) return this.quoted[k] ?? '';
    if (k >= this.fields) return '';
    return this.line.slice(this.starts[k], this.starts[k + 1]! - 1);
  }

  /** Cell k as odds, without copying it: 0 empty, 1 decimal odds above 1, -1 anything else. */
  oddsStatus(k: number): number {
    if (this.quoted !== null) {
      const v = cleanOdds(this.quoted[k]);
      return v === null ? 0 : v === undefined ? -1 : 1;
    }
    if (k >= this.fields) return 0;
    return oddsStatusAt(this.line, this.starts[k]!, this.starts[k + 1]! - 1);
  }
}

/** The same judgement as cleanOdds on line[start, end), without making a string. */
function oddsStatusAt(line: string, start: number, end: number): number {
  while (start < end && line.charCodeAt(start) <= 32) start++;
  while (end > start && line.charCodeAt(end - 1) <= 32) end--;
  if (start === end) return 0;
  let dot = -1;
  let intValue = 0;
  let fractionNonZero = false;
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c === 46) {
      if (dot >= 0 || i === start || i === end - 1) return -1;
      dot = i;
    } else if (c >= 48 && c <= 57) {
      if (dot < 0) intValue = intValue === 0 ? (c === 48 ? 0 : c === 49 ? 1 : 2) : 2;
      else if (c !== 48) fractionNonZero = true;
    } else return -1;
  }
  return intValue === 0 || (intValue === 1 && !fractionNonZero) ? -1 : 1;
}

/** How to read a file's price cells from one of its lines. */
export interface Layout {
  readonly columns: number;
  readonly opening: PriceColumns;
  readonly closing: PriceColumns | null;
  readonly pinnacle: Triple | null;
  readonly books: boolean;
}

// One reader for every lazy read: the replay reads one match at a time.
let shared = new RowReader(256);
const NO_COUNT = { count: 0 };

export function reader(layout: Layout, line: string): RowReader {
  if (shared.capacity < layout.columns) shared = new RowReader(layout.columns);
  shared.load(line);
  return shared;
}

function pricesAt(row: RowReader, set: PriceColumns, books: boolean): MatchPrices {
  const countText = set.count >= 0 ? row.get(set.count).trim() : '';
  return {
    average: readTriple(row, set.average, NO_COUNT),
    best: readTriple(row, set.best, NO_COUNT),
    books: countText === '' || !COUNT.test(countText) ? null : Number.parseInt(countText, 10),
    quotes: books
      ? set.books.map((b) => ({ bookmaker: b.bookmaker, prices: readTriple(row, b.cols, NO_COUNT) }))
      : [],
  };
}

/** A parsed match that keeps its line and reads its prices from it on demand. */
export class KeptMatch implements FootballDataMatch {
  constructor(
    private readonly layout: Layout,
    private readonly line: string,
    readonly file: string,
    readonly row: number,
    readonly div: string,
    readonly season: string | null,
    readonly date: string,
    readonly timeKnown: boolean,
    readonly startTime: string,
    readonly home: string,
    readonly away: string,
    readonly homeGoals: string | null,
    readonly awayGoals: string | null,
  ) {}

  get hasClosingPrices(): boolean {
    return this.layout.closing !== null;
  }

  get opening(): MatchPrices {
    return pricesAt(reader(this.layout, this.line), this.layout.opening, this.layout.books);
  }

  get closing(): MatchPrices | null {
    const set = this.layout.closing;
    return set === null ? null : pricesAt(reader(this.layout, this.line), set, this.layout.books);
  }

  get pinnacleClose(): readonly [string, string, string] | null {
    if (this.layout.pinnacle === null) return null;
    const [h, d, a] = readTriple(reader(this.layout, this.line), this.layout.pinnacle, NO_COUNT);
    return h != null && d != null && a != null ? [h, d, a] : null;
  }
}

const NOONS = new Map<string, string>();

/** The stand-in kick-off of a match whose file has no Time column. */
export function noon(date: string): string {
  let out = NOONS.get(date);
  if (out === undefined) NOONS.set(date, (out = `${date}T12:00:00.000Z`));
  return out;
}

export function readTriple(row: RowReader, cols: Triple | null, bad: { count: number }): (string | null)[] {
  if (cols === null) return [null, null, null];
  return [cell(row, cols.h, bad), cell(row, cols.d, bad), cell(row, cols.a, bad)];
}

function cell(row: RowReader, c: number, bad: { count: number }): string | null {
  const v = cleanOdds(row.get(c));
  if (v === undefined) {
    bad.count++;
    return null;
  }
  return v;
}

export function goals(row: RowReader, c: number): string | null {
  const g = c >= 0 ? row.get(c).trim() : '';
  return COUNT.test(g) ? String(Number.parseInt(g, 10)) : null;
}
