import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { testConfig, testStores, stopTestPlatform, type RunningWorkers } from '../helpers/platform';
import { startBetWorkers } from '../helpers/bet-setup';
import { loopbackServer, type LoopbackServer } from '../helpers/loopback';
import { ledgerReport, patchConfig, seedEvent, seedValueBet } from '../fixtures/bet-data';
import { startBetLifecycle } from '../../workflows/bets/client';
import { ADAPTER_MAX_ANSWER_BYTES, createHttpPlacementAdapter } from '../../activities/bets/adapter';
import { betWorkflowId, type BetLifecycleResult } from '../../workflows/bets/messages';
import type { LoadedConfig } from '../../config/load';

const run = Math.random().toString(36).slice(2, 8);
const STRATEGY = `answers-${run}`;
const TOKEN = `book-token-${run}`;

/**
 * A book's answer is untrusted: it is validated (price within the re-quote tolerance of the price asked,
 * stake at most the reservation), size-limited and never followed through a redirect, and the bearer token
 * from BOOK_ADAPTER_TOKEN travels with every request. A refused "placed" answer is recorded as failed with
 * its reason and alerted, never as placed at the book's price.
 */
describe('adapter answers are checked before they are recorded', { timeout: 120_000 }, () => {
  let loaded: LoadedConfig;
  let workers: RunningWorkers;
  let client: Client;
  const stores = testStores();
  let book: LoopbackServer;
  let base: string;
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    // One loopback book; the first path segment picks its behaviour: /<mode>/bets.
    book = await loopbackServer((req, res, body) => {
      seen.push({ path: req.url ?? '', headers: req.headers });
      const mode = (req.url ?? '').split('/')[1];
      if (req.method === 'GET' || mode === 'elsewhere') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const request = JSON.parse(body) as { price: string; stake: string };
      const answer = (extra: Record<string, string>) =>
        res.writeHead(201, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            status: 'placed',
            bookReference: `BK-${mode}`,
            price: request.price,
            ...extra,
          }),
        );
      if (mode === 'farprice') return answer({ price: '3.15' });
      if (mode === 'bigstake') return answer({ stake: String(Number(request.stake) + 1) });
      if (mode === 'partial') return answer({ stake: '50', price: '2.08' });
      if (mode === 'huge') {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(`{"status":"placed","pad":"${'x'.repeat(ADAPTER_MAX_ANSWER_BYTES * 2)}"}`);
        return;
      }
      if (mode === 'redirect') {
        res.writeHead(302, { location: `${base}/elsewhere/bets` }).end();
        return;
      }
      answer({});
    });
    base = book.base;

    loaded = patchConfig(testConfig({ BOOK_ADAPTER_TOKEN: TOKEN }), {
      risk: { accounts: { paper: `paper-${run}`, live: `live-${run}` } },
      placement: {
        requote: { maxQuoteAgeSeconds: 3600, priceTolerance: '0.02' },
        adapters: Object.fromEntries(
          ['farprice', 'bigstake', 'partial', 'huge', 'redirect', 'ok'].map((m) => [
            `${m}book`,
            { baseUrl: `${base}/${m}` },
          ]),
        ),
      },
      alerts: { routes: [] },
    });
    ({ workers, client } = await startBetWorkers(loaded, stores.db, STRATEGY));
  });

  afterAll(async () => {
    await stopTestPlatform({ workers, client, stores });
    book?.server.close();
  });

  /** One adapter bet on its own event and sport, through the whole lifecycle workflow. */
  async function placeAt(bookmaker: string) {
    const eventId = `ev-${bookmaker}-${run}`;
    const sport = `test_answers_${bookmaker}_${run}`;
    await seedEvent(stores.db, { eventId, sport, startInMs: 120_000 });
    const opp = await seedValueBet(stores.db, stores.redis, loaded.config.redis.keyPrefix, {
      id: `opp-${bookmaker}-${run}`,
      strategy: STRATEGY,
      sport,
      eventId,
      book: bookmaker,
    });
    await startBetLifecycle(client, opp, {
      taskQueue: loaded.config.temporal.taskQueues.bets,
      eventLabel: 'KC@BUF',
      mode: 'adapter',
    });
    return opp.id;
  }
  const row = async (opportunityId: string) =>
    (
      await stores.db.query<{ status: string; stake: string; price: string; reason: string | null }>(
        `SELECT status, stake::text, price::text, reason FROM bets WHERE opportunity_id = $1`,
        [opportunityId],
      )
    ).rows[0];
  const ledgerKinds = async (opportunityId: string) =>
    (
      await stores.db.query<{ kind: string }>(
        `SELECT t.kind FROM ledger_transactions t JOIN bets b USING (bet_id) WHERE b.opportunity_id = $1 ORDER BY txn_id`,
        [opportunityId],
      )
    ).rows.map((r) => r.kind);
  const result = (opportunityId: string) =>
    client.workflow.getHandle(betWorkflowId(opportunityId)).result() as Promise<BetLifecycleResult>;
  async function untilPlaced(opportunityId: string) {
    for (let i = 0; i < 600 && (await row(opportunityId))?.status !== 'placed'; i++)
      await new Promise((r) => setTimeout(r, 100));
    return (await row(opportunityId))!;
  }

  it('a "placed" answer at a price outside the tolerance is recorded failed with its reason, not at that price', async () => {
    const id = await placeAt('farpricebook');
    await expect(result(id)).rejects.toThrow();
    const bet = (await row(id))!;
    expect(bet.status).toBe('failed');
    expect(bet.price).toBe('2.1');
    expect(bet.reason).toMatch(/placed at price 3\.15, outside the 0\.02 tolerance of the requested 2\.1/);
    expect(bet.reason).toMatch(/check the bet at the book/);
    expect(await ledgerKinds(id)).toEqual(['reserve', 'release']);
  });

  it('a "placed" answer with a stake above the reservation is refused', async () => {
    const id = await placeAt('bigstakebook');
    await expect(result(id)).rejects.toThrow();
    const bet = (await row(id))!;
    expect(bet.status).toBe('failed');
    expect(bet.reason).toMatch(/stake 201, more than the reserved 200/);
    expect(await ledgerKinds(id)).toEqual(['reserve', 'release']);
  });

  it('a partial fill within the tolerance is recorded with the stake and price the book took', async () => {
    const id = await placeAt('partialbook');
    const bet = await untilPlaced(id);
    expect(bet).toMatchObject({ status: 'placed', stake: '50', price: '2.08' });
    expect(await ledgerKinds(id)).toEqual(['reserve', 'place']);
    const ledger = await ledgerReport(stores.db, `live-${run}`);
    expect(ledger.unbalanced).toEqual([]);
    expect(ledger.buckets.at_risk).toBe('50');
    await client.workflow.getHandle(betWorkflowId(id)).terminate('test done');
  });

  it('an oversized answer is refused and the bet is not recorded as placed', async () => {
    const id = await placeAt('hugebook');
    await expect(result(id)).rejects.toThrow();
    const bet = (await row(id))!;
    expect(bet.status).toBe('failed');
    expect(bet.reason).toMatch(new RegExp(`exceeds the limit of ${ADAPTER_MAX_ANSWER_BYTES} bytes`));
  });

  it('a redirect is refused, never followed', async () => {
    const id = await placeAt('redirectbook');
    await expect(result(id)).rejects.toThrow();
    const bet = (await row(id))!;
    expect(bet.status).toBe('failed');
    expect(bet.reason).toMatch(/answered a redirect \(302\)/);
    expect(seen.some((s) => s.path.startsWith('/elsewhere'))).toBe(false);
  });

  it('every request carries the bearer token from BOOK_ADAPTER_TOKEN', async () => {
    const id = await placeAt('okbook');
    expect((await untilPlaced(id)).status).toBe('placed');
    const calls = seen.filter((s) => s.path.startsWith('/ok/'));
    expect(calls.map((c) => c.path)).toEqual([expect.stringMatching(/^\/ok\/bets\//), '/ok/bets']);
    for (const c of calls) expect(c.headers.authorization).toBe(`Bearer ${TOKEN}`);
    await client.workflow.getHandle(betWorkflowId(id)).terminate('test done');
  });

  it('the adapter alone: oversized and redirected answers fail with a non-retryable refusal', async () => {
    const request = {
      idempotencyKey: `k-${run}`,
      providerEventId: 'e',
      marketType: 'h2h' as const,
      outcome: 'A',
      point: null,
      bookmaker: 'x',
      price: '2',
      stake: '10',
    };
    for (const mode of ['huge', 'redirect']) {
      const adapter = createHttpPlacementAdapter('x', { baseUrl: `${base}/${mode}`, timeoutSeconds: 5 });
      await expect(adapter.placeBet(request)).rejects.toMatchObject({ type: 'BookAnswerRefused' });
    }
  });
});
