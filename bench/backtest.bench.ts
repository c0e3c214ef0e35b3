/**
 * Backtest throughput: the consensus strategy (Kaunitz et al.) over every football-data file in
 * ../shared/data/football-data (75 files, ~27,000 matches): parse + replay through the strategy engine +
 * settlement + metrics, end to end, against a naive baseline in the same run (every row split into a
 * record, every price a Decimal, the rule evaluated with Decimal only, no board, no engine). Both must give
 * the same bets, wins and profit. Prints matches per second for both, the ratio, CPU time and the goal
 * (all files in under 2 s).
 *
 *   node --import tsx bench/backtest.bench.ts [--runs 5] [--books]
 *
 * --books also loads every bookmaker's own quotes onto the board (what value/arbitrage strategies need).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { sharedDataDir } from '../config/paths';
import { readFootballDataFiles } from '../activities/backtest/football-data';
import { footballDataReplay } from '../shared/readers/football-data-replay';
import { computeMetrics, fromDefinition, runBacktest } from '../shared/backtest';
import { consensusStrategy } from '../shared/strategies/consensus';

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1] ?? 5) || 5;
const BOOKS = args.includes('--books');
const GOAL_MS = 2_000;

const dir = join(sharedDataDir(), 'football-data');
let paths: string[];
try {
  paths = readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .map((f) => join(dir, f));
} catch {
  process.stdout.write(`skipping: ${dir} is absent (the team's data folder; set ALPHABET_SHARED_DATA)\n`);
  process.exit(0);
}

interface Outcome {
  matches: number;
  bets: number;
  wins: number;
  profit: string;
  drawdown: string;
}

function optimized(): Outcome {
  const parsed = readFootballDataFiles(paths, { books: BOOKS, closing: false });
  const replay = footballDataReplay(parsed, { prices: 'opening', books: BOOKS });
  const run = runBacktest(replay.frames, [fromDefinition(consensusStrategy, {}, 'consensus')]);
  const m = computeMetrics(run.bets);
  return {
    matches: replay.matches,
    bets: m.bets,
    wins: m.wins,
    profit: m.profit.toFixed(),
    drawdown: m.drawdown.amount.toFixed(),
  };
}

/** The plainest correct program: records of strings, Decimal everywhere, matches in date order. */
function naive(): Outcome {
  const alpha = new Decimal('0.05');
  const rows: { key: string; r: Record<string, string> }[] = [];
  for (const p of paths) {
    const lines = readFileSync(p, 'utf8')
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/);
    const header = lines[0]!.split(',');
    lines.slice(1).forEach((line, i) => {
      const fields = line.split(',');
      if (fields.every((f) => f.trim() === '')) return;
      const r: Record<string, string> = {};
      header.forEach((h, k) => (r[h] = fields[k] ?? ''));
      const [d, mo, y] = r.Date!.split('/');
      const year = y!.length === 2 ? `20${y}` : y!;
      rows.push({
        key: `${year}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')} ${r.Time ?? ''} ${p} ${String(i).padStart(5, '0')}`,
        r,
      });
    });
  }
  rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let bets = 0;
  let wins = 0;
  let profit = new Decimal(0);
  let peak = new Decimal(100);
  let drawdown = new Decimal(0);
  for (const { r } of rows) {
    const avg = r.BbAvH !== undefined ? ['BbAvH', 'BbAvD', 'BbAvA'] : ['AvgH', 'AvgD', 'AvgA'];
    const max = r.BbMxH !== undefined ? ['BbMxH', 'BbMxD', 'BbMxA'] : ['MaxH', 'MaxD', 'MaxA'];
    if ([...avg, ...max].some((c) => (r[c] ?? '') === '')) continue;
    if (r.Bb1X2 !== undefined && r.Bb1X2 !== '' && new Decimal(r.Bb1X2).lte(3)) continue;
    let best = -1;
    let bestScore = new Decimal(0);
    for (let k = 0; k < 3; k++) {
      const p = new Decimal(1).div(new Decimal(r[avg[k]!]!)).minus(alpha);
      if (p.lte(0)) continue;
      const m = new Decimal(r[max[k]!]!);
      if (!m.gt(new Decimal(1).div(p))) continue;
      const score = p.mul(m).minus(1);
      if (best < 0 || score.gt(bestScore)) {
        best = k;
        bestScore = score;
      }
    }
    if (best < 0) continue;
    bets++;
    if ('HDA'[best] === r.FTR) {
      wins++;
      profit = profit.plus(new Decimal(r[max[best]!]!).minus(1));
    } else profit = profit.minus(1);
    const bankroll = profit.plus(100);
    if (bankroll.gt(peak)) peak = bankroll;
    if (peak.minus(bankroll).gt(drawdown)) drawdown = peak.minus(bankroll);
  }
  return { matches: rows.length, bets, wins, profit: profit.toFixed(), drawdown: drawdown.toFixed() };
}

function measure(label: string, fn: () => Outcome): { out: Outcome; wall: number; cpu: number } {
  const walls: number[] = [];
  const cpus: number[] = [];
  let out: Outcome | null = null;
  for (let i = 0; i < RUNS; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    out = fn();
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const wall = median(walls);
  const cpu = median(cpus);
  process.stdout.write(
    `${label.padEnd(10)} ${(out!.matches / (wall / 1000)).toFixed(0).padStart(8)} matches/s   ${(wall / 1000).toFixed(3)} s wall (median of ${RUNS}; first ${(walls[0]! / 1000).toFixed(3)} s)   ${(cpu / 1000).toFixed(3)} s CPU\n`,
  );
  return { out: out!, wall, cpu };
}

process.stdout.write(
  `consensus (alpha 0.05, minBooks 3) over ${paths.length} football-data files${BOOKS ? ', every book on the board' : ''}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on this machine\n`,
);
const fast = measure('optimized', optimized);
const slow = measure('naive', naive);
assert.equal(fast.out.bets, slow.out.bets, 'bets differ');
assert.equal(fast.out.wins, slow.out.wins, 'wins differ');
assert.equal(fast.out.profit, slow.out.profit, 'profit differs');
assert.equal(fast.out.drawdown, slow.out.drawdown, 'drawdown differs');
process.stdout.write(
  `both: ${fast.out.matches} matches, ${fast.out.bets} bets, ${fast.out.wins} wins, profit ${fast.out.profit}, max drawdown ${fast.out.drawdown}\n` +
    `ratio: optimized is ${(slow.wall / fast.wall).toFixed(2)}× the naive baseline (wall), ${(slow.cpu / fast.cpu).toFixed(2)}× (CPU)\n` +
    `goal: all ${paths.length} files in under ${GOAL_MS / 1000} s: ${fast.wall < GOAL_MS ? 'met' : 'NOT met'} (${(fast.wall / 1000).toFixed(3)} s)\n`,
);
