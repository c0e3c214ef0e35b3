import { describe, expect, it } from 'vitest';
import {
  scoresFromResult,
  settleBet,
  SettlementError,
  voidSettlement,
  type SettleInput,
} from '../../shared/settlement';

const base = { stake: '100', price: '1.95', unit: '0.01', threeWay: false, point: null } as const;
const nfl = { Chiefs: '24', Bills: '20' };

function settle(over: Partial<SettleInput>) {
  return settleBet({ ...base, marketType: 'h2h', outcome: 'Chiefs', scores: nfl, ...over });
}

describe('settlement rules', () => {
  it('h2h: the higher score wins, the other side loses, P&L exact', () => {
    expect(settle({})).toMatchObject({ status: 'won', profitLoss: '95', returns: '195' });
    expect(settle({ outcome: 'Bills' })).toMatchObject({ status: 'lost', profitLoss: '-100', returns: '0' });
  });

  it('h2h: a tie voids a two-way market and loses in a three-way one, where the draw wins', () => {
    const tie = { Arsenal: '1', Chelsea: '1' };
    expect(settle({ outcome: 'Arsenal', scores: tie })).toMatchObject({
      status: 'voided',
      profitLoss: '0',
      returns: '100',
    });
    expect(settle({ outcome: 'Arsenal', scores: tie, threeWay: true })).toMatchObject({
      status: 'lost',
      profitLoss: '-100',
    });
    expect(settle({ outcome: 'Draw', scores: tie, threeWay: true, price: '3.4' })).toMatchObject({
      status: 'won',
      profitLoss: '240',
    });
    expect(settle({ outcome: 'Draw', scores: { Arsenal: '2', Chelsea: '1' }, threeWay: true })).toMatchObject(
      {
        status: 'lost',
      },
    );
  });

  it('spreads: score + point against the opponent; a whole line landing exactly is a push', () => {
    const s = (outcome: string, point: string, scores = nfl) =>
      settleBet({ ...base, marketType: 'spreads', outcome, point, scores });
    expect(s('Chiefs', '-3.5').status).toBe('won'); // 24 - 3.5 > 20
    expect(s('Bills', '3.5').status).toBe('lost');
    expect(s('Chiefs', '-4')).toMatchObject({ status: 'push', profitLoss: '0', returns: '100' });
    expect(s('Bills', '4')).toMatchObject({ status: 'push', profitLoss: '0' });
    expect(s('Chiefs', '-7').status).toBe('lost');
  });

  it('totals: over/under the sum of all scores, push on the line', () => {
    const t = (outcome: string, point: string) =>
      settleBet({ ...base, marketType: 'totals', outcome, point, scores: nfl });
    expect(t('Over', '43.5').status).toBe('won');
    expect(t('Under', '43.5').status).toBe('lost');
    expect(t('Over', '44')).toMatchObject({ status: 'push', profitLoss: '0' });
    expect(t('Under', '44.5')).toMatchObject({ status: 'won', profitLoss: '95' });
  });

  it('quarter lines settle as two halves', () => {
    // -4.25 → halves on -4 (push) and -4.5 (loss): lose half the stake.
    expect(
      settleBet({ ...base, marketType: 'spreads', outcome: 'Chiefs', point: '-4.25', scores: nfl }),
    ).toMatchObject({
      status: 'lost',
      profitLoss: '-50',
      returns: '50',
    });
    // Over 43.75 → halves on 43.5 (win) and 44 (push): win half.
    expect(
      settleBet({ ...base, marketType: 'totals', outcome: 'Over', point: '43.75', scores: nfl }),
    ).toMatchObject({
      status: 'won',
      profitLoss: '47.5',
    });
  });

  it('pays back stake plus winnings rounded DOWN to the unit, exactly', () => {
    const r = settle({ stake: '42.10', price: '1.95' });
    expect(r.returns).toBe('82.09'); // 82.095 → 82.09
    expect(r.profitLoss).toBe('39.99');
    expect(settle({ stake: '0.1', price: '1.3' }).profitLoss).toBe('0.03');
  });

  it('matches participant names case-insensitively and refuses what it cannot grade', () => {
    expect(settle({ outcome: 'chiefs' }).status).toBe('won');
    expect(() => settle({ outcome: 'Dolphins' })).toThrow(SettlementError);
    expect(() =>
      settleBet({ ...base, marketType: 'spreads', outcome: 'Chiefs', point: '-3.3', scores: nfl }),
    ).toThrow(/multiple of 0.25/);
    expect(() => settleBet({ ...base, marketType: 'props', outcome: 'x', scores: nfl })).toThrow(
      /no settlement rule/,
    );
  });

  it('voids return the stake', () => {
    expect(voidSettlement('42.1', 'event cancelled')).toEqual({
      status: 'voided',
      profitLoss: '0',
      returns: '42.1',
      rule: 'event cancelled',
    });
  });

  it('reads scores from the shapes events.result may hold', () => {
    expect(scoresFromResult({ Chiefs: 24, Bills: '20' })).toEqual({ Chiefs: '24', Bills: '20' });
    expect(scoresFromResult({ scores: { Chiefs: '24', Bills: '20' }, completed: true })).toEqual(nfl);
    expect(
      scoresFromResult({
        completed: true,
        scores: [
          { name: 'Chiefs', score: '24' },
          { name: 'Bills', score: '20' },
        ],
      }),
    ).toEqual(nfl);
    expect(scoresFromResult(null)).toBeNull();
    expect(scoresFromResult({ scores: null })).toBeNull();
    expect(scoresFromResult({ Chiefs: 'many', Bills: '2' })).toBeNull();
  });
});
