import { PerformanceObserver } from 'node:perf_hooks';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { STRATEGY_TYPES, type StrategyDefinition } from '../../shared/strategies';
import type { LiveEntry } from '../../shared/strategies/live-index';
import type { LiveBoard } from './live-board';

export interface SweepTimes {
  /** Whole-board sweeps (view + board + evaluate), ms. */
  full: number[];
  /** One market changed since the last sweep (view + board + evaluate), ms. */
  changed: number[];
  /** Process CPU time of the same sweeps, ms: what the sweep costs whatever else the machine runs. */
  fullCpu: number[];
  changedCpu: number[];
  /**
   * Bytes allocated on the JS heap by each of a few more sweeps of each kind, run after the timed ones (the
   * GC profiler is kept out of the timings): what the sweeps leave for the garbage collector, a figure the
   * machine's load does not change.
   */
  fullBytes: number[];
  changedBytes: number[];
  /** Garbage-collection pause time inside each timed full sweep, ms: how much of a slow sweep was GC. */
  fullGcMs: number[];
  quotes: number;
}

/** Records every garbage-collection pause (start and end, performance.now() time) until stopped. */
function watchCollections() {
  const pauses: { start: number; end: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ start: e.startTime, end: e.startTime + e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    /** The pause time inside each [start, end) window, once the last entries are delivered. */
    async within(windows: readonly { start: number; end: number }[]): Promise<number[]> {
      // GC entries reach observers some ticks later, not on the next one.
      await new Promise((resolve) => setTimeout(resolve, 100));
      observer.disconnect();
      return windows.map((w) =>
        pauses.reduce((sum, p) => sum + Math.max(0, Math.min(p.end, w.end) - Math.max(p.start, w.start)), 0),
      );
    },
  };
}

/** Bytes `run` allocates on the JS heap: heap growth plus whatever collections during the run freed. */
async function allocatedBy(run: () => Promise<unknown>): Promise<number> {
  const profiler = new GCProfiler();
  profiler.start();
  const before = getHeapStatistics().used_heap_size;
  await run();
  const after = getHeapStatistics().used_heap_size;
  let freed = 0;
  for (const gc of profiler.stop()?.statistics ?? [])
    freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  return after - before + freed;
}

/**
 * Sweep latency on a live board (bench/strategies.bench.ts, and bench/hotpath.bench.ts part b): `runs` full
 * sweeps, then `runs` sweeps after one market changed each time (its prices nudged in memory, as the
 * follower applies a stream entry), then `allocationRuns` of each kind for the allocated bytes. Leaves the
 * nudged prices on the in-memory board only.
 */
export async function measureSweeps(
  board: LiveBoard,
  options: {
    runs?: number;
    allocationRuns?: number;
    type?: string;
    parameters?: Record<string, unknown>;
  } = {},
): Promise<SweepTimes> {
  const runs = options.runs ?? 40;
  const allocationRuns = options.allocationRuns ?? 10;
  const def = STRATEGY_TYPES[
    (options.type ?? 'arbitrage') as keyof typeof STRATEGY_TYPES
  ] as StrategyDefinition<unknown, unknown>;
  const params = def.parameters.parse(options.parameters ?? { minProfit: '0', maxQuoteAgeMs: 3_600_000 });
  let state = def.initialState();
  const sweep = async (consumer: string) => {
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    const view = await board.sweepView(consumer, { sports: null, maxQuoteAgeMs: null });
    const indexed = view.board();
    const result = def.evaluate(indexed, params, state, { strategy: 'measure' });
    state = result.state;
    view.commit();
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu0);
    return { start, ms, cpu: (used.user + used.system) / 1000, view, quotes: indexed.quoteCount };
  };
  const full: number[] = [];
  const fullCpu: number[] = [];
  const fullWindows: { start: number; end: number }[] = [];
  const collections = watchCollections();
  let quotes = 0;
  for (let i = 0; i < runs + 2; i++) {
    const { start, ms, cpu, quotes: count } = await sweep(`measure-full-${i}`);
    quotes = count;
    if (i >= 2) {
      full.push(ms);
      fullCpu.push(cpu);
      fullWindows.push({ start, end: start + ms });
    }
  }
  const fullGcMs = await collections.within(fullWindows);
  const fullBytes: number[] = [];
  for (let i = 0; i < allocationRuns; i++)
    fullBytes.push(await allocatedBy(() => sweep(`measure-full-bytes-${i}`)));
  // Market keys only: holding the whole board as quote objects here would bill its garbage to the sweeps.
  const keys = [...board.index.marketKeys()];
  const changed: number[] = [];
  const changedCpu: number[] = [];
  await sweep('measure-changed');
  const changeOne = (i: number) => {
    const key = keys[(i * 7919) % keys.length]!;
    const hash: Record<string, LiveEntry> = {};
    for (const [n, m] of board.index.snapshot(Date.now(), [key], null).quotes.entries()) {
      hash[`${m.bookmaker}|${m.outcome}|${m.point ?? '-'}`] = {
        price: n === 0 ? (Number(m.price) + 0.01).toFixed(2) : m.price,
        point: m.point,
        provider: m.provider,
        observedAt: m.observedAt,
        sourceUpdatedAt: m.sourceUpdatedAt,
        staleAt: Date.now() + 3_600_000,
      };
    }
    board.index.setMarket(key, hash);
  };
  const changedSweep = async () => {
    const result = await sweep('measure-changed');
    if (result.view.full) throw new Error('expected an incremental sweep');
    return result;
  };
  for (let i = 0; i < runs + 2; i++) {
    changeOne(i);
    const { ms, cpu } = await changedSweep();
    if (i >= 2) {
      changed.push(ms);
      changedCpu.push(cpu);
    }
  }
  const changedBytes: number[] = [];
  for (let i = runs + 2; i < runs + 2 + allocationRuns; i++) {
    // The change itself is applied outside: only the sweep's allocations are counted.
    changeOne(i);
    changedBytes.push(await allocatedBy(changedSweep));
  }
  return { full, changed, fullCpu, changedCpu, fullBytes, changedBytes, fullGcMs, quotes };
}
