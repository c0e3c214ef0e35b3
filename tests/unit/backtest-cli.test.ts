import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { alphabet } from '../helpers/cli';

// Two tiny seasons: one in the original layout, one 2019/20-style with closing columns.
const OLD = [
  'Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,FTR,Bb1X2,BbMxH,BbAvH,BbMxD,BbAvD,BbMxA,BbAvA,PSCH,PSCD,PSCA',
  'E0,13/08/05,A,B,2,0,H,40,2.4,2.0,3.5,3.3,4.0,3.7,2.0,3.6,4.2',
  'E0,14/08/05,C,D,0,0,D,40,2.1,2.0,3.6,3.3,4.0,3.7,,,',
  'E0,15/08/05,E,F,1,0,H,2,2.9,2.0,3.5,3.3,4.0,3.7,,,',
  'E0,16/08/05,G,H,0,1,A,40,,2.0,3.5,3.3,4.0,3.7,,,',
  ',,,,,,,,,,,,,,,,',
].join('\n');
const NEW = [
  'Div,Date,Time,HomeTeam,AwayTeam,FTHG,FTAG,FTR,MaxH,MaxD,MaxA,AvgH,AvgD,AvgA,MaxCH,MaxCD,MaxCA,AvgCH,AvgCD,AvgCA',
  'E0,09/08/2019,20:00,Liverpool,Norwich,4,1,H,1.2,8.0,17.0,1.15,7.5,15.5,1.2,8.0,19.0,1.15,7.6,15.0',
].join('\n');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'alphabet-bt-cli-'));
  writeFileSync(join(dir, 'E0_056.csv'), OLD);
  writeFileSync(join(dir, 'E0_1920.csv'), NEW);
});

describe('alphabet backtest / report (CLI)', { timeout: 240_000 }, () => {
  it('prints the consensus figures as JSON: money as decimal strings, skips counted', async () => {
    const r = await alphabet('backtest', '--strategy', 'consensus', '--data', join(dir, '*.csv'), '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(out).slice(0, 6)).toEqual(['matches', 'bets', 'wins', 'hitRate', 'profit', 'yield']);
    // Match 1: Home avg 2.0 best 2.4 > 1/0.45 → bet, won: +1.4. Match 2: best 2.1 → nothing.
    // Match 3: 2 books ≤ 3 → skipped. Match 4: an empty cell → missing odds. Liverpool: avg 15.5, best 17 > 1/(1/15.5 − .05) = 68.9? no.
    expect(out).toMatchObject({
      matches: 5,
      bets: 1,
      wins: 1,
      hitRate: '1',
      profit: '1.4',
      yield: '1.4',
      turnover: '1',
    });
    expect(out.skipped).toEqual({ 'missing odds': 1, 'books <= minBooks': 1, 'no outcome qualifies': 2 });
    expect(out.clv).toEqual({ bets: 1, mean: expect.any(String), standardError: null });
    expect(out.data).toMatchObject({
      source: 'football-data.co.uk match files',
      files: 2,
      blankRowsSkipped: 1,
    });
  });

  it('--closing: matches in files without closing columns are reported as skipped', async () => {
    const r = await alphabet(
      'backtest',
      '--strategy',
      'consensus',
      '--data',
      join(dir, '*.csv'),
      '--closing',
      '--alpha',
      '0.01',
      '--json',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.matches).toBe(5);
    expect(out.evaluated).toBe(1);
    expect(out.skipped['no closing odds columns (AvgC/MaxC, from 2019/20) in the file']).toBe(4);
    expect(out.data.filesWithoutClosingColumns).toBe(1);
  });

  it('writes a report, and `alphabet report` reads it back', async () => {
    const out = join(dir, 'reports');
    const b = await alphabet(
      'backtest',
      '--strategy',
      'consensus',
      '--data',
      dir,
      '--report',
      'md',
      '--out',
      out,
    );
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/^consensus: 5 matches/);
    expect(readdirSync(out).sort()).toEqual([
      expect.stringMatching(/^backtest-consensus-.*-bankroll\.svg$/),
      expect.stringMatching(/^backtest-consensus-.*\.json$/),
      expect.stringMatching(/^backtest-consensus-.*\.md$/),
    ]);
    const r = await alphabet('report', '--strategy', 'consensus', '--dir', out, '--format', 'html', '--json');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.source).toMatch(/^backtest results .*\.json \(created /);
    expect(rep.report).toMatch(/\.html$/);
    expect(rep.summary.profit).toBe('1.4');
  });

  it('usage errors are one line and exit 2', async () => {
    const runs = await Promise.all([
      alphabet('backtest', '--strategy', 'consensus', '--json'),
      alphabet('backtest', '--strategy', 'arbitrage', '--alpha', '0.1', '--data', dir),
      alphabet('backtest', '--strategy', 'consensus', '--data', join(dir, 'nothing-*.csv')),
      alphabet('backtest', '--strategy', 'consensus', '--alpha', '1.5', '--data', dir),
      alphabet('report', '--strategy', 'nobody', '--dir', join(dir, 'empty')),
      alphabet('backtest', '--strategy', 'martingale', '--data', dir),
    ]);
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^alphabet: /);
    }
    expect(runs[0].stderr).toMatch(/--data/);
    expect(runs[1].stderr).toMatch(/--alpha and --min-books belong to --strategy consensus/);
    expect(runs[2].stderr).toMatch(/no file matches/);
    expect(runs[3].stderr).toMatch(/alpha/);
    expect(runs[4].stderr).toMatch(/no backtest results for nobody/);
    expect(runs[5].stderr).toMatch(
      /^alphabet: --strategy: unknown strategy type "martingale" \(known: arbitrage, value, steam, consensus\)/,
    );
  });
});
