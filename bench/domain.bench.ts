/**
 * Odds-math throughput on a whole board: 20,000 events × 10 books × 5 markets = 1,000,000 quotes (one quote
 * = one bookmaker's line on one market; 2-way and 3-way markets, so ~2.2M prices). Finds every arbitrage and
 * devigs every line twice — the optimized path (columnar index, float64 screen, exact Decimal confirmation)
 * and a straightforward all-Decimal baseline (Map grouping, the public Decimal API) — asserts they agree,
 * and prints quotes per second for both, the ratio and peak RSS.
 *
 *   node --import tsx bench/domain.bench.ts [--baseline-share 0.25]
 *
 * The full all-Decimal baseline takes 60-100 s here, so by default it runs on the first 20% of the events and
 * is extrapolated (printed as such); --baseline-share 1 runs it on the whole board.
 */
import assert from 'node:assert/strict';
import {
  indexQuotes,
  devig,
  findArbitrage,
  scanQuotes,
  type ArbitrageSolution,
  type KeyedQuote,
  type D,
  type ScanOptions,
} from '../shared/math';
import { marketKeyString } from '../shared/entities';
import { mulberry32 } from '../shared/random';
import { LiveBoardIndex, type LiveEntry } from '../shared/strategies/live-index';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const EVENTS = 20_000;
const BOOKS = 10;
const MARKETS_PER_EVENT = 5;
const QUOTES = EVENTS * BOOKS * MARKETS_PER_EVENT;
const NOW = 1_750_000_000_000;
const SEED = 0x5eed_2024;
const OPTIMIZED_RUNS = 5;
const DEFAULT_BASELINE_SHARE = 0.2;

const prng = mulberry32;

interface MarketSpec {
  key: string;
  outcomes: string[];
  probabilities: number[];
}

const h2h = (eventId: string, period: string): string =>
  marketKeyString({ eventId, marketType: 'h2h', period, line: null });

/** The board, or with `sink` each event's quotes handed over as generated (none kept: the live-board mode). */
function generateBoard(sink?: (quotes: KeyedQuote[]) => void): {
  quotes: KeyedQuote[];
  markets: number;
  injected: number;
} {
  const random = prng(SEED);
  const books = Array.from({ length: BOOKS }, (_, b) => `book${b}`);
  const quotes: KeyedQuote[] = [];
  let injected = 0;
  for (let e = 0; e < EVENTS; e++) {
    const event = `ev${e}`;
    const soccer = e % 2 === 0;
    const threeWay = (): number[] => {
      const home = 0.25 + random() * 0.35;
      const draw = 0.2 + random() * 0.1;
      return [home, draw, 1 - home - draw];
    };
    const twoWay = (): number[] => {
      const p = 0.2 + random() * 0.6;
      return [p, 1 - p];
    };
    // Soccer has a draw.
    const matchWinner = (period: string): MarketSpec =>
      soccer
        ? { key: h2h(event, period), outcomes: ['home', 'draw', 'away'], probabilities: threeWay() }
        : { key: h2h(event, period), outcomes: ['home', 'away'], probabilities: twoWay() };
    const total = 2.5 + Math.floor(random() * 3);
    const spread = -(0.5 + Math.floor(random() * 3));
    const markets: MarketSpec[] = [
      matchWinner('full'),
      {
        key: marketKeyString({ eventId: event, marketType: 'totals', period: 'full', line: String(total) }),
        outcomes: ['over', 'under'],
        probabilities: twoWay(),
      },
      {
        key: marketKeyString({
          eventId: event,
          marketType: 'spreads',
          period: 'full',
          line: String(-spread),
        }),
        outcomes: ['home', 'away'],
        probabilities: twoWay(),
      },
      {
        key: marketKeyString({ eventId: event, marketType: 'totals', period: '1h', line: String(total - 1) }),
        outcomes: ['over', 'under'],
        probabilities: twoWay(),
      },
      matchWinner('1h'),
    ];
    // About 0.5% of markets get one mispriced line: a deliberate arbitrage.
    const boosts = markets.map(() => (random() < 0.005 ? Math.floor(random() * BOOKS) : -1));
    injected += boosts.filter((b) => b >= 0).length;
    for (let b = 0; b < BOOKS; b++) {
      const margin = 0.03 + random() * 0.05;
      markets.forEach((m, mi) => {
        const boosted = boosts[mi] === b;
        m.outcomes.forEach((outcome, oi) => {
          const noise = 1 + (random() - 0.5) * 0.04;
          let fair = 1 / (m.probabilities[oi]! * (1 + margin) * noise);
          if (boosted && oi === 0) fair *= 1.08;
          const price = Math.max(1.01, Math.floor(fair * 100) / 100).toFixed(2);
          quotes.push({
            market: m.key,
            bookmaker: books[b]!,
            outcome,
            price,
            observedAt: NOW - Math.floor(random() * 70_000),
          });
        });
      });
    }
    if (sink) sink(quotes.splice(0));
  }
  return { quotes, markets: EVENTS * MARKETS_PER_EVENT, injected };
}

interface PathResult {
  arbitrages: ArbitrageSolution[];
  seconds: number;
}

/** The straightforward path: group with a Map, then the public Decimal API for every market and every line. */
function baseline(quotes: readonly KeyedQuote[], options: ScanOptions, fair: (D | undefined)[]): PathResult {
  const start = performance.now();
  const groups = new Map<string, number[]>();
  quotes.forEach((q, i) => {
    const list = groups.get(q.market);
    if (list) list.push(i);
    else groups.set(q.market, [i]);
  });
  const arbitrages: ArbitrageSolution[] = [];
  for (const [key, indices] of groups) {
    const market = indices.map((i) => quotes[i]!);
    const found = findArbitrage(key, market, options);
    if (found) arbitrages.push(found);
    const outcomes = new Set(market.map((q) => q.outcome)).size;
    const lines = new Map<string, number[]>();
    for (const i of indices) {
      const line = lines.get(quotes[i]!.bookmaker);
      if (line) line.push(i);
      else lines.set(quotes[i]!.bookmaker, [i]);
    }
    for (const line of lines.values()) {
      if (line.length !== outcomes || new Set(line.map((i) => quotes[i]!.outcome)).size !== outcomes)
        continue;
      const r = devig(
        line.map((i) => quotes[i]!.price),
        'multiplicative',
      );
      line.forEach((i, k) => (fair[i] = r.probabilities[k]));
    }
  }
  return { arbitrages, seconds: (performance.now() - start) / 1000 };
}

/** CPU seconds (user + system, all threads) since `start`: steadier than wall time on a shared machine. */
function cpuSeconds(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function rate(count: number, seconds: number): string {
  return `${Math.round(count / seconds).toLocaleString('en-US')}/s`;
}

function main(): void {
  const shareArg = process.argv.indexOf('--baseline-share');
  const share = shareArg > 0 ? Number(process.argv[shareArg + 1]) : DEFAULT_BASELINE_SHARE;
  assert.ok(share > 0 && share <= 1, '--baseline-share must be in (0, 1]');

  let t = performance.now();
  const { quotes, markets, injected } = generateBoard();
  const prices = quotes.length;
  console.log(
    `board: ${QUOTES.toLocaleString('en-US')} quotes (${EVENTS} events × ${BOOKS} books × ${MARKETS_PER_EVENT} markets), ` +
      `${prices.toLocaleString('en-US')} prices, ${markets.toLocaleString('en-US')} markets, ${injected} injected arbs ` +
      `(generated in ${((performance.now() - t) / 1000).toFixed(1)} s)`,
  );
  const options: ScanOptions = { now: NOW, staleAfterMs: 60_000, devig: 'multiplicative' };

  // Optimized: index (intern keys, parse prices, group) + scan (screen, confirm, devig). The first run
  // allocates (cold); later runs recycle the previous board's buffers as a periodic scanner would (steady).
  const buildTimes: number[] = [];
  const scanTimes: number[] = [];
  let board = indexQuotes(quotes.slice(0, 1000));
  let scan = scanQuotes(board, options); // warm-up
  let cold = 0;
  const cpuTimes: number[] = [];
  for (let run = 0; run <= OPTIMIZED_RUNS; run++) {
    const cpu = process.cpuUsage();
    t = performance.now();
    board = indexQuotes(quotes, run === 0 ? {} : { reuse: board });
    const built = performance.now();
    scan = scanQuotes(board, run === 0 ? options : { ...options, fairInto: scan.fair });
    const done = performance.now();
    if (run === 0) {
      cold = (done - t) / 1000;
      continue;
    }
    cpuTimes.push(cpuSeconds(cpu));
    buildTimes.push((built - t) / 1000);
    scanTimes.push((done - built) / 1000);
  }
  const build = median(buildTimes);
  const scanOnly = median(scanTimes);
  const optimized = build + scanOnly;

  // Baseline: all Decimal, Map grouping, on the whole board unless a share was asked for.
  const cut =
    share === 1 ? prices : quotes.findIndex((q) => q.market.startsWith(`ev${Math.floor(EVENTS * share)}|`));
  const subset = quotes.slice(0, cut);
  const baselineFair: (D | undefined)[] = new Array<D | undefined>(subset.length);
  const baseCpu = process.cpuUsage();
  const base = baseline(subset, options, baselineFair);
  const baselineCpu = cpuSeconds(baseCpu) * (prices / subset.length);
  const baselineQuotesCount = QUOTES * (subset.length / prices);
  const baselineSeconds = base.seconds * (QUOTES / baselineQuotesCount);

  // Both paths must agree: the same arbitrages, exactly, and the same fair probabilities.
  const subsetKeys = new Set(subset.map((q) => q.market));
  const optimizedArbs = scan.arbitrages.filter((a) => subsetKeys.has(a.marketKey!));
  assert.deepEqual(
    optimizedArbs.map((a) => [
      a.marketKey,
      a.profit,
      a.legs.map((l) => `${l.bookmaker}@${l.price}`).join(' '),
    ]),
    base.arbitrages.map((a) => [
      a.marketKey,
      a.profit,
      a.legs.map((l) => `${l.bookmaker}@${l.price}`).join(' '),
    ]),
    'optimized and baseline paths found different arbitrages',
  );
  let maxDiff = 0;
  let devigged = 0;
  for (let i = 0; i < subset.length; i++) {
    const exact = baselineFair[i];
    const fast = scan.fair[i]!;
    assert.equal(exact === undefined, Number.isNaN(fast), `quote ${i} devigged by one path only`);
    if (exact === undefined) continue;
    devigged++;
    maxDiff = Math.max(maxDiff, Math.abs(exact.toNumber() - fast));
  }
  assert.ok(maxDiff < 1e-12, `fair probabilities differ by ${maxDiff}`);

  // Informational: the same scan devigging every line with Shin (iterative root finding) instead.
  t = performance.now();
  const shin = scanQuotes(indexQuotes(quotes, { reuse: board }), { ...options, devig: 'shin' });
  const shinSeconds = (performance.now() - t) / 1000;
  assert.equal(shin.arbitrages.length, scan.arbitrages.length);

  const suspect = scan.arbitrages.filter((a) => a.suspect).length;
  const peakRss = process.resourceUsage().maxRSS / 1024;
  console.log(
    `arbitrages: ${scan.arbitrages.length} on the board (${suspect} suspect), ${scan.candidates} float candidates confirmed ` +
      `exactly; ${base.arbitrages.length} found identically by both paths on the baseline's ${share === 1 ? 'full board' : 'share'}`,
  );
  console.log(
    `devig: ${scan.lines.toLocaleString('en-US')} lines (multiplicative); ${devigged.toLocaleString('en-US')} fair ` +
      `probabilities compared with the Decimal path, max |float − Decimal| = ${maxDiff.toExponential(2)}`,
  );
  console.log(
    `optimized: ${rate(QUOTES, optimized)} quotes (${rate(prices, optimized)} prices), ` +
      `${(optimized * 1000).toFixed(0)} ms = index ${(build * 1000).toFixed(0)} ms + scan ${(scanOnly * 1000).toFixed(0)} ms ` +
      `(median of ${OPTIMIZED_RUNS} steady runs); scan alone ${rate(QUOTES, scanOnly)} quotes`,
  );
  console.log(
    `           cold first run (fresh buffers): ${rate(QUOTES, cold)} quotes, ${(cold * 1000).toFixed(0)} ms`,
  );
  console.log(
    `baseline:  ${rate(QUOTES, baselineSeconds)} quotes (${rate(prices, baselineSeconds)} prices), ${baselineSeconds.toFixed(1)} s` +
      (share === 1
        ? ' (full board, one run)'
        : ` EXTRAPOLATED from ${subset.length.toLocaleString('en-US')} prices (${(share * 100).toFixed(0)}% of events) in ${base.seconds.toFixed(1)} s`),
  );
  console.log(
    `ratio:     ${(baselineSeconds / optimized).toFixed(1)}× faster (end to end), ${(baselineSeconds / scanOnly).toFixed(0)}× (scan alone)`,
  );
  const optimizedCpu = median(cpuTimes);
  console.log(
    `cpu time:  optimized ${rate(QUOTES, optimizedCpu)} quotes per CPU-second, baseline ${rate(QUOTES, baselineCpu)} ` +
      `(ratio ${(baselineCpu / optimizedCpu).toFixed(1)}×); wall figures above drop when other processes share the 2 cores`,
  );
  console.log(
    `shin:      optimized scan devigging every line with Shin: ${rate(QUOTES, shinSeconds)} quotes (index + scan, one run)`,
  );
  console.log(`peak RSS:  ${peakRss.toFixed(0)} MB`);
  // The strategy workers' live board holding the same board, in a fresh process (its own peak RSS).
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--expose-gc', fileURLToPath(import.meta.url), '--live-board'],
    { stdio: 'inherit' },
  );
  if (child.status !== 0) throw new Error(`live-board run exited with ${child.status ?? child.signal}`);
}

/**
 * The live board (shared/strategies/live-index.ts) indexing the same 1,000,000 quotes, fed event by event
 * as market hashes the way the worker gets them from Redis: RSS kept per quote, and the process's peak.
 */
function liveBoardMemory(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().rss;
  const index = new LiveBoardIndex();
  const t = performance.now();
  const observedAt = new Date(NOW).toISOString();
  let lines = 0;
  generateBoard((quotes) => {
    const hashes = new Map<string, Record<string, LiveEntry>>();
    for (const q of quotes) {
      let h = hashes.get(q.market);
      if (!h) hashes.set(q.market, (h = {}));
      // One hash field per price, with the entry fields ingestion writes (BoardEntry).
      h[`${q.bookmaker}|${q.outcome}|-`] = {
        price: String(q.price),
        point: null,
        provider: 'bench',
        observedAt,
        sourceUpdatedAt: new Date(q.observedAt!).toISOString(),
        seenAt: NOW,
        staleAt: NOW + 600_000,
        pollId: 'bench-poll',
      };
    }
    for (const key of hashes.keys()) {
      const id = key.slice(0, key.indexOf('|'));
      if (index.event(id)) continue;
      const e = Number(id.slice(2));
      index.setEvent({
        id,
        sport: e % 2 === 0 ? 'soccer_epl' : 'basketball_nba',
        league: null,
        startTime: new Date(NOW + 86_400_000).toISOString(),
        status: 'scheduled',
        participants: [],
      });
    }
    for (const [key, hash] of hashes) index.setMarket(key, hash);
    lines += quotes.length;
  });
  const ms = performance.now() - t;
  gc();
  const kept = process.memoryUsage().rss - before;
  // One sweep's board: the bet markets strategies evaluate, which the live board keeps between sweeps.
  const swept = index.board(NOW, null, null);
  gc();
  const withBets = process.memoryUsage().rss - before;
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(
    `live board: ${QUOTES.toLocaleString('en-US')} quotes (${index.quoteCount.toLocaleString('en-US')} prices, ` +
      `${index.marketCount.toLocaleString('en-US')} markets) indexed in ${(ms / 1000).toFixed(1)} s; ` +
      `RSS kept ${(kept / 2 ** 20).toFixed(0)} MB = ${(kept / QUOTES).toFixed(0)} bytes per quote ` +
      `(${(kept / lines).toFixed(0)} per price); peak RSS ${peak.toFixed(0)} MB (goal: 250 bytes per quote)`,
  );
  console.log(
    `  with the ${swept.markets.length.toLocaleString('en-US')} bet markets a sweep evaluates (kept between ` +
      `sweeps): RSS kept ${(withBets / 2 ** 20).toFixed(0)} MB = ${(withBets / QUOTES).toFixed(0)} bytes per quote`,
  );
}

if (process.argv.includes('--live-board')) liveBoardMemory();
else main();
