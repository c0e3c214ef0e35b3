import { describe, expect, it } from 'vitest';
import {
  breaches,
  clvLowerBound,
  evaluateGate,
  RolloutGate,
  stageAfterFailure,
  type RolloutStage,
  type StageMetrics,
} from '../../shared/rollout';
import { stageMetricsFromBets } from '../../activities/rollout/activities';

const metrics = (over: Partial<StageMetrics> = {}): StageMetrics => ({
  bets: 100,
  settled: 100,
  voided: 0,
  rejected: 0,
  turnover: '1000',
  profit: '30',
  yield: '0.03',
  clvMean: '0.02',
  clvStandardError: '0.01',
  maxDrawdownFraction: '0.05',
  ...over,
});
const gate = RolloutGate.parse({
  minDurationSeconds: 60,
  minBets: 50,
  minYield: '0',
  minClvLowerBound: '0',
  maxDrawdownFraction: '0.2',
  maxVoidOrLimitRate: '0.1',
});

describe('rollout gates', () => {
  it('waits for the minimum duration and bet count, naming both', () => {
    const v = evaluateGate(gate, metrics({ settled: 10 }), 30);
    expect(v.verdict).toBe('wait');
    expect(v.reasons).toEqual(['ran 30 s of 60 s', '10 of 50 settled bets']);
  });

  it('passes when yield and the CLV lower bound clear their floors', () => {
    // 0.02 − 1.645 × 0.01 = 0.00355 ≥ 0
    expect(clvLowerBound(metrics(), 1.645)?.toString()).toBe('0.00355');
    expect(evaluateGate(gate, metrics(), 61).verdict).toBe('pass');
  });

  it('fails on a CLV lower bound below the floor even with a positive yield', () => {
    const v = evaluateGate(gate, metrics({ clvStandardError: '0.02' }), 61);
    expect(v).toEqual({ verdict: 'fail', reasons: ['CLV lower bound -1.29% below 0%'] });
  });

  it('treats drawdown and void/limit rate as breaches at any time', () => {
    expect(breaches(gate, metrics({ maxDrawdownFraction: '0.25' }))).toEqual(['drawdown 25% exceeds 20%']);
    expect(breaches(gate, metrics({ voided: 6, rejected: 5 }))[0]).toMatch(
      /void\/limit rate 11% exceeds 10%/,
    );
    expect(evaluateGate(gate, metrics({ settled: 1, maxDrawdownFraction: '0.3' }), 0).verdict).toBe('fail');
  });

  it('demotes one stage but never below paper, or pauses where configured', () => {
    const stage = (name: RolloutStage['name'], onBreach: 'demote' | 'pause'): RolloutStage => ({
      name,
      mode: 'live',
      stakeMultiplier: '1',
      gate,
      onBreach,
    });
    const stages = [
      stage('backtest', 'pause'),
      stage('paper', 'pause'),
      stage('live-0.25', 'demote'),
      stage('live-0.5', 'demote'),
    ];
    expect(stageAfterFailure(stages, 3)).toEqual({ index: 2, pause: false });
    expect(stageAfterFailure(stages, 1)).toEqual({ index: 1, pause: true });
    expect(stageAfterFailure([stage('paper', 'demote'), stage('live-0.25', 'demote')], 0)).toEqual({
      index: 0,
      pause: true,
    });
  });

  it('measures a stage exactly from its bets', () => {
    const m = stageMetricsFromBets(
      [
        { status: 'won', stake: '10', profit_loss: '9.5', clv_sharp: '0.04' },
        { status: 'lost', stake: '10', profit_loss: '-10', clv_sharp: '0.01' },
        { status: 'push', stake: '10', profit_loss: '0', clv_sharp: null },
        { status: 'voided', stake: '10', profit_loss: null, clv_sharp: null },
        { status: 'rejected', stake: '10', profit_loss: null, clv_sharp: null },
      ],
      '100',
    );
    expect(m).toMatchObject({
      bets: 5,
      settled: 3,
      voided: 1,
      rejected: 1,
      turnover: '30',
      profit: '-0.5',
      clvMean: '0.025',
    });
    expect(m.yield).toBe('-0.0166666666667');
    // 100 → 109.5 → 99.5: a fall of 10 from 109.5
    expect(m.maxDrawdownFraction).toBe('0.0913242009132');
  });
});
