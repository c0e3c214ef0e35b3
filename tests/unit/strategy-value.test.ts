import { describe, expect, it } from 'vitest';
import type { OddsQuote } from '../../shared/entities';
import { D, devig, devigWorstCase } from '../../shared/math';
import { valueStrategy, type BoardSnapshot } from '../../shared/strategies';
import { before, consensusFairProbability, h2hMarket, scheduledEvent, testQuote } from '../helpers/board';

const ASOF = '2025-11-16T12:00:00.000Z';
const START = '2025-11-16T18:00:00.000Z';

function q(bookmaker: string, outcome: string, price: string, ageMs = 1000): OddsQuote {
  return testQuote({
    market: h2hMarket('e1'),
    bookmaker,
    outcome,
    price,
    observedAt: ASOF,
    sourceUpdatedAt: before(ASOF, ageMs),
  });
}

/** A 1X2 market: every book's three prices. */
function board(
  lines: Record<string, [string, string, string]>,
  ages: Record<string, number> = {},
  start = START,
): BoardSnapshot {
  const quotes: OddsQuote[] = [];
  for (const [book, [h, d, a]] of Object.entries(lines)) {
    quotes.push(
      q(book, 'Home', h, ages[book]),
      q(book, 'Draw', d, ages[book]),
      q(book, 'Away', a, ages[book]),
    );
  }
  return {
    asOf: ASOF,
    events: {
      e1: scheduledEvent({
        id: 'e1',
        sport: 'soccer_epl',
        league: 'EPL',
        startTime: start,
        home: 'Home',
        away: 'Away',
      }),
    },
    quotes,
  };
}

const LINES: Record<string, [string, string, string]> = {
  pinnacle: ['2.10', '3.40', '3.90'],
  bet365: ['2.30', '3.30', '3.50'],
  betwin: ['2.05', '3.35', '3.80'],
  interwetten: ['2.00', '3.20', '3.60'],
};

const run = (b: BoardSnapshot, raw: Record<string, unknown>) => {
  const params = valueStrategy.parameters.parse(raw);
  return { params, result: valueStrategy.evaluate(b, params, undefined, { strategy: 'value-test' }) };
};

describe('value strategy', () => {
  it('sharp: bets the best price above the devigged sharp line, with the fair odds, method and EV exact', () => {
    const { result } = run(board(LINES), {
      sharpBooks: ['pinnacle'],
      devigMethod: 'shin',
      minEdge: '0.02',
      minBooks: 3,
    });
    expect(result.opportunities).toHaveLength(1);
    const o = result.opportunities[0]!;
    const fair = devig(['2.10', '3.40', '3.90'], 'shin').probabilities[0]!.toDecimalPlaces(20);
    expect(o.legs).toEqual([
      {
        bookmaker: 'bet365',
        outcome: 'Home',
        point: null,
        price: '2.30',
        stake: null,
        fairProbability: fair.toFixed(),
        quoteAgeMs: 1000,
      },
    ]);
    expect(o.edge).toBe(fair.mul('2.30').minus(1).toFixed());
    expect(o.fairMethod).toBe('sharp:pinnacle:shin');
    expect(o.kind).toBe('value');
    expect(o.rule).toMatch(/bet365 Home @ 2.3 vs fair/);
    expect(o.suspect).toBe(false);
    expect(valueStrategy.validate(o, valueStrategy.parameters.parse({ minEdge: '0.02' }), ASOF).ok).toBe(
      true,
    );
    expect(
      valueStrategy.validate(o, valueStrategy.parameters.parse({ minEdge: '0.5' }), ASOF).violations[0],
    ).toMatch(/minEdge/);
  });

  it('worst-case devig is the most pessimistic fair probability, so fewer bets', () => {
    const { result } = run(board(LINES), {
      sharpBooks: ['pinnacle'],
      devigMethod: 'worst-case',
      minEdge: '0',
    });
    const home = result.opportunities.find((o) => o.legs[0]!.outcome === 'Home')!;
    const worst = devigWorstCase(['2.10', '3.40', '3.90']).probabilities[0]!.toDecimalPlaces(20);
    expect(home.legs[0]!.fairProbability).toBe(worst.toFixed());
    for (const method of ['multiplicative', 'additive', 'power', 'shin', 'odds-ratio'] as const) {
      expect(
        new D(home.legs[0]!.fairProbability!).lte(devig(['2.10', '3.40', '3.90'], method).probabilities[0]!),
      ).toBe(true);
    }
  });

  it('the first sharp book with a fresh line is used; never bets at that book; no sharp, no bet', () => {
    const stalePinnacle = run(board(LINES, { pinnacle: 600_000 }), {
      sharpBooks: ['pinnacle', 'betwin'],
      minEdge: '0.02',
    }).result;
    expect(stalePinnacle.opportunities.every((o) => o.fairMethod === 'sharp:betwin:shin')).toBe(true);
    expect(stalePinnacle.opportunities.every((o) => o.legs[0]!.bookmaker !== 'betwin')).toBe(true);
    expect(run(board(LINES), { sharpBooks: ['circa'], minEdge: '0' }).result.opportunities).toHaveLength(0);
  });

  it('consensus: every book devigged, probabilities averaged', () => {
    const { result } = run(board(LINES), {
      fairSource: 'consensus',
      devigMethod: 'multiplicative',
      minEdge: '0.03',
    });
    const o = result.opportunities.find((x) => x.legs[0]!.outcome === 'Home')!;
    const avg = consensusFairProbability(Object.values(LINES));
    expect(o.legs[0]!.fairProbability).toBe(avg.toFixed());
    expect(o.fairMethod).toBe('consensus(4):multiplicative');
    expect(o.context.fairBooks).toEqual(['bet365', 'betwin', 'interwetten', 'pinnacle']);
  });

  it('Kaunitz et al. as a fair line: 1/mean(odds) − alpha, at the best price', () => {
    const { result } = run(board(LINES), { fairSource: 'kaunitz', kaunitzAlpha: '0.02', minEdge: '0' });
    const o = result.opportunities.find((x) => x.legs[0]!.outcome === 'Home')!;
    const mean = new D('2.10').plus('2.30').plus('2.05').plus('2.00').div(4);
    expect(o.legs[0]!.fairProbability).toBe(new D(1).div(mean).minus('0.02').toDecimalPlaces(20).toFixed());
    expect(o.kind).toBe('value');
    expect(o.fairMethod).toBe('kaunitz:0.02');
    expect(o.legs[0]!.bookmaker).toBe('bet365');
  });

  it('minimum books, maximum odds, EV cap and in-play', () => {
    expect(run(board(LINES), { minBooks: 5, minEdge: '0' }).result.opportunities).toHaveLength(0);
    const longshots = run(board(LINES), { maxOdds: '3', minEdge: '0', devigMethod: 'multiplicative' }).result
      .opportunities;
    expect(longshots.every((o) => new D(o.legs[0]!.price).lte(3))).toBe(true);
    const gift = { ...LINES, bet365: ['2.90', '3.30', '3.50'] as [string, string, string] };
    const capped = run(board(gift), { minEdge: '0.02', evCap: '0.25' }).result.opportunities[0]!;
    expect(capped.suspect).toBe(true);
    expect(capped.suspectReasons[0]).toMatch(/^ev-cap: EV 3\d\.\d\d% exceeds the 25.00% cap/);
    const live = board(LINES, {}, '2025-11-16T11:00:00.000Z');
    expect(run(live, { minEdge: '0' }).result.opportunities).toHaveLength(0);
    expect(run(live, { minEdge: '0', includeInPlay: true }).result.opportunities.length).toBeGreaterThan(0);
  });

  it('refuses bad parameters naming them', () => {
    expect(() => valueStrategy.parameters.parse({ minEdge: 0.02 })).toThrow(/minEdge/);
    const r = valueStrategy.parameters.safeParse({ devigMethod: 'magic', sharpBooks: [] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['devigMethod', 'sharpBooks']);
  });
});
