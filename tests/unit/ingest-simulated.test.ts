import { describe, expect, it } from 'vitest';
import { SIM_BOOKS, SimulatedMarket } from '../../activities/providers/simulated/model';
import { simulatorSignature, startSimulatedServer } from '../../activities/providers/simulated/server';
import { SimulatedOptions } from '../../activities/providers/options';
import { DEFAULT_BOOK_PARAMS, SimModelParams } from '../../activities/providers/simulated/params';
import { TheOddsApiProvider } from '../../activities/providers/the-odds-api';
import type { OddsApiEvent } from '../../shared/readers/the-odds-api';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const SEC = 1000;
/** At speed 60 a model minute lasts a wall second. */
const MIN = SEC;

function h2h(ev: OddsApiEvent, book: string): number[] | null {
  const m = ev.bookmakers.find((b) => b.key === book)?.markets.find((x) => x.key === 'h2h');
  return m ? m.outcomes.map((o) => o.price) : null;
}

describe('simulated market model', () => {
  it('is a pure function of seed and clock', () => {
    const a = new SimulatedMarket({ seed: 7, speed: 60 });
    const b = new SimulatedMarket({ seed: 7, speed: 60 });
    const c = new SimulatedMarket({ seed: 8, speed: 60 });
    for (const sport of ['americanfootball_nfl', 'soccer_epl']) {
      const at = T0 + 123_456;
      const x = a.odds(sport, at, { oddsFormat: 'decimal' });
      // Another instance, asked after other times, agrees exactly.
      b.odds(sport, at + 3_600_000, { oddsFormat: 'decimal' });
      expect(b.odds(sport, at, { oddsFormat: 'decimal' })).toEqual(x);
      expect(c.odds(sport, at, { oddsFormat: 'decimal' })).not.toEqual(x);
      expect(x.length).toBeGreaterThan(0);
    }
  });

  it('offers 2-way and 3-way head-to-head, spreads and totals, with book margins', () => {
    const m = new SimulatedMarket({ seed: 42, speed: 60 });
    const nfl = m.odds('americanfootball_nfl', T0, { oddsFormat: 'decimal' })[0]!;
    const epl = m.odds('soccer_epl', T0, { oddsFormat: 'decimal' })[0]!;
    expect(nfl.bookmakers.map((b) => b.key)).toEqual(SIM_BOOKS.map((b) => b.key));
    expect(nfl.bookmakers[0]!.markets.map((x) => x.key)).toEqual(['h2h', 'spreads', 'totals']);
    expect(epl.bookmakers[0]!.markets.map((x) => x.key)).toEqual(['h2h', 'totals']);
    expect(epl.bookmakers[0]!.markets[0]!.outcomes.map((o) => o.name)).toEqual([
      epl.home_team,
      epl.away_team,
      'Draw',
    ]);
    const spread = nfl.bookmakers[0]!.markets[1]!.outcomes;
    expect(spread[0]!.point).toBe(-spread[1]!.point!);
    for (const ev of [nfl, epl]) {
      for (const b of ev.bookmakers) {
        const book = SIM_BOOKS.find((x) => x.key === b.key)!;
        const overround = h2h(ev, b.key)!.reduce((s, p) => s + 1 / p, 0) - 1;
        // Rounding prices down only adds to the margin; a mispriced side may take a little off.
        expect(overround).toBeGreaterThan(book.margin - 0.09);
        expect(overround).toBeLessThan(book.margin + 0.1);
      }
    }
    const american = m.odds('americanfootball_nfl', T0, { oddsFormat: 'american' })[0]!;
    for (const o of american.bookmakers[0]!.markets[0]!.outcomes)
      expect(Number.isInteger(o.price) && Math.abs(o.price) >= 100).toBe(true);
  });

  it('moves the sharp book first and the soft books later (steam), with stale prices and arbitrages now and then', () => {
    const m = new SimulatedMarket({ seed: 42, speed: 60 });
    let steam = 0;
    let followed = 0;
    let stale = 0;
    let arbs = 0;
    let markets = 0;
    // Five model hours, model minute by model minute.
    for (let i = 1; i < 300; i++) {
      const now = T0 + i * MIN;
      const before = new Map(
        m.odds('americanfootball_nfl', now - MIN, { oddsFormat: 'decimal' }).map((e) => [e.id, e]),
      );
      for (const ev of m.odds('americanfootball_nfl', now, { oddsFormat: 'decimal' })) {
        markets++;
        const prev = before.get(ev.id);
        const sharpNow = h2h(ev, 'pinnacle')!;
        if (prev) {
          const sharpPrev = h2h(prev, 'pinnacle')!;
          // A big move of the sharp book: the slowest soft book has not moved yet…
          if (
            Math.abs(1 / sharpNow[0]! - 1 / sharpPrev[0]!) > 0.04 &&
            JSON.stringify(h2h(ev, 'bovada')) === JSON.stringify(h2h(prev, 'bovada'))
          ) {
            steam++;
            // …and follows within its reaction delay and update grid.
            const later = m
              .odds('americanfootball_nfl', now + 15 * MIN, { oddsFormat: 'decimal' })
              .find((e) => e.id === ev.id);
            if (later && JSON.stringify(h2h(later, 'bovada')) !== JSON.stringify(h2h(ev, 'bovada')))
              followed++;
          }
        }
        for (const b of ev.bookmakers) if (now - Date.parse(b.last_update) >= 15 * MIN) stale++;
        const best = [0, 1].map((k) => Math.max(...ev.bookmakers.map((b) => h2h(ev, b.key)![k]!)));
        if (best.reduce((s, p) => s + 1 / p, 0) < 1) arbs++;
      }
    }
    expect(steam).toBeGreaterThan(0);
    expect(followed).toBeGreaterThan(0);
    expect(stale).toBeGreaterThan(0);
    expect(arbs).toBeGreaterThan(0);
    // Occasional, not the norm.
    expect(arbs / markets).toBeLessThan(0.25);
  });

  it('lists events before the start, then scores them, and draws results from the true probabilities', () => {
    const m = new SimulatedMarket({ seed: 3, speed: 60 });
    const sport = m.sport('americanfootball_nfl')!;
    const ev = m.openEvents(sport, T0)[0]!;
    expect(ev.startMs).toBeGreaterThan(T0);
    expect(m.odds(sport.key, ev.startMs, { oddsFormat: 'decimal' }).some((e) => e.id === ev.id)).toBe(false);
    const live = m.scores(sport.key, ev.startMs + 10 * SEC).find((s) => s.id === ev.id)!;
    expect(live.completed).toBe(false);
    expect(live.scores).not.toBeNull();
    const done = m.scores(sport.key, ev.endMs + SEC).find((s) => s.id === ev.id)!;
    expect(done.completed).toBe(true);
    const final = m.result(sport, ev.k);
    expect(done.scores).toEqual([
      { name: ev.home, score: String(final.home) },
      { name: ev.away, score: String(final.away) },
    ]);
    expect(final.home).not.toBe(final.away);

    // Over many games the home side wins about as often as its true probability at the start says.
    let expected = 0;
    let wins = 0;
    const n = 600;
    for (let k = 1000; k < 1000 + n; k++) {
      const e = m.event(sport, k);
      expected += m.trueProbabilities(sport, k, e.startMs).h2h.home;
      const r = m.result(sport, k);
      if (r.home > r.away) wins++;
    }
    expect(Math.abs(wins / n - expected / n)).toBeLessThan(0.06);

    const soccer = m.sport('soccer_epl')!;
    let draws = 0;
    let drawP = 0;
    for (let k = 1000; k < 1000 + n; k++) {
      const e = m.event(soccer, k);
      drawP += m.trueProbabilities(soccer, k, e.startMs).h2h.draw!;
      const r = m.result(soccer, k);
      if (r.home === r.away) draws++;
    }
    expect(Math.abs(draws / n - drawP / n)).toBeLessThan(0.06);
  });

  it('is served over loopback HTTP in The Odds API v4 format, driving the real adapter', async () => {
    let clock = T0;
    const server = await startSimulatedServer({ seed: 42, speed: 60, port: 0, now: () => clock });
    try {
      const provider = new TheOddsApiProvider({
        name: 'sim',
        type: 'simulated',
        baseUrl: server.url,
        regions: ['us'],
        markets: ['h2h', 'spreads', 'totals'],
        oddsFormat: 'american',
        timeoutSeconds: 5,
        scoresDaysFrom: 1,
        apiKey: null,
        apiKeyRequired: false,
        sports: null,
        now: () => clock,
      });
      const batch = await provider.fetchOdds({
        sports: ['americanfootball_nfl', 'soccer_epl'],
        cursor: null,
      });
      const direct = [
        ...server.market.odds('americanfootball_nfl', clock, { oddsFormat: 'american' }),
        ...server.market.odds('soccer_epl', clock, { oddsFormat: 'american' }),
      ];
      const outcomes = direct.flatMap((e) =>
        e.bookmakers.flatMap((b) => b.markets.flatMap((mk) => mk.outcomes)),
      );
      expect(batch.rejects).toEqual([]);
      expect(batch.quotes).toHaveLength(outcomes.length);
      expect(batch.quotes.map((q) => q.original?.american)).toEqual(outcomes.map((o) => String(o.price)));
      expect(batch.quota?.remaining).toBeLessThan(100_000);
      clock += 3 * 3600 * SEC;
      const results = await provider.fetchResults({ sports: ['americanfootball_nfl'] });
      expect(results.results.some((r) => r.completed && r.scores)).toBe(true);
      await expect(provider.fetchOdds({ sports: ['cricket_ipl'], cursor: null })).rejects.toMatchObject({
        type: 'ProviderRequestError',
        nonRetryable: true,
      });
    } finally {
      await server.close();
    }
  });
});

describe('simulated market calibration options', () => {
  it('are validated with the provider options, naming the bad key and value', () => {
    const ok = SimulatedOptions.parse({
      model: { jumpSize: 0.3, books: { bovada: { ...DEFAULT_BOOK_PARAMS.bovada!, margin: 0.07 } } },
    });
    expect(ok.model?.jumpSize).toBe(0.3);
    expect(ok.model?.jumpPerMinute).toBe(SimModelParams.parse({}).jumpPerMinute);
    const book = SimulatedOptions.safeParse({
      model: {
        books: { caesars: { margin: 0.05, delay: 1, updateEvery: 1, staleProb: 0, mispriceProb: 0 } },
      },
    });
    expect(book.success).toBe(false);
    expect(book.error!.issues[0]!.path).toEqual(['model', 'books', 'caesars']);
    expect(book.error!.issues[0]!.message).toMatch(/unknown simulated book "caesars"/);
    const size = SimulatedOptions.safeParse({ model: { jumpSize: -1 } });
    expect(size.error!.issues[0]!.path).toEqual(['model', 'jumpSize']);
  });

  it('change the prices, and a server with another calibration is not taken for this one', () => {
    const base = new SimulatedMarket({ seed: 42, speed: 60 });
    const wide = new SimulatedMarket({
      seed: 42,
      speed: 60,
      model: { books: { draftkings: { ...DEFAULT_BOOK_PARAMS.draftkings!, margin: 0.09 } } },
    });
    const dk = (m: SimulatedMarket) =>
      h2h(m.odds('americanfootball_nfl', T0, { oddsFormat: 'decimal' })[0]!, 'draftkings')!;
    expect(dk(wide).reduce((s, p) => s + 1 / p, 0)).toBeGreaterThan(
      dk(base).reduce((s, p) => s + 1 / p, 0) + 0.03,
    );
    expect(simulatorSignature({ seed: 42, speed: 60 })).toBe(
      simulatorSignature({ seed: 42, speed: 60, model: {} }),
    );
    expect(simulatorSignature({ seed: 42, speed: 60, model: { jumpSize: 0.3 } })).not.toBe(
      simulatorSignature({ seed: 42, speed: 60 }),
    );
  });
});
