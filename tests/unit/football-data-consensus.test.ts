import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestCliResult } from '../../cli/commands/backtest';
import { backtestCommand } from '../helpers/backtest';
import { sharedData } from '../helpers/data';

/**
 * The consensus backtest over every football-data file, checked against an independent "spreadsheet"
 * computation written as plainly as possible and sharing no code with the engine: split each file on
 * newlines and commas, look the columns up by name, and do the arithmetic in whole numbers (odds × 10,000
 * as BigInt; alpha = 5/100), so nothing is ever rounded.
 *
 * The rule: p = 1/average; a bet when best > 1/(p − alpha) (never when p − alpha ≤ 0); on the outcome with
 * the largest (p − alpha)·best − 1 (the first of H, D, A on a tie); a match is skipped when any of its six
 * average/best cells is empty, or when Bb1X2 says 3 books or fewer. Stake 1 at the best price: a win pays
 * best − 1, a loss costs 1.
 */

const dir = sharedData('football-data');
const SCALE = 10_000n;
const ALPHA_NUM = 5n;
const ALPHA_DEN = 100n;

/** "2.37" → 23700n (odds × 10,000); fails the test on anything with more than 4 decimals. */
function toUnits(text: string): bigint {
  const [whole, frac = ''] = text.trim().split('.');
  if (frac.length > 4 || !/^\d+$/.test(whole!) || !/^\d*$/.test(frac))
    throw new Error(`cannot read odds "${text}"`);
  return BigInt(whole!) * SCALE + BigInt(frac.padEnd(4, '0'));
}

/** 164100n → "16.41" (units of 1/10,000 as a decimal string, trailing zeros dropped). */
function unitsToDecimal(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / SCALE;
  const frac = (abs % SCALE).toString().padStart(4, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac === '' ? '' : `.${frac}`}`;
}

interface Tally {
  matches: number;
  bets: number;
  wins: number;
  profit: bigint;
  missingOdds: number;
  fewBooks: number;
  noClosingColumns: number;
}

function emptyTally(): Tally {
  return { matches: 0, bets: 0, wins: 0, profit: 0n, missingOdds: 0, fewBooks: 0, noClosingColumns: 0 };
}

function spreadsheet(file: string, closing: boolean): Tally {
  const t = emptyTally();
  const lines = readFileSync(file, 'utf8')
    .replace(/^\uFEFF/, '')
    .split('\n');
  const header = lines[0]!.replace(/\r$/, '').split(',');
  const col = (name: string): number => header.indexOf(name);
  let avg: number[];
  let max: number[];
  if (closing) {
    avg = [col('AvgCH'), col('AvgCD'), col('AvgCA')];
    max = [col('MaxCH'), col('MaxCD'), col('MaxCA')];
  } else if (col('BbAvH') >= 0) {
    avg = [col('BbAvH'), col('BbAvD'), col('BbAvA')];
    max = [col('BbMxH'), col('BbMxD'), col('BbMxA')];
  } else {
    avg = [col('AvgH'), col('AvgD'), col('AvgA')];
    max = [col('MaxH'), col('MaxD'), col('MaxA')];
  }
  const books = col('Bb1X2');
  const result = col('FTR');
  const noColumns = avg.some((c) => c < 0) || max.some((c) => c < 0);
  for (const raw of lines.slice(1)) {
    const cells = raw.replace(/\r$/, '').split(',');
    if (cells.every((c) => c.trim() === '')) continue;
    t.matches++;
    if (noColumns) {
      t.noClosingColumns++;
      continue;
    }
    if ([...avg, ...max].some((c) => (cells[c] ?? '').trim() === '')) {
      t.missingOdds++;
      continue;
    }
    if (books >= 0 && (cells[books] ?? '').trim() !== '' && Number(cells[books]) <= 3) {
      t.fewBooks++;
      continue;
    }
    // Score of outcome k as a fraction num/den (den > 0): ((100S − 5A)·M − 100·A·S) / (100·A·S).
    let pick = -1;
    let pickNum = 0n;
    let pickDen = 1n;
    for (let k = 0; k < 3; k++) {
      const a = toUnits(cells[avg[k]!]!);
      const m = toUnits(cells[max[k]!]!);
      const lead = ALPHA_DEN * SCALE - ALPHA_NUM * a; // (p − alpha) · 100·A, in units
      if (lead <= 0n) continue; // p − alpha ≤ 0: never qualifies
      if (!(m * lead > ALPHA_DEN * SCALE * a)) continue; // best > 1/(p − alpha)
      const num = lead * m - ALPHA_DEN * a * SCALE;
      const den = ALPHA_DEN * a * SCALE;
      if (pick < 0 || num * pickDen > pickNum * den) {
        pick = k;
        pickNum = num;
        pickDen = den;
      }
    }
    if (pick < 0) continue;
    t.bets++;
    if (cells[result]!.trim() === 'HDA'[pick]) {
      t.wins++;
      t.profit += toUnits(cells[max[pick]!]!) - SCALE;
    } else {
      t.profit -= SCALE;
    }
  }
  return t;
}

function add(into: Tally, t: Tally): void {
  for (const key of ['matches', 'bets', 'wins', 'missingOdds', 'fewBooks', 'noClosingColumns'] as const)
    into[key] += t[key];
  into.profit += t.profit;
}

/** "E0_0910.csv" → league "E0", season "2009/10". */
function labels(name: string): { league: string; season: string } {
  const [league, code] = name.replace('.csv', '').split('_') as [string, string];
  const start = 2000 + Number(code.slice(0, 2));
  return { league, season: `${start}/${String((start + 1) % 100).padStart(2, '0')}` };
}

function independent(closing: boolean): {
  total: Tally;
  byLeague: Map<string, Tally>;
  bySeason: Map<string, Tally>;
} {
  const total = emptyTally();
  const byLeague = new Map<string, Tally>();
  const bySeason = new Map<string, Tally>();
  for (const name of readdirSync(dir!)
    .filter((n) => n.endsWith('.csv'))
    .sort()) {
    const t = spreadsheet(join(dir!, name), closing);
    add(total, t);
    const { league, season } = labels(name);
    if (!byLeague.has(league)) byLeague.set(league, emptyTally());
    if (!bySeason.has(season)) bySeason.set(season, emptyTally());
    add(byLeague.get(league)!, t);
    add(bySeason.get(season)!, t);
  }
  return { total, byLeague, bySeason };
}

function engine(closing: boolean): Promise<BacktestCliResult> {
  return backtestCommand({ strategy: 'consensus', data: [join(dir!, '*.csv')], closing });
}

describe.skipIf(dir === null)(
  'consensus over all 75 football-data files = an independent spreadsheet computation',
  () => {
    for (const closing of [false, true]) {
      describe(closing ? '--closing (2019/20 files only)' : 'default (pre-match average/best)', () => {
        let expected: ReturnType<typeof independent>;
        let actual: BacktestCliResult;
        beforeAll(async () => {
          expected = independent(closing);
          actual = await engine(closing);
        });

        it('reads every match of the 75 files', () => {
          expect(readdirSync(dir!).filter((n) => n.endsWith('.csv'))).toHaveLength(75);
          expect(actual.summary.matches).toBe(expected.total.matches);
        });

        it('bets, wins and profit agree exactly', () => {
          const s = actual.summary;
          expect({ bets: s.bets, wins: s.wins, profit: s.profit }).toEqual({
            bets: expected.total.bets,
            wins: expected.total.wins,
            profit: unitsToDecimal(expected.total.profit),
          });
          expect(s.turnover).toBe(String(expected.total.bets));
          expect(s.losses).toBe(expected.total.bets - expected.total.wins);
        });

        it('agree per league and per season too', () => {
          for (const [groups, mine] of [
            [actual.summary.byLeague!, expected.byLeague],
            [actual.summary.bySeason!, expected.bySeason],
          ] as const) {
            for (const [key, t] of mine) {
              const line = groups[key];
              if (t.bets === 0) {
                expect(line).toBeUndefined();
                continue;
              }
              expect({ key, bets: line!.bets, wins: line!.wins, profit: line!.profit }).toEqual({
                key,
                bets: t.bets,
                wins: t.wins,
                profit: unitsToDecimal(t.profit),
              });
            }
          }
        });

        it('counts the matches it skipped, by reason', () => {
          const skipped = actual.summary.skipped;
          const n = (reason: string): number => skipped[reason] ?? 0;
          expect(n('missing odds')).toBe(expected.total.missingOdds);
          expect(n('books <= minBooks')).toBe(expected.total.fewBooks);
          expect(n('no closing odds columns (AvgC/MaxC, from 2019/20) in the file')).toBe(
            expected.total.noClosingColumns,
          );
          expect(
            n('no outcome qualifies') + actual.summary.bets + n('missing odds') + n('books <= minBooks'),
          ).toBe(expected.total.matches - expected.total.noClosingColumns);
        });
      });
    }

    it('the figures reported in the issue hand-off', async () => {
      // Pinned so a change in any layer shows up here as well as in the comparison above.
      const open = await engine(false);
      expect([open.summary.matches, open.summary.bets, open.summary.wins, open.summary.profit]).toEqual([
        27289,
        494,
        243,
        '16.41',
      ]);
      const close = await engine(true);
      expect([close.summary.evaluated, close.summary.bets, close.summary.wins, close.summary.profit]).toEqual(
        [1725, 48, 28, '-1.47'],
      );
    });
  },
);
