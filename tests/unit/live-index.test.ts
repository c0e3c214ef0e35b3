import { describe, expect, it } from 'vitest';
import { marketKeyString } from '../../shared/entities';
import { mulberry32 } from '../../shared/random';
import {
  STRATEGY_TYPES,
  indexBoard,
  type BoardSnapshot,
  type StrategyDefinition,
} from '../../shared/strategies';
import {
  checksumText,
  LiveBoardIndex,
  marketChecksum,
  type LiveEntry,
} from '../../shared/strategies/live-index';
import { boardField, boardQuoteHash } from '../../activities/ingestion/changes';
import { scheduledEvent } from '../helpers/board';

const T0 = Date.parse('2025-11-16T12:00:00.000Z');
const BOOKS = ['pinnacle', 'draftkings', 'fanduel', 'betmgm', 'bovada', 'lowvig', 'betonlineag'];
const key = (e: number) =>
  marketKeyString({ eventId: `e${e}`, marketType: 'h2h', period: 'full', line: null });

function entry(price: string, atMs: number, poll = 'p1'): LiveEntry {
  return {
    price,
    point: null,
    provider: 'sim',
    observedAt: new Date(atMs).toISOString(),
    sourceUpdatedAt: new Date(atMs - 1_000).toISOString(),
    seenAt: atMs,
    staleAt: atMs + 3_600_000,
    pollId: poll,
  };
}

/** A board of h2h markets as hashes; each step moves a few prices (sometimes a lot, so strategies fire). */
function sequence(steps: number, events: number, seed: number) {
  const rand = mulberry32(seed);
  const prices = new Map<string, number[]>();
  for (let e = 0; e < events; e++) {
    const p = 0.3 + rand() * 0.4;
    prices.set(
      key(e),
      BOOKS.flatMap(() => [1 / (p * 1.04), 1 / ((1 - p) * 1.04)]),
    );
  }
  const held = new Map<string, Record<string, LiveEntry>>();
  const out: { atMs: number; hashes: Map<string, Record<string, LiveEntry>> }[] = [];
  for (let s = 0; s < steps; s++) {
    const atMs = T0 + s * 20_000;
    const hashes = new Map<string, Record<string, LiveEntry>>();
    for (let e = 0; e < events; e++) {
      const px = prices.get(key(e))!;
      if (s > 0 && rand() > 0.3) continue;
      // Half the books move together (a move), the rest lag; now and then one book alone.
      const shift = rand() < 0.5 ? 0.9 + rand() * 0.05 : 1 + (rand() - 0.5) * 0.02;
      // A book that does not move keeps its entry (and its age): ageing matters to what sweeps see.
      const hash: Record<string, LiveEntry> = { ...held.get(key(e)) };
      for (let b = 0; b < BOOKS.length; b++) {
        if (s > 0 && b >= BOOKS.length / 2 && rand() < 0.8) continue;
        px[2 * b] = Math.max(1.01, px[2 * b]! * shift);
        px[2 * b + 1] = Math.max(1.01, 1 / (1.04 - 1 / px[2 * b]!));
        hash[`${BOOKS[b]}|Home|-`] = entry(px[2 * b]!.toFixed(2), atMs, `p${s}`);
        hash[`${BOOKS[b]}|Away|-`] = entry(px[2 * b + 1]!.toFixed(2), atMs, `p${s}`);
      }
      held.set(key(e), hash);
      hashes.set(key(e), hash);
    }
    out.push({ atMs, hashes });
  }
  return out;
}

function withEvents(index: LiveBoardIndex, events: number): void {
  for (let e = 0; e < events; e++) {
    index.setEvent(
      scheduledEvent({
        id: `e${e}`,
        sport: 'basketball_nba',
        league: null,
        startTime: new Date(T0 + 24 * 3600_000).toISOString(),
        home: 'Home',
        away: 'Away',
      }),
    );
  }
}

const sorted = (b: BoardSnapshot) =>
  [...b.quotes].sort((x, y) =>
    `${marketKeyString(x.market)}|${x.bookmaker}|${x.outcome}`.localeCompare(
      `${marketKeyString(y.market)}|${y.bookmaker}|${y.outcome}`,
    ),
  );

describe('live board index', () => {
  it('updated market by market holds the same board as one built from the final hashes', () => {
    const steps = sequence(12, 30, 7);
    const live = new LiveBoardIndex();
    withEvents(live, 30);
    const final = new Map<string, Record<string, LiveEntry>>();
    for (const { hashes } of steps) {
      for (const [k, h] of hashes) {
        live.setMarket(k, h);
        final.set(k, h);
      }
    }
    live.setMarket(key(3), {}); // a market leaving the board
    final.delete(key(3));
    const rebuilt = new LiveBoardIndex();
    withEvents(rebuilt, 30);
    for (const [k, h] of final) rebuilt.setMarket(k, h);
    const asOf = T0 + 300_000;
    expect(sorted(live.snapshot(asOf, null, null))).toEqual(sorted(rebuilt.snapshot(asOf, null, null)));
    expect(live.quoteCount).toBe(rebuilt.quoteCount);
    expect(live.quoteCount).toBe(29 * BOOKS.length * 2);
  });

  it('reports the markets changed since a version, and none from another epoch', () => {
    const live = new LiveBoardIndex();
    withEvents(live, 3);
    live.setMarket(key(0), { 'a|Home|-': entry('2.1', T0) });
    const v = live.version;
    live.setMarket(key(1), { 'a|Home|-': entry('2.1', T0) });
    live.setMarket(key(2), { 'a|Home|-': entry('2.1', T0) });
    expect([...live.changedSince(live.epoch, v)!].sort()).toEqual([key(1), key(2)]);
    const epoch = live.epoch;
    live.clear();
    expect(live.changedSince(epoch, v)).toBeNull();
  });

  it('checksum: FNV-1a of "<field>\\0<price>" per quote, XORed (the value older writers put in the stream)', () => {
    // Written out here, independently of the code under test.
    const fnv = (text: string) => {
      let h = 0x811c9dc5;
      for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
      return h >>> 0;
    };
    const quotes = [
      { field: 'dk|Kansas City Chiefs|-3.5', price: '1.909090909090909090909091' },
      { field: 'fd|Atlético Madrid|-', price: '2.1' },
    ];
    const x =
      (fnv(`${quotes[0]!.field}\u0000${quotes[0]!.price}`) ^
        fnv(`${quotes[1]!.field}\u0000${quotes[1]!.price}`)) >>>
      0;
    expect(marketChecksum(quotes)).toBe(`2:${x.toString(16)}`);
  });

  it("checksum: ingestion's per-quote hash (from the quote's parts) is the one of its board field and price", () => {
    const quotes = [
      { bookmaker: 'dk', outcome: 'Kansas City Chiefs', point: '-3.5', price: '1.909090909090909090909091' },
      { bookmaker: 'fd', outcome: 'Atlético Madrid', point: null, price: '2.1' },
    ];
    const fromParts = checksumText(2, boardQuoteHash(quotes[0]!) ^ boardQuoteHash(quotes[1]!));
    expect(fromParts).toBe(marketChecksum(quotes.map((q) => ({ field: boardField(q), price: q.price }))));
    expect(boardQuoteHash({ ...quotes[0]!, price: '1.91' })).not.toBe(boardQuoteHash(quotes[0]!));
  });

  it('checksum: the index recomputes what the writer wrote, whatever the order, and differs on a price', () => {
    const hash = {
      'a|Home|-': entry('2.10', T0),
      'b|Home|-': entry('1.95', T0),
      'a|Away|-': entry('1.80', T0),
    };
    const written = marketChecksum(Object.entries(hash).map(([field, e]) => ({ field, price: e.price })));
    expect(
      marketChecksum([...Object.entries(hash)].reverse().map(([field, e]) => ({ field, price: e.price }))),
    ).toBe(written);
    const live = new LiveBoardIndex();
    live.setMarket(key(0), hash);
    expect(live.checksum(key(0), 'sim', 'p1')).toBe(written);
    live.setMarket(key(0), { ...hash, 'b|Home|-': entry('1.96', T0) });
    expect(live.checksum(key(0), 'sim', 'p1')).not.toBe(written);
    expect(written.startsWith('3:')).toBe(true);
  });

  it('time alone: quotes crossing the age limit or staleAt, and events starting, mark their markets', () => {
    const live = new LiveBoardIndex();
    withEvents(live, 2);
    live.setMarket(key(0), { 'a|Home|-': entry('2.1', T0) });
    live.setMarket(key(1), { 'a|Home|-': entry('2.1', T0 + 50_000) });
    // atMs = T0 - 1 s: crosses a 60 s limit at T0 + 59 s.
    expect([...live.timeChanged(T0 + 50_000, T0 + 70_000, 60_000)]).toEqual([key(0)]);
    expect([...live.timeChanged(T0 + 70_000, T0 + 80_000, 60_000)]).toEqual([]);
    expect([...live.timeChanged(T0 + 3_599_000, T0 + 3_601_000, null)]).toEqual([key(0)]);
    expect(live.timeChanged(T0, T0 + 25 * 3600_000, null).size).toBe(2);
  });

  it.each([
    ['arbitrage', { minProfit: '0', maxQuoteAgeMs: 120_000 }],
    ['value', { fairSource: 'consensus', minEdge: '0.01', maxQuoteAgeMs: 120_000 }],
    ['steam', { windowMs: 600_000, minBooks: 3, minAgreeingBooks: 2, maxQuoteAgeMs: 120_000 }],
  ])(
    '%s: incremental sweeps find the same opportunities as full sweeps over the same changes',
    (type, raw) => {
      const def = STRATEGY_TYPES[type as keyof typeof STRATEGY_TYPES] as StrategyDefinition<unknown, unknown>;
      const params = def.parameters.parse(raw);
      const steps = sequence(30, 40, 11);
      const live = new LiveBoardIndex();
      withEvents(live, 40);
      let fullState = def.initialState();
      let incState = def.initialState();
      const fullIds = new Set<string>();
      const incIds = new Set<string>();
      let last: { epoch: number; version: number; asOfMs: number } | null = null;
      for (const { atMs, hashes } of steps) {
        for (const [k, h] of hashes) live.setMarket(k, h);
        const asOfMs = atMs + 5_000;
        const full = def.evaluate(indexBoard(live.snapshot(asOfMs, null, null)), params, fullState, {
          strategy: 's',
        });
        fullState = full.state;
        for (const o of full.opportunities) fullIds.add(o.id);

        const changed = last ? live.changedSince(last.epoch, last.version) : null;
        if (changed && last) for (const k of live.timeChanged(last.asOfMs, asOfMs, 120_000)) changed.add(k);
        const inc = def.evaluate(indexBoard(live.snapshot(asOfMs, changed, null)), params, incState, {
          strategy: 's',
        });
        incState = inc.state;
        for (const o of inc.opportunities) incIds.add(o.id);
        last = { epoch: live.epoch, version: live.version, asOfMs };
      }
      expect(fullIds.size).toBeGreaterThan(0);
      expect([...incIds].sort()).toEqual([...fullIds].sort());
    },
  );
});
