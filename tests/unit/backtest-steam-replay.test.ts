import { describe, expect, it } from 'vitest';
import type { OddsQuote, SportEvent } from '../../shared/entities';
import { fromDefinition, runBacktest, type ReplayFrame } from '../../shared/backtest';
import { steamStrategy } from '../../shared/strategies/steam';
import { homeAwayEvent, homeAwayQuotes, STEAM_BEFORE, STEAM_MOVED } from '../helpers/board';

// Steam replayed through the backtest engine over sampled line changes: rows only when a price changes,
// every frame a complete fetch (as The Odds API line-change files are read).

const T0 = Date.parse('2025-11-16T12:00:00.000Z');
const MIN = 60_000;
const iso = (minutes: number): string => new Date(T0 + minutes * MIN).toISOString();

function nfl(id: string): SportEvent {
  return homeAwayEvent({ id, sport: 'americanfootball_nfl', league: 'NFL', startTime: iso(24 * 60) });
}

function rows(eventId: string, minutes: number, lines: Record<string, [string, string]>): OddsQuote[] {
  return homeAwayQuotes(eventId, lines, iso(minutes), iso(minutes));
}

// Four books shorten Home from ~2.0 to ~1.7; `stale` has no row: it still offers 2.05.
const BEFORE = STEAM_BEFORE;
const MOVED = STEAM_MOVED;
// Another event whose prices wiggle at every fetch, so the replay has frames while e1 is quiet.
const busy = (minutes: number): OddsQuote[] =>
  rows('e2', minutes, { a: [minutes % 2 === 0 ? '1.50' : '1.52', '2.60'] });

function frame(minutes: number, quotes: OddsQuote[], events: SportEvent[] = []): ReplayFrame {
  return { at: iso(minutes), atMs: T0 + minutes * MIN, events, quotes, observedAll: true };
}

function steamBets(frames: ReplayFrame[], params: Record<string, unknown> = {}) {
  const run = runBacktest(frames, [fromDefinition(steamStrategy, params, 'steam')]);
  return run.bets.map((b) => ({
    bookmaker: b.bookmaker,
    outcome: b.outcome,
    price: b.price,
    at: b.placedAt,
  }));
}

describe('steam in the backtest replay', () => {
  it('a price unchanged since its last row but confirmed by every fetch is fresh: the lagging book is bet', () => {
    // 8 minutes between the fetches: with the live 5-minute quote-age limit, aging quotes since their last
    // change would drop every book that did not move (the very books steam bets) from the board.
    const bets = steamBets([
      frame(0, [...rows('e1', 0, BEFORE), ...busy(0)], [nfl('e1'), nfl('e2')]),
      frame(8, rows('e1', 8, MOVED)),
    ]);
    expect(bets).toEqual([{ bookmaker: 'stale', outcome: 'Home', price: '2.05', at: iso(8) }]);
  });

  it('the first move after a quiet spell longer than the window still has its baseline', () => {
    // e1 does not change for 50 minutes (window 30): the replay shows steam the whole board at every
    // fetch, as the live sweep does, so e1's history does not lapse while only e2 changes.
    const quiet = [8, 16, 24, 32, 40, 48].map((m) => frame(m, busy(m)));
    const bets = steamBets(
      [
        frame(0, [...rows('e1', 0, BEFORE), ...busy(0)], [nfl('e1'), nfl('e2')]),
        ...quiet,
        frame(56, rows('e1', 56, MOVED)),
        // A 2-hour quote-age limit: only the history's continuity is at stake here.
      ],
      { maxQuoteAgeMs: 7_200_000 },
    );
    expect(bets).toEqual([{ bookmaker: 'stale', outcome: 'Home', price: '2.05', at: iso(56) }]);
  });

  it('without fetch confirmations (observedAll absent) quotes age as before and the stale line is not fresh', () => {
    const frames = [
      frame(0, [...rows('e1', 0, BEFORE), ...busy(0)], [nfl('e1'), nfl('e2')]),
      frame(8, rows('e1', 8, MOVED)),
    ].map(({ observedAll: _, ...f }) => f);
    expect(steamBets(frames)).toEqual([]);
  });
});
