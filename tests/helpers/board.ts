import type { MarketKey, OddsQuote, Opportunity, SportEvent } from '../../shared/entities';
import { devig, type D } from '../../shared/math';
import type { BoardEvent, BoardSnapshot } from '../../shared/strategies';

// Fixture builders for the strategies' unit tests: quotes and events as a board shows them.

/** A full-game h2h market of `eventId`. */
export function h2hMarket(eventId: string): MarketKey {
  return { eventId, marketType: 'h2h', period: 'full', line: null };
}

/** A quote seen at `observedAt` (provider 'test' unless given); the book's own timestamp is `sourceUpdatedAt`. */
export function testQuote(q: {
  market: MarketKey;
  bookmaker: string;
  outcome: string;
  price: string;
  observedAt: string;
  point?: string | null;
  provider?: string;
  sourceUpdatedAt?: string | null;
}): OddsQuote {
  return {
    market: q.market,
    outcome: q.outcome,
    point: q.point ?? null,
    provider: q.provider ?? 'test',
    bookmaker: q.bookmaker,
    price: q.price,
    observedAt: q.observedAt,
    sourceUpdatedAt: q.sourceUpdatedAt ?? null,
  };
}

/** `ms` milliseconds before `iso`, as an ISO string (a quote's age). */
export function before(iso: string, ms: number): string {
  return new Date(Date.parse(iso) - ms).toISOString();
}

/** A scheduled event between `home` and `away` (participant ids are their names). */
export function scheduledEvent({
  home,
  away,
  ...event
}: {
  id: string;
  sport: string;
  league: string | null;
  startTime: string;
  home: string;
  away: string;
}): BoardEvent {
  const participants = [home, away].map((name, i) => ({ id: name, name, role: i === 0 ? 'home' : 'away' }));
  return { ...event, status: 'scheduled', participants };
}

/** The first outcome's consensus fair probability: each line devigged (multiplicative), averaged, 20 places. */
export function consensusFairProbability(lines: readonly string[][]): D {
  return lines
    .map((l) => devig(l, 'multiplicative').probabilities[0]!)
    .reduce((a, b) => a.plus(b))
    .div(lines.length)
    .toDecimalPlaces(20);
}

/** A scheduled event between 'Home' and 'Away' (participant ids 'home' and 'away'), as importers store it. */
export function homeAwayEvent(e: {
  id: string;
  sport: string;
  league: string;
  startTime: string;
  metadata?: Record<string, unknown>;
}): SportEvent {
  return {
    id: e.id,
    sport: e.sport,
    league: e.league,
    participants: [
      { id: 'home', name: 'Home', role: 'home' },
      { id: 'away', name: 'Away', role: 'away' },
    ],
    startTime: e.startTime,
    status: 'scheduled',
    metadata: e.metadata ?? {},
  };
}

/** Minutes after `t0` as a replay frame's time: ISO string and epoch milliseconds. */
export function minutesAfter(t0: number): (minutes: number) => { at: string; atMs: number } {
  return (minutes) => ({ at: new Date(t0 + minutes * 60_000).toISOString(), atMs: t0 + minutes * 60_000 });
}

/** Prices per book as [Home, Away] before a steam move. */
export const STEAM_BEFORE: Record<string, [string, string]> = {
  a: ['2.00', '1.90'],
  b: ['2.02', '1.88'],
  c: ['1.98', '1.92'],
  d: ['2.00', '1.90'],
  stale: ['2.05', '1.85'],
};

/** Four books shorten Home from ~2.0 to ~1.7 (its fair probability rises by about 7 points); `stale` does not. */
export const STEAM_MOVED: Record<string, [string, string]> = {
  a: ['1.70', '2.25'],
  b: ['1.72', '2.22'],
  c: ['1.69', '2.26'],
  d: ['1.71', '2.24'],
};

/** h2h quotes of `eventId`, prices per book as [Home, Away], seen at `observedAt` (and the book's own time). */
export function homeAwayQuotes(
  eventId: string,
  lines: Record<string, [string, string]>,
  observedAt: string,
  sourceUpdatedAt: string | null = null,
): OddsQuote[] {
  return Object.entries(lines).flatMap(([book, prices]) =>
    ['Home', 'Away'].map((outcome, i) =>
      testQuote({
        market: h2hMarket(eventId),
        bookmaker: book,
        outcome,
        price: prices[i]!,
        observedAt,
        sourceUpdatedAt,
      }),
    ),
  );
}

/** A scheduled league-L1 2023/24 soccer fixture between 'Home' and 'Away' (the backtests' events). */
export function soccerFixture(id: string, startTime: string, sport = 'soccer'): SportEvent {
  return homeAwayEvent({ id, sport, league: 'L1', startTime, metadata: { season: '2023/24' } });
}

/** A one-leg soccer value opportunity at quote `q`'s price, as the backtests' test strategies record it. */
export function quoteOpportunity(
  q: OddsQuote,
  o: { id: string; strategy: string; detectedAt: string; fairProbability: string | null },
): Opportunity {
  return {
    id: o.id,
    strategy: o.strategy,
    kind: 'value',
    sport: 'soccer',
    market: q.market,
    legs: [
      {
        bookmaker: q.bookmaker,
        outcome: q.outcome,
        point: q.point,
        price: q.price,
        stake: null,
        fairProbability: o.fairProbability,
        quoteAgeMs: 0,
      },
    ],
    edge: '0.1',
    fairMethod: null,
    rule: 'test',
    suspect: false,
    suspectReasons: [],
    detectedAt: o.detectedAt,
    context: {},
  };
}

/** NFL events starting in a day, each with a two-way arbitrage across two books (2.2 / 2.2: 4.76%; book-b's Away at `priceB`). */
export function twoWayArbBoard(eventIds: string | readonly string[], priceB = '2.2'): BoardSnapshot {
  const ids = typeof eventIds === 'string' ? [eventIds] : eventIds;
  const now = new Date().toISOString();
  const start = new Date(Date.now() + 86_400_000).toISOString();
  const q = (eventId: string, bookmaker: string, outcome: string, price: string): OddsQuote =>
    testQuote({
      market: h2hMarket(eventId),
      bookmaker,
      outcome,
      price,
      observedAt: now,
      sourceUpdatedAt: now,
    });
  return {
    asOf: now,
    events: Object.fromEntries(
      ids.map((id) => [
        id,
        {
          id,
          sport: 'americanfootball_nfl',
          league: 'NFL',
          startTime: start,
          status: 'scheduled' as const,
          participants: [
            { id: 'Home Team', name: 'Home Team', role: 'home' as const },
            { id: 'Away Team', name: 'Away Team', role: 'away' as const },
          ],
        },
      ]),
    ),
    quotes: ids.flatMap((id) => [
      q(id, 'book-a', 'Home Team', '2.2'),
      q(id, 'book-a', 'Away Team', '1.6'),
      q(id, 'book-b', 'Home Team', '1.6'),
      q(id, 'book-b', 'Away Team', priceB),
    ]),
  };
}
