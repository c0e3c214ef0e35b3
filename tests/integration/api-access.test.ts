import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../config/paths';
import { alphabetOnTestStack, testConfig, testStores } from '../helpers/platform';
import { startTestApi, type TestApi } from '../helpers/api';
import { twoWayArbBoard } from '../helpers/board';
import { appendOpsEvents, createOpsEventPublisher } from '../../activities/infra/ops-events';
import { createAlertChannels } from '../../activities/alerts/channels';
import { createLogger } from '../../activities/infra/logger';
import { patchConfig, seedArbStrategies } from '../fixtures/bet-data';
import type { Alert } from '../../shared/alerts';
import { createStrategyActivities } from '../../activities/strategies/activities';
import type { BoardReader } from '../../activities/strategies/board-reader';
import { readOpsEvents } from '../../activities/infra/ops-events';

const run = Math.random().toString(36).slice(2, 8);
const TOKEN = `tok-${run}-0123456789abcdef`;
const STRATEGY = `access-${run}`;

/** Read server-sent events from a fetch stream until `count` arrived (or the timeout). */
async function readSse(
  url: string,
  headers: Record<string, string>,
  count: number,
  afterOpen: () => Promise<void> = () => Promise.resolve(),
): Promise<{ id: string; event: string; data: Record<string, unknown> }[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 30_000);
  const res = await fetch(url, { headers, signal: abort.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const out: { id: string; event: string; data: Record<string, unknown> }[] = [];
  const chunks = res.body as unknown as AsyncIterable<Uint8Array>;
  const decoder = new TextDecoder();
  let buffer = '';
  let opened = false;
  try {
    for await (const value of chunks) {
      buffer += decoder.decode(value, { stream: true });
      if (!opened) {
        opened = true;
        await afterOpen();
      }
      let at: number;
      while ((at = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const f = Object.fromEntries(
          block
            .split('\n')
            .filter((l) => !l.startsWith(':') && l.includes(': '))
            .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
        );
        if (f.id && f.event && f.data) out.push({ id: f.id, event: f.event, data: JSON.parse(f.data) });
      }
      if (out.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return out;
}

describe('operator API: access rules, OpenAPI and the live event stream', () => {
  let api: TestApi;
  const loaded = testConfig({ ALPHABET_API_TOKENS: `alice:${TOKEN}` });
  const stores = testStores();

  beforeAll(async () => {
    api = await startTestApi(loaded, { token: TOKEN });
    // A value strategy on its type's defaults (parameters the type's schema accepts).
    await stores.db.query(
      `INSERT INTO strategies (name, type, enabled, mode, stake_multiplier, parameters) VALUES ($1, 'value', true, 'paper', 1, '{}')`,
      [STRATEGY],
    );
  });
  afterAll(async () => {
    await api?.close();
    await stores.close();
  });

  it('with tokens set, every request needs a bearer token; writes need the CSRF header; audits name the token', async () => {
    const none = await api.call('GET', '/api/health', undefined, { authorization: '' });
    expect(none).toEqual({
      status: 401,
      body: {
        error: { field: 'authorization', message: 'authorization: send "Authorization: Bearer <token>"' },
      },
    });
    expect(
      (await api.call('GET', '/api/bets', undefined, { authorization: 'Bearer wrong-token-0123456789' }))
        .status,
    ).toBe(401);
    const health = await api.call<{ postgres: boolean; redis: boolean; uiUrl: string }>('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ postgres: true, redis: true, uiUrl: loaded.config.temporal.uiUrl });

    const path = `/api/strategies/${STRATEGY}/parameters`;
    const noHeader = await api.call(
      'PATCH',
      path,
      { parameters: { kellyFraction: '0.2' } },
      { 'x-alphabet-request': '' },
    );
    expect(noHeader.status).toBe(403);
    expect(noHeader.body).toMatchObject({ error: { field: 'x-alphabet-request' } });
    const form = await api.call('PATCH', path, 'parameters=1', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(403);
    expect(form.body).toMatchObject({ error: { field: 'content-type' } });

    const bad = await api.call('PATCH', path, { parameters: { minEdge: 'lots' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      error: { field: 'minEdge', message: expect.stringContaining('minEdge') },
    });
    const changed = await api.call<{ via: string; changes: { field: string }[] }>('PATCH', path, {
      parameters: { minEdge: '0.03' },
    });
    expect(changed.body).toMatchObject({ via: 'strategies table (workflow not running)' });
    expect(changed.status).toBe(200);
    expect(changed.body.changes.map((c) => c.field)).toEqual(['parameters.minEdge']);
    const { rows } = await stores.db.query(
      `SELECT changed_by FROM strategy_changes WHERE strategy_name = $1 ORDER BY change_id DESC LIMIT 1`,
      [STRATEGY],
    );
    expect(rows[0]).toEqual({ changed_by: 'api:alice' });
  });

  it('serves its OpenAPI document with every route of the contract', async () => {
    const doc = await api.call<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/api/openapi.json',
    );
    expect(doc.status).toBe(200);
    const routes = Object.entries(doc.body.paths).flatMap(([p, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`),
    );
    for (const r of [
      'GET /api/health',
      'GET /api/board',
      'GET /api/opportunities',
      'GET /api/bets',
      'GET /api/bets/{id}',
      'POST /api/bets/{id}/confirm',
      'POST /api/bets/{id}/skip',
      'POST /api/bets/{id}/settle',
      'GET /api/bankroll',
      'GET /api/bankroll/history',
      'GET /api/strategies',
      'GET /api/strategies/{name}',
      'GET /api/strategies/{name}/performance',
      'POST /api/strategies/{name}/pause',
      'POST /api/strategies/{name}/resume',
      'PATCH /api/strategies/{name}/parameters',
      'GET /api/paper',
      'POST /api/paper',
      'GET /api/paper/{id}',
      'POST /api/paper/{id}/pause',
      'POST /api/paper/{id}/resume',
      'POST /api/paper/{id}/stop',
      'GET /api/paper/{id}/report',
      'GET /api/rollouts',
      'GET /api/rollouts/{strategy}',
      'POST /api/rollouts/{strategy}/start',
      'POST /api/rollouts/{strategy}/approve',
      'POST /api/rollouts/{strategy}/pause',
      'POST /api/rollouts/{strategy}/resume',
      'POST /api/rollouts/{strategy}/abort',
      'GET /api/backtests',
      'GET /api/backtests/{name}',
      'GET /api/events',
    ])
      expect(routes).toContain(r);
    // `/` is the console when it is built (npm ci builds it), else one line saying it is not.
    const page = await fetch(api.url);
    const built = existsSync(resolve(PROJECT_ROOT, 'console/dist/index.html'));
    expect(await page.text()).toContain(built ? '<title>Alpha-Bet console</title>' : 'console is not built');
  });

  it(
    'live events: a dashboard alert arrives, and a reconnect with Last-Event-ID gets what it missed',
    { timeout: 60_000 },
    async () => {
      const prefix = loaded.config.redis.keyPrefix;
      const url = new URL('/api/events', api.url).toString();
      const auth = { authorization: `Bearer ${TOKEN}` };
      const dashboard = patchConfig(testConfig(), {
        alerts: {
          channels: [{ name: 'screen', type: 'dashboard', enabled: true }],
          routes: [{ events: ['*'], channels: ['screen'] }],
        },
      });
      const [channel] = createAlertChannels(
        dashboard.config,
        dashboard.secrets,
        createLogger({ level: 'silent' }),
        stores.redis,
      );
      const alert: Alert = {
        id: `alert-${run}`,
        type: 'bet.price_override',
        severity: 'warning',
        subject: 'x',
        title: 'Price override',
        text: 'alice took 2.5',
        fields: { strategy: STRATEGY },
        at: new Date().toISOString(),
        link: null,
      };
      // Connected first (no Last-Event-ID: from now on), then the alert is sent through the channel.
      const first = await readSse(url, auth, 1, () => channel!.send(alert));
      expect(first).toEqual([
        {
          id: expect.stringMatching(/^\d+-\d+$/),
          event: 'alert',
          data: expect.objectContaining({ id: alert.id, severity: 'warning', title: 'Price override' }),
        },
      ]);

      // Missed while disconnected: two bet events, one best-effort through the activities' publisher.
      const publish = createOpsEventPublisher(stores.redis, prefix, createLogger({ level: 'silent' }));
      const bet = {
        opportunityId: `o-${run}`,
        betId: `o-${run}#1`,
        stake: '10',
        price: '2',
        bookReference: null,
        reason: null,
      };
      await publish([{ kind: 'bet', data: { ...bet, status: 'awaiting_confirmation' } }]);
      await appendOpsEvents(stores.redis, prefix, [{ kind: 'bet', data: { ...bet, status: 'placed' } }]);
      const resumed = await readSse(url, { ...auth, 'last-event-id': first[0]!.id }, 2);
      expect(resumed.map((e) => [e.event, e.data.status])).toEqual([
        ['bet', 'awaiting_confirmation'],
        ['bet', 'placed'],
      ]);
      expect(resumed[0]!.id > first[0]!.id).toBe(true);
      const since = await readSse(`${url}?since=${first[0]!.id}`, auth, 2);
      expect(since.map((e) => e.id)).toEqual(resumed.map((e) => e.id));
      const garbage = await api.call('GET', '/api/events', undefined, { 'last-event-id': 'yesterday' });
      expect(garbage).toMatchObject({ status: 400, body: { error: { field: 'Last-Event-ID' } } });
    },
  );

  it(
    '`alphabet serve --host 0.0.0.0` without tokens refuses to start, naming ALPHABET_API_TOKENS',
    { timeout: 120_000 },
    async () => {
      const r = await alphabetOnTestStack(['serve', '--host', '0.0.0.0', '--port', '0'], {
        ALPHABET_API_TOKENS: '',
      });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('ALPHABET_API_TOKENS');
    },
  );

  it('a sweep appends each opportunity it records to the stream, once', async () => {
    const name = `arb-events-${run}`;
    const eventId = `ev-arb-${run}`;
    await seedArbStrategies(stores.db, [name], { stakeMultiplier: '0' });
    // A two-way arbitrage (2.2 / 2.2 across two books) on a board handed to the sweep directly.
    const board = twoWayArbBoard(eventId);
    const boardReader = { read: () => Promise.resolve(board) } as unknown as BoardReader;
    const activities = createStrategyActivities({
      db: stores.db,
      redis: stores.redis,
      config: loaded.config,
      secrets: {},
      logger: createLogger({ level: 'silent' }),
      boardReader,
    });
    const prefix = loaded.config.redis.keyPrefix;
    const sweep = {
      name,
      type: 'arbitrage',
      mode: 'paper' as const,
      parameters: { minProfit: '0', maxQuoteAgeMs: 3_600_000 },
    };
    const first = await activities.sweepStrategy({ ...sweep, sweep: 1 });
    expect(first.recorded).toBe(1);
    await activities.sweepStrategy({ ...sweep, sweep: 2 }); // the same opportunity: a duplicate, not announced
    const events = (await readOpsEvents(stores.redis, prefix, '0-0', { count: 10_000 })).filter(
      (e) => e.kind === 'opportunity' && e.data.strategy === name,
    );
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({
        opportunityId: first.newIds[0],
        kind: 'arbitrage',
        eventId,
        decision: 'pending',
        reason: null,
      }),
    ]);
  });
});
