import { afterAll, describe, expect, it } from 'vitest';
import type { OddsQuote } from '../../shared/entities';
import type { BoardSnapshot } from '../../shared/strategies';
import { marketChecksum } from '../../shared/strategies/live-index';
import { writeBoard } from '../../activities/strategies/board-reader';
import { createLiveBoard, type LiveBoard } from '../../activities/strategies/live-board';
import { ingestKeys } from '../../activities/ingestion/keys';
import { testStores } from '../helpers/platform';
import { h2hMarket, scheduledEvent, testQuote } from '../helpers/board';

const prefix = `ab-live-${Math.random().toString(36).slice(2, 8)}:`;
const keys = ingestKeys(prefix);

function board(prices: Record<string, [string, string]>): BoardSnapshot {
  const asOf = new Date().toISOString();
  const quotes: OddsQuote[] = [];
  const events: BoardSnapshot['events'] = {};
  for (const [eventId, [home, away]] of Object.entries(prices)) {
    events[eventId] = scheduledEvent({
      id: eventId,
      sport: 'basketball_nba',
      league: null,
      startTime: new Date(Date.now() + 86_400_000).toISOString(),
      home: 'Home',
      away: 'Away',
    });
    for (const [outcome, price] of [
      ['Home', home],
      ['Away', away],
    ] as const) {
      quotes.push(
        testQuote({ market: h2hMarket(eventId), bookmaker: 'pinnacle', outcome, price, observedAt: asOf }),
      );
    }
  }
  return { asOf, events, quotes };
}

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const priceOf = (live: LiveBoard, eventId: string, outcome: string) =>
  live.index.snapshot(Date.now(), [`${eventId}|h2h|full|-`], null).quotes.find((q) => q.outcome === outcome)
    ?.price;

describe('live board following Redis', () => {
  const stores = testStores();
  let live: LiveBoard;
  const boardEntry = async (market: string, field: string) =>
    JSON.parse((await stores.redis.hget(keys.market(market), field))!) as {
      price: string;
      provider: string;
      pollId: string;
    };

  afterAll(async () => {
    await live?.stop();
    let cursor = '0';
    do {
      const [next, found] = await stores.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000');
      cursor = next;
      if (found.length) await stores.redis.del(...found);
    } while (cursor !== '0');
    await stores.close();
  });

  it('builds from Redis on start, then follows a change without reading the whole board', async () => {
    await writeBoard(stores.redis, prefix, board({ e1: ['2.10', '1.80'], e2: ['1.90', '1.95'] }));
    live = createLiveBoard(stores.redis, prefix, { fullSweepEveryMs: 60_000, blockMs: 100 });
    await live.ready();
    expect(live.index.quoteCount).toBe(4);
    expect(live.stats.resyncs).toBe(1);

    const first = await live.sweepView('c', { sports: null, maxQuoteAgeMs: null });
    expect(first.full).toBe(true);
    first.commit();

    await writeBoard(stores.redis, prefix, board({ e1: ['2.20', '1.75'] }));
    await until('the change applied', () => priceOf(live, 'e1', 'Home') === '2.20');
    expect(live.stats.resyncs).toBe(1);
    expect(live.stats.checksumMismatches).toBe(0);
    const next = await live.sweepView('c', { sports: null, maxQuoteAgeMs: null });
    expect(next.full).toBe(false);
    expect(
      next
        .board()
        .snapshot.quotes.map((q) => `${q.market.eventId} ${q.outcome} ${q.price}`)
        .sort(),
    ).toEqual(['e1 Away 1.75', 'e1 Home 2.20']);
  });

  it('resynchronises from Redis when the stream was trimmed past its last entry', async () => {
    const before = live.stats.resyncs;
    // A change whose entry is trimmed away before the board reads it: only a resync can see it.
    const entry = JSON.parse((await stores.redis.hget(keys.market('e2|h2h|full|-'), 'pinnacle|Home|-'))!) as {
      price: string;
    };
    const m = stores.redis.multi();
    m.hset(keys.market('e2|h2h|full|-'), 'pinnacle|Home|-', JSON.stringify({ ...entry, price: '1.99' }));
    m.xadd(keys.changesStream, '*', 'market', 'e1|h2h|full|-', 'event', 'e1');
    m.xadd(keys.changesStream, '*', 'market', 'e1|h2h|full|-', 'event', 'e1');
    m.xtrim(keys.changesStream, 'MAXLEN', 1);
    await m.exec();
    await until('a resync', () => live.stats.resyncs > before);
    expect(live.stats.gaps).toBeGreaterThan(0);
    await until('the trimmed change seen', () => priceOf(live, 'e2', 'Home') === '1.99');
  });

  it('resynchronises when a market does not match the checksum ingestion wrote', async () => {
    const before = live.stats.resyncs;
    const field = 'pinnacle|Away|-';
    const entry = await boardEntry('e1|h2h|full|-', field);
    // The entry claims the poll wrote 1.70; the hash holds 1.75: the board must not trust what it holds.
    await stores.redis.xadd(
      keys.changesStream,
      '*',
      'market',
      'e1|h2h|full|-',
      'event',
      'e1',
      'provider',
      entry.provider,
      'poll',
      entry.pollId,
      'sum',
      marketChecksum([
        { field, price: '1.70' },
        { field: 'pinnacle|Home|-', price: '2.20' },
      ]),
    );
    await until('a resync', () => live.stats.resyncs > before);
    expect(live.stats.checksumMismatches).toBe(1);
    // After a resync every consumer sweeps everything once.
    const view = await live.sweepView('c', { sports: null, maxQuoteAgeMs: null });
    expect(view.full).toBe(true);
  });

  it('reads the checksums of a poll entry (one per poll, its markets as JSON) as it reads older entries', async () => {
    const before = live.stats.resyncs;
    const mismatches = live.stats.checksumMismatches;
    const field = 'pinnacle|Away|-';
    const entry = await boardEntry('e1|h2h|full|-', field);
    const markets = [
      {
        market: 'e1|h2h|full|-',
        event: 'e1',
        sport: 'basketball_nba',
        changes: 1,
        sum: marketChecksum([
          { field, price: '1.70' },
          { field: 'pinnacle|Home|-', price: '2.20' },
        ]),
      },
    ];
    await stores.redis.xadd(
      keys.changesStream,
      '*',
      'provider',
      entry.provider,
      'poll',
      entry.pollId,
      'observedAt',
      new Date().toISOString(),
      'markets',
      JSON.stringify(markets),
    );
    await until('a resync', () => live.stats.resyncs > before);
    expect(live.stats.checksumMismatches).toBe(mismatches + 1);
  });
});
