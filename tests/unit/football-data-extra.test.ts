import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backtestCommand } from '../helpers/backtest';
import { PROJECT_ROOT } from '../../config/paths';
import { readFootballDataFiles } from '../../activities/backtest/football-data';
import { parseFootballDataCsv } from '../../shared/readers/football-data';
import { extraLeagueSeason } from '../../shared/readers/football-data-extra';
import { footballDataReplay } from '../../shared/readers/football-data-replay';
import { alphabet } from '../helpers/cli';

/**
 * football-data.co.uk's "extra leagues" layout (Country,League,Season,Date,Time,Home,Away,HG,AG,Res,
 * PH,PD,PA,MaxH,MaxD,MaxA,AvgH,AvgD,AvgA) on two hand-written files: NOR.csv (Season "2018", LF,
 * a missing MaxD, a kick-off either side of the March 2019 clock change) and SWZ.csv (Season
 * "2018/2019", CRLF, a missing PA, a kick-off on the October 2018 change day), each ending in an empty row.
 */

const FIXTURES = join(PROJECT_ROOT, 'tests', 'fixtures', 'football-data-extra');
const files = (): string[] =>
  readdirSync(FIXTURES)
    .filter((n) => n.endsWith('.csv'))
    .sort()
    .map((n) => join(FIXTURES, n));

describe('football-data reader: the extra-league layout', () => {
  it('is detected from the header and mapped to the same entities as a main-league file', () => {
    const [nor, swz] = readFootballDataFiles(files());
    expect(nor!.summary).toMatchObject({
      file: 'NOR.csv',
      div: 'Norway Eliteserien',
      season: null,
      matches: 6,
      blankRows: 1,
      aggregates: 'Avg/Max',
      hasClosing: false,
      hasBookCount: false,
      books: ['pinnacle', 'market-best'],
      warnings: [],
    });
    expect(swz!.summary).toMatchObject({ div: 'Switzerland Super League', matches: 4, blankRows: 1 });
    expect(nor!.matches.map((m) => m.season)).toEqual(['2018', '2018', '2018', '2019', '2019', '2019']);
    expect(swz!.matches.map((m) => m.season)).toEqual(['2018/19', '2018/19', '2019/20', '2019/20']);
    const first = nor!.matches[0]!;
    expect([first.home, first.away, first.homeGoals, first.awayGoals]).toEqual([
      'Rosenborg',
      'Molde',
      '2',
      '0',
    ]);
    expect(first.opening.average).toEqual(['2', '3.5', '3.7']);
    expect(first.opening.best).toEqual(['2.4', '3.8', '4.1']);
    // No Bb1X2: the number of books is unknown, never a number made up.
    expect(first.opening.books).toBeNull();
    // PH/PD/PA are Pinnacle's line; Max the market's best, on the board as a book to bet at.
    expect(first.opening.quotes).toEqual([
      { bookmaker: 'pinnacle', prices: ['2.05', '3.6', '3.9'] },
      { bookmaker: 'market-best', prices: ['2.4', '3.8', '4.1'] },
    ]);
  });

  it('normalises both Season spellings to the main reader convention and reports a bad one', () => {
    expect(extraLeagueSeason('2012')).toBe('2012');
    expect(extraLeagueSeason('2012/2013')).toBe('2012/13');
    expect(extraLeagueSeason(' 1999/2000 ')).toBe('1999/00');
    expect(extraLeagueSeason('2012/13')).toBe('2012/13');
    expect(extraLeagueSeason('2012/2014')).toBeNull();
    expect(extraLeagueSeason('12/13')).toBeNull();
    const text = readFileSync(join(FIXTURES, 'NOR.csv'), 'utf8').replace(',2018,11/03', ',2018-19,11/03');
    const parsed = parseFootballDataCsv(text, 'NOR.csv');
    expect(parsed.matches[0]!.season).toBeNull();
    expect(parsed.summary.warnings).toEqual([
      'line 2: Season "2018-19" is not 2012 or 2012/2013, read as unknown',
    ]);
  });

  it('reads Time as UK local time, across the clock changes', () => {
    const [nor, swz] = readFootballDataFiles(files());
    const start = (home: string, date: string): string | undefined =>
      [...nor!.matches, ...swz!.matches].find((m) => m.home === home && m.date === date)?.startTime;
    // 30 March 2019 is GMT, 31 March (the last Sunday) BST from 01:00 UTC.
    expect(start('Brann', '2019-03-30')).toBe('2019-03-30T16:00:00.000Z');
    expect(start('Molde', '2019-03-31')).toBe('2019-03-31T15:00:00.000Z');
    // 28 October 2018: back to GMT at 01:00 UTC, so a 13:30 kick-off is 13:30 UTC; July is BST.
    expect(start('Young Boys', '2018-10-28')).toBe('2018-10-28T13:30:00.000Z');
    expect(start('Basel', '2018-07-21')).toBe('2018-07-21T16:00:00.000Z');
    expect(nor!.matches.every((m) => m.timeKnown)).toBe(true);
  });

  it('a missing price is a missing quote: no aggregate for the market, Pinnacle without that outcome', () => {
    const replay = footballDataReplay(readFootballDataFiles(files()), { books: true });
    const frames = [...replay.frames];
    const frameOf = (eventPart: string) => frames.find((f) => f.events![0]!.id.includes(eventPart))!;
    const valerenga = frameOf('2018-03-25-valerenga-lillestrom');
    expect(valerenga.events![0]!).toMatchObject({
      id: 'fd-Norway-Eliteserien-2018-03-25-valerenga-lillestrom',
      league: 'Norway Eliteserien',
      metadata: { season: '2018', file: 'NOR.csv' },
    });
    expect(valerenga.aggregates![0]!.outcomes).toEqual([]);
    const luzern = frameOf('2019-08-10-luzern-young-boys');
    expect(luzern.quotes!.filter((q) => q.bookmaker === 'pinnacle').map((q) => q.outcome)).toEqual([
      'Luzern',
      'Draw',
    ]);
    expect(luzern.aggregates![0]!.outcomes).toHaveLength(3);
  });

  it('refuses a file in neither layout, naming both', () => {
    expect(() => parseFootballDataCsv('Nation,Date,Home,Away\nX,01/01/2020,A,B\n', 'X.csv')).toThrow(
      /X\.csv: no HomeTeam column .*main-league layout \(Div,Date,HomeTeam,AwayTeam,…\) or the extra-league one/,
    );
  });
});

// ---- An independent computation of the consensus rule, sharing no code with the reader or engine ----

const SCALE = 10_000n;

/** "2.37" → 23700n: odds × 10,000, exact. */
function units(text: string): bigint {
  const [whole, frac = ''] = text.split('.');
  return BigInt(whole!) * SCALE + BigInt(frac.padEnd(4, '0'));
}

function decimal(u: bigint): string {
  const abs = u < 0n ? -u : u;
  const frac = (abs % SCALE).toString().padStart(4, '0').replace(/0+$/, '');
  return `${u < 0n ? '-' : ''}${abs / SCALE}${frac === '' ? '' : `.${frac}`}`;
}

interface Tally {
  bets: number;
  wins: number;
  profit: bigint;
}

/**
 * KZK with alpha = 5/100, stake 1: p = 1/Avg; bet the outcome with the largest (p − alpha)·Max − 1 > 0
 * (first of H, D, A on a tie) at Max; a match with an empty Avg/Max cell is not bet. No book count in
 * these files, so no match is skipped for too few books.
 */
function spreadsheet(): { total: Tally; byLeague: Map<string, Tally>; bySeason: Map<string, Tally> } {
  const total: Tally = { bets: 0, wins: 0, profit: 0n };
  const byLeague = new Map<string, Tally>();
  const bySeason = new Map<string, Tally>();
  for (const file of files()) {
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    const header = lines[0]!.split(',');
    const c = (name: string): number => header.indexOf(name);
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      if (cells.every((x) => x === '')) continue;
      const avg = ['AvgH', 'AvgD', 'AvgA'].map((n) => cells[c(n)]!);
      const max = ['MaxH', 'MaxD', 'MaxA'].map((n) => cells[c(n)]!);
      if ([...avg, ...max].includes('')) continue;
      // (p − alpha)·M − 1 = ((100 − 5·A)·M − 100·A) / (100·A), all in units.
      let pick = -1;
      let best = { num: 0n, den: 1n };
      for (let k = 0; k < 3; k++) {
        const a = units(avg[k]!);
        const m = units(max[k]!);
        const num = (100n * SCALE - 5n * a) * m - 100n * a * SCALE;
        const den = 100n * a * SCALE;
        if (100n * SCALE - 5n * a <= 0n || num <= 0n) continue;
        if (pick < 0 || num * best.den > best.num * den) {
          pick = k;
          best = { num, den };
        }
      }
      if (pick < 0) continue;
      const won = cells[c('Res')] === 'HDA'[pick];
      const profit = won ? units(max[pick]!) - SCALE : -SCALE;
      const season = cells[c('Season')]!;
      const seasonLabel = season.includes('/') ? `${season.slice(0, 4)}/${season.slice(7, 9)}` : season;
      const league = `${cells[c('Country')]} ${cells[c('League')]}`;
      for (const [map, key] of [
        [byLeague, league],
        [bySeason, seasonLabel],
      ] as const) {
        if (!map.has(key)) map.set(key, { bets: 0, wins: 0, profit: 0n });
      }
      for (const t of [total, byLeague.get(league)!, bySeason.get(seasonLabel)!]) {
        t.bets++;
        if (won) t.wins++;
        t.profit += profit;
      }
    }
  }
  return { total, byLeague, bySeason };
}

// A main-league pair of files (original layout with Bb1X2, 2019/20 layout) for the key comparison.
const MAIN_OLD = [
  'Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,FTR,Bb1X2,BbMxH,BbAvH,BbMxD,BbAvD,BbMxA,BbAvA,PSCH,PSCD,PSCA',
  'E0,13/08/05,A,B,2,0,H,40,2.4,2.0,3.5,3.3,4.0,3.7,2.0,3.6,4.2',
  'E0,14/08/05,C,D,0,0,D,40,2.1,2.0,3.6,3.3,4.0,3.7,,,',
].join('\n');
const MAIN_NEW = [
  'Div,Date,Time,HomeTeam,AwayTeam,FTHG,FTAG,FTR,MaxH,MaxD,MaxA,AvgH,AvgD,AvgA',
  'E0,09/08/2019,20:00,Liverpool,Norwich,4,1,H,1.2,8.0,17.0,1.15,7.5,15.5',
].join('\n');

type Json = Record<string, unknown>;

/**
 * The key paths of a backtest JSON two levels deep (deeper objects may be null where the data has no
 * CLV), with the data-named maps (leagues, seasons, skip reasons) collapsed to `*`.
 */
function shape(value: unknown, path = '', depth = 0): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || depth === 2) return [path];
  if (path === '.skipped') return [path];
  const named = ['.byLeague', '.bySeason'].includes(path);
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Json)) {
    out.push(...(named ? shape(v, `${path}.*`, depth) : shape(v, `${path}.${k}`, depth + 1)));
  }
  return [...new Set(out)].sort();
}

describe('alphabet backtest on extra-league files', { timeout: 240_000 }, () => {
  let extra: Json;
  let main: Json;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alphabet-bt-main-'));
    writeFileSync(join(dir, 'E0_056.csv'), MAIN_OLD);
    writeFileSync(join(dir, 'E0_1920.csv'), MAIN_NEW);
    const [e, m] = await Promise.all([
      alphabet('backtest', '--strategy', 'consensus', '--data', join(FIXTURES, '*.csv'), '--json'),
      alphabet('backtest', '--strategy', 'consensus', '--data', join(dir, '*.csv'), '--json'),
    ]);
    expect(e.stderr).toBe('');
    expect(e.code).toBe(0);
    expect(m.code, m.stderr).toBe(0);
    extra = JSON.parse(e.stdout) as Json;
    main = JSON.parse(m.stdout) as Json;
  });

  it('consensus: bets, wins and profit equal an independent computation, per league and season too', () => {
    const expected = spreadsheet();
    expect(expected.total.bets).toBeGreaterThan(3); // the fixtures are written to bet, win and lose
    expect(extra).toMatchObject({
      matches: 10,
      bets: expected.total.bets,
      wins: expected.total.wins,
      profit: decimal(expected.total.profit),
      turnover: String(expected.total.bets),
    });
    for (const [key, mine] of [
      ['byLeague', expected.byLeague],
      ['bySeason', expected.bySeason],
    ] as const) {
      const lines = extra[key] as Record<string, { bets: number; wins: number; profit: string }>;
      expect(Object.keys(lines).sort()).toEqual([...mine.keys()].sort());
      for (const [k, t] of mine) {
        expect({ k, bets: lines[k]!.bets, wins: lines[k]!.wins, profit: lines[k]!.profit }).toEqual({
          k,
          bets: t.bets,
          wins: t.wins,
          profit: decimal(t.profit),
        });
      }
    }
    expect(extra.skipped).toEqual({ 'missing odds': 1, 'no outcome qualifies': 3 });
  });

  it('prints the same JSON keys as a main-league run', () => {
    expect(Object.keys(extra)).toEqual(Object.keys(main));
    expect(Object.keys(extra.data as Json)).toEqual(Object.keys(main.data as Json));
    expect(shape(extra)).toEqual(shape(main));
    expect(shape(extra)).toContain('.byLeague.*.profit');
    expect((extra.data as Json).leagues).toEqual(['Norway Eliteserien', 'Switzerland Super League']);
    expect((extra.data as Json).seasons).toEqual(['2018', '2018/19', '2019', '2019/20']);
  });

  it('says the minBooks rule was not applied where the files have no book count', async () => {
    expect((extra.data as Json).filesWithoutBookCount).toBe(2);
    expect((extra.data as Json).minBooksRule).toMatch(/^not applied: no file has a book count/);
    expect((main.data as Json).minBooksRule).toMatch(/^applied \(minBooks 3\) to the 1 files with/);
    // Even a minBooks no match could pass skips nothing here: there is no count to compare.
    const strict = await backtestCommand({
      strategy: 'consensus',
      data: [FIXTURES],
      minBooks: '100',
      groups: false,
    });
    expect(strict.summary.bets).toBe(extra.bets);
    expect(strict.summary.skipped['books <= minBooks']).toBeUndefined();
  });

  it('value against Pinnacle: bets the market best where devigged Pinnacle says it clears minEdge', async () => {
    const result = await backtestCommand({
      strategy: 'value',
      data: [FIXTURES],
      // Two lines on the board (Pinnacle and the market best): the value rule's own minimum is 3.
      param: ['minBooks=2', 'devigMethod=multiplicative', 'minEdge=0.02'],
    });
    // Independently: p = (1/P)/Σ(1/P) over Pinnacle's three prices; the first of H, D, A with
    // p·Max − 1 ≥ 0.02 is the match's bet (one bet per market).
    const expected: string[] = [];
    for (const file of files()) {
      const [head, ...rows] = readFileSync(file, 'utf8').split(/\r?\n/);
      const h = head!.split(',');
      for (const row of rows) {
        const c = row.split(',');
        if (c.every((x) => x === '')) continue;
        const pin = ['PH', 'PD', 'PA'].map((n) => c[h.indexOf(n)]!);
        const max = ['MaxH', 'MaxD', 'MaxA'].map((n) => c[h.indexOf(n)]!);
        if ([...pin, ...max].includes('')) continue;
        const inv = pin.map((p) => 1 / Number(p));
        const sum = inv[0]! + inv[1]! + inv[2]!;
        const edges = max.map((m, k) => (inv[k]! / sum) * Number(m) - 1);
        for (const e of edges) expect(Math.abs(e - 0.02)).toBeGreaterThan(1e-6); // no float close call
        const k = edges.findIndex((e) => e >= 0.02);
        if (k >= 0)
          expected.push(`${c[h.indexOf('Home')]} ${'HDA'[k]} @${max[k]} ${c[h.indexOf('Res')] === 'HDA'[k]}`);
      }
    }
    const bets = result.run.bets.map((b) => {
      const home = b.event.participants[0]!.name;
      const side = b.outcome === 'Draw' ? 'D' : b.outcome === home ? 'H' : 'A';
      expect(b.bookmaker).toBe('market-best');
      return `${home} ${side} @${b.price} ${b.status === 'won'}`;
    });
    expect([...bets].sort()).toEqual([...expected].sort());
    expect(expected.length).toBeGreaterThan(3);
    expect(Object.keys(result.summary.byLeague!)).toEqual(['Norway Eliteserien', 'Switzerland Super League']);
  });
});
