import { describe, expect, it } from 'vitest';
import { fromDefinition } from '../../shared/backtest';
import { americanToDecimal, decimalToFraction, fraction, inverseSum } from '../../shared/math';
import { StrategyParameterError, arbitrageStrategy } from '../../shared/strategies';

// One definition per concept (README "Vocabulary"): these pin the shared ones that replaced duplicates.

describe('one fraction type', () => {
  it('sums inverse prices exactly through shared/math (a fair -185 / +185 pair is exactly 1)', () => {
    const minus185 = decimalToFraction(americanToDecimal('-185'));
    expect(minus185).toEqual(fraction(57n, 37n));
    expect(inverseSum([minus185, fraction(57n, 20n)])).toEqual(fraction(1n, 1n));
    expect(inverseSum([fraction(21n, 10n), fraction(21n, 10n)])).toEqual({ num: 20n, den: 21n });
  });
});

describe('one StrategyParameterError', () => {
  it('a backtest strategy with bad parameters throws the strategies error, with the fields named', () => {
    let err: unknown;
    try {
      fromDefinition(arbitrageStrategy, { minProfit: 'lots', bogus: 1 }, 'arb');
    } catch (e) {
      err = e;
    }
    // The live sweep and the CLI catch this one class; a second class of the same name slipped past them.
    expect(err).toBeInstanceOf(StrategyParameterError);
    expect((err as StrategyParameterError).fields.sort()).toEqual(['bogus', 'minProfit']);
    expect((err as Error).message).toContain('arb.minProfit:');
  });
});
