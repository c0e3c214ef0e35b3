import { AGGREGATE_BOOK } from '../strategies/consensus';
import { csvLines, splitCsvLine } from './csv';
import {
  KeptMatch,
  baseName,
  RowReader,
  goals,
  kickOff,
  noon,
  normalizeHeader,
  parseFootballDataDate,
  seasonFromFileName,
  type Layout,
  type PriceColumns,
  type Triple,
} from './football-data-cells';
import {
  asMainLeagueHeader,
  extraLeagueName,
  extraLeagueSeason,
  isExtraLeagueHeader,
} from './football-data-extra';

/**
 * Reader of football-data.co.uk match files (`<DIV>_<season>.csv`): each match becomes an event, its 1X2
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
  const name = baseName(file);
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
