import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { arbScan } from '../../cli/commands/arb-scan';
import type { OddsQuote } from '../../shared/entities';
import { americanToDecimal, toDecimalString } from '../../shared/math';
import { boardFromOddsApi, fetchTimeFromName } from '../../shared/strategies/recorded-board';
import {
  arbitrageStrategy,
  opportunityId,
  scanArbitrages,
  type BoardSnapshot,
} from '../../shared/strategies';
import { sharedData } from '../helpers/data';
import { before, scheduledEvent, testQuote } from '../helpers/board';

// ---- an independent brute force, on exact rationals straight from the American prices ----

interface Rat {
  num: bigint;
  den: bigint;
}
/** 1 / decimal odds of an American price, exactly. */
function inverseOfAmerican(a: number): Rat {
  const x = BigInt(a);
  return x > 0n ? { num: 100n, den: x + 100n } : { num: -x, den: -x + 100n };
}
function add(a: Rat, b: Rat): Rat {
  return { num: a.num * b.den + b.num * a.den, den: a.den * b.den };
}

interface RawQuote {
  book: string;
  name: string;
  point: number | undefined;
  price: number;
}
interface BruteArb {
  id: string;
  /** Σ 1/price of the best combination. */
  best: Rat;
}

/**
 * Every combination of one quote per outcome (any books) in every complementary market: h2h all names,
 * spreads team A at p with team B at −p, totals Over x with Under x. A market is an arbitrage when some
 * combination has Σ 1/price < 1.
 */
function bruteForce(raw: RawEvent[]): BruteArb[] {
  const found: BruteArb[] = [];
  for (const e of raw) {
    const byType = new Map<string, RawQuote[]>();
    for (const b of e.bookmakers)
      for (const m of b.markets)
        for (const o of m.outcomes) {
          const list = byType.get(m.key) ?? [];
          list.push({ book: b.key, name: o.name, point: o.point, price: o.price });
          byType.set(m.key, list);
        }
    const markets: { id: string; sides: RawQuote[][] }[] = [];
    const h2h = byType.get('h2h') ?? [];
    const names = [...new Set(h2h.map((q) => q.name))].sort();
    if (names.length >= 2) {
      markets.push({
        id: `${e.id}|h2h|${names.join('/')}`,
        sides: names.map((n) => h2h.filter((q) => q.name === n)),
      });
    }
    const spreads = byType.get('spreads') ?? [];
    const teams = [...new Set(spreads.map((q) => q.name))].sort();
    if (teams.length === 2) {
      for (const p of new Set(spreads.filter((q) => q.name === teams[0]).map((q) => q.point!))) {
        markets.push({
          id: `${e.id}|spreads|${teams[0]}@${p}/${teams[1]}@${-p}`,
          sides: [
            spreads.filter((q) => q.name === teams[0] && q.point === p),
            spreads.filter((q) => q.name === teams[1] && q.point === -p),
          ],
        });
      }
    }
    const totals = byType.get('totals') ?? [];
    for (const x of new Set(totals.map((q) => q.point!))) {
      markets.push({
        id: `${e.id}|totals|Over@${x}/Under@${x}`,
        sides: [
          totals.filter((q) => q.name === 'Over' && q.point === x),
          totals.filter((q) => q.name === 'Under' && q.point === x),
        ],
      });
    }
    for (const market of markets) {
      if (market.sides.some((s) => s.length === 0)) continue;
      let best: Rat | null = null;
      const walk = (i: number, sum: Rat) => {
        if (i === market.sides.length) {
          if (sum.num < sum.den && (!best || sum.num * best.den < best.num * sum.den)) best = sum;
          return;
        }
        for (const q of market.sides[i]!) walk(i + 1, add(sum, inverseOfAmerican(q.price)));
      };
      walk(0, { num: 0n, den: 1n });
      if (best) found.push({ id: market.id, best });
    }
  }
  return found;
}

interface RawEvent {
  id: string;
  bookmakers: {
    key: string;
    markets: { key: string; outcomes: { name: string; price: number; point?: number }[] }[];
  }[];
}

function scanId(o: ReturnType<typeof arbScan>['opportunities'][number]): string {
  const sides = o.legs.map((l) => `${l.outcome}@${l.point === null ? '' : Number(l.point)}`).sort();
  if (o.market === 'h2h')
    return `${o.eventId}|h2h|${o.legs
      .map((l) => l.outcome)
      .sort()
      .join('/')}`;
  return `${o.eventId}|${o.market}|${sides.join('/')}`;
}

// The counts, per recorded response; the brute force below must agree with every one of them.
const EXPECTED: Record<string, { arbs: number; suspect: number }> = {
  'mlb_20260801T114530Z.json': { arbs: 0, suspect: 0 },
  'mlb_20260801T194535Z.json': { arbs: 4, suspect: 4 },
  'nfl_20251110T115630Z.json': { arbs: 0, suspect: 0 },
  'nfl_20251112T115751Z.json': { arbs: 0, suspect: 0 },
  'nfl_20251114T115558Z.json': { arbs: 1, suspect: 0 },
  'nfl_20251115T114305Z.json': { arbs: 0, suspect: 0 },
  'nfl_20251116T115452Z.json': { arbs: 2, suspect: 0 },
  'nfl_20251116T162505Z.json': { arbs: 1, suspect: 1 },
  'nfl_20251116T175443Z.json': { arbs: 1, suspect: 1 },
  'wnba_20260801T114530Z.json': { arbs: 0, suspect: 0 },
  'wnba_20260801T214529Z.json': { arbs: 0, suspect: 0 },
};

const snapshotsDir = sharedData('the-odds-api', 'snapshots');

describe.skipIf(!snapshotsDir)('arb scan on the recorded The Odds API responses', () => {
  const files = snapshotsDir
    ? readdirSync(snapshotsDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];

  it('covers every recorded file', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.keys(EXPECTED))('%s: finds every line-aware arbitrage and only those', (file) => {
    const raw = JSON.parse(readFileSync(join(snapshotsDir!, file), 'utf8')) as RawEvent[];
    const out = arbScan(raw, fetchTimeFromName(file)!, {
      stake: '1000',
      round: '5',
      minProfit: '0',
      profitCap: '0.10',
      staleMs: '60000',
    });
    const brute = bruteForce(raw);
    expect(out.opportunities.length).toBe(EXPECTED[file]!.arbs);
    expect(out.opportunities.map(scanId).sort()).toEqual(brute.map((b) => b.id).sort());
    expect(out.opportunities.filter((o) => o.suspect).length).toBe(EXPECTED[file]!.suspect);
    for (const o of out.opportunities) {
      const b = brute.find((x) => x.id === scanId(o))!;
      // profitFraction = 1/Σ − 1 of the best prices, which is the best combination (20 significant digits).
      const exact = Number(((b.best.den - b.best.num) * 10n ** 30n) / b.best.num) / 1e30;
      expect(Number(o.profitFraction)).toBeCloseTo(exact, 12);
      expect(o.profitFraction).toMatch(/^0\.\d+$/);
      expect(o.point === null).toBe(o.market === 'h2h');
      let staked = 0;
      for (const leg of o.legs) {
        expect(leg.priceDecimal).toMatch(/^\d+(\.\d+)?$/);
        staked += Number(leg.stake);
        if (o.market === 'spreads') expect(Math.abs(Number(leg.point))).toBe(Number(o.point));
        if (o.market === 'totals') expect(leg.point).toBe(o.point);
      }
      expect(staked).toBeLessThanOrEqual(1000);
      if (o.market === 'spreads') expect(Number(o.legs[0]!.point) + Number(o.legs[1]!.point)).toBe(0);
      if (o.suspect) expect(o.suspectReasons.length).toBeGreaterThan(0);
    }
  });

  it('flags the in-play and stale arbitrages, and the palpable 15% and 33% ones', () => {
    const reasons = (file: string) => {
      const raw = JSON.parse(readFileSync(join(snapshotsDir!, file), 'utf8')) as unknown;
      return arbScan(raw, fetchTimeFromName(file)!, {
        stake: '1000',
        round: '0.01',
        minProfit: '0',
        profitCap: '0.10',
        staleMs: '60000',
      }).opportunities.map((o) => o.suspectReasons.map((r) => r.split(':')[0]).sort());
    };
    expect(reasons('mlb_20260801T194535Z.json').sort()).toEqual([
      ['in-play', 'stale-quote'],
      ['in-play', 'stale-quote'],
      ['stale-quote'],
      ['stale-quote'],
    ]);
    expect(reasons('nfl_20251116T162505Z.json')).toEqual([['in-play', 'profit-cap', 'stale-quote']]);
    expect(reasons('nfl_20251116T175443Z.json')).toEqual([
      ['in-play', 'profit-cap', 'stale-quote', 'stale-quote'],
    ]);
    expect(reasons('nfl_20251116T115452Z.json')).toEqual([[], []]);
  });

  it('the strategy (pre-match only, stale quotes left out) bets only the clean ones', () => {
    let total = 0;
    for (const file of files) {
      const raw = JSON.parse(readFileSync(join(snapshotsDir!, file), 'utf8')) as unknown;
      const { snapshot } = boardFromOddsApi(raw, fetchTimeFromName(file)!);
      const params = arbitrageStrategy.parameters.parse({ minProfit: '0' });
      const result = arbitrageStrategy.evaluate(snapshot, params, undefined, { strategy: 'arb-test' });
      for (const o of result.opportunities) {
        expect(o.suspect).toBe(false);
        expect(arbitrageStrategy.validate(o, params, o.detectedAt)).toEqual({ ok: true, violations: [] });
        expect(o.id).toBe(
          opportunityId({ strategy: 'arb-test', kind: 'arbitrage', market: o.market, legs: o.legs }),
        );
      }
      total += result.opportunities.length;
    }
    // The three clean pre-match arbitrages (nfl 11-14 totals 45; nfl 11-16 two h2h); the MLB pre-match pair
    // had stale legs, and without those quotes those markets are no arbitrage.
    expect(total).toBe(3);
  });
});

// ---- synthetic boards ----

const ASOF = '2025-11-16T12:00:00.000Z';

function q(
  eventId: string,
  marketType: 'h2h' | 'spreads' | 'totals',
  bookmaker: string,
  outcome: string,
  point: string | null,
  price: string,
  ageMs = 1000,
): OddsQuote {
  return testQuote({
    market: { eventId, marketType, period: 'full', line: point === null ? null : point.replace(/^-/, '') },
    bookmaker,
    outcome,
    point,
    price,
    observedAt: ASOF,
    sourceUpdatedAt: before(ASOF, ageMs),
  });
}

function board(
  quotes: OddsQuote[],
  start = '2025-11-16T18:00:00.000Z',
  sport = 'americanfootball_nfl',
): BoardSnapshot {
  const ids = [...new Set(quotes.map((x) => x.market.eventId))];
  return {
    asOf: ASOF,
    events: Object.fromEntries(
      ids.map((id) => [
        id,
        scheduledEvent({ id, sport, league: null, startTime: start, home: 'A', away: 'B' }),
      ]),
    ),
    quotes,
  };
}

describe('line-aware arbitrage', () => {
  it('pairs a spread +x with the other team at -x only, never the same sign', () => {
    const quotes = [
      q('e', 'spreads', 'b1', 'A', '-3.5', '2.2'),
      q('e', 'spreads', 'b2', 'B', '-3.5', '2.2'), // same absolute line, swapped side: not complementary
      q('e', 'spreads', 'b3', 'B', '3.5', '1.5'),
      q('e', 'spreads', 'b4', 'A', '3.5', '1.5'),
    ];
    expect(scanArbitrages(board(quotes)).arbitrages).toHaveLength(0);
    const arb = scanArbitrages(board([...quotes, q('e', 'spreads', 'b5', 'B', '3.50', '1.9')])).arbitrages;
    expect(arb).toHaveLength(1);
    expect(arb[0]!.legs.map((l) => [l.bookmaker, l.point])).toEqual([
      ['b1', '-3.5'],
      ['b5', '3.5'],
    ]);
  });

  it('pairs Over x with Under x only', () => {
    const quotes = [
      q('e', 'totals', 'b1', 'Over', '45.5', '2.1'),
      q('e', 'totals', 'b2', 'Under', '45', '2.1'),
    ];
    expect(scanArbitrages(board(quotes)).arbitrages).toHaveLength(0);
    expect(
      scanArbitrages(board([...quotes, q('e', 'totals', 'b3', 'Under', '45.5', '2.0')])).arbitrages,
    ).toHaveLength(1);
  });

  it('an exactly fair -185 / +185 pair across two books is not an arbitrage (rationals, not 40-digit sums)', () => {
    const minus = toDecimalString(americanToDecimal('-185'));
    const plus = toDecimalString(americanToDecimal('185'));
    const quotes = [q('e', 'h2h', 'b1', 'A', null, minus), q('e', 'h2h', 'b2', 'B', null, plus)];
    expect(scanArbitrages(board(quotes)).arbitrages).toHaveLength(0);
    const better = [q('e', 'h2h', 'b1', 'A', null, minus), q('e', 'h2h', 'b2', 'B', null, '2.86')];
    expect(scanArbitrages(board(better)).arbitrages).toHaveLength(1);
  });

  it('needs the draw in a soccer 1X2 before it calls an arbitrage', () => {
    const two = [q('e', 'h2h', 'b1', 'A', null, '2.5'), q('e', 'h2h', 'b2', 'B', null, '2.5')];
    expect(scanArbitrages(board(two, undefined, 'soccer_epl')).arbitrages).toHaveLength(0);
    const three = [...two, q('e', 'h2h', 'b3', 'Draw', null, '5.5')];
    const arb = scanArbitrages(board(three, undefined, 'soccer_epl')).arbitrages;
    expect(arb).toHaveLength(1);
    expect(arb[0]!.legs).toHaveLength(3);
  });

  it('staleness: excluded by default, flagged on request; in-play: excluded unless enabled', () => {
    const stale = [q('e', 'h2h', 'b1', 'A', null, '2.2', 120_000), q('e', 'h2h', 'b2', 'B', null, '2.2')];
    expect(scanArbitrages(board(stale)).arbitrages).toHaveLength(0);
    const flagged = scanArbitrages(board(stale), { staleQuotes: 'flag' }).arbitrages;
    expect(flagged[0]!.reasons.map((r) => r.code)).toEqual(['stale-quote']);
    const live = board(
      [q('e', 'h2h', 'b1', 'A', null, '2.2'), q('e', 'h2h', 'b2', 'B', null, '2.2')],
      '2025-11-16T11:00:00.000Z',
    );
    expect(scanArbitrages(live).arbitrages).toHaveLength(0);
    expect(scanArbitrages(live, { inPlay: 'flag' }).arbitrages[0]!.reasons.map((r) => r.code)).toEqual([
      'in-play',
    ]);
    expect(scanArbitrages(live, { inPlay: 'allow' }).arbitrages[0]!.suspect).toBe(false);
  });

  it('allowed books, minimum profit and the suspect cap', () => {
    const quotes = [
      q('e', 'h2h', 'b1', 'A', null, '2.5'),
      q('e', 'h2h', 'b2', 'B', null, '2.5'),
      q('e', 'h2h', 'b3', 'B', null, '1.6'),
    ];
    const all = scanArbitrages(board(quotes)).arbitrages;
    expect(all[0]!.profit).toBe('0.25');
    expect(all[0]!.reasons.map((r) => r.code)).toEqual(['profit-cap']);
    expect(scanArbitrages(board(quotes), { books: ['b1', 'b3'] }).arbitrages).toHaveLength(0);
    expect(scanArbitrages(board(quotes), { minProfit: '0.26' }).arbitrages).toHaveLength(0);
    expect(scanArbitrages(board(quotes), { profitCap: '0.3' }).arbitrages[0]!.suspect).toBe(false);
  });

  it('N-way: a three-outcome market with a stake plan that never exceeds the outlay', () => {
    const quotes = [
      q('e', 'h2h', 'b1', 'A', null, '3.2'),
      q('e', 'h2h', 'b2', 'Draw', null, '3.6'),
      q('e', 'h2h', 'b3', 'B', null, '3.4'),
    ];
    const [arb] = scanArbitrages(board(quotes, undefined, 'soccer_epl'), {
      totalStake: '1000',
      unit: '1',
    }).arbitrages;
    expect(arb!.plan!.stakes.map(Number).reduce((a, b) => a + b)).toBeLessThanOrEqual(1000);
    expect(Number(arb!.plan!.guaranteedProfit)).toBeGreaterThan(0);
  });

  it('agrees with the brute force on random boards (fast-check)', () => {
    const american = fc.oneof(fc.integer({ min: -400, max: -100 }), fc.integer({ min: 100, max: 400 }));
    const quoteArb = fc.record({
      event: fc.constantFrom('e1', 'e2'),
      book: fc.constantFrom('b1', 'b2', 'b3', 'b4'),
      market: fc.constantFrom('h2h', 'spreads', 'totals'),
      side: fc.boolean(),
      line: fc.constantFrom(1.5, 2.5, 3),
      price: american,
    });
    fc.assert(
      fc.property(fc.array(quoteArb, { maxLength: 40 }), (rows) => {
        // One quote per (event, book, market, outcome, point), as a provider sends.
        const seen = new Set<string>();
        const raw: RawEvent[] = [];
        const quotes: OddsQuote[] = [];
        for (const r of rows) {
          const name = r.market === 'totals' ? (r.side ? 'Over' : 'Under') : r.side ? 'A' : 'B';
          const point =
            r.market === 'h2h' ? undefined : r.market === 'totals' ? r.line : r.side ? -r.line : r.line;
          const key = `${r.event}|${r.book}|${r.market}|${name}|${point}`;
          if (seen.has(key)) continue;
          seen.add(key);
          let e = raw.find((x) => x.id === r.event);
          if (!e) raw.push((e = { id: r.event, bookmakers: [] }));
          let b = e.bookmakers.find((x) => x.key === r.book);
          if (!b) e.bookmakers.push((b = { key: r.book, markets: [] }));
          let m = b.markets.find((x) => x.key === r.market);
          if (!m) b.markets.push((m = { key: r.market, outcomes: [] }));
          m.outcomes.push({ name, price: r.price, ...(point === undefined ? {} : { point }) });
          quotes.push(
            q(
              r.event,
              r.market,
              r.book,
              name,
              point === undefined ? null : String(point),
              toDecimalString(americanToDecimal(String(r.price))),
            ),
          );
        }
        // The brute force pairs spreads by the two names it sees; give both events both teams so it can.
        const found = scanArbitrages(board(quotes)).arbitrages;
        const brute = bruteForce(raw).filter((b) => !b.id.includes('|spreads|') || teamsOf(raw, b.id) === 2);
        expect(found.length).toBe(brute.length);
      }),
      { numRuns: 300 },
    );
  });
});

function teamsOf(raw: RawEvent[], id: string): number {
  const e = raw.find((x) => id.startsWith(`${x.id}|`))!;
  return new Set(
    e.bookmakers.flatMap((b) =>
      b.markets.filter((m) => m.key === 'spreads').flatMap((m) => m.outcomes.map((o) => o.name)),
    ),
  ).size;
}
