/**
 * Sweep latency of each strategy type over a board of 100,000 quotes, next to the time to read that board
 * from Redis in the same run. Goal: p99 under 50 ms per sweep evaluation.
 *
 *   node --import tsx bench/strategies.bench.ts [--runs 40] [--quotes 100000] [--only <label part>]
 *
 * --only runs just the sections whose label contains the text: `--only "live board"` measures the live
 * board's sweeps alone (the board is still written to Redis, but not read back or indexed apart).
 *
 * The board (seeded, identical every run): 1,000 pre-match events × 10 books × 10 prices (h2h, two spread
 * lines, two totals lines), priced around a hidden fair line with a 2-6% margin, books within ±1% of it
 * and one quote in 300 off by up to ±6%.
 * It is written to Redis (REDIS_URL or the config's redis.url) under a throw-away key prefix in ingestion's
 * layout, read back with the sweep's own reader, and each strategy evaluates what was read. Steam threads
 * its rolling state through a sequence of boards where 2% of the prices move between sweeps. The keys are
 * deleted at the end.
 */
import { availableParallelism, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadConfig } from '../config/load';
import { createRedis } from '../activities/infra/redis';
import { createRedisBoardReader, writeBoard } from '../activities/strategies/board-reader';
import {
  STRATEGY_TYPES,
  indexBoard,
  type BoardSnapshot,
  type StrategyDefinition,
} from '../shared/strategies';
import { mulberry32 } from '../shared/random';
import { createLiveBoard } from '../activities/strategies/live-board';
import { measureSweeps } from '../activities/strategies/sweep-measure';
import { BOOKS, eventsFor, makeBoard, nudge, percentile } from './board-fixture';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RUNS = flag('runs', 40);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]! : null;
const wanted = (label: string) => only === null || label.includes(only);
const QUOTES = flag('quotes', 100_000);
const EVENTS = eventsFor(QUOTES);
const prng = mulberry32;

// A full collection between phases (not inside the timed loops), so one phase's garbage is not billed to
// the next: each sweep still pays for its own allocations.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

const cases: { label: string; type: string; parameters: Record<string, unknown> }[] = [
  { label: 'arbitrage', type: 'arbitrage', parameters: { minProfit: '0', maxQuoteAgeMs: 120_000 } },
  {
    label: 'value (sharp pinnacle, shin)',
    type: 'value',
    parameters: { fairSource: 'sharp', devigMethod: 'shin' },
  },
  {
    label: 'value (sharp, worst-case)',
    type: 'value',
    parameters: { fairSource: 'sharp', devigMethod: 'worst-case' },
  },
  {
    label: 'value (consensus, multiplicative)',
    type: 'value',
    parameters: { fairSource: 'consensus', devigMethod: 'multiplicative' },
  },
  { label: 'consensus (Kaunitz)', type: 'consensus', parameters: {} },
  { label: 'steam (consensus, moving board)', type: 'steam', parameters: { windowMs: 600_000 } },
];
const READ_LABEL = 'read board from Redis';
const INDEX_LABEL = 'indexing the board (in each sweep)';
const LIVE_LABEL = 'live board';
// The board read back from Redis: what the per-type cases evaluate (and the read and indexing figures).
const needsRead = [READ_LABEL, INDEX_LABEL, ...cases.map((c) => c.label)].some(wanted);

const fmt = (ms: number) => `${ms.toFixed(1).padStart(7)} ms`;

const loaded = loadConfig();
const redis = createRedis(process.env.REDIS_URL ?? loaded.config.redis.url);
const prefix = `bench-strategies-${Date.now().toString(36)}:`;
const say = (s: string) => process.stdout.write(`${s}\n`);

try {
  const rand = prng(0x5eed);
  const t0 = Date.now();
  let generated: BoardSnapshot | null = makeBoard(QUOTES, t0, rand);
  const expected = generated.quotes.length;
  say(
    `board: ${expected} quotes, ${EVENTS} events, ${BOOKS.length} books (Redis ${process.env.REDIS_URL ?? loaded.config.redis.url}, prefix ${prefix})`,
  );
  const written = await writeBoard(redis, prefix, generated, { stalenessSeconds: 3600 });
  say(`written: ${written.markets} market hashes; every sweep below evaluates the board as read back`);
  generated = null;
  collect();

  const reader = createRedisBoardReader(redis, prefix);
  const reads: number[] = [];
  const readCpu: number[] = [];
  let read: BoardSnapshot | null = null;
  for (let i = 0; needsRead && i < Math.max(5, Math.ceil(RUNS / 4)); i++) {
    read = null;
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    read = await reader.read();
    reads.push(performance.now() - start);
    const used = process.cpuUsage(cpu0);
    readCpu.push((used.user + used.system) / 1000);
  }
  if (needsRead && (!read || read.quotes.length !== expected)) {
    throw new Error(`read back ${read?.quotes.length} quotes, wrote ${expected}`);
  }
  say('');
  say(`${''.padEnd(34)} wall time                          process CPU time`);
  if (wanted(READ_LABEL))
    say(
      `${READ_LABEL.padEnd(34)} p50 ${fmt(percentile(reads, 50))}  p99 ${fmt(percentile(reads, 99))}  p50 ${fmt(percentile(readCpu, 50))}  (${reads.length} reads)`,
    );

  if (read && wanted(INDEX_LABEL)) {
    // Indexing alone (every sweep below includes it): grouping 100,000 quotes into line-aware markets.
    collect();
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < RUNS + 2; i++) {
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      indexBoard(read);
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu0);
      if (i >= 2) {
        times.push(ms);
        cpu.push((used.user + used.system) / 1000);
      }
    }
    say(
      `${INDEX_LABEL.padEnd(34)} p50 ${fmt(percentile(times, 50))}  p99 ${fmt(percentile(times, 99))}  p50 ${fmt(percentile(cpu, 50))}`,
    );
  }

  // Steam's sequence: one board per sweep, 10 s apart, 2% of prices moving each time, made one at a time
  // outside the timing.
  const seqRand = prng(0xbeef);

  const machine = `${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}`;
  if (read) {
    // How fast is this machine right now? The same fixed work an idle laptop does in about 1-2 ms.
    const texts = read.quotes.map((q) => q.price);
    let sink = 0;
    const samples: number[] = [];
    for (let r = 0; r < 20; r++) {
      const start = performance.now();
      for (const t of texts) sink += Number(t);
      samples.push(performance.now() - start);
    }
    say(
      `calibration: Number() over the ${texts.length} prices p50 ${fmt(percentile(samples, 50))} (${sink > 0 ? 'ok' : '?'}); ${machine}`,
    );
  } else say(machine);

  for (const c of cases) {
    if (!wanted(c.label) || !read) continue;
    const def = STRATEGY_TYPES[c.type as keyof typeof STRATEGY_TYPES] as StrategyDefinition<unknown, unknown>;
    const params = def.parameters.parse(c.parameters);
    let state = def.initialState();
    const times: number[] = [];
    const cpu: number[] = [];
    let found = 0;
    let snapshot = read;
    collect();
    // Two warm-up sweeps (JIT), then RUNS measured; each includes indexing the board.
    for (let i = 0; i < RUNS + 2; i++) {
      if (c.type === 'steam' && i > 0)
        snapshot = nudge(snapshot, Date.parse(read.asOf) + i * 10_000, seqRand);
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      const result = def.evaluate(indexBoard(snapshot), params, state, { strategy: `bench-${c.type}` });
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu0);
      state = result.state;
      if (i >= 2) {
        times.push(ms);
        cpu.push((used.user + used.system) / 1000);
      }
      found = result.opportunities.length;
    }
    say(
      `${c.label.padEnd(34)} p50 ${fmt(percentile(times, 50))}  p99 ${fmt(percentile(times, 99))}  p50 ${fmt(percentile(cpu, 50))}  (${found} opportunities)${percentile(times, 99) < 50 ? '' : '  p99 above the 50 ms goal'}`,
    );
  }

  if (wanted(LIVE_LABEL)) {
    // The live board (issue 14): built from Redis once, then swept whole or only where a market changed.
    const live = createLiveBoard(redis, prefix, { fullSweepEveryMs: 3_600_000 });
    await live.ready();
    collect();
    const t = await measureSweeps(live, { runs: RUNS });
    await live.stop();
    say(
      `${'live board, arbitrage: full sweep'.padEnd(34)} p50 ${fmt(percentile(t.full, 50))}  p99 ${fmt(percentile(t.full, 99))}  p50 ${fmt(percentile(t.fullCpu, 50))}  (${t.quotes} quotes; goal p99 <= 25 ms)`,
    );
    say(
      `${'live board: one changed market'.padEnd(34)} p50 ${fmt(percentile(t.changed, 50))}  p99 ${fmt(percentile(t.changed, 99))}  p50 ${fmt(percentile(t.changedCpu, 50))}  (goal p99 <= 2 ms); load average ${loadavg()[0]!.toFixed(1)}`,
    );
    const kB = (bytes: number[]) => `${(percentile(bytes, 50) / 1024).toFixed(0)} kB`;
    say(
      `${'live board: allocated per sweep'.padEnd(34)} full ${kB(t.fullBytes)}, one changed market ${kB(t.changedBytes)} (JS heap, median of ${t.fullBytes.length})`,
    );
    const paused = t.fullGcMs.filter((ms) => ms > 0);
    say(
      `${'live board: GC inside full sweeps'.padEnd(34)} ${paused.length} of ${t.fullGcMs.length} sweeps, longest ${fmt(Math.max(0, ...paused))}`,
    );
  }
} finally {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000');
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}
