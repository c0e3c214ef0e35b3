import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  D,
  InputError,
  OddsError,
  americanToDecimal,
  booksum,
  clvAgainstClose,
  clvAgainstFairClose,
  convertOdds,
  decimalToAmerican,
  decimalToFractional,
  edge,
  expectedValue,
  formatAmerican,
  fractionalToDecimal,
  impliedProbability,
  marketMargin,
  parseDecimal,
  sampleSizeForEdge,
  toDecimalString,
  toSignificantString,
} from '../../shared/math';
import * as errors from '../../shared/math/errors';

const str = (x: { toFixed(): string }) => x.toFixed();

describe('odds conversion', () => {
  it('converts American odds exactly', () => {
    expect(str(americanToDecimal('+150'))).toBe('2.5');
    expect(str(americanToDecimal('150'))).toBe('2.5');
    expect(str(americanToDecimal(150))).toBe('2.5');
    expect(str(americanToDecimal('-110'))).toBe('1.909090909090909090909090909090909090909');
    expect(str(americanToDecimal('-200'))).toBe('1.5');
    expect(str(americanToDecimal('+100'))).toBe('2');
    expect(str(americanToDecimal('-100'))).toBe('2');
  });

  it('converts decimal odds to American', () => {
    expect(formatAmerican(decimalToAmerican('2.5'))).toBe('+150');
    expect(formatAmerican(decimalToAmerican('1.5'))).toBe('-200');
    expect(formatAmerican(decimalToAmerican('2'))).toBe('+100');
    expect(formatAmerican(decimalToAmerican('1.91'), 14)).toBe('-109.89010989011');
  });

  it('round-trips -110 through a 40-digit decimal back to -110 and 10/11', () => {
    const d = americanToDecimal('-110');
    expect(str(decimalToAmerican(d))).toBe('-110');
    expect(decimalToFractional(d)).toBe('10/11');
  });

  it('gives exact reduced fractions', () => {
    expect(decimalToFractional('2.5')).toBe('3/2');
    expect(decimalToFractional('1.8')).toBe('4/5');
    expect(decimalToFractional('1.91')).toBe('91/100');
    expect(decimalToFractional('11')).toBe('10/1');
    expect(str(fractionalToDecimal('3/2'))).toBe('2.5');
    expect(str(fractionalToDecimal('3-2'))).toBe('2.5');
    expect(str(fractionalToDecimal('10/11'))).toBe('1.909090909090909090909090909090909090909');
    expect(str(fractionalToDecimal('evens'))).toBe('2');
    expect(str(fractionalToDecimal('100/30'))).toBe('4.333333333333333333333333333333333333333');
  });

  it('reports all four forms', () => {
    const c = convertOdds('-110', 'american');
    expect(c.fractional).toBe('10/11');
    expect(formatAmerican(c.american)).toBe('-110');
    expect(toSignificantString(c.impliedProbability, 14)).toBe('0.52380952380952');
    const f = convertOdds('3/2', 'fractional');
    expect(str(f.decimal)).toBe('2.5');
    expect(formatAmerican(f.american)).toBe('+150');
    expect(str(f.impliedProbability)).toBe('0.4');
    expect(str(impliedProbability('4'))).toBe('0.25');
  });

  it('round-trips random American odds exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 100_000 }), fc.boolean(), (a, negative) => {
        const american = negative ? -a : a;
        const back = decimalToAmerican(americanToDecimal(american));
        // -100 and +100 are the same price; it prints as +100.
        expect(str(back)).toBe(String(a === 100 ? 100 : american));
      }),
    );
  });

  it('round-trips random fractions exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 500 }), (n, d) => {
        const back = decimalToFractional(fractionalToDecimal(`${n}/${d}`));
        const g = gcd(n, d);
        expect(back).toBe(`${n / g}/${d / g}`);
      }),
    );
  });

  it('rejects impossible odds with typed errors naming the field and value', () => {
    expect(() => convertOdds('0.95', 'decimal')).toThrow(
      new OddsError('decimal odds must be greater than 1', 'odds', '0.95'),
    );
    expect(() => convertOdds('0.95', 'decimal')).toThrow(
      'decimal odds must be greater than 1 (odds: "0.95")',
    );
    expect(() => convertOdds('1', 'decimal')).toThrow(OddsError);
    expect(() => convertOdds('-50', 'american')).toThrow(
      'American odds cannot lie between -100 and +100 (odds: "-50")',
    );
    expect(() => convertOdds('99.5', 'american')).toThrow(OddsError);
    expect(() => convertOdds('0/2', 'fractional')).toThrow(
      'positive numerator and denominator (odds: "0/2")',
    );
    expect(() => convertOdds('3/0', 'fractional')).toThrow(OddsError);
    expect(() => convertOdds('-3/2', 'fractional')).toThrow(OddsError);
    expect(() => convertOdds('abc', 'decimal')).toThrow('odds must be a decimal number (odds: "abc")');
    expect(() => convertOdds('NaN', 'decimal')).toThrow(OddsError);
    expect(() => convertOdds(Infinity, 'decimal')).toThrow(OddsError);
    expect(() => convertOdds('0x10', 'decimal')).toThrow(OddsError);
    try {
      convertOdds('0.95', 'decimal');
    } catch (err) {
      expect(err).toBeInstanceOf(OddsError);
      expect((err as OddsError).field).toBe('odds');
      expect((err as OddsError).value).toBe('0.95');
    }
  });
});

describe('decimal helpers', () => {
  it('never prints exponent notation', () => {
    expect(toDecimalString(new D('1e-12'))).toBe('0.000000000001');
    expect(toDecimalString(new D('1e25'))).toBe('10000000000000000000000000');
    expect(toDecimalString(new D('-0'))).toBe('0');
    expect(new D('1e-12').toString()).toBe('0.000000000001');
    expect(toSignificantString(new D(2).div(3), 12)).toBe('0.666666666667');
  });

  it('parses strictly', () => {
    expect(() => parseDecimal('', 'x')).toThrow(InputError);
    expect(() => parseDecimal('1.2.3', 'x')).toThrow('x must be a decimal number (x: "1.2.3")');
    expect(str(parseDecimal(' 2.50 ', 'x'))).toBe('2.5');
    expect(str(parseDecimal(10n, 'x'))).toBe('10');
  });
});

describe('margin', () => {
  it('computes booksum, overround and hold', () => {
    const m = marketMargin([
      '1.909090909090909090909090909090909090909',
      '1.909090909090909090909090909090909090909',
    ]);
    expect(m.booksum.toFixed(12)).toBe('1.047619047619');
    expect(m.overround.toFixed(12)).toBe('0.047619047619');
    expect(m.hold.toFixed(12)).toBe('0.045454545455');
    expect(str(booksum(['2', '2']))).toBe('1');
    expect(() => booksum(['2'])).toThrow(OddsError);
  });
});

describe('expected value and CLV', () => {
  it('computes edge and EV', () => {
    expect(str(edge('0.55', '2'))).toBe('0.1');
    expect(str(expectedValue('0.55', '2', '100'))).toBe('10');
    expect(str(edge('0.5', '1.9'))).toBe('-0.05');
    expect(() => edge('1.2', '2')).toThrow(InputError);
  });

  it('computes CLV against the book close and a devigged sharp close', () => {
    expect(str(clvAgainstClose('2.2', '2'))).toBe('0.1');
    // -110/-110 sharp close devigs to 0.5/0.5: fair odds 2, so 2.1 taken is +5%.
    const close = [americanToDecimal('-110'), americanToDecimal('-110')];
    const clv = clvAgainstFairClose('2.1', close, 0);
    expect(str(clv.clv)).toBe('0.05');
    expect(str(clv.fairOdds)).toBe('2');
    expect(() => clvAgainstFairClose('2.1', close, 2)).toThrow(InputError);
  });

  it('computes the sample-size gauge', () => {
    // (2·√(2−1)/0.05)² = 1600
    expect(str(sampleSizeForEdge('2', '0.05'))).toBe('1600');
    expect(sampleSizeForEdge('3', '0.02').toFixed(6)).toBe('20000.000000');
    expect(() => sampleSizeForEdge('2', '0')).toThrow('edge must be greater than 0 (edge: "0")');
  });
});

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

describe('math errors', () => {
  it('each carries its own name, and the field and value in its message', () => {
    const names = ['MathError', 'InputError', 'OddsError', 'DevigError', 'RootFindError'] as const;
    for (const name of [...names, 'ArbitrageError', 'KellyError', 'SizingError'] as const) {
      const err = new errors[name]('must be above 1', 'price', '0.5');
      expect(err).toBeInstanceOf(errors.MathError);
      expect(err.name).toBe(name);
      expect(err.message).toBe('must be above 1 (price: "0.5")');
    }
  });
});
