import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { MarketKey, OddsQuote, Participant, SportEvent } from '../../shared/entities';
import type { MarketAggregate, ReplayFrame } from '../../shared/backtest/types';
import { AGGREGATE_BOOK } from '../../shared/strategies/consensus';
import { csvLines, splitCsvLine } from './csv';
import {
  asMainLeagueHeader,
  extraLeagueName,
  extraLeagueSeason,
  isExtraLeagueHeader,
} from './football-data-extra';

/**
 * Importer for football-data.co.uk match files (`<DIV>_<season>.csv`): each match becomes an event, its 1X2
 * prices quotes on the board, the market average and best price (BbAv/BbMx up to 2018/19, Avg/Max from
 * 2019/20, AvgC/MaxC closing) a market aggregate with the Bb1X2 count of books, the closing prices
 * (PSCH… from 2012/13, B365CH… from 2019/20) the closing line for CLV, and FTHG/FTAG the result.
 * The "extra leagues" layout (Country, League, Season…: football-data-extra.ts) is detected from the
 * header and read the same way, its league and season taken per row.
 *
 * Quirks handled, never "fixed" in the files:
 * - Column names re-saved with every non-word character as `_` and duplicates suffixed `_1`
 *   (`B365>2.5` → `B365_2_5`, `B365<2.5` → `B365_2_5_1`): original headers are rewritten the same way,
 *   so both spellings resolve to one name. `HT`/`AT` are accepted for `HomeTeam`/`AwayTeam`.
 * - Integer odds written `8.0` (read as 8), counts written `50.0`.
 * - Dates `dd/mm/yy` or `dd/mm/yyyy`; a `Time` column (UK time) only from 2019/20. Without it the
 *   kick-off time is unknown and 12:00 UTC stands in for it (metadata.timeKnown = false).
 * - Blank records at the end of a file are skipped (and counted); an empty odds cell is a missing quote,
 *   never zero: an outcome without a price leaves the market without that quote or aggregate.
 *
 * Pre-match prices were collected days before a match (Friday/Tuesday afternoons) at unrecorded times;
 * the replay shows each match's chosen price set on the board one minute before its kick-off, so every
 * kick-off instant is one board snapshot.
 */

export type PriceSet = 'opening' | 'closing';

/** Bookmaker column prefixes of football-data.co.uk (notes.txt). Unknown prefixes become lower case. */
export const FOOTBALL_DATA_BOOKS: Readonly<Record<string, string>> = {
  B365: 'bet365',
  BF: 'betfair',
  BFD: 'betfred',
  BMGM: 'betmgm',
  BV: 'betvictor',
  BS: 'bluesquare',
  BW: 'bwin',
  CL: 'coral',
  GB: 'gamebookers',
  IW: 'interwetten',
  LB: 'ladbrokes',
  PS: 'pinnacle',
  SO: 'sportingodds',
  SB: 'sportingbet',
  SJ: 'stanjames',
  SY: 'stanleybet',
  VC: 'vcbet',
  WH: 'williamhill',
};

const AGGREGATE_PREFIXES = new Set(['Bb', 'BbMx', 'BbAv', 'Max', 'Avg', 'MaxC', 'AvgC', 'Bb1X2']);

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

function kickOff(date: string, time: string): string | null {
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

/** "E0_0910.csv" → "2009/10", "D1_056.csv" → "2005/06"; null when the name carries no season code. */
export function seasonFromFileName(file: string): string | null {
  const m = /_(\d{2})(\d{1,2})\.csv$/i.exec(basename(file));
  if (!m) return null;
  const y1 = Number(m[1]);
  const start = y1 < 50 ? 2000 + y1 : 1900 + y1;
  return `${start}/${pad((start + 1) % 100)}`;
}

const SLUGS = new Map<string, string>();

/** "Man United" → "man-united" (team names repeat: cached). */
function slug(text: string): string {
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

/** One bookmaker's (or aggregate's) three 1X2 columns. */
interface Triple {
  readonly h: number;
  readonly d: number;
  readonly a: number;
}

interface PriceColumns {
  readonly books: { readonly bookmaker: string; readonly cols: Triple }[];
  readonly average: Triple | null;
  readonly best: Triple | null;
  /** Bb1X2 (opening only). */
  readonly count: number;
  readonly label: string | null;
}

export interface FootballDataFileSummary {
  readonly file: string;
  /** The first match's league (extra-league files: "<Country> <League>"). */
  readonly div: string;
  /** From the file name; null for extra-league files, whose matches carry their own seasons. */
  readonly season: string | null;
  readonly matches: number;
  readonly blankRows: number;
  /** Which aggregate columns the opening prices come from. */
  readonly aggregates: string | null;
  readonly hasClosing: boolean;
  readonly hasBookCount: boolean;
  readonly books: readonly string[];
  readonly warnings: readonly string[];
}

/** One match row, parsed. Prices are exact decimal strings (or null where the cell is empty). */
export interface FootballDataMatch {
  readonly file: string;
  readonly row: number;
  readonly div: string;
  readonly season: string | null;
  readonly date: string;
  readonly timeKnown: boolean;
  readonly startTime: string;
  readonly home: string;
  readonly away: string;
  /** Goals; null when the match has no result in the file. */
  readonly homeGoals: string | null;
  readonly awayGoals: string | null;
  readonly opening: MatchPrices;
  /** null when the file has no closing market columns (AvgC/MaxC: 2019/20 on), or they were not read. */
  readonly closing: MatchPrices | null;
  /** Whether `closing` has prices (without reading them). */
  readonly hasClosingPrices: boolean;
  /** Pinnacle's closing 1X2 (PSCH/PSCD/PSCA, from 2012/13), the CLV reference; null where absent. */
  readonly pinnacleClose: readonly [string, string, string] | null;
}

export interface MatchPrices {
  /** Average and best price per outcome (home, draw, away); null where the cell is empty. */
  readonly average: readonly (string | null)[];
  readonly best: readonly (string | null)[];
  /** Bb1X2: books behind the aggregate, when the file has the column and the cell. */
  readonly books: number | null;
  readonly quotes: readonly { readonly bookmaker: string; readonly prices: readonly (string | null)[] }[];
}

export interface ParsedFootballDataFile {
  readonly summary: FootballDataFileSummary;
  readonly matches: FootballDataMatch[];
  /** Whether the closing price set was read (ParseOptions.closing). */
  readonly closingRead: boolean;
}

export interface ParseOptions {
  /** Read every bookmaker's own 1X2 columns (default true); aggregates, results and Pinnacle's close always. */
  readonly books?: boolean;
  /** Read the closing price set (AvgC/MaxC, B365C…) where the file has it (default true). */
  readonly closing?: boolean;
}

const BLANK = /^[\s,]*$/;
const COUNT = /^\d+(\.0*)?$/;

/** The fields of one record by comma offsets: only the cells asked for become strings. */
class RowReader {
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
interface Layout {
  readonly columns: number;
  readonly opening: PriceColumns;
  readonly closing: PriceColumns | null;
  readonly pinnacle: Triple | null;
  readonly books: boolean;
}

// One reader for every lazy read: the replay reads one match at a time.
let shared = new RowReader(256);
const NO_COUNT = { count: 0 };

function reader(layout: Layout, line: string): RowReader {
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
class KeptMatch implements FootballDataMatch {
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
function noon(date: string): string {
  let out = NOONS.get(date);
  if (out === undefined) NOONS.set(date, (out = `${date}T12:00:00.000Z`));
  return out;
}

function readTriple(row: RowReader, cols: Triple | null, bad: { count: number }): (string | null)[] {
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

function goals(row: RowReader, c: number): string | null {
  const g = c >= 0 ? row.get(c).trim() : '';
  return COUNT.test(g) ? String(Number.parseInt(g, 10)) : null;
}

/** Parse one football-data CSV (its text and the file name, which carries the season). */
export function parseFootballDataCsv(
  text: string,
  file: string,
  options: ParseOptions = {},
): ParsedFootballDataFile {
  const withBooks = options.books ?? true;
  const withClosing = options.closing ?? true;
  const lines = csvLines(text);
  if (lines.length === 0) throw new Error(`${file}: empty file`);
  const names = normalizeHeader(splitCsvLine(lines[0]!));
  const extra = isExtraLeagueHeader(names);
  const header = extra ? asMainLeagueHeader(names) : names;
  const col = new Map<string, number>();
  header.forEach((name, i) => {
    if (!col.has(name)) col.set(name, i);
  });
  const need = (name: string): number => {
    const i = col.get(name);
    if (i === undefined)
      throw new Error(
        `${file}: no ${name} column (header: ${names.slice(0, 12).join(',')}…); expected the main-league ` +
          'layout (Div,Date,HomeTeam,AwayTeam,…) or the extra-league one (Country,League,Season,Date,Time,Home,Away,…)',
      );
    return i;
  };
  const cDiv = col.get('Div') ?? -1;
  const cDate = need('Date');
  const cTime = col.get('Time') ?? -1;
  const cHome = need('HomeTeam');
  const cAway = need('AwayTeam');
  const cHG = col.get('FTHG') ?? -1;
  const cAG = col.get('FTAG') ?? -1;
  const cRes = col.get('FTR') ?? -1;
  const cCountry = extra ? col.get('Country')! : -1;
  const cLeague = extra ? col.get('League')! : -1;
  const cSeason = extra ? col.get('Season')! : -1;
  const triple = (prefix: string): Triple | null => {
    const h = col.get(`${prefix}H`);
    const d = col.get(`${prefix}D`);
    const a = col.get(`${prefix}A`);
    return h === undefined || d === undefined || a === undefined ? null : { h, d, a };
  };

  // Bookmaker triples: <P>H <P>D <P>A; closing ones are <P>CH… where <P> is also an opening book.
  const openingBooks: { bookmaker: string; cols: Triple }[] = [];
  const closingBooks: { bookmaker: string; cols: Triple }[] = [];
  const prefixes = header.filter((n) => /^[A-Z][A-Za-z0-9]*H$/.test(n)).map((n) => n.slice(0, -1));
  const prefixSet = new Set(prefixes);
  for (const p of prefixes) {
    if (AGGREGATE_PREFIXES.has(p) || p.startsWith('Bb') || p === 'FT' || p === 'HT' || p.endsWith('AH'))
      continue;
    const cols = triple(p);
    if (cols === null) continue;
    if (p.endsWith('C') && prefixSet.has(p.slice(0, -1))) {
      closingBooks.push({ bookmaker: bookName(p.slice(0, -1)), cols });
    } else {
      openingBooks.push({ bookmaker: bookName(p), cols });
    }
  }
  const bbAv = triple('BbAv');
  const bbMx = triple('BbMx');
  const avg = triple('Avg');
  const max = triple('Max');
  // Extra-league files quote no book but Pinnacle: the market's best price is the only one to bet at
  // against it (value against Pinnacle), so it goes on the board as a book of its own.
  if (extra && max !== null) openingBooks.push({ bookmaker: AGGREGATE_BOOK, cols: max });
  const opening: PriceColumns = {
    books: openingBooks,
    average: bbAv ?? avg,
    best: bbMx ?? max,
    count: col.get('Bb1X2') ?? -1,
    label: bbAv && bbMx ? 'BbAv/BbMx' : avg && max ? 'Avg/Max' : null,
  };
  const avgC = triple('AvgC');
  const maxC = triple('MaxC');
  // A closing price set needs the closing market columns; Pinnacle's close alone (2012/13–2018/19) is
  // only the CLV reference.
  const closing: PriceColumns | null =
    avgC && maxC ? { books: closingBooks, average: avgC, best: maxC, count: -1, label: 'AvgC/MaxC' } : null;
  const pinnacleC = triple('PSC');

  const fileSeason = extra ? null : seasonFromFileName(file);
  const name = basename(file);
  const matches: FootballDataMatch[] = [];
  const warnings: string[] = [];
  let blankRows = 0;
  const row = new RowReader(header.length);
  const bad = { count: 0 };
  const layout: Layout = {
    columns: header.length,
    opening,
    closing: closing !== null && withClosing ? closing : null,
    pinnacle: pinnacleC,
    books: withBooks,
  };
  // Every price cell is checked here (without being copied); the prices themselves are read from the
  // kept line when the replay asks for them, so a parsed season holds one string per match, not dozens.
  const priceCells: number[] = [];
  for (const set of [layout.opening, layout.closing]) {
    if (set === null) continue;
    for (const t of [set.average, set.best, ...(withBooks ? set.books.map((b) => b.cols) : [])]) {
      if (t !== null) priceCells.push(t.h, t.d, t.a);
    }
  }
  if (pinnacleC !== null) priceCells.push(pinnacleC.h, pinnacleC.d, pinnacleC.a);
  const fallbackDiv = name.split('_')[0]!.replace(/\.csv$/i, '');
  for (let r = 1; r < lines.length; r++) {
    const line = lines[r]!;
    if (BLANK.test(line)) {
      blankRows++;
      continue;
    }
    row.load(line);
    const date = parseFootballDataDate(row.get(cDate));
    const home = row.get(cHome).trim();
    const away = row.get(cAway).trim();
    if (date === null || home === '' || away === '') {
      warnings.push(`line ${r + 1}: no date or teams, skipped`);
      continue;
    }
    const time = cTime >= 0 ? row.get(cTime).trim() : '';
    const utc = time === '' ? null : kickOff(date, time);
    if (time !== '' && utc === null)
      warnings.push(`line ${r + 1}: time "${time}" unreadable, using the date only`);
    const homeGoals = goals(row, cHG);
    const awayGoals = goals(row, cAG);
    if (homeGoals !== null && awayGoals !== null && cRes >= 0) {
      const ftr = row.get(cRes).trim();
      const hg = Number(homeGoals);
      const ag = Number(awayGoals);
      const expected = hg > ag ? 'H' : hg < ag ? 'A' : 'D';
      if (ftr !== '' && ftr !== expected)
        warnings.push(`line ${r + 1}: FTR ${ftr} disagrees with ${hg}-${ag}`);
    }
    for (const c of priceCells) if (row.oddsStatus(c) < 0) bad.count++;
    let div = cDiv >= 0 ? row.get(cDiv).trim() : '';
    let season = fileSeason;
    if (extra) {
      div = extraLeagueName(row.get(cCountry), row.get(cLeague)) ?? '';
      const text = row.get(cSeason).trim();
      season = extraLeagueSeason(text);
      if (season === null && text !== '')
        warnings.push(`line ${r + 1}: Season "${text}" is not 2012 or 2012/2013, read as unknown`);
    }
    matches.push(
      new KeptMatch(
        layout,
        line,
        name,
        r + 1,
        div === '' ? fallbackDiv : div,
        season,
        date,
        utc !== null,
        utc ?? noon(date),
        home,
        away,
        homeGoals,
        awayGoals,
      ),
    );
  }
  const badPrices = bad.count;
  if (badPrices > 0)
    warnings.push(`${badPrices} odds cells that are not decimal odds above 1, read as missing`);
  return {
    summary: {
      file: name,
      div: matches[0]?.div ?? name.split('_')[0]!,
      season: fileSeason,
      matches: matches.length,
      blankRows,
      aggregates: opening.label,
      hasClosing: closing !== null,
      hasBookCount: opening.count >= 0,
      books: openingBooks.map((b) => b.bookmaker),
      warnings,
    },
    matches,
    closingRead: withClosing,
  };
}

function bookName(prefix: string): string {
  return FOOTBALL_DATA_BOOKS[prefix] ?? prefix.toLowerCase();
}

export interface FootballDataReplayOptions {
  /** Which prices go on the board: pre-match (default) or closing (AvgC/MaxC, B365C…; 2019/20 on). */
  readonly prices?: PriceSet;
  /** Put every bookmaker's own 1X2 quote on the board too (default true); aggregates are always there. */
  readonly books?: boolean;
}

export interface FootballDataReplay {
  /** The frames in time order; re-iterable, each pass builds them afresh. */
  readonly frames: Iterable<ReplayFrame>;
  readonly frameCount: number;
  /** Match rows read, across all files. */
  readonly matches: number;
  /** Matches left out of the replay, by reason. */
  readonly skipped: Record<string, number>;
  readonly files: FootballDataFileSummary[];
  readonly prices: PriceSet;
}

export const NO_CLOSING_COLUMNS = 'no closing odds columns (AvgC/MaxC, from 2019/20) in the file';
const PROVIDER = 'football-data';
const LEAD_MS = 60_000;

/**
 * Matches as a time-ordered replay: one frame per kick-off instant, one minute before it, carrying the
 * matches' events, the chosen price set (books' quotes and the market aggregate), the closing line for
 * CLV (Pinnacle and every closing column) and the results. Matches with the same kick-off keep file order.
 */
export function footballDataReplay(
  parsed: readonly ParsedFootballDataFile[],
  options: FootballDataReplayOptions = {},
): FootballDataReplay {
  const priceSet = options.prices ?? 'opening';
  const withBooks = options.books ?? true;
  const skipped: Record<string, number> = {};
  const rows: { ms: number; match: FootballDataMatch }[] = [];
  let matches = 0;
  for (const file of parsed) {
    if (priceSet === 'closing' && !file.closingRead && file.summary.hasClosing) {
      throw new Error(`${file.summary.file}: parsed without its closing prices (ParseOptions.closing)`);
    }
    for (const match of file.matches) {
      matches++;
      if (priceSet === 'closing' && !match.hasClosingPrices) {
        skipped[NO_CLOSING_COLUMNS] = (skipped[NO_CLOSING_COLUMNS] ?? 0) + 1;
        continue;
      }
      rows.push({ ms: Date.parse(match.startTime), match });
    }
  }
  // Stable: equal kick-offs keep the order of the files and rows.
  rows.sort((a, b) => a.ms - b.ms);
  let frameCount = 0;
  for (let i = 0; i < rows.length; i++) if (i === 0 || rows[i]!.ms !== rows[i - 1]!.ms) frameCount++;
  return {
    // Built as they are replayed, so a frame is garbage as soon as the engine has read it.
    frames: { [Symbol.iterator]: () => framesOf(rows, priceSet, withBooks) },
    frameCount,
    matches,
    skipped,
    files: parsed.map((p) => p.summary),
    prices: priceSet,
  };
}

function* framesOf(
  rows: readonly { ms: number; match: FootballDataMatch }[],
  priceSet: PriceSet,
  withBooks: boolean,
): Generator<ReplayFrame> {
  let i = 0;
  while (i < rows.length) {
    const ms = rows[i]!.ms;
    const atMs = ms - LEAD_MS;
    const at = new Date(atMs).toISOString();
    const events: SportEvent[] = [];
    const quotes: OddsQuote[] = [];
    const aggregates: MarketAggregate[] = [];
    const closing: OddsQuote[] = [];
    const results: { eventId: string; result: { status: 'completed'; scores: Record<string, string> } }[] =
      [];
    for (; i < rows.length && rows[i]!.ms === ms; i++) {
      const m = rows[i]!.match;
      // Extra-league names ("Norway Eliteserien") have spaces; ids do not.
      const div = m.div.includes(' ') ? m.div.replace(/ /g, '-') : m.div;
      const id = `fd-${div}-${m.date}-${slug(m.home)}-${slug(m.away)}`;
      events.push({
        id,
        sport: 'soccer',
        league: m.div,
        participants: [participant(m.home, 'home'), participant(m.away, 'away')],
        startTime: m.startTime,
        status: 'scheduled',
        metadata: { season: m.season, file: m.file, row: m.row, timeKnown: m.timeKnown },
      });
      const market: MarketKey = { eventId: id, marketType: 'h2h', line: null, period: 'full' };
      const names = [m.home, 'Draw', m.away];
      const closePrices = withBooks || priceSet === 'closing' ? m.closing : null;
      const set = priceSet === 'opening' ? m.opening : closePrices!;
      if (withBooks) pushQuotes(quotes, market, names, set.quotes, at);
      aggregates.push(aggregateOf(market, names, set, priceSet));
      // The closing line for CLV: every closing column read, and Pinnacle's close (the reference) always.
      if (closePrices !== null) pushQuotes(closing, market, names, closePrices.quotes, at);
      const pinnacle = m.pinnacleClose;
      if (pinnacle !== null) pushLine(closing, market, names, 'pinnacle', pinnacle, at);
      if (m.homeGoals !== null && m.awayGoals !== null) {
        // Team names as keys: a dictionary object, not one hidden class per pairing of teams.
        const scores = Object.create(null) as Record<string, string>;
        scores[m.home] = m.homeGoals;
        scores[m.away] = m.awayGoals;
        results.push({ eventId: id, result: { status: 'completed', scores } });
      }
    }
    yield { at, atMs, events, quotes, aggregates, closing, results };
  }
}

function pushQuotes(
  out: OddsQuote[],
  market: MarketKey,
  names: readonly string[],
  books: MatchPrices['quotes'],
  at: string,
): void {
  for (const b of books) pushLine(out, market, names, b.bookmaker, b.prices, at);
}

function pushLine(
  out: OddsQuote[],
  market: MarketKey,
  names: readonly string[],
  bookmaker: string,
  prices: readonly (string | null)[],
  at: string,
): void {
  for (let k = 0; k < 3; k++) {
    const price = prices[k];
    if (price === null || price === undefined) continue;
    out.push({
      market,
      outcome: names[k]!,
      point: null,
      provider: PROVIDER,
      bookmaker,
      price,
      observedAt: at,
      sourceUpdatedAt: null,
    });
  }
}

const PARTICIPANTS = { home: new Map<string, Participant>(), away: new Map<string, Participant>() };

/** One shared (frozen) participant object per team and role: thousands of matches, a few dozen teams. */
function participant(name: string, role: 'home' | 'away'): Participant {
  const byName = PARTICIPANTS[role];
  let p = byName.get(name);
  if (p === undefined) byName.set(name, (p = Object.freeze({ id: slug(name), name, role })));
  return p;
}

function aggregateOf(
  market: MarketKey,
  names: readonly string[],
  set: MatchPrices,
  priceSet: PriceSet,
): MarketAggregate {
  const outcomes = [];
  for (let k = 0; k < 3; k++) {
    const average = set.average[k];
    const best = set.best[k];
    // A published aggregate with a missing cell: the market has no usable average/best (not zero).
    if (average === null || average === undefined || best === null || best === undefined) {
      return { market, outcomes: [], books: set.books, source: 'football-data: incomplete average/best' };
    }
    outcomes.push({ outcome: names[k]!, point: null, average, best, bestBookmaker: null });
  }
  return {
    market,
    outcomes,
    books: set.books,
    source: priceSet === 'opening' ? 'football-data:average/best' : 'football-data:closing average/best',
  };
}

/** Read and parse files (paths), in the order given. */
export function readFootballDataFiles(
  paths: readonly string[],
  options: ParseOptions = {},
): ParsedFootballDataFile[] {
  return paths.map((p) => parseFootballDataCsv(readFileSync(p, 'utf8'), p, options));
}
