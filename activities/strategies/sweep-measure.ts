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
  quotes: number;
}

/**
 * Sweep latency on a live board (bench/strategies.bench.ts, and bench/hotpath.bench.ts part b): `runs` full
 * sweeps, then `runs` sweeps after one market changed each time (its prices nudged in memory, as the
 * follower applies a stream entry). Leaves the nudged prices on the in-memory board only.
 */
export async function measureSweeps(
  board: LiveBoard,
  options: { runs?: number; type?: string; parameters?: Record<string, unknown> } = {},
): Promise<SweepTimes> {
  const runs = options.runs ?? 40;
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
    return { ms, cpu: (used.user + used.system) / 1000, view, quotes: indexed.quoteCount };
  };
  const full: number[] = [];
  const fullCpu: number[] = [];
  let quotes = 0;
  for (let i = 0; i < runs + 2; i++) {
    const { ms, cpu, quotes: count } = await sweep(`measure-full-${i}`);
    quotes = count;
    if (i >= 2) {
      full.push(ms);
      fullCpu.push(cpu);
    }
  }
  // Market keys only: holding the whole board as quote objects here would bill its garbage to the sweeps.
  const keys = [...board.index.marketKeys()];
  const changed: number[] = [];
  const changedCpu: number[] = [];
  await sweep('measure-changed');
  for (let i = 0; i < runs + 2; i++) {
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
    const { ms, cpu, view } = await sweep('measure-changed');
    if (view.full) throw new Error('expected an incremental sweep');
    if (i >= 2) {
      changed.push(ms);
      changedCpu.push(cpu);
    }
  }
  return { full, changed, fullCpu, changedCpu, quotes };
}
