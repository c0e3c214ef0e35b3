import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KellyError, fractionalKelly, kellyExclusive, kellyFraction } from '../../shared/math';

describe('single-bet Kelly', () => {
  it('is (p·o − 1)/(o − 1), floored at zero', () => {
    expect(kellyFraction('0.6', '2').toFixed()).toBe('0.2');
    expect(kellyFraction('0.5', '3').toFixed()).toBe('0.25');
    expect(kellyFraction('0.4', '2').toFixed()).toBe('0');
    expect(fractionalKelly('0.6', '2', '0.25').toFixed()).toBe('0.05');
  });

  it('validates its inputs', () => {
    expect(() => kellyFraction('1.1', '2')).toThrow(KellyError);
    expect(() => kellyFraction('0.5', '1')).toThrow('decimal odds must be greater than 1 (odds: "1")');
    expect(() => fractionalKelly('0.5', '2', '0')).toThrow(
      'Kelly fraction must be greater than 0 and at most 1 (fraction: "0")',
    );
    expect(() => fractionalKelly('0.5', '2', '1.5')).toThrow(KellyError);
  });
});

describe('mutually exclusive outcomes (Smoczynski–Tomkins)', () => {
  it('reproduces the published check 0.45/0.30/0.25 at 2.5/3.2/2.8', () => {
    const r = kellyExclusive(['0.45', '0.30', '0.25'], ['2.5', '3.2', '2.8']);
    expect(r.fractions.map((f) => f.toFixed(4))).toEqual(['0.1022', '0.0283', '0.0000']);
    expect(r.selected).toEqual([0, 1]);
    expect(r.reserveRate.toFixed(6)).toBe('0.869565');
  });

  it('reduces to single-bet Kelly when one outcome is taken', () => {
    const r = kellyExclusive(['0.6', '0.4'], ['2', '1.6']);
    expect(r.selected).toEqual([0]);
    expect(r.fractions[0]!.toFixed()).toBe(kellyFraction('0.6', '2').toFixed());
  });

  it('bets nothing without an edge', () => {
    const r = kellyExclusive(['0.5', '0.5'], ['1.9', '1.9']);
    expect(r.fractions.every((f) => f.isZero())).toBe(true);
    expect(r.selected).toEqual([]);
  });

  it('rejects probabilities summing past 1 and mismatched lists', () => {
    expect(() => kellyExclusive(['0.6', '0.6'], ['2', '2'])).toThrow(KellyError);
    expect(() => kellyExclusive(['0.5'], ['2', '2'])).toThrow(KellyError);
  });

  it('maximises expected log growth (no small feasible move improves it)', () => {
    const market = fc
      .tuple(
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 2, maxLength: 5 }),
        fc.array(fc.integer({ min: 80, max: 130 }), { minLength: 5, maxLength: 5 }),
      )
      .map(([weights, skew]) => {
        const sum = weights.reduce((a, b) => a + b, 0);
        const p = weights.map((w) => Math.round((w / sum) * 1e6) / 1e6);
        // Odds near fair, some above and some below, always > 1.
        const o = p.map((pi, i) =>
          Math.max(1.01, Math.round((skew[i]! / 100 / Math.max(pi, 1e-6)) * 100) / 100),
        );
        return { p, o };
      })
      .filter(({ p }) => p.reduce((a, b) => a + b, 0) <= 1 && p.every((x) => x > 0));

    fc.assert(
      fc.property(market, ({ p, o }) => {
        const r = kellyExclusive(p.map(String), o.map(String));
        const f = r.fractions.map((x) => x.toNumber());
        const total = f.reduce((a, b) => a + b, 0);
        expect(total).toBeLessThanOrEqual(1 + 1e-12);
        f.forEach((x) => expect(x).toBeGreaterThanOrEqual(0));
        const g0 = growth(p, o, f);
        const h = 1e-5;
        for (let i = 0; i < f.length; i++) {
          for (const step of [h, -h]) {
            const moved = [...f];
            moved[i] = moved[i]! + step;
            if (moved[i]! < 0 || moved.reduce((a, b) => a + b, 0) > 1) continue;
            expect(growth(p, o, moved)).toBeLessThanOrEqual(g0 + 1e-12);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

/** E[log wealth] betting fractions f on exclusive outcomes; any probability left over loses every bet. */
function growth(p: number[], o: number[], f: number[]): number {
  const kept = 1 - f.reduce((a, b) => a + b, 0);
  let g = 0;
  p.forEach((pi, i) => {
    g += pi * Math.log(kept + f[i]! * o[i]!);
  });
  const rest = 1 - p.reduce((a, b) => a + b, 0);
  if (rest > 0) g += rest * Math.log(kept);
  return g;
}
