import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { stopTestPlatform, testConfig, testStores, type RunningWorkers } from '../helpers/platform';
import { startTestApi, type TestApi } from '../helpers/api';
import { patchConfig } from '../fixtures/bet-data';
import { runNames, awaitConfirmationStatus, startBetWorkers, valueBetSeeder } from '../helpers/bet-setup';
import { startBetLifecycle } from '../../workflows/bets/client';
import { betIdFor, betWorkflowId, type BetLifecycleResult } from '../../workflows/bets/messages';
import { readOpsEvents } from '../../activities/infra/ops-events';
import type { LoadedConfig } from '../../config/load';

const names = runNames('api', 'live');
const { STRATEGY, ACCOUNT } = names;

describe('operator API: bets (list, show, confirm, skip, settle) and the bankroll', () => {
  let loaded: LoadedConfig;
  let workers: RunningWorkers;
  let client: Client;
  let api: TestApi;
  const stores = testStores();

  beforeAll(async () => {
    loaded = patchConfig(testConfig(), {
      risk: { accounts: { live: ACCOUNT } },
      placement: {
        manual: { confirmationDeadlineSeconds: 300 },
        requote: { maxQuoteAgeSeconds: 3600 },
      },
      alerts: { routes: [{ events: ['bet.price_override'], minSeverity: 'info', channels: ['console'] }] },
    });
    ({ workers, client } = await startBetWorkers(loaded, stores.db, STRATEGY, { mode: 'live' }));
    api = await startTestApi(loaded);
  });

  afterAll(async () => {
    await api?.close();
    await stopTestPlatform({ workers, client, stores });
  });

  const awaiting = (betId: string) => awaitConfirmationStatus(stores.db, betId);
  const valueBet = valueBetSeeder(stores, () => loaded.config.redis.keyPrefix, names);

  async function manualBet(name: string) {
    const opp = await valueBet(name, 3_600_000);
    await startBetLifecycle(client, opp, { taskQueue: loaded.config.temporal.taskQueues.bets });
    const betId = betIdFor(opp.id, 0);
    await awaiting(betId);
    return { opp, betId };
  }

  it(
    'confirm refuses a price outside the tolerance naming odds, quote and tolerance; an override is taken',
    { timeout: 180_000 },
    async () => {
      const { opp, betId } = await manualBet('confirm');
      const path = `/api/bets/${encodeURIComponent(betId)}`;

      const list = await api.call<{ bets: { betId: string; status: string }[] }>(
        'GET',
        `/api/bets?strategy=${STRATEGY}&status=awaiting_confirmation`,
      );
      expect(list.status).toBe(200);
      expect(list.body.bets.map((b) => b.betId)).toEqual([betId]);
      const shown = await api.call<{
        lifecycle: { phase: string };
        workflowUrl: string;
        bet: { stake: string };
      }>('GET', path);
      expect(shown.status).toBe(200);
      expect(shown.body.lifecycle.phase).toBe('awaiting_confirmation');
      expect(shown.body.workflowUrl).toContain(encodeURIComponent(betWorkflowId(opp.id)));
      expect(shown.body.bet.stake).toBe('200');

      // The workflow's validator refuses 150 on a 2.1 quote: 400 naming odds, the quote and the tolerance.
      const far = await api.call('POST', `${path}/confirm`, { odds: '150', stake: '150' });
      expect(far).toEqual({
        status: 400,
        body: {
          error: {
            field: 'odds',
            message:
              'odds: 150 is outside 2% of the quoted 2.1 (accepted 2.058–2.142); send override with a reason to take it',
          },
        },
      });
      // The CLI's own checks, shared: a signed price read as decimal, a stake off the unit, above the reservation.
      const signed = await api.call('POST', `${path}/confirm`, { odds: '+150', stake: '150' });
      expect(signed.status).toBe(400);
      expect(signed.body).toMatchObject({ error: { field: 'odds' } });
      expect(JSON.stringify(signed.body)).toContain('pass oddsFormat american');
      const unit = await api.call('POST', `${path}/confirm`, { odds: '2.1', stake: '10.005' });
      expect(unit.body).toEqual({
        error: { field: 'stake', message: 'stake: 10.005 is not a whole multiple of the stake unit 0.01' },
      });
      const over = await api.call('POST', `${path}/confirm`, { odds: '2.1', stake: '900' });
      expect(over.body).toMatchObject({
        error: { field: 'stake', message: expect.stringContaining('900 is more than the 200 reserved') },
      });
      const missing = await api.call('POST', `${path}/confirm`, { stake: '10' });
      expect(missing.status).toBe(400);
      expect(missing.body).toMatchObject({ error: { field: 'odds' } });
      expect(
        (await api.call('POST', '/api/bets/no-such-bet/confirm', { odds: '2.1', stake: '1' })).status,
      ).toBe(404);
      // A write without the CSRF header is refused before anything else.
      const csrf = await api.call(
        'POST',
        `${path}/confirm`,
        { odds: '2.1', stake: '150' },
        { 'x-alphabet-request': '' },
      );
      expect(csrf.status).toBe(403);

      // American odds in the request's format, outside the tolerance too; then the override takes it.
      const american = await api.call('POST', `${path}/confirm`, {
        odds: '150',
        oddsFormat: 'american',
        stake: '150',
      });
      expect(american.body).toMatchObject({
        error: {
          field: 'odds',
          message: expect.stringContaining('odds: 2.5 is outside 2% of the quoted 2.1'),
        },
      });
      const taken = await api.call<{
        bet: { status: string; price: string; stake: string; bookReference: string };
      }>('POST', `${path}/confirm`, {
        odds: '+150',
        oddsFormat: 'american',
        stake: '150',
        bookReference: 'DK-9',
        override: { reason: 'boosted price' },
      });
      expect(taken.status).toBe(200);
      expect(taken.body.bet).toMatchObject({
        status: 'placed',
        price: '2.5',
        stake: '150',
        bookReference: 'DK-9',
      });
      const { rows } = await stores.db.query(
        `SELECT decided_by, price_override_reason FROM bets WHERE bet_id = $1`,
        [betId],
      );
      expect(rows[0]).toEqual({
        decided_by: `console:${userInfo().username}`,
        price_override_reason: 'boosted price',
      });
      // Placed now: a second confirmation is a state conflict.
      const again = await api.call('POST', `${path}/confirm`, { odds: '2.5', stake: '150' });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ error: { field: 'id' } });

      // The status changes reached the operator event stream.
      const events = await readOpsEvents(stores.redis, loaded.config.redis.keyPrefix, '0-0', {
        count: 10_000,
      });
      const statuses = events
        .filter((e) => e.kind === 'bet' && e.data.betId === betId)
        .map((e) => (e.data as { status: string }).status);
      expect(statuses).toEqual(['awaiting_confirmation', 'placed']);

      // Settle by hand: a void any time; the body must be scores or void.
      expect((await api.call('POST', `${path}/settle`, {})).body).toMatchObject({
        error: { message: expect.stringContaining('send either scores or void') },
      });
      const early = await api.call('POST', `${path}/settle`, {
        scores: { 'Kansas City Chiefs': '3', 'Buffalo Bills': '1' },
      });
      expect(early.body).toMatchObject({
        error: { field: 'scores', message: expect.stringMatching(/^scores: the event has not started/) },
      });
      const voided = await api.call<{ lifecycle: { phase: string; status: string } }>(
        'POST',
        `${path}/settle`,
        { void: 'abandoned' },
      );
      expect(voided.status).toBe(200);
      expect(voided.body.lifecycle).toMatchObject({ phase: 'done', status: 'voided' });
      const r = (await client.workflow.getHandle(betWorkflowId(opp.id)).result()) as BetLifecycleResult;
      expect(r.status).toBe('voided');
      const settled = await readOpsEvents(stores.redis, loaded.config.redis.keyPrefix, '0-0', {
        count: 10_000,
      });
      expect(
        settled.filter((e) => e.kind === 'settlement' && e.data.betId === betId).map((e) => e.data),
      ).toEqual([expect.objectContaining({ status: 'voided', profitLoss: '0' })]);
    },
  );

  it(
    'skip records the reason; the bankroll shows the account and its history',
    { timeout: 180_000 },
    async () => {
      const { betId } = await manualBet('skip');
      const path = `/api/bets/${encodeURIComponent(betId)}/skip`;
      expect((await api.call('POST', path, { reason: '' })).body).toMatchObject({
        error: { field: 'reason' },
      });
      const skipped = await api.call<{ bet: { status: string; reason: string } }>('POST', path, {
        reason: 'limits at the book',
      });
      expect(skipped.status).toBe(200);
      expect(skipped.body.bet).toMatchObject({ status: 'skipped', reason: 'operator: limits at the book' });

      const bankroll = await api.call<{ accounts: { account: string; reserved: string }[] }>(
        'GET',
        `/api/bankroll?account=${ACCOUNT}`,
      );
      expect(bankroll.status).toBe(200);
      expect(bankroll.body.accounts).toEqual([expect.objectContaining({ account: ACCOUNT, reserved: '0' })]);
      expect((await api.call('GET', '/api/bankroll?account=no-such-account')).status).toBe(404);
      expect((await api.call('GET', '/api/bankroll?account=%20bad')).body).toMatchObject({
        error: { field: 'account' },
      });
      const history = await api.call<{ at: string; balance: string }[]>(
        'GET',
        `/api/bankroll/history?account=${ACCOUNT}`,
      );
      expect(history.status).toBe(200);
      // Funding, reserve and release of the skipped bet (and the voided one): the balance ends where it began.
      expect(history.body.length).toBeGreaterThanOrEqual(3);
      expect(history.body.at(-1)!.balance).toBe(history.body[0]!.balance);
    },
  );
});
