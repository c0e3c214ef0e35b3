/**
 * football-data.co.uk's "extra leagues" layout: one file per country covering many seasons,
 * `Country,League,Season,Date,Time,Home,Away,HG,AG,Res,PH,PD,PA,MaxH,MaxD,MaxA,AvgH,AvgD,AvgA`.
 *
 * The football-data reader detects it from the header and reads it as a main-league file once its
 * columns carry the main layout's names (Home → HomeTeam, HG → FTHG, Res → FTR, PH → PSH: Pinnacle…);
 * Max/Avg, Date and Time (UK local time) already mean the same in both. What differs is per row: the
 * league is `<Country> <League>` and the season comes from the `Season` column, not the file name. There
 * is no count of books (no Bb1X2), and no bookmaker but Pinnacle has columns.
 */

/** Extra-layout column → the main layout's name for the same thing. */
const MAIN_NAMES: Readonly<Record<string, string>> = {
  Home: 'HomeTeam',
  Away: 'AwayTeam',
  HG: 'FTHG',
  AG: 'FTAG',
  Res: 'FTR',
  PH: 'PSH',
  PD: 'PSD',
  PA: 'PSA',
};

/** The extra-league header has Country, League and Season where the main one has Div. */
export function isExtraLeagueHeader(header: readonly string[]): boolean {
  return ['Country', 'League', 'Season', 'Home', 'Away'].every((n) => header.includes(n));
}

/** The header with the main layout's names, so one reader maps both layouts to the same entities. */
export function asMainLeagueHeader(header: readonly string[]): string[] {
  return header.map((n) => {
    const main = MAIN_NAMES[n];
    // A name the file already has (a PSH column besides PH…) is left alone: no column is read twice.
    return main === undefined || header.includes(main) ? n : main;
  });
}

/** The league of a row: "Norway Eliteserien"; null when both cells are empty. */
export function extraLeagueName(country: string, league: string): string | null {
  const name = `${country.trim()} ${league.trim()}`.trim();
  return name === '' ? null : name;
}

/**
 * A `Season` cell in the main reader's convention: "2012" stays "2012" (calendar-year leagues),
 * "2012/2013" and "2012/13" become "2012/13". Null when it is neither.
 */
export function extraLeagueSeason(text: string): string | null {
  const m = /^(\d{4})(?:\/(\d{4}|\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  if (m[2] === undefined) return m[1]!;
  const start = Number(m[1]);
  const next = m[2].length === 4 ? start + 1 : (start + 1) % 100;
  if (Number(m[2]) !== next) return null;
  return `${start}/${String((start + 1) % 100).padStart(2, '0')}`;
}
