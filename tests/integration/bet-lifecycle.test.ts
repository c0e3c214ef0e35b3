import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { testConfig, testStores, stopTestPlatform, type RunningWorkers } from '../helpers/platform';
import { finishEvent, ledgerReport, patchConfig, putBoard, TEAMS } from '../fixtures/bet-data';
import { runNames, QUICK_SETTLEMENT, startBetWorkers, valueBetSeeder } from '../helpers/bet-setup';
import { loopbackServer, type LoopbackServer } from '../helpers/loopback';
import { startBetLifecycle } from '../../workflows/bets/client';
import {
  betStateQuery,
  betWorkflowId,
  settleBetUpdate,
  type BetLifecycleResult,
} from '../../workflows/bets/messages';
import type { LoadedConfig } from '../../config/load';
import { D } from '../../shared/math';

const names = runNames('life');
const { run, STRATEGY } = names;

describe('bet lifecycle on the real dev server, PostgreSQL and Redis', { timeout: 120_000 }, () => {
  let loaded: LoadedConfig;
  let workers: RunningWorkers;
  let client: Client;
  const stores = testStores();
  let book: LoopbackServer;
  const bookCalls: { method: string; key: string }[] = [];
  const bookBets = new Map<string, unknown>();
  let failNextPost = 1;

  beforeAll(async () => {
    // A loopback "book" with a placement API: the first POST fails with 503 after recording nothing.
    book = await loopbackServer((req, res, body) => {
      const key = String(req.headers['idempotency-key'] ?? '');
      bookCalls.push({ method: req.method ?? '', key });
      if (req.method === 'GET') {
        const found = bookBets.get(decodeURIComponent(req.url!.split('/').pop()!));
        res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(found ?? { error: 'unknown' }));
        return;
      }
      if (failNextPost > 0) {
        failNextPost--;
        res.writeHead(503).end('try later');
        return;
      }
      const request = JSON.parse(body) as { price: string };
      const result = bookBets.get(key) ?? {
        status: 'placed',
        bookReference: `BK-${bookBets.size + 1}`,
        price: request.price,
      };
      bookBets.set(key, result);
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    });

    loaded = patchConfig(testConfig(), {
      risk: { accounts: { paper: `paper-${run}`, live: `live-${run}` } },
      placement: {
        requote: { maxQuoteAgeSeconds: 3600 },
        adapters: { loopbook: { baseUrl: book.base } },
        settlement: QUICK_SETTLEMENT,
      },
      alerts: { routes: [] },
    });
    ({ workers, client } = await startBetWorkers(loaded, stores.db, STRATEGY));
  });

  afterAll(async () => {
    await stopTestPlatform({ workers, client, stores });
    book?.server.close();
  });

  const prefix = () => loaded.config.redis.keyPrefix;
  const start = (opportunity: Parameters<typeof startBetLifecycle>[1], mode?: 'paper' | 'adapter') =>
    startBetLifecycle(client, opportunity, {
      taskQueue: loaded.config.temporal.taskQueues.bets,
      eventLabel: 'KC@BUF',
      ...(mode ? { mode } : {}),
    });
  const valueBet = valueBetSeeder(stores, prefix, names);
  /** The bet's workflow once it waits for the event's result (up to 60 s). */
  const awaitingResult = async (opportunityId: string) => {
    const handle = client.workflow.getHandle(betWorkflowId(opportunityId));
    for (let i = 0; i < 600 && (await handle.query(betStateQuery)).phase !== 'awaiting_result'; i++)
      await new Promise((r) => setTimeout(r, 100));
    return handle;
  };
  const result = (opportunityId: string) =>
    client.workflow.getHandle(betWorkflowId(opportunityId)).result() as Promise<BetLifecycleResult>;
  const bet = async (opportunityId: string): Promise<Record<string, string | null>> =>
    (
      await stores.db.query<Record<string, string | null>>(
        `SELECT status, stake::text, price::text, profit_loss::text, clv_book::text, clv_sharp::text,
                closing_price_book::text, closing_fair_sharp::text, reason, book_reference
           FROM bets WHERE opportunity_id = $1`,
        [opportunityId],
      )
    ).rows[0]!;

  it('paper: re-quote, reserve, place, closing line, settle; P&L, CLV and strategy performance recorded', async () => {
    const opp = await valueBet('paper', 2_000);
    const eventId = opp.market.eventId;
    expect((await start(opp)).started).toBe(true);
    expect((await start(opp)).started).toBe(false); // never twice

    const handle = await awaitingResult(opp.id);
    await finishEvent(stores.db, eventId, { [TEAMS.away]: '24', [TEAMS.home]: '20' });
    const r = await result(opp.id);
    expect(r.status).toBe('won');

    const row = await bet(opp.id);
    // Quarter Kelly of 0.52 @ 2.10 on 10000 is 209.09: held to the 2 % per-bet cap.
    expect(row).toMatchObject({ status: 'won', stake: '200', price: '2.1', profit_loss: '220' });
    expect(Number(row.closing_price_book)).toBe(2.1);
    expect(row.clv_book).toBe('0');
    expect(Number(row.clv_sharp)).toBeCloseTo(2.1 * (0.5 / (0.5 + 1 / 1.85)) - 1, 9);
    expect(row.book_reference).toMatch(/^paper-/);

    const ledger = await ledgerReport(stores.db, `paper-${run}`);
    expect(ledger.unbalanced).toEqual([]);
    expect(ledger.buckets).toMatchObject({ available: '10220', external: '-10220' });
    const { rows: strategy } = await stores.db.query(
      `SELECT performance_metrics FROM strategies WHERE name = $1`,
      [STRATEGY],
    );
    expect(strategy[0].performance_metrics.bets).toMatchObject({ settled: 1, won: 1, profitLoss: '220' });
    const { rows: decision } = await stores.db.query(
      `SELECT decision FROM opportunities WHERE opportunity_id = $1`,
      [opp.id],
    );
    expect(decision[0].decision).toBe('placed');

    const description = await handle.describe();
    expect(description.searchAttributes.BetStatus).toEqual(['won']);
    expect(description.searchAttributes.Strategy).toEqual([STRATEGY]);
    expect(description.searchAttributes.EventId).toEqual([eventId]);
    expect((await handle.query(betStateQuery)).legs[0]).toMatchObject({ status: 'won', profitLoss: '220' });
  });

  it('skips with the rule when the price moved past the tolerance, reserving nothing', async () => {
    const opp = await valueBet('moved', 60_000);
    await putBoard(stores.redis, prefix(), opp.market, [
      { bookmaker: 'draftkings', outcome: TEAMS.away, point: null, price: '1.90' },
    ]);
    await start(opp);
    const r = await result(opp.id);
    expect(r.status).toBe('skipped');
    expect(r.reason).toMatch(/^priceMoved: leg 1: price moved from 2.10 to 1.90/);
    expect(await bet(opp.id)).toMatchObject({ status: 'skipped', stake: '0' });
    const { rows } = await stores.db.query(
      `SELECT count(*)::int AS n FROM ledger_transactions t JOIN bets b USING (bet_id)
                                              WHERE b.opportunity_id = $1`,
      [opp.id],
    );
    expect(rows[0].n).toBe(0);
  });

  it('adapter: places through the book API exactly once despite a failing first call', async () => {
    const opp = await valueBet('adapter', 1_000, {
      result: { [TEAMS.away]: '10', [TEAMS.home]: '17' },
      book: 'loopbook',
    });
    await start(opp, 'adapter');
    const r = await result(opp.id);
    expect(r.status).toBe('lost');
    expect(await bet(opp.id)).toMatchObject({ status: 'lost', book_reference: 'BK-1', profit_loss: '-200' });
    const posts = bookCalls.filter((c) => c.method === 'POST');
    expect(posts).toHaveLength(2); // the 503, then the placement; same key both times
    expect(new Set(posts.map((p) => p.key)).size).toBe(1);
    expect(bookBets.size).toBe(1);
    const ledger = await ledgerReport(stores.db, `live-${run}`);
    expect(ledger.unbalanced).toEqual([]);
    expect(ledger.buckets).toMatchObject({
      available: '9800',
      reserved: '0',
      at_risk: '0',
      external: '-9800',
    });
  });

  it('a failure after the reservation releases it (compensation) and records the failure', async () => {
    const opp = await valueBet('fail', 60_000, { book: 'nobook' });
    await start(opp, 'adapter');
    await expect(result(opp.id)).rejects.toThrow();
    const row = await bet(opp.id);
    expect(row.status).toBe('failed');
    expect(row.reason).toMatch(/NoPlacementAdapter/);
    const { rows } = await stores.db.query<{ kind: string }>(
      `SELECT t.kind FROM ledger_transactions t JOIN bets b USING (bet_id) WHERE b.opportunity_id = $1 ORDER BY txn_id`,
      [opp.id],
    );
    expect(rows.map((x) => x.kind)).toEqual(['reserve', 'release']);
    expect(new D((await ledgerReport(stores.db, `live-${run}`)).buckets.reserved ?? '0').isZero()).toBe(true);
  });

  it('voids the bet when the event is cancelled, and an operator can settle a bet with no result', async () => {
    const opp = await valueBet('cancel', 1_000);
    await start(opp);
    await awaitingResult(opp.id);
    await stores.db.query(`UPDATE events SET status = 'cancelled' WHERE event_id = $1`, [opp.market.eventId]);
    expect((await result(opp.id)).status).toBe('voided');
    expect(await bet(opp.id)).toMatchObject({ status: 'voided', profit_loss: '0' });

    const opp2 = await valueBet('operator', 500);
    await start(opp2);
    const handle2 = await awaitingResult(opp2.id);
    await expect(
      handle2.executeUpdate(settleBetUpdate, { args: [{ scores: { [TEAMS.away]: 'x' } }] }),
    ).rejects.toThrow();
    const state = await handle2.executeUpdate(settleBetUpdate, {
      args: [{ scores: { [TEAMS.away]: '30', [TEAMS.home]: '30' }, by: 'test' }],
    });
    expect(state.phase).toBe('done');
    // A tie in a two-way head-to-head market voids the bet.
    expect(await bet(opp2.id)).toMatchObject({ status: 'voided', profit_loss: '0' });
    expect((await ledgerReport(stores.db, `paper-${run}`)).unbalanced).toEqual([]);
  });
});
