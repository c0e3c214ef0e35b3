import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ArbitrageError,
  americanToDecimal,
  D,
  indexQuotes,
  devig,
  findArbitrage,
  findArbitrages,
  scanQuotes,
  solveArbitrage,
  type KeyedQuote,
  type Quote,
} from '../../shared/math';
import { marketKeyString } from '../../shared/entities';

/** Price in cents (exact two-decimal odds) so the brute force below can work in integers. */
const cents = fc.integer({ min: 101, max: 1500 });
const asPrice = (c: number) => (c / 100).toFixed(2);
/** 2- and 3-way markets with a margin of 0–8% for the best prices: genuine arbitrages. */
const arbMarket = fc.array(cents, { minLength: 2, maxLength: 3 }).filter((cs) => {
  const sum = cs.reduce((s, c) => s + 100 / c, 0);
  return sum < 0.9999 && sum > 0.92;
});

describe('arbitrage solver', () => {
  it('reproduces the published check: 2.10 / 2.05, 1000 staked in units of 5', () => {
    const r = solveArbitrage(
      [
        { bookmaker: 'a', price: '2.10' },
        { bookmaker: 'b', price: '2.05' },
      ],
      { totalStake: 1000, unit: 5 },
    );
    expect(r.isArbitrage).toBe(true);
    expect(new D(r.profit).toFixed(6)).toBe('0.037349');
    expect(r.plan!.stakes).toEqual(['495', '505']);
    expect(r.plan!.payouts).toEqual(['1039.5', '1035.25']);
    expect(r.plan!.guaranteedProfit).toBe('35.25');
    expect(r.plan!.totalStake).toBe('1000');
  });

  it('balances a 3-way arbitrage and reports strings', () => {
    const r = solveArbitrage(
      [
        { bookmaker: 'a', outcome: 'home', price: '2.6' },
        { bookmaker: 'b', outcome: 'draw', price: '3.7' },
        { bookmaker: 'c', outcome: 'away', price: '3.9' },
      ],
      { totalStake: '100' },
    );
    expect(r.isArbitrage).toBe(true);
    const payouts = r.plan!.payouts.map((p) => new D(p));
    expect(payouts[0]!.minus(payouts[1]!).abs().lt('1e-30')).toBe(true);
    expect(payouts[0]!.minus(payouts[2]!).abs().lt('1e-30')).toBe(true);
    expect(typeof r.plan!.stakes[0]).toBe('string');
  });

  it('caps a leg at a book maximum and scales the others', () => {
    const r = solveArbitrage(
      [
        { bookmaker: 'a', price: '2.10' },
        { bookmaker: 'b', price: '2.05' },
      ],
      { totalStake: 1000, maxStakes: { a: 200 } },
    );
    expect(r.plan!.limitedBy).toBe('a');
    expect(new D(r.plan!.stakes[0]!).lte(200)).toBe(true);
    expect(new D(r.plan!.stakes[0]!).minus(200).abs().lt('1e-30')).toBe(true);
    const [p0, p1] = r.plan!.payouts.map((p) => new D(p));
    expect(p0!.minus(p1!).abs().lt('1e-30')).toBe(true);
    expect(new D(r.plan!.totalStake).lt(1000)).toBe(true);
  });

  it('applies exchange commission to net winnings', () => {
    const r = solveArbitrage(
      [
        { bookmaker: 'book', price: '2.10' },
        { bookmaker: 'exchange', price: '2.10' },
      ],
      { commission: { exchange: '0.05' } },
    );
    expect(r.legs[1]!.effectivePrice).toBe('2.045');
    expect(r.isArbitrage).toBe(true);
    const noArb = solveArbitrage(
      [
        { bookmaker: 'book', price: '2.02' },
        { bookmaker: 'exchange', price: '2.02' },
      ],
      { commission: { exchange: '0.05' } },
    );
    expect(noArb.isArbitrage).toBe(false);
    expect(() =>
      solveArbitrage(
        [
          { bookmaker: 'x', price: '2' },
          { bookmaker: 'y', price: '2' },
        ],
        { commission: { x: 1 } },
      ),
    ).toThrow(ArbitrageError);
  });

  it('flags suspect arbitrages: profit over the cap, stale and undated quotes', () => {
    const legs = [
      { bookmaker: 'a', price: '3', observedAt: 1_000 },
      { bookmaker: 'b', price: '3', observedAt: 100_000 },
    ];
    const r = solveArbitrage(legs, { now: 100_500, staleAfterMs: 30_000 });
    expect(r.suspect).toBe(true);
    expect(r.reasons.map((x) => x.code)).toEqual(['profit-cap', 'stale-quote']);
    expect(solveArbitrage(legs, { profitCap: '0.6' }).suspect).toBe(false);
    const undated = solveArbitrage(
      [
        { bookmaker: 'a', price: '2.05' },
        { bookmaker: 'b', price: '2.05' },
      ],
      { now: 0 },
    );
    expect(undated.reasons.map((x) => x.code)).toEqual(['unknown-age', 'unknown-age']);
  });

  it('decides break-even markets exactly', () => {
    const legs = (price: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ bookmaker: `b${i}`, price }));
    expect(solveArbitrage(legs('3', 3)).isArbitrage).toBe(false);
    expect(solveArbitrage(legs('2', 2)).isArbitrage).toBe(false);
    expect(solveArbitrage(legs('3.0000000001', 3)).isArbitrage).toBe(true);
    // 2.5 with 20% commission is exactly 2.2 — a book of 2.2 / 2.2 / 11 sums to exactly 1.
    expect(
      solveArbitrage(
        [
          { bookmaker: 'x', price: '2.5' },
          { bookmaker: 'y', price: '2.2' },
          { bookmaker: 'z', price: '11' },
        ],
        { commission: { x: '0.2' } },
      ).isArbitrage,
    ).toBe(false);
    const board = indexQuotes(
      ['a', 'b', 'c'].map((outcome) => ({ market: 'k', bookmaker: 'b', outcome, price: '3' })),
    );
    expect(scanQuotes(board).arbitrages).toEqual([]);
  });

  it('rejects a total too small for the unit', () => {
    expect(() =>
      solveArbitrage(
        [
          { bookmaker: 'a', price: '2.10' },
          { bookmaker: 'b', price: '2.05' },
        ],
        { totalStake: 5, unit: 5 },
      ),
    ).toThrow(/too small/);
  });
});

describe('arbitrage properties', () => {
  it('ideal stakes pay the same on every outcome and spend the whole outlay', () => {
    fc.assert(
      fc.property(arbMarket, fc.integer({ min: 10, max: 100_000 }), (cs, total) => {
        const r = solveArbitrage(
          cs.map((c, i) => ({ bookmaker: `b${i}`, price: asPrice(c) })),
          { totalStake: total },
        );
        const payouts = cs.map((c, i) => new D(r.plan!.stakes[i]!).mul(asPrice(c)));
        for (const p of payouts) expect(p.minus(payouts[0]!).abs().lt('1e-30')).toBe(true);
        expect(new D(r.plan!.totalStake).minus(total).abs().lt('1e-30')).toBe(true);
        expect(new D(r.plan!.totalStake).lte(total)).toBe(true);
        // Payout over outlay is exactly 1 + profit.
        expect(payouts[0]!.div(total).minus(new D(r.profit).plus(1)).abs().lt('1e-30')).toBe(true);
      }),
    );
  });

  it('rounded stakes never claim more than they pay, respect the total, units and caps, and are optimal', () => {
    fc.assert(
      fc.property(
        arbMarket,
        fc.integer({ min: 20, max: 60 }),
        fc.constantFrom(1, 2, 5),
        fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
        (cs, units, unit, capUnits) => {
          const total = units * unit;
          const cap = capUnits === undefined ? undefined : capUnits * unit;
          let r;
          try {
            r = solveArbitrage(
              cs.map((c, i) => ({ bookmaker: `b${i}`, price: asPrice(c) })),
              { totalStake: total, unit, maxStakes: cap === undefined ? {} : { b0: cap } },
            );
          } catch (err) {
            if (err instanceof ArbitrageError) return expect(bruteForce(cs, total, unit, cap)).toBeNull();
            throw err;
          }
          const stakes = r.plan!.stakes.map(Number);
          // Independent recomputation in integer cents.
          const payoutCents = stakes.map((s, i) => s * cs[i]!);
          const totalStaked = stakes.reduce((a, b) => a + b, 0);
          const profitCents = Math.min(...payoutCents) - totalStaked * 100;
          expect(new D(r.plan!.guaranteedProfit).mul(100).toNumber()).toBe(profitCents);
          expect(totalStaked).toBeLessThanOrEqual(total);
          for (const s of stakes) expect(s % unit).toBe(0);
          if (cap !== undefined) expect(stakes[0]).toBeLessThanOrEqual(cap);
          // No other whole-unit plan within the total does better.
          expect(profitCents).toBe(bruteForce(cs, total, unit, cap));
        },
      ),
      { numRuns: 120 },
    );
  });
});

/** Best guaranteed profit (in cents) over every whole-unit plan within the total, by exhaustion. */
function bruteForce(cs: number[], total: number, unit: number, cap: number | undefined): number | null {
  const n = total / unit;
  let best: number | null = null;
  const walk = (i: number, left: number, minPay: number, staked: number) => {
    if (i === cs.length) {
      const profit = minPay - staked * 100;
      if (best === null || profit > best) best = profit;
      return;
    }
    const limit = i === 0 && cap !== undefined ? Math.min(left, cap / unit) : left;
    for (let k = 1; k <= limit; k++)
      walk(i + 1, left - k, Math.min(minPay, k * unit * cs[i]!), staked + k * unit);
  };
  walk(0, n, Infinity, 0);
  return best;
}

describe('quotes', () => {
  it('takes the best price per outcome and needs every outcome', () => {
    const quotes: Quote[] = [
      { bookmaker: 'a', outcome: 'home', price: '2.00' },
      { bookmaker: 'b', outcome: 'home', price: '2.20' },
      { bookmaker: 'a', outcome: 'away', price: '1.90' },
      { bookmaker: 'c', outcome: 'away', price: '2.00' },
    ];
    const r = findArbitrage('k', quotes)!;
    expect(r.legs.map((l) => `${l.bookmaker}:${l.price}`)).toEqual(['b:2.2', 'c:2']);
    expect(findArbitrage('k', quotes, { outcomes: ['home', 'draw', 'away'] })).toBeNull();
    expect(() => findArbitrage('k', quotes, { outcomes: ['over', 'under'] })).toThrow(ArbitrageError);
    expect(findArbitrages({ k: quotes, other: quotes.slice(0, 2) })).toHaveLength(1);
  });
});

describe('board scan', () => {
  const boardArb = fc.array(
    fc.record({
      outcomes: fc.integer({ min: 2, max: 3 }),
      books: fc.array(fc.array(cents, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
    }),
    { minLength: 1, maxLength: 30 },
  );

  it('finds exactly the arbitrages the Decimal path finds and devigs every line', () => {
    fc.assert(
      fc.property(boardArb, (markets) => {
        const quotes: KeyedQuote[] = [];
        const grouped = new Map<string, Quote[]>();
        markets.forEach((m, e) => {
          const key = marketKeyString({ eventId: `e${e}`, marketType: 'h2h', period: 'full', line: null });
          m.books.forEach((prices, b) => {
            for (let o = 0; o < m.outcomes; o++) {
              const q = { market: key, bookmaker: `book${b}`, outcome: `o${o}`, price: asPrice(prices[o]!) };
              quotes.push(q);
              grouped.set(key, [...(grouped.get(key) ?? []), q]);
            }
          });
        });
        const scan = scanQuotes(indexQuotes(quotes));
        const reference = findArbitrages(grouped);
        expect(scan.arbitrages.map((a) => [a.marketKey, a.profit])).toEqual(
          reference.map((a) => [a.marketKey, a.profit]),
        );
        // Every quote's fair probability matches the Decimal devig of its own book's line.
        for (const [key, list] of grouped) {
          const books = new Set(list.map((q) => q.bookmaker));
          for (const book of books) {
            const line = list.filter((q) => q.bookmaker === book);
            const exact = devig(
              line.map((q) => q.price),
              'multiplicative',
            );
            line.forEach((q, i) => {
              const fair = scan.fair[quotes.indexOf(q as KeyedQuote)]!;
              expect(Math.abs(fair - exact.probabilities[i]!.toNumber())).toBeLessThan(1e-12);
            });
          }
          expect(key).toBeTruthy();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('skips incomplete markets and confirms candidates exactly', () => {
    const quotes: KeyedQuote[] = [
      { market: 'm|1x2||FT', bookmaker: 'a', outcome: 'home', price: '3' },
      { market: 'm|1x2||FT', bookmaker: 'a', outcome: 'away', price: '3' },
      { market: 'n|ml||FT', bookmaker: 'a', outcome: 'home', price: '2' },
      { market: 'n|ml||FT', bookmaker: 'b', outcome: 'away', price: '2' },
    ];
    const board = indexQuotes(quotes, { outcomeCount: (k) => (k.includes('1x2') ? 3 : 2) });
    const scan = scanQuotes(board);
    // The 1x2 market lacks its draw; 2.0 / 2.0 is break-even, screened in but not an arbitrage.
    expect(scan.arbitrages).toEqual([]);
    expect(scan.candidates).toBe(1);
    expect(Number.isNaN(scan.fair[0])).toBe(true);
    expect(() => indexQuotes([{ market: 'x', bookmaker: 'a', outcome: 'h', price: '0.9' }])).toThrow(
      'decimal odds must be greater than 1 (quotes[0].price: "0.9")',
    );
  });

  it('does not call a fair pair quoted in American odds an arbitrage (−185 / +185)', () => {
    const quotes = [
      { bookmaker: 'x', outcome: 'A', price: americanToDecimal('-185') },
      { bookmaker: 'y', outcome: 'B', price: americanToDecimal('185') },
    ];
    expect(findArbitrage('m', quotes)).toBeNull();
    const better = [quotes[0]!, { bookmaker: 'y', outcome: 'B', price: americanToDecimal('186') }];
    expect(findArbitrage('m', better)?.isArbitrage).toBe(true);
  });
});
