import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import Decimal from 'decimal.js';
import { testStores } from '../helpers/platform';
import { sharedData } from '../helpers/data';
import { TheOddsApiProvider } from '../../activities/providers/the-odds-api';
import { sportOfPrefix } from '../../activities/providers/replay';
import { EventResolver } from '../../activities/ingestion/events';
import { runPoll, type CrashPoint, type PollContext } from '../../activities/ingestion/poll';
import { ingestKeys, LAST_KNOWN_MARKER, readChangeEntry } from '../../activities/ingestion/keys';
import { LastKnownMemory } from '../../activities/ingestion/last-known';
import { readBoard } from '../../activities/ingestion/board';

const snapshots = sharedData('the-odds-api', 'snapshots');
const Exact = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });

interface WireOutcome {
  name: string;
  price: unknown;
  point?: unknown;
}
interface WireMarket {
  key: string;
  outcomes: WireOutcome[];
}
interface WireEvent {
  id: string;
  commence_time: string;
  home_team?: string;
  away_team: string;
  bookmakers: { key: string; markets: WireMarket[] }[];
}

const rand = () => Math.random().toString(36).slice(2, 8);
const outcomesOf = (events: WireEvent[]) =>
  events.flatMap((e) =>
    e.bookmakers.flatMap((b) => b.markets.flatMap((m) => m.outcomes.map((o) => ({ e, b, m, o })))),
  );

/** Decimal odds from an American price, computed here independently of the code under test. */
function decimalOf(american: number): string {
  // One division only: (a + 100) / 100 for +a, (|a| + 100) / |a| for -a.
  const a = new Exact(american);
  return (a.gt(0) ? a.plus(100).div(100) : a.abs().plus(100).div(a.abs())).toFixed();
}

describe.skipIf(!snapshots)('The Odds API adapter, end to end into PostgreSQL and Redis', () => {
  const stores = testStores();
  let server: Server;
  let baseUrl: string;
  /** What the loopback provider serves, per sport: a body, or an HTTP status. */
  const serve = new Map<string, string | number>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const sport = /^\/v4\/sports\/([^/]+)\/odds/.exec(req.url ?? '')?.[1] ?? '';
      const body = serve.get(sport);
      if (typeof body === 'number' || body === undefined) {
        res.writeHead(typeof body === 'number' ? body : 404, body === 429 ? { 'retry-after': '3' } : {});
        res.end('{"message":"fault"}');
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-requests-remaining': '497',
        'x-requests-used': '3',
      });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await stores.close();
  });

  function context(provider: string): PollContext {
    return {
      db: stores.db,
      redis: stores.redis,
      keys: ingestKeys(`${inject('redisKeyPrefix')}${provider}:`),
      resolver: new EventResolver(stores.db),
      memory: new LastKnownMemory(),
      provider: new TheOddsApiProvider({
        name: provider,
        type: 'the-odds-api',
        baseUrl,
        regions: ['us'],
        markets: ['h2h', 'spreads', 'totals'],
        oddsFormat: 'american',
        timeoutSeconds: 5,
        scoresDaysFrom: 1,
        apiKey: 'k',
        apiKeyRequired: true,
        sports: null,
      }),
    };
  }
  const poll = (ctx: PollContext, pollId: string, sports: string[], crashAt?: CrashPoint) =>
    runPoll(ctx, { pollId, sports, stalenessSeconds: 600 }, crashAt);

  async function rowsOf(provider: string) {
    const { rows } = await stores.db.query<{
      poll_id: string;
      bookmaker: string;
      market_type: string;
      outcome: string;
      point: string | null;
      price: string;
      change_type: string;
      american: string;
      provider_event_id: string;
    }>(
      `SELECT q.poll_id, q.bookmaker, q.market_type, q.outcome, q.point, q.price, q.change_type, q.metadata->>'american' AS american, m.provider_event_id
         FROM odds_quotes q JOIN event_provider_ids m ON m.event_id = q.event_id AND m.provider = q.provider
        WHERE q.provider = $1`,
      [provider],
    );
    return rows;
  }
  async function rejectsOf(provider: string) {
    const { rows } = await stores.db.query<{
      reason: string;
      field: string;
      value: string | null;
      raw_excerpt: string;
      poll_id: string;
    }>(
      `SELECT reason, field, value, raw_excerpt, poll_id FROM ingest_rejects WHERE provider = $1 ORDER BY reject_id`,
      [provider],
    );
    return rows;
  }

  it('lands every quote of every recorded response, exactly, with its bookmaker, on the board and in the history', async () => {
    for (const file of readdirSync(snapshots!).filter((f) => f.endsWith('.json'))) {
      const provider = `snap-${rand()}`;
      const ctx = context(provider);
      const text = readFileSync(join(snapshots!, file), 'utf8');
      const wire = JSON.parse(text) as WireEvent[];
      // Served under the sport it was recorded for: an event of another sport is refused (wrong_sport).
      const sport = sportOfPrefix(file.split('_')[0]!);
      serve.set(sport, text);
      const summary = await poll(ctx, `${provider}:1`, [sport]);
      const expected = outcomesOf(wire);
      expect(summary.quotesSeen, file).toBe(expected.length);
      expect(summary.changesWritten, file).toBe(expected.length);
      expect(summary.rejects, file).toBe(0);
      expect(summary.quota).toMatchObject({ remaining: 497, used: 3 });

      const rows = await rowsOf(provider);
      const key = (x: {
        event: string;
        book: string;
        market: string;
        outcome: string;
        point: string | null;
        price: string;
      }) => `${x.event}|${x.book}|${x.market}|${x.outcome}|${x.point ?? ''}|${x.price}`;
      expect(
        rows
          .map((r) =>
            key({
              event: r.provider_event_id,
              book: r.bookmaker,
              market: r.market_type,
              outcome: r.outcome,
              point: r.point,
              price: r.price,
            }),
          )
          .sort(),
        file,
      ).toEqual(
        expected
          .map(({ e, b, m, o }) =>
            key({
              event: e.id,
              book: b.key,
              market: m.key,
              outcome: o.name,
              point: o.point === undefined ? null : new Exact(o.point as number).toFixed(),
              price: decimalOf(o.price as number),
            }),
          )
          .sort(),
      );
      expect(rows.every((r) => r.change_type === 'initial')).toBe(true);
      expect(await rejectsOf(provider)).toEqual([]);

      const board = await readBoard(stores.redis, ctx.keys);
      expect(board.flatMap((ev) => ev.markets.flatMap((m) => m.quotes)).length, file).toBe(expected.length);
      const { rows: polls } = await stores.db.query(
        `SELECT quotes_seen, changes_written, quota_remaining, quota_used FROM odds_polls WHERE provider = $1`,
        [provider],
      );
      expect(polls).toEqual([
        {
          quotes_seen: expected.length,
          changes_written: expected.length,
          quota_remaining: 497,
          quota_used: 3,
        },
      ]);
    }
  }, 180_000);

  it('writes only the changes between successive recorded NFL responses', async () => {
    const files = readdirSync(snapshots!)
      .filter((f) => f.startsWith('nfl_'))
      .sort();
    const provider = `nflseq-${rand()}`;
    const ctx = context(provider);
    const last = new Map<string, string>();
    let total = 0;
    for (const [i, file] of files.entries()) {
      const text = readFileSync(join(snapshots!, file), 'utf8');
      serve.set('americanfootball_nfl', text);
      let changes = 0;
      for (const { e, b, m, o } of outcomesOf(JSON.parse(text) as WireEvent[])) {
        const slot = `${e.id}|${b.key}|${m.key}|${o.name}`;
        const value = `${String(o.point)}|${String(o.price)}`;
        if (last.get(slot) !== value) changes++;
        last.set(slot, value);
      }
      const summary = await poll(ctx, `${provider}:${i}`, ['americanfootball_nfl']);
      expect(summary.changesWritten, file).toBe(changes);
      total += changes;
    }
    const rows = await rowsOf(provider);
    expect(rows).toHaveLength(total);
    // Every row's price is the exact conversion of the American price it came from.
    for (const r of rows) expect(r.price).toBe(decimalOf(Number(r.american)));
  }, 180_000);

  it('puts prices of 0 and "abc", missing points, duplicates, unknown markets, missing fields and truncated JSON in the rejects table, and ingests the rest', async () => {
    const provider = `faults-${rand()}`;
    const ctx = context(provider);
    const file = readdirSync(snapshots!).find((f) => f.startsWith('nfl_'))!;
    const wire = JSON.parse(readFileSync(join(snapshots!, file), 'utf8')) as WireEvent[];
    const good = outcomesOf(wire).length;
    const ev0 = wire[0]!;
    const h2h = ev0.bookmakers[0]!.markets.find((m) => m.key === 'h2h')!;
    h2h.outcomes[0]!.price = 0;
    h2h.outcomes[1]!.price = 'abc';
    const spreads = ev0.bookmakers[1]!.markets.find((m) => m.key === 'spreads')!;
    delete spreads.outcomes[0]!.point;
    const totals = ev0.bookmakers[2]!.markets.find((m) => m.key === 'totals')!;
    totals.outcomes.push({ ...totals.outcomes[0]!, price: -250 });
    ev0.bookmakers[3]!.markets.push({ key: 'h2h_lay', outcomes: [{ name: ev0.away_team, price: 2.2 }] });
    const ev1 = wire[1]!;
    const lostWithEvent = outcomesOf([ev1]).length;
    delete ev1.home_team;
    serve.set('americanfootball_nfl', JSON.stringify(wire));
    const truncated = JSON.stringify(wire.slice(2, 4)).slice(0, 5000);
    serve.set('basketball_wnba', truncated);

    const summary = await poll(ctx, `${provider}:1`, ['americanfootball_nfl', 'basketball_wnba']);
    // Lost: 2 bad prices, 1 missing point, both conflicting Over quotes, and the event without a home team.
    const expectedGood = good - 2 - 1 - 1 - lostWithEvent;
    expect(summary.quotesSeen).toBe(expectedGood);
    expect(summary.changesWritten).toBe(expectedGood);
    expect(await rowsOf(provider)).toHaveLength(expectedGood);

    const rejects = await rejectsOf(provider);
    expect(rejects.map((r) => r.reason).sort()).toEqual(
      [
        'duplicate_outcome',
        'duplicate_outcome',
        'invalid_price',
        'invalid_price',
        'malformed_payload',
        'missing_field',
        'missing_field',
        'unknown_market',
      ].sort(),
    );
    expect(summary.rejects).toBe(rejects.length);
    expect(rejects.every((r) => r.poll_id === `${provider}:1` && r.raw_excerpt.length > 0)).toBe(true);
    expect(rejects.find((r) => r.reason === 'invalid_price' && r.value === 'abc')).toBeTruthy();
    expect(rejects.find((r) => r.reason === 'invalid_price' && r.value === '0')).toBeTruthy();
    expect(rejects.find((r) => r.reason === 'malformed_payload')!.raw_excerpt).toContain(
      truncated.slice(0, 100),
    );
    expect(rejects.find((r) => r.reason === 'unknown_market')!.value).toBe('h2h_lay');
    expect(rejects.filter((r) => r.reason === 'missing_field').map((r) => r.field.split('.').pop())).toEqual(
      expect.arrayContaining(['point', 'home_team']),
    );
  }, 180_000);

  it('never writes a row twice: a retried poll, a crash after the commit, a crash before it', async () => {
    const provider = `retry-${rand()}`;
    const ctx = context(provider);
    const file = readdirSync(snapshots!)
      .filter((f) => f.startsWith('wnba_'))
      .sort();
    const first = readFileSync(join(snapshots!, file[0]!), 'utf8');
    serve.set('basketball_wnba', first);
    const n = outcomesOf(JSON.parse(first) as WireEvent[]).length;

    // Crash before the commit: nothing is written; the retry writes everything once.
    await expect(poll(ctx, `${provider}:1`, ['basketball_wnba'], 'after-fetch')).rejects.toThrow(/injected/);
    expect(await rowsOf(provider)).toHaveLength(0);
    expect((await poll(ctx, `${provider}:1`, ['basketball_wnba'])).changesWritten).toBe(n);

    // The same poll again (an activity retry): its recorded figures, nothing new.
    const again = await poll(ctx, `${provider}:1`, ['basketball_wnba']);
    expect(again).toMatchObject({ alreadyCommitted: true, changesWritten: n });
    expect(await rowsOf(provider)).toHaveLength(n);

    // A crash after the PostgreSQL commit, before Redis: Redis still has the old prices.
    const second = readFileSync(join(snapshots!, file[1]!), 'utf8');
    serve.set('basketball_wnba', second);
    await expect(poll(ctx, `${provider}:2`, ['basketball_wnba'], 'after-commit')).rejects.toThrow(/injected/);
    const afterCrash = (await rowsOf(provider)).length;
    expect(afterCrash).toBeGreaterThan(n);
    // The retry finds the poll committed; the next poll of the same prices writes nothing.
    expect(await poll(ctx, `${provider}:2`, ['basketball_wnba'])).toMatchObject({ alreadyCommitted: true });
    // …and announces the changed markets it had not announced yet: once (the crashed attempt's queued write
    // was discarded), in one entry for the poll.
    const stream = await stores.redis.xrange(ctx.keys.changesStream, '-', '+');
    const announced = stream.filter(([, f]) => f.includes(`${provider}:2`));
    expect(announced).toHaveLength(1);
    expect(readChangeEntry(announced[0]![1]).length).toBeGreaterThan(1);
    expect((await poll(ctx, `${provider}:3`, ['basketball_wnba'])).changesWritten).toBe(0);
    // Even when the next poll comes from a fresh worker and Redis lost everything.
    const loseRedis = async () =>
      stores.redis.del(...(await stores.redis.keys(`${inject('redisKeyPrefix')}${provider}:*`)));
    await loseRedis();
    expect((await poll(context(provider), `${provider}:4`, ['basketball_wnba'])).changesWritten).toBe(0);
    // Another worker polls other prices (the first response's again). The first worker remembers the prices
    // of its poll 3, but Redis's marker names the other's poll: it reads Redis again and finds nothing new.
    const other = context(provider);
    serve.set('basketball_wnba', first);
    const moved = (await poll(other, `${provider}:5`, ['basketball_wnba'])).changesWritten;
    expect(moved).toBeGreaterThan(0);
    expect((await poll(ctx, `${provider}:6`, ['basketball_wnba'])).changesWritten).toBe(0);
    // Redis loses everything right after the first worker's poll: the last known prices go back to Redis
    // whole (not only the changed ones), and yet another worker finds every one of them.
    await loseRedis();
    expect((await poll(ctx, `${provider}:7`, ['basketball_wnba'])).changesWritten).toBe(0);
    const lastKnownKeys = await stores.redis.keys(ctx.keys.last(provider, '*'));
    expect(lastKnownKeys.length).toBeGreaterThan(0);
    for (const key of lastKnownKeys) expect(await stores.redis.hlen(key)).toBeGreaterThan(1);
    const last = context(provider);
    expect((await poll(last, `${provider}:8`, ['basketball_wnba'])).changesWritten).toBe(0);
    // Redis evicts one event's last known prices and keeps the marker: the worker that remembers them does
    // not recreate the hash with its poll's changes alone, which the next worker would take for all of them.
    await stores.redis.del(lastKnownKeys[0]!);
    expect((await poll(last, `${provider}:9`, ['basketball_wnba'])).changesWritten).toBe(0);
    expect((await poll(context(provider), `${provider}:10`, ['basketball_wnba'])).changesWritten).toBe(0);
    expect((await rowsOf(provider)).length).toBe(afterCrash + moved);
    const { rows } = await stores.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM odds_polls WHERE provider = $1`,
      [provider],
    );
    expect(rows[0]!.n).toBe('10');
  }, 180_000);

  it('classifies HTTP faults and records nothing for a failed poll', async () => {
    const provider = `http-${rand()}`;
    const ctx = context(provider);
    for (const [status, type, nonRetryable] of [
      [500, 'ProviderUnavailable', false],
      [429, 'ProviderRateLimited', false],
      [401, 'ProviderAuthError', true],
    ] as const) {
      serve.set('americanfootball_nfl', status);
      const err = await poll(ctx, `${provider}:${status}`, ['americanfootball_nfl']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect([(err as ApplicationFailure).type, (err as ApplicationFailure).nonRetryable]).toEqual([
        type,
        nonRetryable,
      ]);
      if (status === 429) expect((err as ApplicationFailure).nextRetryDelay).toBe(3000);
    }
    const { rows } = await stores.db.query(`SELECT 1 FROM odds_polls WHERE provider = $1`, [provider]);
    expect(rows).toEqual([]);
  }, 180_000);

  it('maps the same game from two providers to one canonical event', async () => {
    const a = `prov-a-${rand()}`;
    const b = `prov-b-${rand()}`;
    const file = readdirSync(snapshots!).find((f) => f.startsWith('mlb_'))!;
    const wire = JSON.parse(readFileSync(join(snapshots!, file), 'utf8')) as WireEvent[];
    serve.set('baseball_mlb', JSON.stringify(wire));
    await poll(context(a), `${a}:1`, ['baseball_mlb']);
    // Provider B: its own ids, names spelled differently, starts a few minutes off.
    const other = wire.map((e) => ({
      ...e,
      id: `b-${e.id}`,
      home_team: `${e.home_team!.toUpperCase()}.`,
      commence_time: new Date(Date.parse(e.commence_time) + 5 * 60_000).toISOString(),
    }));
    serve.set('baseball_mlb', JSON.stringify(other));
    await poll(context(b), `${b}:1`, ['baseball_mlb']);
    const { rows } = await stores.db.query<{ a: string; b: string }>(
      `SELECT ma.event_id AS a, mb.event_id AS b FROM event_provider_ids ma
         JOIN event_provider_ids mb ON mb.provider = $2 AND mb.provider_event_id = 'b-' || ma.provider_event_id
        WHERE ma.provider = $1`,
      [a, b],
    );
    expect(rows).toHaveLength(wire.length);
    for (const r of rows) expect(r.b).toBe(r.a);
  }, 180_000);

  it("starts a provider's last known prices of a game it never carried without reading history, and a restarted worker writes nothing for the same prices", async () => {
    const a = `prov-a-${rand()}`;
    const b = `prov-b-${rand()}`;
    const file = readdirSync(snapshots!).find((f) => f.startsWith('wnba_'))!;
    const sport = sportOfPrefix('wnba');
    const wire = JSON.parse(readFileSync(join(snapshots!, file), 'utf8')) as WireEvent[];
    serve.set(sport, JSON.stringify(wire));
    await poll(context(a), `${a}:1`, [sport]);
    // B carries the same games under its own ids: canonical events A mapped, but B has no history for them.
    serve.set(sport, JSON.stringify(wire.map((e) => ({ ...e, id: `b-${e.id}` }))));
    const ctxB = context(b);
    const first = await poll(ctxB, `${b}:1`, [sport]);
    const quotes = first.quotesSeen;
    expect(quotes).toBeGreaterThan(0);
    expect(first.changesWritten).toBe(quotes);
    const rows = await rowsOf(b);
    expect(rows).toHaveLength(quotes);
    expect(new Set(rows.map((r) => r.change_type))).toEqual(new Set(['initial']));
    // Each of B's hashes is whole (marker set) and holds B's slots only, though A's rows are in the history.
    const { rows: events } = await stores.db.query<{ event_id: string }>(
      `SELECT event_id FROM event_provider_ids WHERE provider = $1`,
      [b],
    );
    expect(events).toHaveLength(wire.length);
    let slots = 0;
    for (const { event_id } of events) {
      const hash = await stores.redis.hgetall(ctxB.keys.last(b, event_id));
      expect(hash[LAST_KNOWN_MARKER], event_id).toBe('1');
      slots += Object.keys(hash).length - 1;
    }
    expect(slots).toBe(quotes);
    // A new process (resolver and memory empty) polls the same prices: the mappings are found, not made
    // again, and nothing is written twice.
    const again = await poll(context(b), `${b}:2`, [sport]);
    expect(again.changesWritten).toBe(0);
    expect(await rowsOf(b)).toHaveLength(quotes);
    // The same with the hashes gone (Redis lost them): rebuilt from B's own history, still nothing written.
    await stores.redis.del(...events.map((e) => ctxB.keys.last(b, e.event_id)));
    const rebuilt = await poll(context(b), `${b}:3`, [sport]);
    expect(rebuilt.changesWritten).toBe(0);
  }, 180_000);
});
