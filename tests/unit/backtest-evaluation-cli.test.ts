import Decimal from 'decimal.js';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestSummary } from '../../shared/backtest';
import { alphabet } from '../helpers/cli';
import { sharedData } from '../helpers/data';

// `alphabet backtest --clv-book consensus --baseline random --seed N`: the CLI side of issue 15's evaluation.

// One 2019/20-style match: three books' pre-match and closing 1X2 columns besides the market average/best.
const FILE = [
  'Div,Date,Time,HomeTeam,AwayTeam,FTHG,FTAG,FTR,B365H,B365D,B365A,BWH,BWD,BWA,PSH,PSD,PSA,MaxH,MaxD,MaxA,AvgH,AvgD,AvgA,' +
    'B365CH,B365CD,B365CA,BWCH,BWCD,BWCA,PSCH,PSCD,PSCA,MaxCH,MaxCD,MaxCA,AvgCH,AvgCD,AvgCA',
  'E0,10/08/2019,15:00,A,B,1,0,H,2.4,3.3,3.0,2.0,3.4,3.8,2.1,3.4,3.6,2.4,3.5,4.0,2.0,3.3,3.7,' +
    '2.0,3.5,4.0,2.1,3.4,3.6,2.05,3.5,3.9,2.1,3.5,4.0,2.03,3.45,3.8',
].join('\n');
const CLOSES = [
  ['2.0', '3.5', '4.0'],
  ['2.1', '3.4', '3.6'],
  ['2.05', '3.5', '3.9'],
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'alphabet-bt-eval-'));
  writeFileSync(join(dir, 'E0_1920.csv'), FILE);
});

const json = (stdout: string): BacktestSummary => JSON.parse(stdout) as BacktestSummary;

/** The consensus strategy over `dir`, CLV against the consensus close, as JSON. */
const consensusClv = (...options: string[]) =>
  alphabet(
    'backtest',
    '--strategy',
    'consensus',
    '--data',
    dir,
    '--clv-book',
    'consensus',
    ...options,
    '--json',
  );

describe(
  'alphabet backtest: consensus CLV, random baseline, per-book lines (CLI)',
  { timeout: 240_000 },
  () => {
    it('measures CLV against the books’ closing columns, devigged and averaged, even with no book on the board', async () => {
      // Consensus bets Home at the market best 2.4 (average 2.0 > 1/(0.5 − 0.05)); the board holds no book quotes.
      const r = await consensusClv();
      expect(r.stderr).toBe('');
      const out = json(r.stdout);
      const fair = CLOSES.map((prices) => {
        const implied = prices.map((p) => new Decimal(1).div(p));
        return implied[0]!.div(implied.reduce((a, b) => a.plus(b)));
      });
      const expected = new Decimal('2.4').mul(fair.reduce((a, b) => a.plus(b)).div(3)).minus(1);
      expect(out.bets).toBe(1);
      expect(out.clv.bets).toBe(1);
      expect(new Decimal(out.clv.mean!).toFixed(10)).toBe(expected.toFixed(10));
      expect(out.clvReference).toMatch(/^consensus close: .* at least 3 books/);
      // The market best names no book: no one-book warning for it.
      expect(out.warnings).toEqual([]);

      const four = await consensusClv('--clv-min-books', '4');
      expect(json(four.stdout).clv).toEqual({ bets: 0, mean: null, standardError: null });
    });

    it('--baseline random --seed: the baseline beside the strategy, per-book lines, in JSON, text and report', async () => {
      const args = ['backtest', '--strategy', 'value', '--data', dir, '--param', 'fairSource=consensus'];
      const more = [
        '--param',
        'minBooks=2',
        '--clv-book',
        'consensus',
        '--baseline',
        'random',
        '--seed',
        '1',
      ];
      const r = await alphabet(...args, ...more, '--json');
      expect(r.stderr).toBe('');
      const out = json(r.stdout);
      expect(out.bets).toBeGreaterThan(0);
      expect(out.baseline).toMatchObject({ kind: 'random', seed: 1, variant: 'matched', bets: out.bets });
      expect(Object.keys(out.baseline!.clv)).toEqual(['bets', 'mean', 'standardError']);
      expect(Object.keys(out.baseline!.uniform.clv)).toEqual(['bets', 'mean', 'standardError']);
      const lines = Object.values(out.byBookmaker);
      expect(lines.reduce((n, l) => n + l.bets, 0)).toBe(out.bets);
      expect(lines.reduce((a, l) => a.plus(l.profit), new Decimal(0)).eq(out.profit)).toBe(true);

      const reports = join(dir, 'reports');
      const text = await alphabet(...args, ...more, '--report', 'md', '--out', reports);
      expect(text.stdout).toMatch(/^random baseline \(seed 1\), matched: /m);
      const md = readFileSync(
        join(
          reports,
          readdirSync(reports).find((f) => f.endsWith('.md'))!,
        ),
        'utf8',
      );
      expect(md).toMatch(/## Random baseline \(seed 1\)/);
      expect(md).toMatch(/## By bookmaker/);
    });

    it('usage errors name the flag', async () => {
      const base = ['backtest', '--strategy', 'consensus', '--data', dir];
      const runs = await Promise.all([
        alphabet(...base, '--seed', '3'),
        alphabet(...base, '--clv-min-books', '3'),
        alphabet(...base, '--clv-book', 'consensus', '--clv-min-books', '0'),
        alphabet(...base, '--baseline', 'random', '--seed', 'x'),
      ]);
      for (const r of runs) expect(r.code, r.stderr).toBe(2);
      expect(runs[0].stderr).toMatch(/--seed belongs to --baseline random/);
      expect(runs[1].stderr).toMatch(
        /--clv-min-books belongs to --clv-book consensus \(got --clv-book pinnacle\)/,
      );
      expect(runs[2].stderr).toMatch(/--clv-min-books: expected a whole number of at least 1, got "0"/);
      expect(runs[3].stderr).toMatch(/--seed: expected a whole number, got "x"/);
    });

    it('real data: the NFL line changes give CLV against the consensus close and a baseline', async () => {
      const file = sharedData('the-odds-api', 'line-changes', 'nfl_line_changes.csv.gz');
      if (file === null) return;
      const r = await alphabet(
        ...['backtest', '--strategy', 'value', '--data', file, '--clv-book', 'consensus'],
        ...['--baseline', 'random', '--seed', '1', '--json', '--no-progress'],
      );
      expect(r.code, r.stderr).toBe(0);
      const out = json(r.stdout);
      expect(out.bets).toEqual(expect.any(Number));
      expect(out.clv).toEqual({
        bets: expect.any(Number),
        mean: expect.any(String),
        standardError: expect.any(String),
      });
      expect(out.clv.bets).toBeGreaterThan(0);
      expect(out.baseline!.clv.bets).toBeGreaterThan(0);
      // Random prices lose about the margin: the uniform baseline's mean CLV is negative.
      expect(Number(out.baseline!.uniform.clv.mean)).toBeLessThan(0);
    });
  },
);
