import { describe, expect, it } from 'vitest';
import type { MarketKey, OddsQuote, Opportunity, SportEvent } from '../../shared/entities';
import {
  BacktestEngine,
  fromDefinition,
  mergeFrames,
  runBacktest,
  runBacktestAsync,
  type BacktestStrategy,
  type ReplayBoard,
  type ReplayFrame,
} from '../../shared/backtest';
import { StrategyParameterError } from '../../shared/strategies';
import { arbitrageStrategy } from '../../shared/strategies/arbitrage';
import { consensusStrategy } from '../../shared/strategies/consensus';
import { h2hMarket, minutesAfter, quoteOpportunity, soccerFixture, testQuote } from '../helpers/board';

const T0 = Date.parse('2024-03-01T12:00:00.000Z');
const at = minutesAfter(T0);

const soccer = (id: string, startMinutes: number, sport = 'soccer'): SportEvent =>
  soccerFixture(id, at(startMinutes).at, sport);
const h2h = h2hMarket;

function quote(
  market: MarketKey,
  bookmaker: string,
  outcome: string,
  price: string,
  minutes = 0,
  point: string | null = null,
): OddsQuote {
  return testQuote({ market, bookmaker, outcome, point, price, observedAt: at(minutes).at });
}

function line(
  market: MarketKey,
  bookmaker: string,
  prices: [string, string, string],
  minutes = 0,
): OddsQuote[] {
  return ['Home', 'Draw', 'Away'].map((o, i) => quote(market, bookmaker, o, prices[i]!, minutes));
}

/** Bets `outcome` at `bookmaker`'s price on every market it sees, every time (the engine must bet once). */
function always(outcome: string, bookmaker: string, seen: ReplayBoard[] = []): BacktestStrategy {
  return {
    name: 'always',
    evaluate(board) {
      seen.push(board);
      const opportunities: Opportunity[] = [];
      for (const q of board.snapshot.quotes) {
        if (q.outcome !== outcome || q.bookmaker !== bookmaker) continue;
        opportunities.push(
          quoteOpportunity(q, {
            id: `always|${q.market.eventId}|${q.price}`,
            strategy: 'always',
            detectedAt: board.asOf,
            fairProbability: '0.5',
          }),
        );
      }
      return { opportunities, skipped: [{ eventId: 'e1', reason: 'looked' }] };
    },
  };
}

const won = { status: 'completed' as const, scores: { Home: '2', Away: '1' } };

describe('backtest engine', () => {
  it('bets once per market however often the opportunity is seen, settles from the result', () => {
    const m = h2h('e1');
    const frames: ReplayFrame[] = [
      {
        ...at(0),
        events: [soccer('e1', 60)],
        quotes: line(m, 'b1', ['2.1', '3.4', '3.6']),
        results: [{ eventId: 'e1', result: won }],
      },
      { ...at(10), quotes: [quote(m, 'b1', 'Home', '2.2', 10)] },
      { ...at(20), quotes: [quote(m, 'b1', 'Home', '2.3', 20)] },
    ];
    const run = runBacktest(frames, [always('Home', 'b1')]);
    expect(run.bets).toHaveLength(1);
    expect(run.repeats.always).toBe(2);
    const bet = run.bets[0]!;
    expect([bet.price, bet.status, bet.profit.toString()]).toEqual(['2.1', 'won', '1.1']);
    expect(run.settled).toEqual([bet]);
    expect(run.events).toBe(1);
    // An event with a bet is not counted as skipped, whatever the strategy said about it.
    expect(run.skips.always).toEqual({});
  });

  it('takes an event off the board at its start: later quotes are in-play and never shown', () => {
    const seen: ReplayBoard[] = [];
    const m = h2h('e1');
    const frames: ReplayFrame[] = [
      { ...at(0), events: [soccer('e1', 30), soccer('e2', 90)], quotes: line(m, 'b1', ['3', '3.4', '2.4']) },
      { ...at(30), quotes: [quote(m, 'b1', 'Away', '2.5', 30)] },
      { ...at(40), quotes: line(h2h('e2'), 'b1', ['3', '3.4', '2.4'], 40) },
    ];
    const run = runBacktest(frames, [always('Nobody', 'b1', seen)]);
    expect(seen.map((b) => Object.keys(b.snapshot.events))).toEqual([['e1'], ['e2']]);
    expect(run.ignoredQuotes).toEqual({ inPlay: 1, unknownEvent: 0 });
    // Every event on a board is before its start, whatever its stored status.
    expect(seen[0]!.snapshot.events.e1).toMatchObject({ status: 'scheduled', inPlay: false });
  });

  it('shows changed events only, or the whole board on request', () => {
    const frames: ReplayFrame[] = [
      {
        ...at(0),
        events: [soccer('e1', 60), soccer('e2', 60)],
        quotes: line(h2h('e1'), 'b1', ['2', '3', '4']),
      },
      { ...at(5), quotes: line(h2h('e2'), 'b1', ['2', '3', '4'], 5) },
    ];
    const changed: ReplayBoard[] = [];
    runBacktest(frames, [always('x', 'b1', changed)]);
    expect(changed.map((b) => Object.keys(b.snapshot.events))).toEqual([['e1'], ['e2']]);
    const whole: ReplayBoard[] = [];
    runBacktest(frames, [always('x', 'b1', whole)], { snapshots: 'board' });
    expect(whole.map((b) => Object.keys(b.snapshot.events).sort())).toEqual([
      ['e1', 'e2'],
      ['e1', 'e2'],
    ]);
    expect(whole[1]!.snapshot.quotes).toHaveLength(6);
  });

  it('refuses frames out of time order', () => {
    const engine = new BacktestEngine([always('Home', 'b1')]);
    engine.push({ ...at(10) });
    expect(() => engine.push({ ...at(5) })).toThrow(/out of order/);
  });

  it('voids bets on cancelled events; leaves bets without a result unsettled', () => {
    const frames: ReplayFrame[] = [
      {
        ...at(0),
        events: [soccer('e1', 60), soccer('e2', 60)],
        quotes: [...line(h2h('e1'), 'b1', ['2', '3', '4']), ...line(h2h('e2'), 'b1', ['2', '3', '4'])],
        results: [{ eventId: 'e1', result: { status: 'cancelled', scores: {} } }],
      },
    ];
    const run = runBacktest(frames, [always('Home', 'b1')]);
    expect(run.bets.map((b) => [b.event.id, b.status, b.note])).toEqual([
      ['e1', 'void', 'event cancelled'],
      ['e2', 'unsettled', 'no result in the data'],
    ]);
  });

  it('settles with the live rules: a draw loses a 1X2 side bet, payouts round down to the unit', () => {
    const frames: ReplayFrame[] = [
      {
        ...at(0),
        events: [soccer('e1', 60)],
        quotes: line(h2h('e1'), 'b1', ['2.005', '3', '4']),
        results: [{ eventId: 'e1', result: { status: 'completed', scores: { Home: '1', Away: '0' } } }],
      },
    ];
    expect(runBacktest(frames, [always('Home', 'b1')]).bets[0]!.profit.toString()).toBe('1');
    expect(runBacktest(frames, [always('Home', 'b1')], { unit: '0.001' }).bets[0]!.profit.toString()).toBe(
      '1.005',
    );
    const draw = frames.map((f) => ({
      ...f,
      results: [
        { eventId: 'e1', result: { status: 'completed' as const, scores: { Home: '1', Away: '1' } } },
      ],
    }));
    expect(runBacktest(draw, [always('Home', 'b1')]).bets[0]!.status).toBe('lost');
    expect(runBacktest(draw, [always('Draw', 'b1')]).bets[0]!.status).toBe('won');
  });

  it('CLV against the devigged closing line: the published close, else the last quotes before the start', () => {
    const m = h2h('e1');
    const base: ReplayFrame = {
      ...at(0),
      events: [soccer('e1', 60)],
      quotes: [...line(m, 'b1', ['2.2', '3.4', '3.6']), ...line(m, 'pinnacle', ['2.1', '3.5', '3.5'])],
      results: [{ eventId: 'e1', result: won }],
    };
    // Pinnacle moves to 2.0 / 4 / 4 before the start: booksum 1, fair 0.5 → CLV = 2.2·0.5 − 1 = 0.1.
    const moved: ReplayFrame = { ...at(50), quotes: line(m, 'pinnacle', ['2', '4', '4'], 50) };
    expect(runBacktest([base, moved], [always('Home', 'b1')]).bets[0]!.clv!.toString()).toBe('0.1');
    // A published close wins over the board: 2.5 / 4 / 4 → implied 0.4+0.25+0.25 = 0.9, fair 4/9.
    const published: ReplayFrame = { ...base, closing: line(m, 'pinnacle', ['2.5', '4', '4']) };
    const clv = runBacktest([published, moved], [always('Home', 'b1')]).bets[0]!.clv!;
    // (The devig carries probabilities to 20 decimal places.)
    expect(clv.toFixed(18)).toBe('-0.022222222222222222');
    // Another reference book, or none at all.
    expect(
      runBacktest([base, moved], [always('Home', 'b1')], { clvBookmaker: 'nobody' }).bets[0]!.clv,
    ).toBeNull();
  });

  it('a book moving its spread takes its old line off the board (one line per book)', () => {
    const ev = soccer('e1', 600, 'americanfootball_nfl');
    const at35: MarketKey = { eventId: 'e1', marketType: 'spreads', line: '3.5', period: 'full' };
    const at3: MarketKey = { ...at35, line: '3' };
    const seen: ReplayBoard[] = [];
    const frames: ReplayFrame[] = [
      {
        ...at(0),
        events: [ev],
        quotes: [quote(at35, 'b1', 'Home', '1.91', 0, '-3.5'), quote(at35, 'b1', 'Away', '1.91', 0, '3.5')],
      },
      {
        ...at(5),
        quotes: [quote(at3, 'b1', 'Home', '1.87', 5, '-3'), quote(at3, 'b1', 'Away', '1.95', 5, '3')],
      },
    ];
    runBacktest(frames, [always('x', 'b1', seen)]);
    expect(seen[1]!.snapshot.quotes.map((q) => q.point)).toEqual(['-3', '3']);
    const kept: ReplayBoard[] = [];
    runBacktest(frames, [always('x', 'b1', kept)], { oneLinePerBook: false });
    expect(kept[1]!.snapshot.quotes).toHaveLength(4);
  });

  it('runs any strategy type of the strategy engine: arbitrage, with its stake plan, settled leg by leg', () => {
    const m = h2h('e1');
    const frames: ReplayFrame[] = [
      {
        ...at(0),
        events: [soccer('e1', 60, 'basketball_nba')],
        quotes: [
          quote(m, 'b1', 'Home', '2.1'),
          quote(m, 'b1', 'Away', '1.8'),
          quote(m, 'b2', 'Home', '1.8'),
          quote(m, 'b2', 'Away', '2.1'),
        ],
        results: [{ eventId: 'e1', result: won }],
      },
    ];
    const run = runBacktest(frames, [fromDefinition(arbitrageStrategy, { totalStake: '100' })]);
    expect(run.bets.map((b) => [b.bookmaker, b.outcome, b.stake.toString()])).toEqual([
      ['b1', 'Home', '50'],
      ['b2', 'Away', '50'],
    ]);
    expect(run.bets.map((b) => b.status)).toEqual(['won', 'lost']);
    expect(
      run.bets.reduce((s, b) => s.plus(b.profit), run.bets[0]!.profit.minus(run.bets[0]!.profit)).toString(),
    ).toBe('5');
    expect(() => fromDefinition(arbitrageStrategy, { minProfit: 'lots' })).toThrow(StrategyParameterError);
  });

  it('is deterministic, and the same through the async driver and a merge of sources', async () => {
    const frames = (offset: number): ReplayFrame[] => [
      {
        ...at(offset),
        events: [soccer(`e${offset}`, offset + 60)],
        aggregates: [],
        quotes: line(h2h(`e${offset}`), 'b1', ['2', '3', '4'], offset),
      },
    ];
    const strategy = () => fromDefinition(consensusStrategy, { maxQuoteAgeMs: 86_400_000, minBooks: 0 });
    const a = runBacktest(mergeFrames([frames(0), frames(10), frames(5)]), [strategy()]);
    async function* gen(): AsyncGenerator<ReplayFrame> {
      await Promise.resolve();
      yield* frames(0);
      yield* frames(5);
      yield* frames(10);
    }
    const b = await runBacktestAsync(gen(), [strategy()]);
    expect(a.events).toBe(3);
    expect(b.events).toBe(3);
    expect(JSON.stringify(a.skips)).toBe(JSON.stringify(b.skips));
    expect(a.frames).toBe(3);
  });
});
