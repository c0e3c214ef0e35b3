import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  bookMaxFor,
  dailyLossHeadroom,
  decideStakes,
  evaluateRequote,
  paperFill,
  uniformFromKey,
  type RiskLimits,
  type RiskSnapshot,
} from '../../shared/risk';
import { D } from '../../shared/math';

const limits: RiskLimits = {
  perBetCapFraction: '0.02',
  dailyLossStopFraction: '0.10',
  maxEventExposureFraction: '0.05',
  maxSportExposureFraction: '0.25',
  stakeUnit: '0.01',
  minStake: '1',
};
const fresh: RiskSnapshot = {
  equity: '10000',
  available: '10000',
  eventExposure: '0',
  sportExposure: '0',
  todayProfitLoss: '0',
};
const value = (p: string, price: string) => [{ probability: p, price, suggestedStake: null, bookMax: null }];
const sizing = { kellyFraction: '0.25', multiplier: '1' };

describe('risk: stake sizing under every limit', () => {
  it('sizes a value bet by fractional Kelly times the rollout multiplier', () => {
    // full Kelly (0.55·2 − 1)/(2 − 1) = 0.1 → quarter Kelly 0.025 → 250, capped by 2 % = 200.
    expect(decideStakes(value('0.55', '2'), fresh, limits, sizing)).toEqual({
      ok: true,
      stakes: ['200'],
      boundBy: ['perBetCap'],
    });
    expect(
      decideStakes(value('0.55', '2'), fresh, limits, { kellyFraction: '0.25', multiplier: '0.5' }),
    ).toEqual({
      ok: true,
      stakes: ['125'],
      boundBy: ['kelly'],
    });
  });

  it('names the rule that refused: multiplier 0, no edge, event cap, sport cap, daily loss stop', () => {
    expect(
      decideStakes(value('0.55', '2'), fresh, limits, { kellyFraction: '0.25', multiplier: '0' }),
    ).toMatchObject({
      ok: false,
      rule: 'multiplier',
    });
    expect(decideStakes(value('0.45', '2'), fresh, limits, sizing)).toMatchObject({
      ok: false,
      rule: 'zero-edge',
    });
    expect(
      decideStakes(value('0.55', '2'), { ...fresh, eventExposure: '500' }, limits, sizing),
    ).toMatchObject({
      ok: false,
      rule: 'eventCap',
    });
    expect(
      decideStakes(value('0.55', '2'), { ...fresh, sportExposure: '2500' }, limits, sizing),
    ).toMatchObject({
      ok: false,
      rule: 'sportCap',
    });
    expect(
      decideStakes(
        value('0.55', '2'),
        { ...fresh, equity: '9000', todayProfitLoss: '-1000' },
        limits,
        sizing,
      ),
    ).toMatchObject({ ok: false, rule: 'dailyLossStop' });
  });

  it('holds the stake under the event headroom: all markets of an event are one position', () => {
    expect(decideStakes(value('0.55', '2'), { ...fresh, eventExposure: '420' }, limits, sizing)).toEqual({
      ok: true,
      stakes: ['80'],
      boundBy: ['eventCap'],
    });
  });

  it('the daily loss stop counts from the start-of-day bankroll and caps what a new bet may lose', () => {
    const s = { ...fresh, equity: '9950', todayProfitLoss: '-950' }; // start of day 10900, stop 1090, left 140
    expect(dailyLossHeadroom(s, limits).toFixed()).toBe('140');
    expect(decideStakes(value('0.55', '2'), s, limits, sizing)).toEqual({
      ok: true,
      stakes: ['140'],
      boundBy: ['dailyLossStop'],
    });
  });

  it('scales arbitrage legs together, keeping their proportions, to the tightest limit', () => {
    const legs = [
      { probability: null, price: '2.10', suggestedStake: '488.37', bookMax: null },
      { probability: null, price: '2.05', suggestedStake: '500.29', bookMax: '300' },
    ];
    const r = decideStakes(legs, fresh, limits, sizing);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // Per-bet cap 200 binds the larger leg: share 200/500.29.
    expect(r.boundBy[0]).toBe('perBetCap');
    expect(new D(r.stakes[1]!).lte(200) && new D(r.stakes[1]!).gte('199.99')).toBe(true);
    expect(new D(r.stakes[0]!).div(r.stakes[1]!).toNumber()).toBeCloseTo(488.37 / 500.29, 3);
  });

  it('never breaks a limit (property)', () => {
    const money = fc.integer({ min: 0, max: 2_000_000 }).map((c) => new D(c).div(100).toFixed());
    fc.assert(
      fc.property(
        fc.integer({ min: 5_000, max: 200_000 }),
        money,
        money,
        fc.integer({ min: -5000, max: 5000 }),
        fc.integer({ min: 101, max: 1000 }),
        fc.integer({ min: 1, max: 99 }),
        (equity, event, sport, today, priceCents, pct) => {
          const snapshot: RiskSnapshot = {
            equity: String(equity),
            available: String(equity),
            eventExposure: event,
            sportExposure: sport,
            todayProfitLoss: String(today),
          };
          const price = new D(priceCents).div(100).toFixed();
          const r = decideStakes(value(new D(pct).div(100).toFixed(), price), snapshot, limits, sizing);
          if (!r.ok) return;
          const stake = new D(r.stakes[0]!);
          const eq = new D(equity);
          expect(stake.lte(eq.mul('0.02'))).toBe(true);
          expect(stake.plus(event).lte(eq.mul('0.05'))).toBe(true);
          expect(stake.plus(sport).lte(eq.mul('0.25'))).toBe(true);
          expect(stake.lte(dailyLossHeadroom(snapshot, limits))).toBe(true);
          expect(stake.gte(1)).toBe(true);
          expect(stake.mod('0.01').isZero()).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('risk: re-quote', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const settings = { maxQuoteAgeMs: 60_000, priceTolerance: '0.02' };
  const at = (s: number) => new Date(now - s * 1000).toISOString();
  /** Board quotes at these prices, all seen `s` seconds ago. */
  const seenAt = (s: number, ...prices: string[]) => prices.map((price) => ({ price, observedAt: at(s) }));
  const leg = { detectedPrice: '2.00', probability: '0.55' };

  it('takes the current price, better or within tolerance', () => {
    expect(evaluateRequote([leg], [{ price: '2.05', observedAt: at(5) }], now, settings, 'value')).toEqual({
      ok: true,
      prices: ['2.05'],
    });
    expect(evaluateRequote([leg], [{ price: '1.96', observedAt: at(5) }], now, settings, 'value').ok).toBe(
      true,
    );
  });

  it('refuses a missing or stale quote, a price moved past tolerance, a vanished edge or arbitrage', () => {
    expect(evaluateRequote([leg], [null], now, settings, 'value')).toMatchObject({
      ok: false,
      rule: 'noQuote',
    });
    expect(
      evaluateRequote([leg], [{ price: '2', observedAt: at(61) }], now, settings, 'value'),
    ).toMatchObject({
      ok: false,
      rule: 'staleQuote',
    });
    expect(
      evaluateRequote([leg], [{ price: '2', observedAt: at(1), staleAt: now - 1 }], now, settings, 'value'),
    ).toMatchObject({ ok: false, rule: 'staleQuote' });
    expect(
      evaluateRequote([leg], [{ price: '1.95', observedAt: at(1) }], now, settings, 'value'),
    ).toMatchObject({
      ok: false,
      rule: 'priceMoved',
    });
    expect(
      evaluateRequote(
        [{ detectedPrice: '1.8', probability: '0.55' }],
        [{ price: '1.8', observedAt: at(1) }],
        now,
        settings,
        'value',
      ),
    ).toMatchObject({ ok: false, rule: 'edgeGone' });
    const arb = [
      { detectedPrice: '2.10', probability: null },
      { detectedPrice: '2.05', probability: null },
    ];
    expect(evaluateRequote(arb, seenAt(1, '2.10', '2.05'), now, settings, 'arbitrage').ok).toBe(true);
    expect(
      evaluateRequote(
        arb,
        seenAt(1, '2.10', '1.85'),
        now,
        { ...settings, priceTolerance: '0.1' },
        'arbitrage',
      ),
    ).toMatchObject({ ok: false, rule: 'arbGone' });
  });
});

describe('risk: the paper book', () => {
  const fill = {
    price: '2.00',
    stake: '100',
    slippage: '0.01',
    rejectionProbability: '0',
    bookMax: null,
    stakeUnit: '0.01',
  };

  it('fills at the price less slippage, at most the book maximum', () => {
    expect(paperFill({ ...fill, idempotencyKey: 'k1' })).toMatchObject({
      status: 'placed',
      price: '1.98',
      stake: '100',
    });
    expect(paperFill({ ...fill, idempotencyKey: 'k1', bookMax: '60' })).toMatchObject({ stake: '60' });
    expect(bookMaxFor({ default: '5000', fanduel: '250' }, 'fanduel')).toBe('250');
    expect(bookMaxFor({ default: '5000' }, 'x')).toBe('5000');
    expect(bookMaxFor({}, 'x')).toBeNull();
  });

  it('rejects a deterministic share of bets: the draw comes from the key, so a retry meets the same answer', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `ab1:opp-${i}:0`);
    const outcomes = keys.map(
      (k) => paperFill({ ...fill, idempotencyKey: k, rejectionProbability: '0.2' }).status,
    );
    const rejected = outcomes.filter((s) => s === 'rejected').length;
    expect(rejected).toBeGreaterThan(320);
    expect(rejected).toBeLessThan(480);
    keys.forEach((k, i) =>
      expect(paperFill({ ...fill, idempotencyKey: k, rejectionProbability: '0.2' }).status).toBe(outcomes[i]),
    );
    expect(uniformFromKey('a')).toBe(uniformFromKey('a'));
    expect(uniformFromKey('a')).not.toBe(uniformFromKey('b'));
  });
});
