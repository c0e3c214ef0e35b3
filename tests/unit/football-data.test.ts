import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFootballDataFiles } from '../../activities/backtest/football-data';
import { csvLines, splitCsvLine } from '../../shared/readers/csv';
import { parseFootballDataCsv } from '../../shared/readers/football-data';
import {
  cleanOdds,
  londonToUtc,
  normalizeHeader,
  parseFootballDataDate,
  seasonFromFileName,
} from '../../shared/readers/football-data-cells';
import { NO_CLOSING_COLUMNS, footballDataReplay } from '../../shared/readers/football-data-replay';
import { sharedData } from '../helpers/data';

// A season file in the original football-data.co.uk spelling: `>`/`<` in names, BbAv/BbMx, Bb1X2.
const ORIGINAL = [
  'Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,FTR,B365H,B365D,B365A,PSH,PSD,PSA,Bb1X2,BbMxH,BbAvH,BbMxD,BbAvD,BbMxA,BbAvA,BbMx>2.5,BbAv>2.5,BbMx<2.5,BbAv<2.5,PSCH,PSCD,PSCA',
  'E0,13/08/05,Aston Villa,Bolton,2,2,D,2.3,3.25,3.0,2.35,3.3,3.1,56,2.4,2.2,3.3,3.16,3.4,3.05,2.2,2.01,1.87,1.7,2.4,3.2,3.2',
  'E0,14/08/2005,Everton,Man United,0,2,A,5.0,3.4,1.72,5.2,3.5,1.75,56,5.65,4.69,3.7,3.36,1.8,1.69,2.1,1.93,1.87,1.79,,,',
  'E0,15/08/05,Arsenal,Newcastle,2,0,H,1.3,,9.0,1.31,5.0,9.5,3,1.35,1.3,5.5,4.9,10.0,8.5,1.5,1.4,2.7,2.5,1.3,5.2,10.0',
  'E0,16/08/05,Fulham,Chelsea,0,1,A,6.0,3.6,1.6,6.2,3.7,1.62,40,6.5,5.8,,3.5,1.7,1.6,2.0,1.9,1.9,1.8,6.1,3.8,1.6',
  ',,,,,,,,,,,,,,,,,,,,,,,,,,',
  ',,,,,,,,,,,,,,,,,,,,,,,,,,',
  '',
].join('\r\n');

// The same kind of file as re-saved by the tool: non-word characters → _, duplicates suffixed _1.
const RESAVED_2019 = [
  'Div,Date,Time,HomeTeam,AwayTeam,FTHG,FTAG,FTR,B365H,B365D,B365A,PSH,PSD,PSA,MaxH,MaxD,MaxA,AvgH,AvgD,AvgA,B365_2_5,B365_2_5_1,PSCH,PSCD,PSCA,MaxCH,MaxCD,MaxCA,AvgCH,AvgCD,AvgCA',
  'F1,09/08/2019,19:45,Monaco,Lyon,0,3,A,3.0,3.3,2.37,2.95,3.57,2.43,3.0,3.6,2.52,2.89,3.4,2.43,1.9,1.9,3.37,3.65,2.19,3.66,3.7,2.36,3.33,3.51,2.15',
  'F1,25/01/2020,20:00,Lille,Nice,1,1,D,1.8,3.5,4.5,1.85,3.6,4.6,1.9,3.8,4.8,1.8,3.5,4.4,2.0,1.8,1.9,3.5,4.4,2.0,3.7,4.6,1.85,3.45,4.3',
].join('\n');

describe('football-data importer: quirks', () => {
  it('accepts original and re-saved column names alike', () => {
    expect(normalizeHeader(['B365>2.5', 'B365<2.5', 'BbMx>2.5', 'BbAv<2.5'])).toEqual([
      'B365_2_5',
      'B365_2_5_1',
      'BbMx_2_5',
      'BbAv_2_5',
    ]);
    // Already rewritten names stay as they are.
    expect(normalizeHeader(['B365_2_5', 'B365_2_5_1', 'HomeTeam'])).toEqual([
      'B365_2_5',
      'B365_2_5_1',
      'HomeTeam',
    ]);
    expect(normalizeHeader(['HT', 'AT'])).toEqual(['HomeTeam', 'AwayTeam']);
    const original = parseFootballDataCsv(ORIGINAL, 'E0_056.csv');
    expect(original.summary.aggregates).toBe('BbAv/BbMx');
    expect(original.summary.books).toEqual(['bet365', 'pinnacle']);
    const resaved = parseFootballDataCsv(RESAVED_2019, 'F1_1920.csv');
    expect(resaved.summary.aggregates).toBe('Avg/Max');
    expect(resaved.summary.hasClosing).toBe(true);
  });

  it('reads integer odds written 8.0 as 8 and trims trailing zeros', () => {
    expect(cleanOdds('8.0')).toBe('8');
    expect(cleanOdds('10.00')).toBe('10');
    expect(cleanOdds('2.50')).toBe('2.5');
    expect(cleanOdds('3.25')).toBe('3.25');
    expect(cleanOdds(' 1.01 ')).toBe('1.01');
    const m = parseFootballDataCsv(ORIGINAL, 'E0_056.csv').matches;
    expect(m[0]!.opening.average).toEqual(['2.2', '3.16', '3.05']);
    expect(m[2]!.opening.best[2]).toBe('10');
    expect(m[0]!.opening.quotes[0]!.prices).toEqual(['2.3', '3.25', '3']);
  });

  it('treats an empty odds cell as a missing quote, never zero; refuses odds of 1 or less', () => {
    expect(cleanOdds('')).toBeNull();
    expect(cleanOdds('   ')).toBeNull();
    expect(cleanOdds(undefined)).toBeNull();
    expect(cleanOdds('0')).toBeUndefined();
    expect(cleanOdds('1.0')).toBeUndefined();
    expect(cleanOdds('1.001')).toBe('1.001');
    expect(cleanOdds('abc')).toBeUndefined();
    const m = parseFootballDataCsv(ORIGINAL, 'E0_056.csv').matches;
    expect(m[2]!.opening.quotes[0]!.prices).toEqual(['1.3', null, '9']);
    expect(m[3]!.opening.best).toEqual(['6.5', null, '1.7']);
    // No PSC cells: no Pinnacle close for that match.
    expect(m[1]!.pinnacleClose).toBeNull();
    expect(m[0]!.pinnacleClose).toEqual(['2.4', '3.2', '3.2']);
  });

  it('reads both date formats, and the Time column as UK time', () => {
    const dates: Record<string, string | null> = {
      '13/08/05': '2005-08-13',
      '13/08/2005': '2005-08-13',
      '1/2/19': '2019-02-01',
      '29/02/2020': '2020-02-29',
      '29/02/2019': null,
      '2019-02-01': null,
    };
    for (const [text, date] of Object.entries(dates)) expect(parseFootballDataDate(text), text).toBe(date);
    const m = parseFootballDataCsv(ORIGINAL, 'E0_056.csv').matches;
    expect(m.map((x) => x.date)).toEqual(['2005-08-13', '2005-08-14', '2005-08-15', '2005-08-16']);
    // Without a Time column the kick-off is unknown: noon UTC stands in, and says so.
    expect(m[0]!.startTime).toBe('2005-08-13T12:00:00.000Z');
    expect(m[0]!.timeKnown).toBe(false);
    const t = parseFootballDataCsv(RESAVED_2019, 'F1_1920.csv').matches;
    // 19:45 BST in August = 18:45 UTC; 20:00 GMT in January = 20:00 UTC.
    expect(t.map((x) => x.startTime)).toEqual(['2019-08-09T18:45:00.000Z', '2020-01-25T20:00:00.000Z']);
    expect(londonToUtc('2020-03-29', '12:00')).toBe('2020-03-29T11:00:00.000Z');
    expect(londonToUtc('2020-03-28', '12:00')).toBe('2020-03-28T12:00:00.000Z');
    expect(londonToUtc('2019-10-27', '15:00')).toBe('2019-10-27T15:00:00.000Z');
  });

  it('skips the blank rows at the end of a file (and counts them)', () => {
    const parsed = parseFootballDataCsv(ORIGINAL, 'E0_056.csv');
    expect(parsed.matches).toHaveLength(4);
    expect(parsed.summary.blankRows).toBe(2);
    expect(csvLines('a,b\r\n1,2\r\n')).toEqual(['a,b', '1,2']);
    expect(splitCsvLine('x,"a, b","say ""hi""",')).toEqual(['x', 'a, b', 'say "hi"', '']);
  });

  it('reads results, seasons, the book count and Bb1X2 written as 50.0', () => {
    const m = parseFootballDataCsv(ORIGINAL.replace(',56,2.4,', ',56.0,2.4,'), 'E0_056.csv').matches;
    expect(m[0]!.opening.books).toBe(56);
    expect(m[2]!.opening.books).toBe(3);
    expect([m[0]!.homeGoals, m[0]!.awayGoals]).toEqual(['2', '2']);
    expect(seasonFromFileName('E0_056.csv')).toBe('2005/06');
    expect(seasonFromFileName('/x/D1_0910.csv')).toBe('2009/10');
    expect(seasonFromFileName('SP1_1920.csv')).toBe('2019/20');
    const warned = parseFootballDataCsv(ORIGINAL.replace('0,2,A,5.0', '0,2,H,5.0'), 'E0_056.csv');
    expect(warned.summary.warnings.join()).toMatch(/FTR H disagrees with 0-2/);
  });

  it('replays one frame per kick-off with events, aggregates, the closing line and results', () => {
    const parsed = [
      parseFootballDataCsv(ORIGINAL, 'E0_056.csv'),
      parseFootballDataCsv(RESAVED_2019, 'F1_1920.csv'),
    ];
    const replay = footballDataReplay(parsed, { books: false });
    const frames = [...replay.frames];
    expect(replay.matches).toBe(6);
    expect(frames.map((f) => f.at)).toEqual([
      '2005-08-13T11:59:00.000Z',
      '2005-08-14T11:59:00.000Z',
      '2005-08-15T11:59:00.000Z',
      '2005-08-16T11:59:00.000Z',
      '2019-08-09T18:44:00.000Z',
      '2020-01-25T19:59:00.000Z',
    ]);
    const first = frames[0]!;
    expect(first.events![0]!.participants.map((p) => p.name)).toEqual(['Aston Villa', 'Bolton']);
    expect(first.quotes).toEqual([]);
    expect(first.aggregates![0]!.outcomes.map((o) => [o.outcome, o.average, o.best])).toEqual([
      ['Aston Villa', '2.2', '2.4'],
      ['Draw', '3.16', '3.3'],
      ['Bolton', '3.05', '3.4'],
    ]);
    expect(first.closing!.map((q) => [q.bookmaker, q.outcome, q.price])).toEqual([
      ['pinnacle', 'Aston Villa', '2.4'],
      ['pinnacle', 'Draw', '3.2'],
      ['pinnacle', 'Bolton', '3.2'],
    ]);
    expect(first.results![0]!.result.scores).toEqual({ 'Aston Villa': '2', Bolton: '2' });
    // A missing cell leaves the aggregate without outcomes: the strategy sees "missing odds", not a zero.
    expect(frames[3]!.aggregates![0]!.outcomes).toEqual([]);
    // With books, every book's own quotes are on the board too; empty cells are simply absent.
    const withBooks = [...footballDataReplay(parsed, { books: true }).frames];
    expect(withBooks[2]!.quotes!.filter((q) => q.bookmaker === 'bet365').map((q) => q.outcome)).toEqual([
      'Arsenal',
      'Newcastle',
    ]);
  });

  it('with closing prices, matches of files without closing columns are skipped and counted', () => {
    const parsed = [
      parseFootballDataCsv(ORIGINAL, 'E0_056.csv'),
      parseFootballDataCsv(RESAVED_2019, 'F1_1920.csv'),
    ];
    const replay = footballDataReplay(parsed, { prices: 'closing', books: false });
    expect(replay.skipped).toEqual({ [NO_CLOSING_COLUMNS]: 4 });
    const frames = [...replay.frames];
    expect(frames).toHaveLength(2);
    expect(frames[0]!.aggregates![0]!.outcomes.map((o) => [o.average, o.best])).toEqual([
      ['3.33', '3.66'],
      ['3.51', '3.7'],
      ['2.15', '2.36'],
    ]);
    expect(() =>
      footballDataReplay([parseFootballDataCsv(RESAVED_2019, 'F1_1920.csv', { closing: false })], {
        prices: 'closing',
      }),
    ).toThrow(/closing/);
  });
});

const dir = sharedData('football-data');

describe.skipIf(dir === null)('football-data importer: the 75 real files', () => {
  it('reads every file with its quirks: blank rows, 2019/20 layout, F1_1920 cut short', () => {
    const names = readdirSync(dir!)
      .filter((n) => n.endsWith('.csv'))
      .sort();
    expect(names).toHaveLength(75);
    const parsed = readFootballDataFiles(names.map((n) => join(dir!, n)));
    const byName = new Map(parsed.map((p) => [p.summary.file, p.summary]));
    expect(byName.get('F1_1920.csv')!.matches).toBe(279);
    expect(byName.get('I1_1213.csv')!.blankRows).toBe(3);
    expect(byName.get('E0_1920.csv')!.aggregates).toBe('Avg/Max');
    expect(byName.get('E0_1819.csv')!.aggregates).toBe('BbAv/BbMx');
    expect(parsed.filter((p) => p.summary.hasClosing).map((p) => p.summary.season)).toEqual(
      Array(5).fill('2019/20'),
    );
    expect(parsed.reduce((n, p) => n + p.matches.length, 0)).toBe(27289);
    for (const p of parsed) expect(p.summary.warnings, p.summary.file).toEqual([]);
    // Every row of every file: the match count equals the non-blank lines after the header.
    for (const name of names) {
      const lines = readFileSync(join(dir!, name), 'utf8').split('\n').slice(1);
      const rows = lines.filter((l) => l.replace(/[,\s]/g, '') !== '').length;
      expect(byName.get(name)!.matches, name).toBe(rows);
    }
  });
});
