import { describe, expect, it } from 'vitest';
import type { OddsQuote } from '../../shared/entities';
import type { MarketAggregate, ReplaySnapshot } from '../../shared/backtest/types';
import type { BoardEvent } from '../../shared/strategies/board';
import {
  AGGREGATE_BOOK,
  CONSENSUS_SKIP,
  ConsensusParameters,
  consensusPick,
  consensusStrategy,
  evaluateConsensus,
  type ConsensusOutcome,
} from '../../shared/strategies/consensus';
import { D } from '../../shared/math/decimal';
import { testQuote } from '../helpers/board';

const ASOF = '2024-03-01T12:00:00.000Z';
const params = ConsensusParameters.parse({});

function event(id: string, sport = 'soccer'): BoardEvent {
  return {
    id,
    sport,
    league: null,
    startTime: '2024-03-01T15:00:00.000Z',
    status: 'scheduled',
    participants: [
      { id: 'h', name: 'Home', role: 'home' },
      { id: 'a', name: 'Away', role: 'away' },
    ],
  };
}

function aggregate(id: string, avg: string[], best: string[], books: number | null = 20): MarketAggregate {
  return {
    market: { eventId: id, marketType: 'h2h', line: null, period: 'full' },
    outcomes: ['Home', 'Draw', 'Away'].map((outcome, i) => ({
      outcome,
      point: null,
      average: avg[i]!,
      best: best[i]!,
      bestBookmaker: null,
    })),
    books,
    source: 'test',
  };
}

function board(
  aggregates: MarketAggregate[],
  quotes: OddsQuote[] = [],
  events?: BoardEvent[],
): ReplaySnapshot {
  const ids = new Set([...aggregates.map((a) => a.market.eventId), ...quotes.map((q) => q.market.eventId)]);
  const list = events ?? [...ids].map((id) => event(id));
  return { asOf: ASOF, events: Object.fromEntries(list.map((e) => [e.id, e])), quotes, aggregates };
}

function outcome(average: string, best: string, name = 'x'): ConsensusOutcome {
  return { outcome: name, point: null, prices: [average], best, bestBookmaker: 'b', bestAgeMs: 0 };
}

describe('consensus rule (Kaunitz, Zhong & Kreiner 2017)', () => {
  it('an outcome qualifies when best > 1/(1/average − alpha)', () => {
    // average 2.0: p = 0.5, p − 0.05 = 0.45, threshold 1/0.45 = 2.2222…
    expect(consensusPick([outcome('2', '2.22')], new D('0.05'))).toBeNull();
    const pick = consensusPick([outcome('2', '2.23')], new D('0.05'))!;
    expect(pick.index).toBe(0);
    expect(pick.probability.toString()).toBe('0.45');
    // (p − alpha)·best − 1 = 0.45·2.23 − 1 = 0.0035
    expect(pick.edge.toString()).toBe('0.0035');
  });

  it('exactly on the threshold is not a bet (strict >), decided in exact arithmetic', () => {
    // average 4, alpha 0.05: p − alpha = 0.2, threshold exactly 5.
    expect(consensusPick([outcome('4', '5')], new D('0.05'))).toBeNull();
    expect(consensusPick([outcome('4', '5.0000000001')], new D('0.05'))).not.toBeNull();
    // 1/3 is not a finite decimal: average 3 with alpha 0 needs best > 3.
    expect(consensusPick([outcome('3', '3')], new D('0'))).toBeNull();
    expect(consensusPick([outcome('3', '3.0000000000000001')], new D('0'))).not.toBeNull();
  });

  it('p − alpha ≤ 0 never qualifies, whatever the best price', () => {
    // average 20: p = 0.05 = alpha.
    expect(consensusPick([outcome('20', '1000')], new D('0.05'))).toBeNull();
    expect(consensusPick([outcome('25', '1000')], new D('0.05'))).toBeNull();
  });

  it('bets the qualifying outcome with the largest (p − alpha)·best − 1, the first on a tie', () => {
    const alpha = new D('0.05');
    // edges: 0.45·2.4 − 1 = 0.08; p=1/3.2 − .05 = 0.2625 → ·4.2 − 1 = 0.1025; 0.2·5.2 − 1 = 0.04
    const pick = consensusPick([outcome('2', '2.4'), outcome('3.2', '4.2'), outcome('4', '5.2')], alpha)!;
    expect(pick.index).toBe(1);
    expect(pick.edge.toString()).toBe('0.1025');
    // Two outcomes with the same edge: the first wins.
    const tie = consensusPick([outcome('4', '5.5'), outcome('4', '5.5')], alpha)!;
    expect(tie.index).toBe(0);
  });

  it('averages the books on the board when there is no published aggregate', () => {
    const mk = { eventId: 'e1', marketType: 'h2h' as const, line: null, period: 'full' };
    const quote = (bookmaker: string, outcome: string, price: string): OddsQuote =>
      testQuote({ market: mk, bookmaker, outcome, price, observedAt: ASOF });
    const prices: Record<string, [string, string, string]> = {
      a: ['2.0', '3.4', '3.8'],
      b: ['2.1', '3.3', '3.6'],
      c: ['1.9', '3.5', '3.7'],
      d: ['2.0', '3.4', '5.3'],
    };
    const quotes = Object.entries(prices).flatMap(([book, p]) =>
      ['Home', 'Draw', 'Away'].map((o, i) => quote(book, o, p[i]!)),
    );
    const result = evaluateConsensus(board([], quotes), params, 'consensus');
    // Away: average (3.8 + 3.6 + 3.7 + 5.3)/4 = 4.1, p − alpha = 4/16.4 − 0.05, threshold ≈ 5.157 < 5.3.
    // Home: average 2, threshold 2.22 > 2.1; Draw: average 3.4, threshold ≈ 4.10 > 3.5.
    expect(result.opportunities).toHaveLength(1);
    const opp = result.opportunities[0]!;
    expect(opp.legs[0]).toMatchObject({ bookmaker: 'd', outcome: 'Away', price: '5.3' });
    expect(opp.legs[0]!.fairProbability).toBe('0.1939024390243902439');
    expect(opp.context).toMatchObject({ average: '4.1', books: 4, source: 'board' });
    // A book left out of the bettable books: the best allowed price is taken, the average is unchanged.
    const noD = evaluateConsensus(
      board([], quotes),
      ConsensusParameters.parse({ books: ['a', 'b', 'c'] }),
      'c',
    );
    expect(noD.opportunities).toEqual([]);
    // Three books quoting (minBooks 3): skipped.
    const three = quotes.filter((q) => q.bookmaker !== 'a');
    expect(evaluateConsensus(board([], three), params, 'c').skipped).toEqual([
      { eventId: 'e1', reason: CONSENSUS_SKIP.fewBooks },
    ]);
  });

  it('skips markets quoted by minBooks books or fewer, where the count is known', () => {
    const agg = (books: number | null) => aggregate('e1', ['2', '3.4', '4'], ['2.3', '3.5', '4.1'], books);
    expect(evaluateConsensus(board([agg(3)]), params, 's').skipped).toEqual([
      { eventId: 'e1', reason: CONSENSUS_SKIP.fewBooks },
    ]);
    expect(evaluateConsensus(board([agg(4)]), params, 's').opportunities).toHaveLength(1);
    expect(evaluateConsensus(board([agg(null)]), params, 's').opportunities).toHaveLength(1);
    expect(
      evaluateConsensus(board([agg(3)]), ConsensusParameters.parse({ minBooks: 2 }), 's').opportunities,
    ).toHaveLength(1);
  });

  it('reports a market without its average/best as missing odds', () => {
    const incomplete: MarketAggregate = {
      ...aggregate('e1', ['2', '3', '4'], ['2', '3', '4']),
      outcomes: [],
    };
    const r = evaluateConsensus(board([incomplete]), params, 's');
    expect(r.opportunities).toEqual([]);
    expect(r.skipped).toEqual([{ eventId: 'e1', reason: CONSENSUS_SKIP.missingOdds }]);
    expect(r.stats).toMatchObject({ markets: 1, missingOdds: 1 });
  });

  it('makes one opportunity per match, at the best price, flat stake, with its context', () => {
    const r = evaluateConsensus(
      board([aggregate('e1', ['2', '3.4', '4'], ['2.3', '3.5', '4.1'])]),
      params,
      'consensus',
    );
    expect(r.opportunities).toHaveLength(1);
    const opp = r.opportunities[0]!;
    expect(opp.kind).toBe('consensus');
    expect(opp.legs).toEqual([
      {
        bookmaker: AGGREGATE_BOOK,
        outcome: 'Home',
        point: null,
        price: '2.3',
        stake: '1',
        fairProbability: '0.45',
        quoteAgeMs: 0,
      },
    ]);
    expect(opp.edge).toBe('0.035');
    expect(opp.context).toMatchObject({ average: '2', alpha: '0.05', books: 20 });
    expect(opp.id).toMatch(/^opp_[0-9a-f]{40}$/);
    // The same market on the next sweep: the same id (bet once).
    const again = evaluateConsensus(
      board([aggregate('e1', ['2', '3.4', '4'], ['2.3', '3.5', '4.1'])]),
      params,
      'consensus',
    );
    expect(again.opportunities[0]!.id).toBe(opp.id);
  });

  it('validates an opportunity again at another alpha', () => {
    const opp = evaluateConsensus(
      board([aggregate('e1', ['2', '3.4', '4'], ['2.3', '3.5', '4.1'])]),
      params,
      'c',
    ).opportunities[0]!;
    expect(consensusStrategy.validate(opp, params, ASOF)).toEqual({ ok: true, violations: [] });
    const strict = ConsensusParameters.parse({ alpha: '0.1' });
    const v = consensusStrategy.validate(opp, strict, ASOF);
    expect(v.ok).toBe(false);
    expect(v.violations.join()).toMatch(/no longer beats/);
  });

  it('refuses bad parameters by name', () => {
    expect(ConsensusParameters.safeParse({ alpha: '1' }).success).toBe(false);
    expect(ConsensusParameters.safeParse({ alpha: '-0.1' }).success).toBe(false);
    expect(ConsensusParameters.safeParse({ minBooks: -1 }).success).toBe(false);
    expect(ConsensusParameters.safeParse({ surprise: true }).success).toBe(false);
    expect(params.marketTypes).toEqual(['h2h']);
  });
});
