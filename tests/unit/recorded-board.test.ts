import { describe, expect, it } from 'vitest';
import { boardFromOddsApi, latestUpdate } from '../../shared/strategies/recorded-board';
import { parseOddsResponse } from '../../shared/readers/the-odds-api';

const event = (id: string, sport: string, markets: unknown[]) => ({
  id,
  sport_key: sport,
  sport_title: sport.toUpperCase(),
  commence_time: '2025-11-16T18:00:00Z',
  home_team: 'Home FC',
  away_team: 'Away FC',
  bookmakers: [{ key: 'bookA', title: 'Book A', last_update: '2025-11-16T17:50:00Z', markets }],
});
const h2h = {
  key: 'h2h',
  last_update: '2025-11-16T17:55:00Z',
  outcomes: [
    { name: 'Home FC', price: -110 },
    { name: 'Away FC', price: 150 },
  ],
};
const AS_OF = '2025-11-16T17:58:00Z';

describe('a recorded The Odds API response, read by the one reader of that format', () => {
  it('gives the board the live reader gives, and lists what it cannot use instead of refusing the file', () => {
    const raw = [
      event('e1', 'americanfootball_nfl', [h2h, { key: 'outrights', outcomes: [] }]),
      event('e2', 'basketball_wnba', [h2h]),
    ];
    const { snapshot, rejects } = boardFromOddsApi(raw, AS_OF);
    expect(Object.keys(snapshot.events).sort()).toEqual(['e1', 'e2']);
    expect(snapshot.events.e2!.sport).toBe('basketball_wnba');
    expect(rejects.map((r) => r.reason)).toEqual(['unknown_market']);

    const live = parseOddsResponse(JSON.stringify([raw[0]]), {
      sport: 'americanfootball_nfl',
      oddsFormat: 'american',
      observedAt: AS_OF,
    });
    const e1 = snapshot.quotes.filter((q) => q.market.eventId === 'e1');
    expect(e1.map((q) => [q.outcome, q.price, q.sourceUpdatedAt])).toEqual(
      live.quotes.map((q) => [q.outcome, q.price, q.sourceUpdatedAt]),
    );
    expect(e1.map((q) => q.price)).toEqual(['1.909090909090909090909090909090909090909', '2.5']);
    expect(latestUpdate(snapshot)).toBe('2025-11-16T17:55:00.000Z');
  });
});
