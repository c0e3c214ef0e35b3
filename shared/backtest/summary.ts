import { type D, ZERO, toDecimalString, toSignificantString } from '../math/decimal';
import type { BacktestBet, BacktestRun } from './run';
import type { BaselineKind } from './baseline';
import {
  RATIO_DIGITS,
  computeMetrics,
  metricsToJson,
  type MetricsJson,
  type MetricsOptions,
} from './metrics';
import { backtestWarnings } from './warnings';

/** Where the replay came from and what it could not use, as the source reports it. */
export interface SourceInfo {
  readonly kind: string;
  /** Matches (events) the data holds, including those the source could not replay. */
  readonly matches: number;
  /** Matches the source left out, by reason. */
  readonly skipped: Readonly<Record<string, number>>;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface GroupLine {
  readonly bets: number;
  readonly wins: number;
  readonly hitRate: string | null;
  readonly turnover: string;
  /** Stakes of every bet that is not void, settled or not (line-change data has no results: no turnover). */
  readonly staked: string;
  readonly profit: string;
  readonly yield: string | null;
  readonly clvBets: number;
  readonly clvMean: string | null;
  readonly clvStandardError: string | null;
}

/** One variant of the random baseline, measured as the strategy is. */
export type BaselineLine = Pick<
  MetricsJson,
  'bets' | 'wins' | 'hitRate' | 'turnover' | 'profit' | 'yield' | 'averageOdds' | 'clv'
> & { readonly description: string };

/**
 * The random baseline beside the strategy: the matched variant's figures at the top level (the like-for-like
 * comparison: the strategy's own outcomes and times, a random book), the uniform variant under `uniform`.
 */
export type BaselineSummary = BaselineLine & {
  readonly kind: 'random';
  readonly seed: number;
  readonly variant: 'matched';
  readonly uniform: BaselineLine;
};

export const BASELINE_DESCRIPTIONS: Readonly<Record<BaselineKind, string>> = {
  matched:
    "each of the strategy's bets again at a random book quoting the same outcome and line at the same time",
  uniform: 'at every replay step, any quote of a random event on the board',
};

export type BacktestSummary = {
  readonly strategy: string;
  readonly matches: number;
  /** Matches replayed to the strategy. */
  readonly evaluated: number;
  /** Matches not bet, by reason: the source's (no closing columns…) and the strategy's (missing odds…). */
  readonly skipped: Readonly<Record<string, number>>;
  readonly opportunitiesRepeated: number;
  readonly clvReference: string;
} & MetricsJson & {
    readonly byLeague?: Readonly<Record<string, GroupLine>>;
    readonly bySeason?: Readonly<Record<string, GroupLine>>;
    /** Per bookmaker of the bets taken: where the edge comes from. */
    readonly byBookmaker: Readonly<Record<string, GroupLine>>;
    /** Per market type (h2h, spreads, totals). */
    readonly byMarket: Readonly<Record<string, GroupLine>>;
    /** The strategy's own evaluation counters summed over the replay (steam: moves, signals…). */
    readonly strategyStats: Readonly<Record<string, number>>;
    /** What a figure alone hides (./warnings): an edge from one book, CLV on a few bets, an empty baseline… */
    readonly warnings: readonly string[];
    readonly baseline?: BaselineSummary;
  };

export interface SummaryOptions extends MetricsOptions {
  /** Add per-league and per-season lines (events' league and metadata.season). */
  readonly groups?: boolean;
  /** The seed the run's baseline was drawn with (reported beside it). */
  readonly baselineSeed?: number;
}

/** One strategy's results as plain JSON: money exact, ratios to 12 significant digits. */
export function summarize(
  run: BacktestRun,
  strategy: string,
  source: SourceInfo,
  options: SummaryOptions = {},
): { summary: BacktestSummary; curve: [number, string, string][] } {
  const bets = run.bets.filter((b) => b.strategy === strategy);
  const metrics = computeMetrics(bets, options);
  const byBookmaker = groupLines(bets, (b) => b.bookmaker, options);
  const skipped: Record<string, number> = { ...source.skipped };
  for (const [reason, n] of Object.entries(run.skips[strategy] ?? {}))
    skipped[reason] = (skipped[reason] ?? 0) + n;
  const summary: BacktestSummary = {
    strategy,
    matches: source.matches,
    evaluated: run.events,
    skipped,
    opportunitiesRepeated: run.repeats[strategy] ?? 0,
    clvReference: run.clvReference,
    ...metricsToJson(metrics),
    byBookmaker,
    byMarket: groupLines(bets, (b) => b.market.marketType, options),
    strategyStats: run.stats[strategy] ?? {},
    warnings: backtestWarnings(run, strategy, bets, byBookmaker),
    ...(run.baseline === undefined ? {} : { baseline: baselineSummary(run, options) }),
    ...(options.groups
      ? {
          byLeague: groupLines(bets, (b) => b.event.league ?? '?', options),
          bySeason: groupLines(bets, (b) => seasonOf(b.event.metadata.season), options),
        }
      : {}),
  };
  const curve = metrics.curve.map((p): [number, string, string] => [p.n, p.at, toDecimalString(p.bankroll)]);
  return { summary, curve };
}

function seasonOf(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '?';
}

function groupLines(
  bets: readonly BacktestBet[],
  key: (b: BacktestBet) => string,
  options: MetricsOptions,
): Record<string, GroupLine> {
  const groups = new Map<string, BacktestBet[]>();
  for (const b of bets) {
    const k = key(b);
    let list = groups.get(k);
    if (list === undefined) groups.set(k, (list = []));
    list.push(b);
  }
  const out: Record<string, GroupLine> = {};
  for (const k of [...groups.keys()].sort()) {
    const m = computeMetrics(groups.get(k)!, options);
    out[k] = {
      bets: m.bets,
      wins: m.wins,
      hitRate: m.hitRate === null ? null : toSignificantString(m.hitRate, RATIO_DIGITS),
      turnover: toDecimalString(m.turnover),
      staked: toDecimalString(staked(groups.get(k)!)),
      profit: toDecimalString(m.profit),
      yield: m.yield === null ? null : toSignificantString(m.yield, RATIO_DIGITS),
      clvBets: m.clv.bets,
      clvMean: m.clv.mean === null ? null : toSignificantString(m.clv.mean, RATIO_DIGITS),
      clvStandardError:
        m.clv.standardError === null ? null : toSignificantString(m.clv.standardError, RATIO_DIGITS),
    };
  }
  return out;
}

function staked(bets: readonly BacktestBet[]): D {
  let sum = ZERO;
  for (const b of bets) if (b.status !== 'void') sum = sum.plus(b.stake);
  return sum;
}

function baselineSummary(run: BacktestRun, options: SummaryOptions): BaselineSummary {
  const line = (kind: BaselineKind): BaselineLine => {
    const m = metricsToJson(computeMetrics(run.baseline![kind], options));
    const { bets, wins, hitRate, turnover, profit, yield: y, averageOdds, clv } = m;
    return {
      description: BASELINE_DESCRIPTIONS[kind],
      bets,
      wins,
      hitRate,
      turnover,
      profit,
      yield: y,
      averageOdds,
      clv,
    };
  };
  return {
    kind: 'random',
    seed: options.baselineSeed ?? 0,
    variant: 'matched',
    ...line('matched'),
    uniform: line('uniform'),
  };
}
