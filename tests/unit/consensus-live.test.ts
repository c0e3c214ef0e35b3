import { describe, expect, it } from 'vitest';
import { Opportunity, type OddsQuote } from '../../shared/entities';
import { D } from '../../shared/math/decimal';
import {
  CONSENSUS_SKIP,
  commonParameters,
  consensusStrategy,
  indexBoard,
  parameterNames,
  parseStrategyParameters,
  strategyDefinition,
  StrategyRecord,
  type BoardEvent,
  type BoardSnapshot,
} from '../../shared/strategies';
import { testQuote } from '../helpers/board';

/**
 * The registry's `consensus` type on a live-style board, called the way the strategy sweep activity
 * calls it: parse the stored parameters, initial state, evaluate an indexed board, validate each
 * opportunity at the board's instant.
 */

const ASOF = '2025-11-16T12:00:00.000Z';
const AGO = (ms: number) => new Date(Date.parse(ASOF) - ms).toISOString();

function event(id: string, startTime = '2025-11-16T15:00:00.000Z', sport = 'soccer_epl'): BoardEvent {
  return {
    id,
    sport,
    league: 'EPL',
    startTime,
    status: 'scheduled',
    participants: [
      { id: `${id}-h`, name: 'Home', role: 'home' },
      { id: `${id}-a`, name: 'Away', role: 'away' },
    ],
  };
}

function quote(
  eventId: string,
  bookmaker: string,
  outcome: string,
  price: string,
  ageMs = 5_000,
  totals: string | null = null,
): OddsQuote {
  return testQuote({
    market: { eventId, marketType: totals === null ? 'h2h' : 'totals', period: 'full', line: totals },
    bookmaker,
    outcome,
    point: totals,
    price,
    provider: 'the-odds-api',
    observedAt: ASOF,
    sourceUpdatedAt: AGO(ageMs),
  });
}

/** Every book's Home/Draw/Away prices of one event. */
function h2h(eventId: string, lines: Record<string, [string, string, string]>, ageMs?: number): OddsQuote[] {
  return Object.entries(lines).flatMap(([book, prices]) =>
    ['Home', 'Draw', 'Away'].map((o, i) => quote(eventId, book, o, prices[i]!, ageMs)),
  );
}

// e1: Home and Away both qualify at alpha 0.05; Home's (p − alpha)·max − 1 is the larger.
//   Home: average (2.0 + 2.45 + 1.9 + 2.05)/4 = 2.1, (4/8.4 − 0.05)·2.45 − 1 = 0.371/8.4 ≈ 4.42%.
//   Away: average (3.8 + 3.6 + 3.7 + 5.3)/4 = 4.1, (4/16.4 − 0.05)·5.3 − 1 ≈ 2.77%.
//   Draw: average 3.4, threshold 1/(1/3.4 − 0.05) ≈ 4.10 > 3.5: no.
//   Book e is stale (2 min > maxQuoteAgeMs 60 s): neither in the average nor bettable.
// e1 totals 2.5: Over qualifies (average 2.0, best 2.3 > 2.22); only read when totals are asked for.
// e2: four books, nothing qualifies. e3: three books (minBooks 3): skipped.
// e4: in play, would qualify: not read (includeInPlay off).
const E1: Record<string, [string, string, string]> = {
  a: ['2.0', '3.4', '3.8'],
  b: ['2.45', '3.3', '3.6'],
  c: ['1.9', '3.5', '3.7'],
  d: ['2.05', '3.4', '5.3'],
};
const E2: Record<string, [string, string, string]> = {
  a: ['2.0', '3.4', '3.8'],
  b: ['2.05', '3.3', '3.7'],
  c: ['1.95', '3.5', '3.9'],
  d: ['2.0', '3.4', '3.8'],
};
const E3: Record<string, [string, string, string]> = {
  a: ['2.0', '3.4', '3.8'],
  b: ['2.6', '3.3', '3.6'],
  c: ['1.9', '3.5', '3.7'],
};

function liveBoard(): BoardSnapshot {
  const totals = (book: string, over: string, under: string) => [
    quote('e1', book, 'Over', over, 5_000, '2.5'),
    quote('e1', book, 'Under', under, 5_000, '2.5'),
  ];
  return {
    asOf: ASOF,
    cursor: '1731758400000-0',
    events: {
      e1: event('e1'),
      e2: event('e2'),
      e3: event('e3'),
      e4: event('e4', '2025-11-16T11:30:00.000Z'),
    },
    quotes: [
      ...h2h('e1', E1),
      ...h2h('e1', { e: ['3.0', '3.0', '6.0'] }, 120_000),
      ...totals('a', '1.9', '1.9'),
      ...totals('b', '1.95', '1.85'),
      ...totals('c', '1.85', '1.95'),
      ...totals('d', '2.3', '1.6'),
      ...h2h('e2', E2),
      ...h2h('e3', E3),
      ...h2h('e4', E1),
    ],
  };
}

/** What the sweep activity does with one strategy row and one board. */
function sweep(stored: Record<string, unknown>, board = liveBoard()) {
  const def = strategyDefinition('consensus');
  const params = def.parameters.parse(stored) as Record<string, unknown>;
  const state: unknown = def.initialState();
  const evaluation = def.evaluate(indexBoard(board), params, state, { strategy: 'consensus-live' });
  const validations = evaluation.opportunities.map((o) => def.validate(o, params, board.asOf));
  return { def, params, state, evaluation, validations };
}

describe('consensus type on a live board (the sweep path)', () => {
  it('the registry type is the published rule, with the parameters every type has', () => {
    expect(strategyDefinition('consensus')).toBe(consensusStrategy);
    expect(consensusStrategy.kind).toBe('consensus');
    const names = parameterNames('consensus');
    for (const common of Object.keys(commonParameters)) expect(names).toContain(common);
    const params = parseStrategyParameters('consensus', {});
    expect(params).toMatchObject({
      sports: null,
      marketTypes: ['h2h'],
      books: null,
      includeInPlay: false,
      maxQuoteAgeMs: 60_000,
      fallbackIntervalMs: 30_000,
      alpha: '0.05',
      minBooks: 3,
      stake: '1',
    });
    // What the strategy workflow reads for its sweep interval.
    expect(parseStrategyParameters('consensus', { fallbackIntervalMs: 5_000 }).fallbackIntervalMs).toBe(
      5_000,
    );
    expect(StrategyRecord.parse({ name: 'consensus-epl', type: 'consensus' }).parameters).toEqual({});
    // The value-bet variant's parameters are not the consensus type's.
    expect(() => parseStrategyParameters('consensus', { kaunitzAlpha: '0.05' })).toThrow(
      /^kaunitzAlpha: unknown parameter/,
    );
  });

  it('one bet per market: the qualifying outcome with the largest (p − alpha)·max − 1', () => {
    const { state, evaluation, validations } = sweep({});
    expect(state).toBeUndefined();
    expect(evaluation.state).toBeUndefined();
    expect(evaluation.opportunities).toHaveLength(1);
    const opp = Opportunity.parse(evaluation.opportunities[0]);
    expect(opp).toMatchObject({
      strategy: 'consensus-live',
      kind: 'consensus',
      sport: 'soccer_epl',
      market: { eventId: 'e1', marketType: 'h2h', period: 'full', line: null },
      suspect: false,
      detectedAt: ASOF,
    });
    // One leg at the best fresh price of the chosen outcome, at a real book; flat stake; p − alpha.
    expect(opp.legs).toEqual([
      {
        bookmaker: 'b',
        outcome: 'Home',
        point: null,
        price: '2.45',
        stake: '1',
        fairProbability: '0.42619047619047619048',
        quoteAgeMs: 5_000,
      },
    ]);
    expect(opp.edge).toBe(new D('0.371').div('8.4').toSignificantDigits(20).toFixed());
    expect(opp.context).toMatchObject({ average: '2.1', books: 4, source: 'board', alpha: '0.05' });
    // The leg's probability times its price is the edge: what the bet lifecycle re-checks at requote.
    expect(
      new D(opp.legs[0]!.fairProbability!).mul(opp.legs[0]!.price).minus(1).toSignificantDigits(15),
    ).toEqual(new D(opp.edge).toSignificantDigits(15));
    expect(validations).toEqual([{ ok: true, violations: [] }]);
    // e2 has no value, e3 too few books; the in-play e4 and the totals market are not read.
    expect(evaluation.stats).toMatchObject({ markets: 3, fewBooks: 1, noValue: 1, opportunities: 1 });
    expect((evaluation as { skipped?: unknown }).skipped).toEqual([
      { eventId: 'e2', reason: CONSENSUS_SKIP.noValue },
      { eventId: 'e3', reason: CONSENSUS_SKIP.fewBooks },
    ]);
    // The next sweep of the same board finds the same opportunity id: it is bet once.
    expect(sweep({}).evaluation.opportunities[0]!.id).toBe(opp.id);
  });

  it('every market is its own: totals get their own single bet when asked for', () => {
    const { evaluation, validations } = sweep({ marketTypes: ['h2h', 'totals'] });
    const byMarket = evaluation.opportunities.map((o) => `${o.market.eventId}|${o.market.marketType}`);
    expect(byMarket.sort()).toEqual(['e1|h2h', 'e1|totals']);
    const over = evaluation.opportunities.find((o) => o.market.marketType === 'totals')!;
    expect(over.legs).toHaveLength(1);
    expect(over.legs[0]).toMatchObject({ bookmaker: 'd', outcome: 'Over', point: '2.5', price: '2.3' });
    expect(validations.every((v) => v.ok)).toBe(true);
  });

  it('reads the parameters the sweep passes on: sports, books, in-play, alpha, minBooks', () => {
    expect(sweep({ sports: ['basketball_nba'] }).evaluation.opportunities).toEqual([]);
    expect(sweep({ sports: ['soccer_epl'] }).evaluation.opportunities).toHaveLength(1);
    // Without book b, Home's best is 2.05 (no longer qualifies): Away at d is the bet.
    const noB = sweep({ books: ['a', 'c', 'd'] }).evaluation.opportunities;
    expect(noB.map((o) => [o.legs[0]!.outcome, o.legs[0]!.bookmaker])).toEqual([['Away', 'd']]);
    const inPlay = sweep({ includeInPlay: true }).evaluation.opportunities;
    expect(inPlay.map((o) => o.market.eventId).sort()).toEqual(['e1', 'e4']);
    expect(sweep({ alpha: '0.2' }).evaluation.opportunities).toEqual([]);
    expect(sweep({ minBooks: 4 }).evaluation.opportunities).toEqual([]);
  });

  it('validates again later: an aged quote or a stricter alpha refuses the bet', () => {
    const { def, params, evaluation } = sweep({});
    const opp = evaluation.opportunities[0]!;
    const later = new Date(Date.parse(ASOF) + 60_000).toISOString();
    expect(def.validate(opp, params, later).violations.join()).toMatch(/quote is 65000 ms old/);
    const strict = def.parameters.parse({ alpha: '0.1' });
    expect(def.validate(opp, strict, ASOF).violations.join()).toMatch(/no longer beats/);
  });
});
