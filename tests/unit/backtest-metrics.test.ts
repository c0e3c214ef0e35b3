import { describe, expect, it } from 'vitest';
import {
  calibrationTable,
  computeMetrics,
  maxDrawdown,
  meanAndStandardError,
  metricsToJson,
  type MetricsBet,
} from '../../shared/backtest';
import { D } from '../../shared/math/decimal';

let seq = 0;
function bet(
  price: string,
  status: MetricsBet['status'],
  profit: string,
  options: { clv?: string; p?: string; stake?: string } = {},
): MetricsBet {
  return {
    settledSeq: status === 'unsettled' ? null : seq++,
    status,
    stake: new D(options.stake ?? '1'),
    profit: new D(profit),
    price,
    clv: options.clv === undefined ? null : new D(options.clv),
    probability: options.p === undefined ? null : new D(options.p),
    event: { startTime: '2024-01-01T00:00:00.000Z' },
  };
}

describe('backtest metrics', () => {
  it('maximum drawdown: the largest fall from a running peak, and the largest fall relative to its peak', () => {
    const dd = maxDrawdown(['100', '103', '101', '104', '99', '100', '106'].map((v) => new D(v)));
    expect(dd.amount.toString()).toBe('5');
    expect([dd.peakAt, dd.troughAt]).toEqual([3, 4]);
    expect(dd.fraction.eq(new D(5).div(104))).toBe(true);
    // The largest fall in money (100 → 90) is not the largest relative one (10 → 5: half).
    const two = maxDrawdown(['10', '5', '100', '90'].map((v) => new D(v)));
    expect(two.amount.toString()).toBe('10');
    expect(two.fraction.toString()).toBe('0.5');
    expect(maxDrawdown([new D(1), new D(2), new D(3)]).amount.toString()).toBe('0');
  });

  it('standard error of the mean CLV, on a hand-computed example', () => {
    // 0.02, −0.01, 0.05, 0: mean 0.015; squared deviations sum to 0.0021; s² = 0.0007; s.e. = √(0.0007/4).
    const { mean, standardError } = meanAndStandardError(['0.02', '-0.01', '0.05', '0'].map((v) => new D(v)));
    expect(mean!.toString()).toBe('0.015');
    expect(standardError!.toFixed(15)).toBe('0.013228756555323');
    expect(standardError!.eq(new D('0.000175').sqrt())).toBe(true);
    expect(meanAndStandardError([new D('0.1')])).toEqual({ mean: new D('0.1'), standardError: null });
    expect(meanAndStandardError([])).toEqual({ mean: null, standardError: null });
  });

  it('bets, wins, hit rate, turnover, profit, yield, ROI, drawdown, CLV and the sample-size gauge', () => {
    const bets = [
      bet('2.5', 'won', '1.5', { clv: '0.02', p: '0.45' }),
      bet('1.8', 'lost', '-1', { clv: '-0.01', p: '0.55' }),
      bet('3', 'lost', '-1', { clv: '0.05', p: '0.3' }),
      bet('2', 'won', '1', { clv: '0', p: '0.52' }),
      bet('4', 'void', '0', { clv: '0.9' }),
      bet('2', 'unsettled', '0', { clv: '0.01' }),
    ];
    const m = computeMetrics(bets, { bankroll: '100' });
    expect([m.bets, m.wins, m.losses, m.voids, m.unsettled]).toEqual([6, 2, 2, 1, 1]);
    expect(m.hitRate!.toString()).toBe('0.5');
    expect(m.turnover.toString()).toBe('4');
    expect(m.profit.toString()).toBe('0.5');
    expect(m.yield!.toString()).toBe('0.125');
    expect(m.roi.toString()).toBe('0.005');
    expect(m.finalBankroll.toString()).toBe('100.5');
    expect(m.curve.map((p) => p.bankroll.toString())).toEqual(['100', '101.5', '100.5', '99.5', '100.5']);
    expect(m.drawdown.amount.toString()).toBe('2');
    // CLV: voided bets are out, the unsettled one (its line closed) is in: 0.02, −0.01, 0.05, 0, 0.01.
    expect(m.clv.bets).toBe(5);
    expect(m.clv.mean!.toString()).toBe('0.014');
    // Average odds 2.325; n ≈ (2·√1.325 / 0.125)² = 339.2 bets to show a 12.5% yield.
    expect(m.sampleSize.averageOdds!.toString()).toBe('2.325');
    expect(m.sampleSize.byYield!.betsNeeded.toSignificantDigits(20).toString()).toBe('339.2');
    expect(m.sampleSize.byYield!.enough).toBe(false);
    const json = metricsToJson(m);
    expect(json.profit).toBe('0.5');
    expect(json.sampleSize.byYield).toEqual({ edge: '0.125', betsNeeded: '340', enough: false });
    expect(json.bankroll).toEqual({
      initial: '100',
      final: '100.5',
      roi: '0.005',
      maxDrawdown: '2',
      maxDrawdownFraction: '0.0197044334975',
    });
  });

  it('no positive edge: no gauge; no bets: no ratios', () => {
    const m = computeMetrics([bet('2', 'lost', '-1')]);
    expect(m.sampleSize.byYield).toBeNull();
    expect(m.sampleSize.byClv).toBeNull();
    const none = computeMetrics([]);
    expect([none.hitRate, none.yield, none.clv.mean]).toEqual([null, null, null]);
    expect(none.drawdown.amount.toString()).toBe('0');
  });

  it('calibration table: won and lost bets binned by their stated probability, exact bin edges', () => {
    const bets = [
      bet('2.5', 'won', '1.5', { p: '0.45' }),
      bet('1.8', 'lost', '-1', { p: '0.55' }),
      bet('3', 'lost', '-1', { p: '0.3' }),
      bet('2', 'won', '1', { p: '0.52' }),
      // Just under 0.3: 10·p is 3 in floating point, but the bin is [0.2, 0.3).
      bet('4', 'won', '3', { p: '0.29999999999999999999' }),
      bet('2', 'push', '0', { p: '0.5' }),
      bet('2', 'won', '1'),
    ];
    const { rows, count } = calibrationTable(bets, 10);
    expect(count).toBe(5);
    const used = rows.filter((r) => r.bets > 0).map((r) => [r.from.toString(), r.bets, r.wins]);
    expect(used).toEqual([
      ['0.2', 1, 1],
      ['0.3', 1, 0],
      ['0.4', 1, 1],
      ['0.5', 2, 1],
    ]);
    const half = rows[5]!;
    expect(half.meanProbability!.toString()).toBe('0.535');
    expect(half.observedRate!.toString()).toBe('0.5');
    // Binomial standard error at the mean stated probability: √(0.535·0.465/2).
    expect(half.standardError!.eq(new D('0.535').mul('0.465').div(2).sqrt())).toBe(true);
    expect(calibrationTable([bet('9', 'won', '8', { p: '1' })], 4).rows[3]!.bets).toBe(1);
  });
});
