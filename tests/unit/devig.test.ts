import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  D,
  DEVIG_METHODS,
  DevigError,
  RootFindError,
  brent,
  devig,
  devigFloatInto,
  devigWorstCase,
  expandBracket,
  type DevigMethod,
} from '../../shared/math';

const ODDS = ['2.7', '2.3', '4.4'];
const six = (xs: readonly { toFixed(dp: number): string }[]) => xs.map((x) => x.toFixed(6));
const total = (xs: readonly D[]) => xs.reduce((a, b) => a.plus(b), new D(0));

/** Decimal odds with two decimals in [1.01, 30]: exact strings like real prices. */
const price = fc.integer({ min: 101, max: 3000 }).map((c) => (c / 100).toFixed(2));
/** A market of 2–8 outcomes whose booksum is in the range real books quote (an overround, < 1.5). */
const market = fc.array(price, { minLength: 2, maxLength: 8 }).filter((odds) => {
  const sum = odds.reduce((s, o) => s + 1 / Number(o), 0);
  return sum > 1.0001 && sum < 1.5;
});

describe('published check vector 2.7 / 2.3 / 4.4', () => {
  it.each([
    ['multiplicative', ['0.358738', '0.421127', '0.220135'], null],
    ['additive', ['0.359562', '0.423974', '0.216464'], null],
    ['power', ['0.359171', '0.423731', '0.217098'], '1.030913'],
    ['shin', ['0.359344', '0.423244', '0.217412'], '0.016236'],
    ['odds-ratio', ['0.358810', '0.422561', '0.218628'], '1.051169'],
  ] as const)('%s', (method, expected, parameter) => {
    const r = devig(ODDS, method);
    expect(six(r.probabilities)).toEqual(expected);
    expect(r.parameter === null ? null : r.parameter.toFixed(6)).toBe(parameter);
    expect(total(r.probabilities).eq(1)).toBe(true);
    expect(r.margin.toFixed(6)).toBe('0.032426');
  });

  it('worst-case takes the lowest probability per outcome and names its method', () => {
    const r = devigWorstCase(ODDS);
    expect(six(r.probabilities)).toEqual(['0.358738', '0.421127', '0.216464']);
    expect(r.methods).toEqual(['multiplicative', 'multiplicative', 'additive']);
    expect(r.excluded).toEqual([]);
  });
});

describe('devig behaviour', () => {
  it('refuses additive when a long shot would go negative, and worst-case leaves it out', () => {
    const odds = ['1.1', '6', '60'];
    expect(() => devig(odds, 'additive')).toThrow(DevigError);
    expect(() => devig(odds, 'additive')).toThrow('(odds[2]: "60")');
    const worst = devigWorstCase(odds);
    expect(worst.excluded.map((e) => e.method)).toEqual(['additive']);
    expect(worst.methods).not.toContain('additive');
  });

  it('refuses Shin without an overround but fits power and odds-ratio below 1', () => {
    const odds = ['2.1', '2.1'];
    expect(() => devig(odds, 'shin')).toThrow(DevigError);
    expect(devig(odds, 'power').parameter!.lt(1)).toBe(true);
    expect(devig(odds, 'odds-ratio').parameter!.lt(1)).toBe(true);
    expect(six(devig(odds, 'power').probabilities)).toEqual(['0.500000', '0.500000']);
  });

  it('rejects invalid odds', () => {
    expect(() => devig(['2'], 'power')).toThrow('a market needs at least two outcomes');
    expect(() => devig(['2', '0.9'], 'power')).toThrow('(odds[1]: "0.9")');
  });

  it('returns the parameter the probabilities were computed from', () => {
    const r = devig(ODDS, 'power');
    const k = r.parameter!;
    const raw = ODDS.map((o) => new D(1).div(o).pow(k));
    // Σπ^k is 1 to within the root tolerance before normalisation.
    expect(total(raw).minus(1).abs().lt('1e-12')).toBe(true);
  });
});

describe('properties over random markets', () => {
  it.each(['power', 'shin', 'odds-ratio', 'multiplicative'] as const)(
    '%s: probabilities lie in [0, 1] and sum to exactly 1',
    (method) => {
      fc.assert(
        fc.property(market, (odds) => {
          const r = devig(odds, method);
          expect(total(r.probabilities).eq(1)).toBe(true);
          for (const p of r.probabilities) {
            expect(p.gte(0) && p.lte(1)).toBe(true);
          }
        }),
        { numRuns: 150 },
      );
    },
  );

  it('keep the favourite-longshot order: a shorter price never gets a lower probability', () => {
    fc.assert(
      fc.property(market, fc.constantFrom<DevigMethod>(...DEVIG_METHODS), (odds, method) => {
        let r;
        try {
          r = devig(odds, method);
        } catch (err) {
          if (method === 'additive' && err instanceof DevigError) return;
          throw err;
        }
        for (let i = 0; i < odds.length; i++) {
          for (let j = 0; j < odds.length; j++) {
            if (Number(odds[i]) < Number(odds[j]))
              expect(r.probabilities[i]!.gte(r.probabilities[j]!)).toBe(true);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('worst-case never exceeds any method', () => {
    fc.assert(
      fc.property(market, (odds) => {
        const worst = devigWorstCase(odds);
        for (const method of DEVIG_METHODS) {
          if (worst.excluded.some((e) => e.method === method)) continue;
          const r = devig(odds, method);
          r.probabilities.forEach((p, i) => expect(worst.probabilities[i]!.lte(p)).toBe(true));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('the float64 fast path agrees with the Decimal path', () => {
    fc.assert(
      fc.property(
        market,
        fc.constantFrom<DevigMethod>('multiplicative', 'power', 'shin', 'odds-ratio'),
        (odds, method) => {
          const exact = devig(odds, method);
          const pi = Float64Array.from(odds, (o) => 1 / Number(o));
          const out = new Float64Array(odds.length);
          devigFloatInto(method, pi, odds.length, out);
          out.forEach((p, i) => expect(Math.abs(p - exact.probabilities[i]!.toNumber())).toBeLessThan(1e-12));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('root finding', () => {
  it('converges to 1e-12 and reports its iterations', () => {
    const r = brent((x) => x * x - 2, 0, 2);
    expect(Math.abs(r.root - Math.SQRT2)).toBeLessThan(1e-12);
    expect(r.iterations).toBeLessThan(20);
  });

  it('reports failure instead of looping', () => {
    expect(() => brent((x) => x * x + 1, -1, 1)).toThrow(RootFindError);
    expect(() =>
      brent((x) => Math.sign(x - 0.3) * Math.abs(x - 0.3) ** 0.01, 0, 1, { maxIterations: 3 }),
    ).toThrow(/did not converge/);
    expect(() => expandBracket(() => 1, 1, 2, 'k')).toThrow(RootFindError);
  });
});
