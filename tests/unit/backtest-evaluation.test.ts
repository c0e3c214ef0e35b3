import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import type { MarketKey, OddsQuote, Opportunity, SportEvent } from '../../shared/entities';
import { runBacktest, summarize } from '../../shared/backtest';
import type { BacktestOptions, BacktestStrategy, ReplayFrame } from '../../shared/backtest';
import { h2hMarket, minutesAfter, quoteOpportunity, soccerFixture, testQuote } from '../helpers/board';

// The evaluation side of the backtest: CLV against the consensus close, the seeded random baseline, the
// per-bookmaker breakdown and the one-book warning (issue 15).

const T0 = Date.parse('2024-03-01T12:00:00.000Z');
const at = minutesAfter(T0);
const OUTCOMES = ['Home', 'Draw', 'Away'] as const;

const event = (id: string, startMinutes: number): SportEvent => soccerFixture(id, at(startMinutes).at);
const h2h = h2hMarket;

function line(m: MarketKey, bookmaker: string, prices: readonly string[], minutes = 0): OddsQuote[] {
  return prices.map((price, i) =>
    testQuote({
      market: m,
      bookmaker,
      outcome: OUTCOMES[i]!,
      point: null,
      price,
      observedAt: at(minutes).at,
    }),
  );
}

/** Bets `outcome` at the book `pick` names for the event (first time it is quoted there). */
function bettor(outcome: string, pick: (eventId: string) => string): BacktestStrategy {
  return {
    name: 'bettor',
    evaluate(board) {
      const opportunities: Opportunity[] = [];
      for (const q of board.snapshot.quotes) {
        if (q.outcome !== outcome || q.bookmaker !== pick(q.market.eventId)) continue;
        opportunities.push(
          quoteOpportunity(q, {
            id: `bettor|${q.market.eventId}`,
            strategy: 'bettor',
            detectedAt: board.asOf,
            fairProbability: null,
          }),
        );
      }
      return { opportunities };
    },
  };
}

const homeWins = { status: 'completed' as const, scores: { Home: '2', Away: '1' } };
const awayWins = { status: 'completed' as const, scores: { Home: '0', Away: '1' } };

/** Multiplicative devig of one book's line, by hand: (1/o_k) / Σ 1/o_i. */
function fairHome(prices: readonly string[]): Decimal {
  const implied = prices.map((p) => new Decimal(1).div(p));
  return implied[0]!.div(implied.reduce((a, b) => a.plus(b), new Decimal(0)));
}

describe('CLV against the consensus close', () => {
  const m = h2h('e1');
  const closes = {
    b1: ['2.0', '3.5', '4.0'],
    b2: ['2.0', '3.6', '3.8'],
    b3: ['2.1', '3.4', '3.6'],
  };
  const frames: ReplayFrame[] = [
    {
      ...at(0),
      events: [event('e1', 60)],
      quotes: [
        ...line(m, 'b1', ['2.2', '3.4', '3.6']),
        ...line(m, 'b2', ['2.1', '3.5', '3.5']),
        ...line(m, 'b3', ['2.1', '3.4', '3.6']),
      ],
    },
    {
      // Before the start: b1 and b2 move; b4 quotes only two outcomes (no full line: not a reference).
      ...at(50),
      quotes: [
        ...line(m, 'b1', closes.b1, 50),
        ...line(m, 'b2', closes.b2, 50),
        ...line(m, 'b4', ['1.9', '3.9'], 50),
      ],
    },
  ];
  const run = (options: BacktestOptions) =>
    runBacktest(frames, [bettor('Home', () => 'b1')], options).bets[0]!;

  it('is the taken price times the mean of the books’ devigged closing probabilities, minus 1', () => {
    const mean = fairHome(closes.b1).plus(fairHome(closes.b2)).plus(fairHome(closes.b3)).div(3);
    const expected = new Decimal('2.2').mul(mean).minus(1);
    const clv = run({ clvReference: { kind: 'consensus', minBooks: 3 } }).clv!;
    expect(clv.toFixed(15)).toBe(expected.toFixed(15));
    // Not one book's: the named-book reference still measures against that book alone.
    const b2 = run({ clvReference: { kind: 'book', bookmaker: 'b2' } }).clv!;
    expect(b2.toFixed(15)).toBe(new Decimal('2.2').mul(fairHome(closes.b2)).minus(1).toFixed(15));
    expect(clv.toFixed(15)).not.toBe(b2.toFixed(15));
  });

  it('a source that publishes closes (football-data) is never measured against its pre-match board', () => {
    // The same board, but the source carries a `closing` field (empty for this match: no closing columns).
    const published: ReplayFrame[] = [{ ...frames[0]!, closing: [] }, frames[1]!];
    const bet = runBacktest(published, [bettor('Home', () => 'b1')], {
      clvReference: { kind: 'consensus', minBooks: 3 },
    }).bets[0]!;
    expect(bet.clv).toBeNull();
    expect(run({ clvReference: { kind: 'consensus', minBooks: 3 } }).clv).not.toBeNull();
  });

  it('needs the minimum number of books with a full closing line', () => {
    expect(run({ clvReference: { kind: 'consensus', minBooks: 4 } }).clv).toBeNull();
    const r = runBacktest(frames, [bettor('Home', () => 'b1')], {
      clvReference: { kind: 'consensus', minBooks: 4 },
    });
    expect(r.clvReference).toMatch(/^consensus close: .* at least 4 books/);
  });
});

/** Twenty events, five books with different prices, results alternating. */
function season(): ReplayFrame[] {
  const frames: ReplayFrame[] = [];
  for (let e = 0; e < 20; e++) {
    const id = `e${e}`;
    const m = h2h(id);
    const quotes: OddsQuote[] = [];
    for (let b = 0; b < 5; b++) {
      quotes.push(
        ...line(m, `b${b}`, [(2 + b / 10 + e / 100).toFixed(2), '3.4', (3.5 - b / 10).toFixed(2)], e * 10),
      );
    }
    frames.push({ ...at(e * 10), events: [event(id, e * 10 + 5)], quotes });
    frames.push({ ...at(e * 10 + 1), quotes: line(m, 'b0', ['2.05', '3.4', '3.6'], e * 10 + 1) });
  }
  frames.push({
    ...at(1000),
    results: Array.from({ length: 20 }, (_, e) => ({
      eventId: `e${e}`,
      result: e % 2 === 0 ? homeWins : awayWins,
    })),
  });
  return frames;
}

describe('random baseline', () => {
  const strategy = () => bettor('Home', (id) => `b${Number(id.slice(1)) % 5}`);
  const picks = (seed: number, strategies = [strategy()]) => {
    const r = runBacktest(season(), strategies, { baseline: { seed } });
    return {
      matched: r.baseline!.matched.map(
        (b) => `${b.event.id}:${b.outcome}@${b.bookmaker}:${b.price}:${b.placedAt}`,
      ),
      uniform: r.baseline!.uniform.map(
        (b) => `${b.event.id}:${b.outcome}@${b.bookmaker}:${b.price}:${b.placedAt}`,
      ),
    };
  };

  it('is the same for the same seed and differs across seeds', () => {
    const one = picks(1);
    expect(one.matched).toHaveLength(20);
    expect(one.uniform.length).toBeGreaterThan(20);
    expect(picks(1)).toEqual(one);
    const two = picks(2);
    expect(two.matched).not.toEqual(one.matched);
    expect(two.uniform).not.toEqual(one.uniform);
  });

  it('draws the uniform bets apart from the strategy: another strategy leaves them as they were', () => {
    const one = picks(1);
    const none = picks(1, []);
    expect(none.matched).toHaveLength(0);
    expect(none.uniform).toEqual(one.uniform);
  });

  it("matched bets keep the strategy's outcome and time; the strategy's own bets are untouched", () => {
    const clvReference = { kind: 'consensus', minBooks: 3 } as const;
    const plain = runBacktest(season(), [strategy()], { clvReference });
    const withBaseline = runBacktest(season(), [strategy()], { clvReference, baseline: { seed: 7 } });
    const key = (b: {
      seq: number;
      price: string;
      profit: { toString(): string };
      settledSeq: number | null;
    }) => `${b.seq}:${b.price}:${b.profit.toString()}:${b.settledSeq}`;
    expect(withBaseline.bets.map(key)).toEqual(plain.bets.map(key));
    expect(withBaseline.settled.map(key)).toEqual(plain.settled.map(key));
    withBaseline.baseline!.matched.forEach((b, i) => {
      const s = withBaseline.bets[i]!;
      expect([b.event.id, b.outcome, b.placedAt]).toEqual([s.event.id, s.outcome, s.placedAt]);
      expect(b.status).not.toBe('unsettled');
    });
    const { summary } = summarize(
      withBaseline,
      'bettor',
      { kind: 'test', matches: 20, skipped: {} },
      { baselineSeed: 7 },
    );
    expect(summary.baseline).toMatchObject({ kind: 'random', seed: 7, variant: 'matched', bets: 20 });
    expect(summary.baseline!.clv).toEqual({
      bets: 20,
      mean: expect.any(String),
      standardError: expect.any(String),
    });
    expect(summary.baseline!.uniform.bets).toBe(withBaseline.baseline!.uniform.length);
  });
});

describe('per-bookmaker breakdown and the one-book warning', () => {
  const source = { kind: 'test', matches: 20, skipped: {} };

  it('the per-book lines sum to the totals', () => {
    const r = runBacktest(season(), [bettor('Home', (id) => `b${Number(id.slice(1)) % 3}`)], {
      clvReference: { kind: 'consensus', minBooks: 3 },
    });
    const { summary } = summarize(r, 'bettor', source);
    const lines = Object.values(summary.byBookmaker);
    expect(Object.keys(summary.byBookmaker)).toEqual(['b0', 'b1', 'b2']);
    const sum = (f: (l: (typeof lines)[number]) => string) =>
      lines.reduce((a, l) => a.plus(f(l)), new Decimal(0)).toString();
    expect(lines.reduce((n, l) => n + l.bets, 0)).toBe(summary.bets);
    expect(summary.clv.bets).toBe(20);
    expect(lines.reduce((n, l) => n + l.clvBets, 0)).toBe(summary.clv.bets);
    expect(sum((l) => l.profit)).toBe(new Decimal(summary.profit).toString());
    expect(sum((l) => l.turnover)).toBe(new Decimal(summary.turnover).toString());
    expect(sum((l) => l.staked)).toBe(String(summary.bets));
  });

  it('warns when most of the profit comes from one book, not when it is spread', () => {
    // Events with even numbers end home wins: b0 takes only those, b1 only the odd ones (all lost). CLV
    // against b4's close, which every bet has (and which none beats): only the profit is at stake here.
    const clv = { clvBookmaker: 'b4' };
    const lopsided = runBacktest(
      season(),
      [bettor('Home', (id) => (Number(id.slice(1)) % 2 === 0 ? 'b0' : 'b1'))],
      clv,
    );
    const { summary } = summarize(lopsided, 'bettor', source);
    expect(new Decimal(summary.profit).gt(0)).toBe(true);
    expect(summary.warnings).toEqual([
      expect.stringMatching(
        /^100% of the profit made at books in profit comes from one book, b0 \(10 of 20 bets, 2 books\)/,
      ),
    ]);
    // Winners only, spread over three books (the largest share 4.36 of 11.8): no warning.
    const books = ['b0', 'none', 'b1', 'none', 'b2', 'none'];
    const spread = runBacktest(season(), [bettor('Home', (id) => books[Number(id.slice(1)) % 6]!)], clv);
    const s = summarize(spread, 'bettor', source).summary;
    expect(s.bets).toBe(10);
    expect(s.warnings).toEqual([]);
  });
});
