import type { OddsQuote } from '../shared/entities';
import type { BoardEvent, BoardSnapshot } from '../shared/strategies';

/**
 * The benches' seeded board (strategies, hotpath): 1,000 pre-match events per 100,000 quotes × 10 books ×
 * 10 prices (h2h, two spread lines, two totals lines), priced around a hidden fair line with a 2-6% margin,
 * books within ±1% of it and one quote in 300 off by up to ±6%; and the next board of a sequence, 2% of
 * its prices moved.
 */
export const BOOKS = [
  'pinnacle',
  'draftkings',
  'fanduel',
  'betmgm',
  'williamhill_us',
  'betrivers',
  'bovada',
  'lowvig',
  'betonlineag',
  'mybookieag',
];
const PER_EVENT = BOOKS.length * 10;

/** Events in a board of `quotes` quotes. */
export const eventsFor = (quotes: number): number => Math.ceil(quotes / PER_EVENT);

/** Decimal odds with two decimals for a probability and margin. */
const price = (p: number, margin: number) => Math.max(1.01, 1 / (p * (1 + margin))).toFixed(2);

export function makeBoard(quoteCount: number, asOfMs: number, rand: () => number): BoardSnapshot {
  const asOf = new Date(asOfMs).toISOString();
  const events: Record<string, BoardEvent> = {};
  const quotes: OddsQuote[] = [];
  for (let e = 0; e < eventsFor(quoteCount); e++) {
    const id = `bench-ev-${e}`;
    events[id] = {
      id,
      sport: e % 2 ? 'americanfootball_nfl' : 'basketball_nba',
      league: null,
      startTime: new Date(asOfMs + 3_600_000 * (1 + (e % 48))).toISOString(),
      status: 'scheduled',
      participants: [
        { id: `home-${e}`, name: `Home ${e}`, role: 'home' },
        { id: `away-${e}`, name: `Away ${e}`, role: 'away' },
      ],
    };
    const home = `Home ${e}`;
    const away = `Away ${e}`;
    const pHome = 0.25 + rand() * 0.5;
    const markets: {
      type: 'h2h' | 'spreads' | 'totals';
      line: string | null;
      outcomes: [string, string | null, number][];
    }[] = [
      {
        type: 'h2h',
        line: null,
        outcomes: [
          [home, null, pHome],
          [away, null, 1 - pHome],
        ],
      },
    ];
    // Two spreads (home gives the points) and two totals, each side's probability drawn around even.
    const lines = [
      { type: 'spreads', line: 3.5, sides: [home, away], sign: -1, low: 0.35, width: 0.3 },
      { type: 'spreads', line: 7, sides: [home, away], sign: -1, low: 0.35, width: 0.3 },
      { type: 'totals', line: 44.5, sides: ['Over', 'Under'], sign: 1, low: 0.4, width: 0.2 },
      { type: 'totals', line: 47.5, sides: ['Over', 'Under'], sign: 1, low: 0.4, width: 0.2 },
    ] as const;
    for (const { type, line, sides, sign, low, width } of lines) {
      const p = low + rand() * width;
      markets.push({
        type,
        line: String(line),
        outcomes: [
          [sides[0], String(sign * line), p],
          [sides[1], String(line), 1 - p],
        ],
      });
    }
    for (const book of BOOKS) {
      const margin = book === 'pinnacle' || book === 'lowvig' ? 0.02 : 0.03 + rand() * 0.03;
      for (const m of markets) {
        for (const [outcome, point, p] of m.outcomes) {
          // Each book within a percent of the line, and now and then one off by a few percent either way:
          // value bets and the odd arbitrage, as often as on real boards.
          const skew = (rand() - 0.5) * 0.02 + (rand() < 0.003 ? (rand() - 0.5) * 0.12 : 0);
          quotes.push({
            market: { eventId: id, marketType: m.type, period: 'full', line: m.line },
            outcome,
            point,
            provider: 'bench',
            bookmaker: book,
            price: price(p * (1 + skew), margin),
            observedAt: asOf,
            sourceUpdatedAt: new Date(asOfMs - Math.floor(rand() * 20_000)).toISOString(),
          });
        }
      }
    }
  }
  return { asOf, events, quotes: quotes.slice(0, quoteCount) };
}

/** Move 2% of the prices by a few ticks: the next board in the steam sequence. */
export function nudge(board: BoardSnapshot, asOfMs: number, rand: () => number): BoardSnapshot {
  const asOf = new Date(asOfMs).toISOString();
  return {
    ...board,
    asOf,
    quotes: board.quotes.map((q) => {
      const moved = rand() < 0.02;
      const atMs = asOfMs - Math.floor(rand() * 20_000);
      return {
        ...q,
        observedAt: asOf,
        sourceUpdatedAt: new Date(atMs).toISOString(),
        atMs,
        price: moved ? Math.max(1.01, Number(q.price) * (1 + (rand() - 0.5) * 0.1)).toFixed(2) : q.price,
      };
    }),
  };
}

/** The p-th percentile (nearest rank) of xs. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
