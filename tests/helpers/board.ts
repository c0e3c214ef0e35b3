import type { MarketKey, OddsQuote } from '../../shared/entities';
import { devig, type D } from '../../shared/math';
import type { BoardEvent } from '../../shared/strategies';

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
