import { describe, expect, it } from 'vitest';
import { marketKeyString, type MarketKey, type Opportunity } from '../../shared/entities';
import { mulberry32 } from '../../shared/random';
import { STRATEGY_TYPES, indexBoard, type StrategyDefinition } from '../../shared/strategies';
import { LiveBoardIndex, type LiveEntry } from '../../shared/strategies/live-index';
import { scheduledEvent } from '../helpers/board';

/**
 * The live board's persistent index (LiveBoardIndex.board) against the reference path (indexBoard over the
 * same board as quote objects): every opportunity identical, steam's rolling state identical, on a generated
 * sequence of boards with arbitrages, value prices and steam moves, soccer draws, spreads and totals, stale
 * quotes, an event starting mid-sequence and markets of an event the board has no info for.
 */
const T0 = Date.parse('2025-11-16T12:00:00.000Z');
const BOOKS = ['pinnacle', 'draftkings', 'fanduel', 'betmgm', 'bovada', 'lowvig', 'betonlineag', 'caesars'];
const EVENTS = 24;
const STEP_MS = 20_000;

interface Spec {
  key: string;
  market: MarketKey;
  outcomes: { outcome: string; point: string | null }[];
  /** The hidden fair probabilities; moves shift them. */
  p: number[];
}

const twoWay = (market: MarketKey, a: [string, string], b: [string, string], p: number): Spec => ({
  key: '',
  market,
  outcomes: [a, b].map(([outcome, point]) => ({ outcome, point })),
  p: [p, 1 - p],
});

function specs(e: number): Spec[] {
  const eventId = `ev${e}`;
  const soccer = e % 3 === 0;
  const mk = (marketType: MarketKey['marketType'], line: string | null): MarketKey => ({
    eventId,
    marketType,
    period: 'full',
    line,
  });
  const h2h = soccer
    ? { outcomes: ['Home', 'Draw', 'Away'], p: [0.45, 0.27, 0.28] }
    : { outcomes: ['Home', 'Away'], p: [0.55, 0.45] };
  const list: Spec[] = [
    {
      key: '',
      market: mk('h2h', null),
      outcomes: h2h.outcomes.map((outcome) => ({ outcome, point: null })),
      p: h2h.p,
    },
    twoWay(mk('spreads', '3.5'), ['Home', '-3.5'], ['Away', '3.5'], 0.5),
    twoWay(mk('totals', '45.5'), ['Over', '45.5'], ['Under', '45.5'], 0.48),
  ];
  for (const s of list) s.key = marketKeyString(s.market);
  return list;
}

/** Steps of changed market hashes: drifting prices, now and then a move most books follow, odd mispricings. */
function sequence(steps: number, seed: number) {
  const rand = mulberry32(seed);
  const all = Array.from({ length: EVENTS }, (_, e) => specs(e)).flat();
  const held = new Map<string, Record<string, LiveEntry>>();
  const out: { atMs: number; hashes: Map<string, Record<string, LiveEntry>> }[] = [];
  for (let step = 0; step < steps; step++) {
    const atMs = T0 + step * STEP_MS;
    const hashes = new Map<string, Record<string, LiveEntry>>();
    for (const spec of all) {
      if (step > 0 && rand() > 0.35) continue;
      if (step > 0 && rand() < 0.25) {
        // A move: the first outcome shortens by 3-8 points of probability.
        const d = 0.03 + rand() * 0.05;
        spec.p[0] = Math.min(0.9, spec.p[0]! + d);
        const rest = spec.p.length - 1;
        for (let i = 1; i <= rest; i++) spec.p[i] = Math.max(0.05, spec.p[i]! - d / rest);
      }
      const hash: Record<string, LiveEntry> = { ...held.get(spec.key) };
      BOOKS.forEach((book, b) => {
        // Some books lag (keep their entry and its age); the others re-price.
        if (step > 0 && b >= 4 && rand() < 0.7) return;
        if (rand() < 0.03) return; // a book missing an outcome this time round
        const margin = book === 'pinnacle' || book === 'lowvig' ? 0.02 : 0.03 + rand() * 0.03;
        const sum = spec.p.reduce((x, y) => x + y, 0);
        spec.outcomes.forEach(({ outcome, point }, i) => {
          const skew = (rand() - 0.5) * 0.02 + (rand() < 0.04 ? 0.06 + rand() * 0.06 : 0);
          const price = Math.max(1.01, 1 / ((spec.p[i]! / sum) * (1 + margin) * (1 - skew))).toFixed(2);
          const seenAt = atMs - Math.floor(rand() * 5_000);
          hash[`${book}|${outcome}|${point ?? '-'}`] = {
            price,
            point,
            provider: 'sim',
            observedAt: new Date(seenAt).toISOString(),
            sourceUpdatedAt:
              b % 3 === 2 ? null : new Date(seenAt - Math.floor(rand() * 30_000)).toISOString(),
            seenAt,
            // One book's quotes go stale quickly: the board must leave them out once past staleAt.
            staleAt: seenAt + (book === 'caesars' ? 45_000 : 3_600_000),
            pollId: `p${step}`,
          };
        });
      });
      held.set(spec.key, hash);
      hashes.set(spec.key, hash);
    }
    out.push({ atMs, hashes });
  }
  return out;
}

function withEvents(index: LiveBoardIndex): void {
  // The last event has no event info: its markets are on no board.
  for (let e = 0; e < EVENTS - 1; e++) {
    index.setEvent(
      scheduledEvent({
        id: `ev${e}`,
        sport: e % 3 === 0 ? 'soccer_epl' : e % 3 === 1 ? 'basketball_nba' : 'americanfootball_nfl',
        league: null,
        // ev1 starts mid-sequence (in play from then on: left out unless includeInPlay).
        startTime: new Date(e === 1 ? T0 + 7 * STEP_MS + 3_000 : T0 + 86_400_000).toISOString(),
        home: 'Home',
        away: 'Away',
      }),
    );
  }
}

const byId = (list: readonly Opportunity[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1));

describe('live board index against the reference indexBoard path', () => {
  it.each([
    ['arbitrage', { minProfit: '0', maxQuoteAgeMs: 60_000 }, null],
    ['arbitrage', { minProfit: '0', maxQuoteAgeMs: 60_000, staleQuotes: 'flag' }, null],
    ['value', { fairSource: 'sharp', devigMethod: 'shin', minEdge: '0.01', maxQuoteAgeMs: 60_000 }, null],
    ['value', { fairSource: 'consensus', minEdge: '0.01', books: ['fanduel', 'bovada', 'caesars'] }, null],
    ['value', { fairSource: 'kaunitz', minEdge: '0.01' }, ['soccer_epl']],
    ['consensus', { marketTypes: ['h2h', 'totals'], alpha: '0.02' }, null],
    ['steam', { windowMs: 120_000, minBooks: 3, minAgreeingBooks: 2, maxQuoteAgeMs: 60_000 }, null],
  ])('%s %j (sports %j): the same opportunities and state, full and incremental', (type, raw, sports) => {
    const def = STRATEGY_TYPES[type as keyof typeof STRATEGY_TYPES] as StrategyDefinition<unknown, unknown>;
    const params = def.parameters.parse(raw);
    const maxAge = (params as { maxQuoteAgeMs: number }).maxQuoteAgeMs;
    const live = new LiveBoardIndex();
    withEvents(live);
    let refState = def.initialState();
    let liveState = def.initialState();
    let incState = def.initialState();
    const refIds = new Set<string>();
    const incIds = new Set<string>();
    let found = 0;
    let last: { epoch: number; version: number; asOfMs: number } | null = null;
    for (const { atMs, hashes } of sequence(24, 5)) {
      for (const [k, h] of hashes) live.setMarket(k, h);
      const asOfMs = atMs + 4_000;
      const ref = def.evaluate(indexBoard(live.snapshot(asOfMs, null, sports)), params, refState, {
        strategy: 's',
      });
      const got = def.evaluate(live.board(asOfMs, null, sports), params, liveState, { strategy: 's' });
      expect(byId(got.opportunities)).toEqual(byId(ref.opportunities));
      expect(got.stats).toEqual(ref.stats);
      expect(got.state).toEqual(ref.state);
      refState = ref.state;
      liveState = got.state;
      found += ref.opportunities.length;
      for (const o of ref.opportunities) refIds.add(o.id);

      // Incremental: only the events whose markets changed, or that time alone changed.
      const changed = last ? live.changedSince(last.epoch, last.version) : null;
      if (changed && last) for (const k of live.timeChanged(last.asOfMs, asOfMs, maxAge)) changed.add(k);
      const inc = def.evaluate(live.board(asOfMs, changed, sports), params, incState, { strategy: 's' });
      incState = inc.state;
      for (const o of inc.opportunities) incIds.add(o.id);
      last = { epoch: live.epoch, version: live.version, asOfMs };
    }
    expect(found).toBeGreaterThan(0);
    expect([...incIds].sort()).toEqual([...refIds].sort());
  });

  it('holds the same quotes as the snapshot, and counts what it leaves out as stale', () => {
    const live = new LiveBoardIndex();
    withEvents(live);
    const steps = sequence(8, 9);
    for (const { hashes } of steps) for (const [k, h] of hashes) live.setMarket(k, h);
    const asOfMs = steps[steps.length - 1]!.atMs + 60_000;
    const board = live.board(asOfMs, null, null);
    const snapshot = live.snapshot(asOfMs, null, null);
    const key = (q: { market: MarketKey; bookmaker: string; outcome: string; price: string }) =>
      `${marketKeyString(q.market)}|${q.bookmaker}|${q.outcome}|${q.price}`;
    expect(board.snapshot.quotes.map(key).sort()).toEqual(snapshot.quotes.map(key).sort());
    expect(board.quoteCount).toBe(snapshot.quotes.length);
    // caesars went stale 45 s after its last quote: none of its quotes is on the board a minute later.
    expect(snapshot.quotes.some((q) => q.bookmaker === 'caesars')).toBe(false);
    expect(live.quoteCount).toBeGreaterThan(snapshot.quotes.length);
    expect(Object.keys(board.snapshot.events).sort()).toEqual(Object.keys(snapshot.events).sort());
  });
});
