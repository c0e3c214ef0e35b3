import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { D } from '../../shared/math';
import { SteamParameters, steamStrategy, type BoardSnapshot, type SteamState } from '../../shared/strategies';
import {
  consensusFairProbability,
  homeAwayQuotes,
  scheduledEvent,
  STEAM_BEFORE,
  STEAM_MOVED,
} from '../helpers/board';

const T0 = Date.parse('2025-11-16T12:00:00.000Z');
const MIN = 60_000;

/** One h2h market; prices per book as [Home, Away]. */
function board(atMs: number, lines: Record<string, [string, string]>, eventId = 'e1'): BoardSnapshot {
  const asOf = new Date(atMs).toISOString();
  const quotes = homeAwayQuotes(eventId, lines, asOf);
  return {
    asOf,
    events: {
      [eventId]: scheduledEvent({
        id: eventId,
        sport: 'americanfootball_nfl',
        league: null,
        startTime: new Date(T0 + 24 * 3600_000).toISOString(),
        home: 'Home',
        away: 'Away',
      }),
    },
    quotes,
  };
}

const BEFORE = STEAM_BEFORE;
const AFTER: Record<string, [string, string]> = { ...STEAM_MOVED, stale: STEAM_BEFORE.stale! };

function replay(boards: BoardSnapshot[], raw: Record<string, unknown> = {}, roundTrip = false) {
  const params = SteamParameters.parse(raw);
  let state: SteamState = steamStrategy.initialState();
  return boards.map((b) => {
    const r = steamStrategy.evaluate(b, params, state, { strategy: 'steam-test' });
    state = roundTrip ? (JSON.parse(JSON.stringify(r.state)) as SteamState) : r.state;
    return r;
  });
}

describe('steam strategy', () => {
  it('a consensus move agreed by enough books is a signal; the book still at its pre-move price is bet', () => {
    const [first, second] = replay([board(T0, BEFORE), board(T0 + 5 * MIN, AFTER)]);
    expect(first!.opportunities).toHaveLength(0);
    expect(second!.stats.signals).toBe(1);
    expect(second!.opportunities).toHaveLength(1);
    const o = second!.opportunities[0]!;
    expect(o.kind).toBe('steam');
    expect(o.legs[0]).toMatchObject({ bookmaker: 'stale', outcome: 'Home', price: '2.05' });
    // EV against the new fair line (consensus of every fresh line now, multiplicative), exactly.
    const fair = consensusFairProbability(Object.values(AFTER));
    expect(o.legs[0]!.fairProbability).toBe(fair.toFixed());
    expect(o.edge).toBe(fair.mul('2.05').minus(1).toFixed());
    expect(o.context.agreeingBooks).toEqual(['a', 'b', 'c', 'd']);
    expect(o.context.lagMs).toBe(0);
    expect(o.context.baselineAt).toBe(new Date(T0).toISOString());
    expect(o.rule).toMatch(/stale still @ 2.05 \(lag 0 s\)/);
  });

  it('the same move seen again when the market changes is the same signal and opportunity id, with a longer lag', () => {
    const later = { ...AFTER, a: ['1.70', '2.26'] as [string, string] };
    const results = replay([
      board(T0, BEFORE),
      board(T0 + 5 * MIN, AFTER),
      board(T0 + 6 * MIN, AFTER),
      board(T0 + 8 * MIN, later),
    ]);
    // Unchanged: nothing new to see (the signal's bet was emitted when the market moved).
    expect(results[2]!.stats.unchanged).toBe(1);
    expect(results[2]!.opportunities).toHaveLength(0);
    // Changed again (another book ticks): the move is still on, the stale book still stale: same id.
    expect(results[3]!.stats.signals).toBe(0);
    expect(results[3]!.opportunities.map((o) => o.id)).toEqual(results[1]!.opportunities.map((o) => o.id));
    expect(results[3]!.opportunities[0]!.context.lagMs).toBe(3 * MIN);
  });

  it('no signal without enough agreeing books, nor for a move slower than the window, nor across a gap', () => {
    const twoMove = { ...BEFORE, a: AFTER.a!, b: AFTER.b! };
    expect(
      replay([board(T0, BEFORE), board(T0 + 5 * MIN, twoMove)], {
        moveThreshold: '0.01',
        minAgreeingBooks: 3,
      })[1]!.opportunities,
    ).toHaveLength(0);
    // Half the move, then the other half 40 minutes later: never 2 points within 30 minutes.
    const half: Record<string, [string, string]> = {
      a: ['1.85', '2.05'],
      b: ['1.86', '2.04'],
      c: ['1.84', '2.06'],
      d: ['1.85', '2.05'],
      stale: ['2.05', '1.85'],
    };
    const slow = replay([board(T0, BEFORE), board(T0 + 40 * MIN, half), board(T0 + 80 * MIN, AFTER)], {
      moveThreshold: '0.05',
    });
    expect(slow.map((r) => r.stats.signals)).toEqual([0, 0, 0]);
    // Unobserved for two hours (worker down, feed gap): the history starts over instead of calling it steam.
    const gap = replay([board(T0, BEFORE), board(T0 + 120 * MIN, AFTER)]);
    expect(gap[1]!.stats.signals).toBe(0);
  });

  it('EV threshold and maximum odds apply to the stale price', () => {
    expect(
      replay([board(T0, BEFORE), board(T0 + 5 * MIN, AFTER)], { minEdge: '0.5' })[1]!.opportunities,
    ).toHaveLength(0);
    expect(
      replay([board(T0, BEFORE), board(T0 + 5 * MIN, AFTER)], { maxOdds: '2' })[1]!.opportunities,
    ).toHaveLength(0);
  });

  it('the same pure code over a live sequence and a replay: state round-tripped through JSON changes nothing', () => {
    const steps = fc.array(
      fc.tuple(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: -8, max: 8 }), { minLength: 10, maxLength: 10 }),
      ),
      {
        minLength: 2,
        maxLength: 12,
      },
    );
    let signalled = 0;
    fc.assert(
      fc.property(steps, (moves) => {
        let at = T0;
        let lines = { ...BEFORE };
        const boards = [board(at, lines)];
        for (const [minutes, ticks] of moves) {
          at += minutes * MIN;
          const books = Object.keys(lines);
          lines = Object.fromEntries(
            books.map((b, i) => [
              b,
              lines[b]!.map((p, k) =>
                new D(p)
                  .plus(new D(ticks[(2 * i + k) % ticks.length]!).div(100))
                  .clampedTo('1.05', '50')
                  .toFixed(2),
              ),
            ]),
          ) as Record<string, [string, string]>;
          boards.push(board(at, lines));
        }
        const live = replay(boards, { minAgreeingBooks: 2, moveThreshold: '0.01' });
        const replayed = replay(boards, { minAgreeingBooks: 2, moveThreshold: '0.01' }, true);
        expect(replayed.map((r) => r.opportunities)).toEqual(live.map((r) => r.opportunities));
        expect(replayed.map((r) => r.state)).toEqual(live.map((r) => r.state));
        signalled += live.reduce((n, r) => n + r.opportunities.length, 0);
      }),
      { numRuns: 100, seed: 7 },
    );
    // Not vacuous: the random walks do raise signals and stale bets.
    expect(signalled).toBeGreaterThan(0);
  });

  it('keeps its state bounded: samples per market, markets tracked', () => {
    const params = { maxSamples: 4, maxMarkets: 3, windowMs: 24 * 3600_000 };
    const boards: BoardSnapshot[] = [];
    for (let i = 0; i < 20; i++) {
      const lines = Object.fromEntries(
        Object.entries(BEFORE).map(([b, [h, a]]) => [b, [new D(h).plus(i / 100).toFixed(2), a]]),
      ) as Record<string, [string, string]>;
      boards.push(board(T0 + i * MIN, lines, `ev${i % 6}`));
    }
    const results = replay(boards, params);
    const state = results[results.length - 1]!.state;
    expect(Object.keys(state.markets).length).toBeLessThanOrEqual(3);
    for (const m of Object.values(state.markets)) expect(m.samples.length).toBeLessThanOrEqual(4);
  });
});
