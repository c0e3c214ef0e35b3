import { D, ONE, ZERO, toDecimalString, toSignificantString, type DecimalInput } from '../math/decimal';
import { sampleSizeForEdge } from '../math/ev';
import type { BacktestBet } from './run';

/** What the metrics read of a bet: a backtest bet, or a bet recorded by paper/live trading. */
export type MetricsBet = Pick<
  BacktestBet,
  'settledSeq' | 'status' | 'stake' | 'profit' | 'price' | 'clv' | 'probability'
> & {
  readonly event: { readonly startTime: string };
};

export interface MetricsOptions {
  /** Starting bankroll for ROI and drawdown. Default 100 (flat stake 1 = 1% of it). */
  readonly bankroll?: DecimalInput;
  /** Calibration bins of equal width over [0, 1]. Default 10. */
  readonly calibrationBins?: number;
}

export interface CurvePoint {
  /** Settlement order, from 1 (point 0 is the starting bankroll). */
  readonly n: number;
  /** Start time of the event whose bet settled. */
  readonly at: string;
  readonly bankroll: D;
}

export interface Drawdown {
  /** Largest fall from a running peak of the bankroll, in money. */
  readonly amount: D;
  /** That fall as a fraction of the peak it fell from (the largest such fraction, which may be another fall). */
  readonly fraction: D;
  /** Curve points (n) of the peak and the trough of the largest fall in money; 0 is the start. */
  readonly peakAt: number;
  readonly troughAt: number;
}

export interface ClvSummary {
  /** Bets with a closing reference. */
  readonly bets: number;
  readonly mean: D | null;
  /** Sample standard deviation over √n; null with fewer than two bets. */
  readonly standardError: D | null;
}

export interface EdgeGauge {
  readonly edge: D;
  /** Bets needed for this edge to stand ~2 standard errors clear of zero at the average odds. */
  readonly betsNeeded: D;
  readonly enough: boolean;
}

export interface SampleSizeGauge {
  readonly averageOdds: D | null;
  /** Standard error of the per-unit return of a bet; yield / it ≈ how many standard errors from zero. */
  readonly returnStandardError: D | null;
  readonly zScore: D | null;
  /** Gauge on the observed yield and on the mean CLV; null when that edge is not positive. */
  readonly byYield: EdgeGauge | null;
  readonly byClv: EdgeGauge | null;
}

export interface CalibrationRow {
  readonly from: D;
  readonly to: D;
  readonly bets: number;
  readonly wins: number;
  readonly meanProbability: D | null;
  readonly observedRate: D | null;
  /** Binomial standard error of the observed rate at the mean stated probability. */
  readonly standardError: D | null;
}

export interface BacktestMetrics {
  readonly bets: number;
  readonly wins: number;
  readonly losses: number;
  readonly pushes: number;
  readonly voids: number;
  readonly unsettled: number;
  /** won / graded bets (won, lost, push; a half-won quarter line counts as won); null without any. */
  readonly hitRate: D | null;
  /** Stakes of graded bets (voids and unsettled bets are not turnover). */
  readonly turnover: D;
  readonly profit: D;
  /** profit / turnover. */
  readonly yield: D | null;
  readonly bankroll: D;
  readonly finalBankroll: D;
  /** profit / starting bankroll. */
  readonly roi: D;
  readonly drawdown: Drawdown;
  readonly clv: ClvSummary;
  readonly sampleSize: SampleSizeGauge;
  /** Bets without a stated probability are left out of the table. */
  readonly calibration: readonly CalibrationRow[];
  readonly calibrated: number;
  readonly curve: readonly CurvePoint[];
}

/** Metrics over bets, read in settlement order (the bankroll curve's order); unsettled bets are counted only. */
export function computeMetrics(bets: readonly MetricsBet[], options: MetricsOptions = {}): BacktestMetrics {
  const bankroll = new D(options.bankroll ?? 100);
  const bins = options.calibrationBins ?? 10;
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError('calibrationBins must be a positive integer');
  const settled = bets
    .filter((b) => b.settledSeq !== null)
    .sort((a, b) => (a.settledSeq ?? 0) - (b.settledSeq ?? 0));
  const counts = { won: 0, lost: 0, push: 0, void: 0 };
  let turnover = ZERO;
  let profit = ZERO;
  let oddsSum = ZERO;
  const returns: D[] = [];
  const clvs: D[] = [];
  const curve: CurvePoint[] = [{ n: 0, at: '', bankroll }];
  for (const b of settled) {
    switch (b.status) {
      case 'won':
        counts.won++;
        break;
      case 'lost':
        counts.lost++;
        break;
      case 'push':
        counts.push++;
        break;
      default:
        counts.void++;
    }
    if (b.status === 'void') continue;
    turnover = turnover.plus(b.stake);
    profit = profit.plus(b.profit);
    oddsSum = oddsSum.plus(b.price);
    if (!b.stake.isZero()) returns.push(b.profit.div(b.stake));
    curve.push({ n: curve.length, at: b.event.startTime, bankroll: bankroll.plus(profit) });
  }
  const graded = counts.won + counts.lost + counts.push;
  // CLV needs only the close, not the result: unsettled bets count too, voided ones do not.
  for (const b of bets) if (b.clv !== null && b.status !== 'void') clvs.push(b.clv);
  const yieldValue = turnover.isZero() ? null : profit.div(turnover);
  const averageOdds = graded === 0 ? null : oddsSum.div(graded);
  const ret = meanAndStandardError(returns);
  const clv = meanAndStandardError(clvs);
  const calibration = calibrationTable(settled, bins);
  return {
    bets: bets.length,
    wins: counts.won,
    losses: counts.lost,
    pushes: counts.push,
    voids: counts.void,
    unsettled: bets.length - settled.length,
    hitRate: graded === 0 ? null : new D(counts.won).div(graded),
    turnover,
    profit,
    yield: yieldValue,
    bankroll,
    finalBankroll: bankroll.plus(profit),
    roi: bankroll.isZero() ? ZERO : profit.div(bankroll),
    drawdown: maxDrawdown(curve.map((p) => p.bankroll)),
    clv: { bets: clvs.length, mean: clv.mean, standardError: clv.standardError },
    sampleSize: {
      averageOdds,
      returnStandardError: ret.standardError,
      zScore:
        yieldValue !== null && ret.standardError !== null && !ret.standardError.isZero()
          ? yieldValue.div(ret.standardError)
          : null,
      byYield: gauge(averageOdds, yieldValue, graded),
      byClv: gauge(averageOdds, clv.mean, graded),
    },
    calibration: calibration.rows,
    calibrated: calibration.count,
    curve,
  };
}

/** Mean and standard error of the mean (sample standard deviation, n − 1, over √n). */
export function meanAndStandardError(values: readonly D[]): { mean: D | null; standardError: D | null } {
  const n = values.length;
  if (n === 0) return { mean: null, standardError: null };
  let sum = ZERO;
  for (const v of values) sum = sum.plus(v);
  const mean = sum.div(n);
  if (n < 2) return { mean, standardError: null };
  let squares = ZERO;
  for (const v of values) {
    const d = v.minus(mean);
    squares = squares.plus(d.mul(d));
  }
  return {
    mean,
    standardError: squares
      .div(n - 1)
      .div(n)
      .sqrt(),
  };
}

/** Largest peak-to-trough fall of a bankroll series (the first value is the start). */
export function maxDrawdown(series: readonly D[]): Drawdown {
  let peak = series[0] ?? ZERO;
  let peakAt = 0;
  let best = { amount: ZERO, fraction: ZERO, peakAt: 0, troughAt: 0 };
  let fraction = ZERO;
  series.forEach((value, i) => {
    if (value.gt(peak)) {
      peak = value;
      peakAt = i;
      return;
    }
    const fall = peak.minus(value);
    if (fall.gt(best.amount)) best = { amount: fall, fraction: best.fraction, peakAt, troughAt: i };
    if (peak.gt(ZERO)) {
      const f = fall.div(peak);
      if (f.gt(fraction)) fraction = f;
    }
  });
  return { ...best, fraction };
}

function gauge(averageOdds: D | null, edge: D | null, bets: number): EdgeGauge | null {
  if (averageOdds === null || edge === null || !edge.gt(ZERO) || !averageOdds.gt(ONE)) return null;
  const betsNeeded = sampleSizeForEdge(averageOdds, edge);
  return { edge, betsNeeded, enough: betsNeeded.lte(bets) };
}

/** Won and lost bets binned by the probability the strategy stated for them. */
export function calibrationTable(
  bets: readonly MetricsBet[],
  bins = 10,
): { rows: CalibrationRow[]; count: number } {
  const acc = Array.from({ length: bins }, () => ({ bets: 0, wins: 0, sum: ZERO }));
  let count = 0;
  for (const b of bets) {
    if (b.probability === null || (b.status !== 'won' && b.status !== 'lost')) continue;
    const p = b.probability;
    const i = Math.min(bins - 1, Math.max(0, Math.floor(p.toNumber() * bins)));
    // The float index is checked against the exact bin edges.
    const bin = p.lt(new D(i).div(bins)) ? i - 1 : p.gte(new D(i + 1).div(bins)) && i + 1 < bins ? i + 1 : i;
    const a = acc[bin]!;
    a.bets++;
    a.sum = a.sum.plus(p);
    if (b.status === 'won') a.wins++;
    count++;
  }
  const rows = acc.map((a, i) => {
    const mean = a.bets === 0 ? null : a.sum.div(a.bets);
    return {
      from: new D(i).div(bins),
      to: new D(i + 1).div(bins),
      bets: a.bets,
      wins: a.wins,
      meanProbability: mean,
      observedRate: a.bets === 0 ? null : new D(a.wins).div(a.bets),
      standardError: mean === null ? null : mean.mul(ONE.minus(mean)).div(a.bets).sqrt(),
    };
  });
  return { rows, count };
}

/** Ratios and statistics are printed to this many significant digits; money is always exact. */
export const RATIO_DIGITS = 12;

function ratio(v: D | null): string | null {
  return v === null ? null : toSignificantString(v, RATIO_DIGITS);
}

/** The JSON form: money as exact decimal strings, ratios to 12 significant digits. */
export function metricsToJson(m: BacktestMetrics) {
  return {
    bets: m.bets,
    wins: m.wins,
    losses: m.losses,
    pushes: m.pushes,
    voids: m.voids,
    unsettled: m.unsettled,
    hitRate: ratio(m.hitRate),
    turnover: toDecimalString(m.turnover),
    profit: toDecimalString(m.profit),
    yield: ratio(m.yield),
    averageOdds: ratio(m.sampleSize.averageOdds),
    bankroll: {
      initial: toDecimalString(m.bankroll),
      final: toDecimalString(m.finalBankroll),
      roi: ratio(m.roi),
      maxDrawdown: toDecimalString(m.drawdown.amount),
      maxDrawdownFraction: ratio(m.drawdown.fraction),
    },
    clv: {
      bets: m.clv.bets,
      mean: ratio(m.clv.mean),
      standardError: ratio(m.clv.standardError),
    },
    sampleSize: {
      returnStandardError: ratio(m.sampleSize.returnStandardError),
      zScore: ratio(m.sampleSize.zScore),
      byYield: gaugeJson(m.sampleSize.byYield),
      byClv: gaugeJson(m.sampleSize.byClv),
    },
    calibration: {
      bets: m.calibrated,
      rows: m.calibration
        .filter((r) => r.bets > 0)
        .map((r) => ({
          from: toDecimalString(r.from),
          to: toDecimalString(r.to),
          bets: r.bets,
          wins: r.wins,
          meanProbability: ratio(r.meanProbability),
          observedRate: ratio(r.observedRate),
          standardError: ratio(r.standardError),
        })),
    },
  };
}

export type MetricsJson = ReturnType<typeof metricsToJson>;

function gaugeJson(g: EdgeGauge | null) {
  return g === null
    ? null
    : {
        edge: ratio(g.edge), // The square root inside leaves a 40th-digit residue: round before taking the next whole bet.
        betsNeeded: g.betsNeeded.toSignificantDigits(20).ceil().toFixed(0),
        enough: g.enough,
      };
}
