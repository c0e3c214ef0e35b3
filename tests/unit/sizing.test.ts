import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { D, SizingError, sizeStake, type SizingInput } from '../../shared/math';

const base: SizingInput = { bankroll: '10000', probability: '0.55', odds: '2', kellyFraction: '0.25' };

describe('stake sizing', () => {
  it('sizes by fractional Kelly when no cap binds', () => {
    // Full Kelly 0.1 × 0.25 × 10 000 = 250, under a 5% per-bet cap of 500.
    expect(sizeStake({ ...base, perBetCap: '0.05' })).toEqual({
      stake: '250',
      boundBy: 'kelly',
      kellyStake: '250',
      edge: '0.1',
    });
  });

  it('keeps a whole-unit Kelly stake whole', () => {
    // (0.8·1.3 − 1)/0.3 = 2/15 of 3000 = exactly 400: must not come out as 399.99.
    expect(
      sizeStake({ bankroll: '3000', probability: '0.8', odds: '1.3', kellyFraction: '1', perBetCap: '1' }),
    ).toMatchObject({
      stake: '400',
      boundBy: 'kelly',
    });
  });

  it('applies the default 2% per-bet cap', () => {
    expect(sizeStake(base)).toMatchObject({ stake: '200', boundBy: 'perBetCap' });
  });

  it.each([
    [{ bookMax: '120' }, '120', 'bookMax'],
    [{ event: { exposure: '900', limit: '1000' } }, '100', 'eventCap'],
    [{ sport: { exposure: '4950', limit: '5000' } }, '50', 'sportCap'],
    [{ available: '75.5' }, '75.5', 'bankroll'],
    [{ event: { exposure: '1200', limit: '1000' } }, '0', 'eventCap'],
    [{ multiplier: '0.5' }, '125', 'kelly'],
    [{ bookMax: '0.004' }, '0', 'unit'],
    [{ bookMax: '3', minStake: '5' }, '0', 'minStake'],
    [{ bookMax: '123.456', unit: '5' }, '120', 'bookMax'],
  ] as const)('%o → %s bound by %s', (extra, stake, boundBy) => {
    expect(sizeStake({ ...base, perBetCap: '0.05', ...extra })).toMatchObject({ stake, boundBy });
  });

  it('stakes nothing without an edge', () => {
    expect(sizeStake({ ...base, probability: '0.5' })).toMatchObject({ stake: '0', boundBy: 'zero-edge' });
    expect(sizeStake({ ...base, probability: '0.4' })).toMatchObject({
      stake: '0',
      boundBy: 'zero-edge',
      edge: '-0.2',
    });
  });

  it('validates inputs with typed errors', () => {
    expect(() => sizeStake({ ...base, bankroll: '-1' })).toThrow(SizingError);
    expect(() => sizeStake({ ...base, kellyFraction: '2' })).toThrow('(kellyFraction: "2")');
    expect(() => sizeStake({ ...base, unit: '0' })).toThrow('unit must be greater than 0 (unit: "0")');
    expect(() => sizeStake({ ...base, odds: '1' })).toThrow('decimal odds must be greater than 1');
  });

  it('never returns a stake that breaks a cap', () => {
    const amount = fc.integer({ min: 0, max: 1_000_000 }).map((c) => (c / 100).toFixed(2));
    fc.assert(
      fc.property(
        fc.record({
          bankroll: amount,
          probability: fc.integer({ min: 1, max: 999 }).map((x) => (x / 1000).toString()),
          odds: fc.integer({ min: 101, max: 2000 }).map((x) => (x / 100).toFixed(2)),
          kellyFraction: fc.constantFrom('0.1', '0.25', '0.5', '1'),
          multiplier: fc.constantFrom('0', '0.5', '1', '1.5'),
          perBetCap: fc.constantFrom('0.01', '0.02', '0.05', '1'),
          bookMax: fc.option(amount, { nil: undefined }),
          event: fc.option(fc.record({ exposure: amount, limit: amount }), { nil: undefined }),
          sport: fc.option(fc.record({ exposure: amount, limit: amount }), { nil: undefined }),
          available: fc.option(amount, { nil: undefined }),
          unit: fc.constantFrom('0.01', '1', '5', '25'),
        }),
        (input) => {
          const r = sizeStake(input);
          const stake = new D(r.stake);
          expect(stake.gte(0)).toBe(true);
          expect(stake.mod(input.unit).isZero()).toBe(true);
          expect(stake.lte(new D(input.bankroll).mul(input.perBetCap))).toBe(true);
          expect(stake.lte(input.available ?? input.bankroll)).toBe(true);
          if (input.bookMax !== undefined) expect(stake.lte(input.bookMax)).toBe(true);
          for (const limit of [input.event, input.sport]) {
            if (limit)
              expect(new D(limit.exposure).plus(stake).lte(D.max(limit.limit, limit.exposure))).toBe(true);
            if (limit && new D(limit.exposure).gte(limit.limit)) expect(stake.isZero()).toBe(true);
          }
          expect(stake.lte(r.kellyStake)).toBe(true);
          if (new D(r.edge).lte(0)) expect(r.boundBy).toBe('zero-edge');
        },
      ),
      { numRuns: 500 },
    );
  });
});
