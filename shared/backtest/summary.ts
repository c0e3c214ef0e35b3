import { toDecimalString, toSignificantString } from '../math/decimal';
import type { BacktestBet, BacktestRun } from './run';
import {
  RATIO_DIGITS,
  computeMetrics,
  metricsToJson,
  type MetricsJson,
  type MetricsOptions,
} from './metrics';

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
  readonly profit: string;
  readonly yield: string | null;
  readonly clvBets: number;
  readonly clvMean: string | null;
}

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
  };

export interface SummaryOptions extends MetricsOptions {
  /** Add per-league and per-season lines (events' league and metadata.season). */
  readonly groups?: boolean;
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
  const skipped: Record<string, number> = { ...source.skipped };
  for (const [reason, n] of Object.entries(run.skips[strategy] ?? {}))
    skipped[reason] = (skipped[reason] ?? 0) + n;
  const summary: BacktestSummary = {
    strategy,
    matches: source.matches,
    evaluated: run.events,
    skipped,
    opportunitiesRepeated: run.repeats[strategy] ?? 0,
    clvReference: `${run.clvBookmaker} closing line, devigged (multiplicative)`,
    ...metricsToJson(metrics),
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
      profit: toDecimalString(m.profit),
      yield: m.yield === null ? null : toSignificantString(m.yield, RATIO_DIGITS),
      clvBets: m.clv.bets,
      clvMean: m.clv.mean === null ? null : toSignificantString(m.clv.mean, RATIO_DIGITS),
    };
  }
  return out;
}
