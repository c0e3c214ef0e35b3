import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { startWorkers, stopTestPlatform, testClient, testConfig, testStores } from '../helpers/platform';
import { startTestApi, type TestApi } from '../helpers/api';
import { putBoard, seedEvent, seedOpportunity, TEAMS } from '../fixtures/bet-data';
import { runNames } from '../helpers/bet-setup';
import { ingestKeys } from '../../activities/ingestion/keys';
import { marketKeyString } from '../../shared/entities';
import { startStrategyWorkflows, strategyWorkflowStatus } from '../../workflows/strategies/client';
import { rolloutWorkflowId } from '../../workflows/rollout/messages';
import { RESULTS_FORMAT } from '../../activities/backtest/report';
import type { LoadedConfig } from '../../config/load';

const { run, SPORT, STRATEGY } = runNames('dom');

describe('operator API: board, opportunities, strategies, paper sessions, rollouts and backtests', () => {
  let loaded: LoadedConfig;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let client: Client;
  let api: TestApi;
  const stores = testStores();
  const reportsDir = mkdtempSync(join(tmpdir(), 'alphabet-api-reports-'));
  const workflowIds: string[] = [];

  beforeAll(async () => {
    loaded = testConfig();
    workers = await startWorkers(loaded, ['strategies']);
    client = await testClient();
    api = await startTestApi(loaded, { reportsDir });
    // A value strategy on its type's defaults, sweeping only this test's (empty) sport.
    await stores.db.query(
      `INSERT INTO strategies (name, type, enabled, mode, stake_multiplier, parameters)
       VALUES ($1, 'value', true, 'paper', 1, $2)`,
      [STRATEGY, JSON.stringify({ sports: [SPORT] })],
    );
  });

  afterAll(async () => {
    await api?.close();
    await stopTestPlatform({ workers, client, stores, workflowIds });
  });

  it('board with quote ages, and recorded opportunities with their decisions', async () => {
    const eventId = `ev-board-${run}`;
    await seedEvent(stores.db, { eventId, sport: SPORT, startInMs: 3_600_000 });
    const market = { eventId, marketType: 'h2h' as const, line: null, period: 'full' };
    const prefix = loaded.config.redis.keyPrefix;
    await putBoard(stores.redis, prefix, market, [
      { bookmaker: 'draftkings', outcome: TEAMS.away, point: null, price: '2.10' },
      { bookmaker: 'draftkings', outcome: TEAMS.home, point: null, price: '1.75' },
    ]);
    const keys = ingestKeys(prefix);
    const info = {
      eventId,
      sport: SPORT,
      league: null,
      startTime: new Date(Date.now() + 3_600_000).toISOString(),
      status: 'scheduled',
      participants: [
        { name: TEAMS.home, role: 'home' },
        { name: TEAMS.away, role: 'away' },
      ],
    };
    await stores.redis.set(keys.eventInfo(eventId), JSON.stringify(info));
    await stores.redis.zadd(keys.eventMarkets(eventId), Date.now(), marketKeyString(market));
    await stores.redis.zadd(keys.sportEvents(SPORT), Date.now(), eventId);

    const board = await api.call<{
      events: { eventId: string; markets: { quotes: { price: string; ageSeconds: number }[] }[] }[];
    }>('GET', `/api/board?sport=${SPORT}`);
    expect(board.status).toBe(200);
    expect(board.body.events.map((e) => e.eventId)).toEqual([eventId]);
    const quotes = board.body.events[0]!.markets[0]!.quotes;
    expect(quotes.map((q) => q.price).sort()).toEqual(['1.75', '2.10']);
    expect(quotes.every((q) => q.ageSeconds >= 0 && q.ageSeconds < 600)).toBe(true);

    await seedOpportunity(stores.db, {
      id: `opp-dom-${run}`,
      strategy: STRATEGY,
      sport: SPORT,
      market,
      legs: [
        { bookmaker: 'draftkings', outcome: TEAMS.away, point: null, price: '2.10', fairProbability: '0.52' },
      ],
    });
    await stores.db.query(
      `UPDATE opportunities SET decision = 'skipped', decision_reason = 'maxOdds: too long' WHERE opportunity_id = $1`,
      [`opp-dom-${run}`],
    );
    const opps = await api.call<{
      opportunities: { opportunityId: string; decision: string; reason: string; edge: string }[];
    }>('GET', `/api/opportunities?strategy=${STRATEGY}&status=skipped`);
    expect(opps.body.opportunities).toEqual([
      expect.objectContaining({
        opportunityId: `opp-dom-${run}`,
        decision: 'skipped',
        reason: 'maxOdds: too long',
      }),
    ]);
    const bad = await api.call('GET', '/api/opportunities?status=maybe');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      error: { field: 'status', message: expect.stringContaining('"maybe"') },
    });
  });

  it(
    'strategies: list, status, performance, pause and resume through the workflow',
    { timeout: 120_000 },
    async () => {
      await startStrategyWorkflows(client, loaded, stores.db, { names: [STRATEGY], handOff: 'record-only' });
      workflowIds.push(`strategy:${STRATEGY}`);
      const list = await api.call<{ strategies: { name: string; workflow: string }[] }>(
        'GET',
        '/api/strategies',
      );
      expect(list.body.strategies.find((s) => s.name === STRATEGY)).toMatchObject({
        workflow: expect.not.stringMatching(/^not running$/),
      });
      const one = await api.call<{ running: boolean; workflowUrl: string }>(
        'GET',
        `/api/strategies/${STRATEGY}`,
      );
      expect(one.body).toMatchObject({ running: true, workflowUrl: expect.stringContaining('strategy%3A') });
      expect((await api.call('GET', `/api/strategies/${STRATEGY}/performance`)).body).toEqual([]);
      expect((await api.call('GET', '/api/strategies/no-such/performance')).status).toBe(404);

      // The call returns once the workflow shows the new state: a refresh right after reads it.
      const paused = await api.call('POST', `/api/strategies/${STRATEGY}/pause`, {
        reason: 'checking books',
      });
      expect(paused.body).toMatchObject({ sent: 'pause', applied: true });
      expect((await strategyWorkflowStatus(client, STRATEGY))?.pausedBy).toMatch(/^console:/);
      const resumed = await api.call('POST', `/api/strategies/${STRATEGY}/resume`, {});
      expect(resumed.body).toMatchObject({ sent: 'resume', applied: true });
      expect((await strategyWorkflowStatus(client, STRATEGY))?.paused).toBe(false);
      // A running workflow takes parameter changes through its validated update.
      const set = await api.call<{ via: string }>('PATCH', `/api/strategies/${STRATEGY}/parameters`, {
        parameters: { minEdge: '0.04' },
      });
      expect(set.body).toMatchObject({ via: 'workflow update' });
    },
  );

  it(
    'paper sessions: refusals name the field; start, status, pause, resume, stop; report only at the end',
    { timeout: 120_000 },
    async () => {
      const start = (body: Record<string, unknown>) =>
        api.call<{ sessionId: string; error?: { field: string; message: string } }>(
          'POST',
          '/api/paper',
          body,
        );
      expect(
        (await start({ strategy: STRATEGY, duration: '1h', params: { minEdge: 'lots' } })).body,
      ).toMatchObject({ error: { field: 'params', message: expect.stringContaining('minEdge') } });
      expect((await start({ strategy: 'no-such', duration: '1h' })).body).toMatchObject({
        error: { field: 'strategy' },
      });
      expect((await start({ strategy: STRATEGY, bankroll: '500' })).body).toMatchObject({
        error: { field: 'duration' },
      });
      const id = `paper:${STRATEGY}:api`;
      const ok = await start({ strategy: STRATEGY, bankroll: '500', duration: '1h', id });
      expect(ok.status).toBe(200);
      workflowIds.push(id);
      expect((await start({ strategy: STRATEGY, duration: '1h', id })).status).toBe(409);
      const enc = encodeURIComponent(id);
      const shown = await api.call<{ running: boolean }>('GET', `/api/paper/${enc}`);
      expect(shown.body).toMatchObject({ running: true });
      expect((await api.call('GET', '/api/paper/no-such-session')).status).toBe(404);
      // Pause and resume are signals: the session's progress shows each once the workflow applied it.
      const paused = async () =>
        (await api.call<{ progress: { paused: boolean } | null }>('GET', `/api/paper/${enc}`)).body.progress
          ?.paused;
      expect((await api.call('POST', `/api/paper/${enc}/pause`, { reason: 'lunch' })).status).toBe(200);
      await expect.poll(paused, { timeout: 20_000 }).toBe(true);
      expect((await api.call('GET', `/api/paper/${enc}/report`)).status).toBe(409);
      expect((await api.call('POST', `/api/paper/${enc}/resume`, {})).body).toMatchObject({ sent: 'resume' });
      await expect.poll(paused, { timeout: 20_000 }).toBe(false);
      expect((await api.call('POST', '/api/paper/no-such-session/resume', {})).status).toBe(404);
      expect((await api.call('POST', `/api/paper/${enc}/stop`, { now: true })).status).toBe(200);
      await client.workflow.getHandle(id).result();
      // Ended: nothing to resume.
      expect((await api.call('POST', `/api/paper/${enc}/resume`, {})).body).toMatchObject({
        error: { field: 'id', message: expect.stringContaining('nothing to resume') },
      });
      const report = await api.call<{ markdown: string }>('GET', `/api/paper/${enc}/report`);
      expect(report.status).toBe(200);
      expect(report.body.markdown.length).toBeGreaterThan(0);
      const listed = await api.call<{ sessions: { sessionId: string }[] }>(
        'GET',
        `/api/paper?strategy=${STRATEGY}`,
      );
      expect(listed.body.sessions.map((s) => s.sessionId)).toContain(id);
    },
  );

  it(
    'rollouts: start, status, approve refused by the workflow, pause, resume, abort',
    { timeout: 120_000 },
    async () => {
      const strategy = STRATEGY;
      expect((await api.call('GET', `/api/rollouts/${strategy}`)).status).toBe(404);
      const started = await api.call<{ result: string }>('POST', `/api/rollouts/${strategy}/start`, {});
      expect(started.body).toMatchObject({ result: 'started' });
      workflowIds.push(rolloutWorkflowId(strategy));
      const status = await api.call<{ status: { stage: string; stages: string[] } }>(
        'GET',
        `/api/rollouts/${strategy}`,
      );
      expect(status.body.status.stages).toContain(status.body.status.stage);
      const approve = await api.call('POST', `/api/rollouts/${strategy}/approve`, {});
      expect(approve.status).toBe(400);
      expect(approve.body).toMatchObject({
        error: { message: expect.stringContaining('nothing to approve') },
      });
      const paused = async () =>
        (await api.call<{ status: { paused: boolean } }>('GET', `/api/rollouts/${strategy}`)).body.status
          .paused;
      expect((await api.call('POST', `/api/rollouts/${strategy}/pause`, { reason: 'review' })).status).toBe(
        200,
      );
      await expect.poll(paused, { timeout: 20_000 }).toBe(true);
      expect((await api.call('POST', `/api/rollouts/${strategy}/resume`, {})).body).toMatchObject({
        sent: 'resume',
      });
      await expect.poll(paused, { timeout: 20_000 }).toBe(false);
      expect((await api.call('POST', '/api/rollouts/no-such-strategy/resume', {})).status).toBe(404);
      const all = await api.call<{ rollouts: { strategy: string; status: unknown }[] }>(
        'GET',
        '/api/rollouts',
      );
      expect(all.body.rollouts.find((r) => r.strategy === strategy)?.status).not.toBeNull();
      expect((await api.call('POST', `/api/rollouts/${strategy}/abort`, {})).status).toBe(200);
    },
  );

  it('without tokens it answers only requests for a loopback host (a DNS-rebinding page names its own)', async () => {
    const rebound = await api.app.inject({
      method: 'POST',
      url: `/api/strategies/${STRATEGY}/pause`,
      headers: { host: 'evil.example:8700', 'content-type': 'application/json', 'x-alphabet-request': '1' },
      payload: {},
    });
    expect(rebound.statusCode).toBe(403);
    expect(rebound.json()).toMatchObject({
      error: { field: 'host', message: expect.stringContaining('"evil.example" is not a loopback name') },
    });
    expect((await api.app.inject({ url: '/api/bets', headers: { host: 'evil.example' } })).statusCode).toBe(
      403,
    );
    for (const host of ['127.0.0.1:8700', 'localhost:8700', '[::1]:8700'])
      expect((await api.app.inject({ url: '/api/health', headers: { host } })).statusCode, host).toBe(200);
  });

  it('backtests: saved results listed and read; unknown names are 404, odd ones 400', async () => {
    const results = {
      format: RESULTS_FORMAT,
      createdAt: '2025-01-02T03:04:05.000Z',
      command: 'alphabet backtest --strategy consensus',
      data: { source: 'test' },
      parameters: { minEdge: '0.02' },
      summary: { strategy: 'consensus', bets: 1 },
      curve: [
        [0, '2025-01-01T00:00:00Z', '100'],
        [1, '2025-01-01T12:00:00Z', '104.5'],
      ],
    };
    writeFileSync(join(reportsDir, 'backtest-consensus-1.json'), JSON.stringify(results));
    const list = await api.call<{ backtests: { name: string }[] }>('GET', '/api/backtests');
    expect(list.body.backtests.map((b) => b.name)).toEqual(['backtest-consensus-1']);
    const one = await api.call<{ curve: unknown[] }>('GET', '/api/backtests/backtest-consensus-1');
    expect(one.status).toBe(200);
    expect(one.body.curve).toEqual(results.curve);
    expect((await api.call('GET', '/api/backtests/nothing-here')).status).toBe(404);
    expect((await api.call('GET', '/api/backtests/..%2Fpackage')).status).toBe(400);
  });
});
