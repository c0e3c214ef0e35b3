import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { parseDocument } from 'yaml';
import {
  alphabetOnTestStack,
  startWorkers,
  terminateAll,
  testClient,
  testConfig,
  testStores,
} from '../helpers/platform';
import { freePort } from '../helpers/ports';
import type { LoadedConfig } from '../../config/load';
import { DEFAULT_CONFIG_FILE } from '../../config/load';
import { ProviderConfig } from '../../config/schema';
import { SA } from '../../shared/search-attributes';
import {
  startIngestion,
  startPollingWorkflows,
  type IngestionHandle,
} from '../../workflows/ingestion/client';
import { readBoard } from '../../activities/ingestion/board';
import { ingestKeys } from '../../activities/ingestion/keys';
import {
  pauseSignal,
  pollingWorkflowId,
  resumeSignal,
  statusQuery,
  updateSettings,
  type PollStatus,
} from '../../workflows/ingestion/messages';

const rand = Math.random().toString(36).slice(2, 7);
const SIM = `sim-${rand}`;
const SIM2 = `sim-can-${rand}`;
const DOWN = `down-${rand}`;

/** Wait for the poller's status to satisfy `ok` (no timing assertion: the deadline only bounds the test). */
async function until(
  client: Client,
  provider: string,
  ok: (s: PollStatus) => boolean,
  what: string,
  timeoutMs = 90_000,
): Promise<PollStatus> {
  const handle = client.workflow.getHandle(pollingWorkflowId(provider));
  const deadline = Date.now() + timeoutMs;
  let last: PollStatus | null = null;
  while (Date.now() < deadline) {
    last = await handle.query(statusQuery);
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${provider}: never ${what}; last status ${JSON.stringify(last)}`);
}

describe('OddsPollingWorkflow on the real dev server', () => {
  let loaded: LoadedConfig;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let client: Client;
  let ingestion: IngestionHandle;
  let down: Server;
  let downMode: 'fail' | 'ok' = 'fail';
  let configFile: string;
  const stores = testStores();

  beforeAll(async () => {
    loaded = testConfig();
    const simPort = await freePort();
    down = createServer((_req, res) => {
      if (downMode === 'fail') {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"message":"maintenance"}');
      } else {
        res.writeHead(200, {
          'content-type': 'application/json',
          'x-requests-remaining': '42',
          'x-requests-used': '8',
        });
        res.end('[]');
      }
    });
    await new Promise<void>((r) => down.listen(0, '127.0.0.1', r));
    const sim = { seed: 5, speed: 60, port: simPort, scoresIntervalSeconds: 1 };
    loaded.config.providers = [
      ProviderConfig.parse({
        name: SIM,
        type: 'simulated',
        enabled: true,
        pollIntervalSeconds: 1,
        sports: ['americanfootball_nfl', 'soccer_epl'],
        options: sim,
      }),
      ProviderConfig.parse({
        name: SIM2,
        type: 'simulated',
        enabled: true,
        pollIntervalSeconds: 0.5,
        sports: ['basketball_nba'],
        options: sim,
      }),
      ProviderConfig.parse({
        name: DOWN,
        type: 'the-odds-api',
        enabled: true,
        pollIntervalSeconds: 1,
        sports: ['americanfootball_nfl'],
        options: {
          baseUrl: `http://127.0.0.1:${(down.address() as AddressInfo).port}`,
          apiKeyRequired: false,
          timeoutSeconds: 2,
        },
      }),
    ];
    workers = await startWorkers(loaded, ['ingestion']);
    client = await testClient();
    ingestion = await startIngestion(loaded, client, { providers: [SIM], chunkSeconds: 3 });

    // The same providers in a config file, for the CLI.
    const doc = parseDocument(readFileSync(DEFAULT_CONFIG_FILE, 'utf8'));
    doc.set('providers', loaded.config.providers);
    configFile = join(mkdtempSync(join(tmpdir(), 'alphabet-ingest-cli-')), 'config.yaml');
    writeFileSync(configFile, doc.toString());
  });

  afterAll(async () => {
    await terminateAll(client, [SIM, SIM2, DOWN].map(pollingWorkflowId));
    workers?.shutdown();
    await workers?.done;
    await ingestion?.stop();
    await client?.connection.close();
    down?.closeAllConnections();
    await new Promise((r) => down?.close(r));
    await stores.close();
  });

  /** The provider's history in ONE statement, so polls and rows come from the same snapshot. */
  async function history(provider: string) {
    const { rows } = await stores.db.query<{
      polls: string;
      quotes_seen: string;
      changes: string;
      rejects: string;
      rows: string;
    }>(
      `SELECT (SELECT count(*) FROM odds_polls WHERE provider = $1) AS polls,
              (SELECT COALESCE(sum(quotes_seen), 0) FROM odds_polls WHERE provider = $1) AS quotes_seen,
              (SELECT COALESCE(sum(changes_written), 0) FROM odds_polls WHERE provider = $1) AS changes,
              (SELECT COALESCE(sum(rejects), 0) FROM odds_polls WHERE provider = $1) AS rejects,
              (SELECT count(*) FROM odds_quotes WHERE provider = $1) AS rows`,
      [provider],
    );
    const r = rows[0]!;
    return {
      polls: Number(r.polls),
      quotesSeen: Number(r.quotes_seen),
      changes: Number(r.changes),
      rejects: Number(r.rejects),
      rows: Number(r.rows),
    };
  }

  it('ingests the simulated market into PostgreSQL and the Redis board, and reads well in the Web UI', async () => {
    expect(ingestion.pollers).toEqual([
      expect.objectContaining({ provider: SIM, result: 'started', workflowId: `odds-poll:${SIM}` }),
    ]);
    expect(ingestion.simulators[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const status = await until(
      client,
      SIM,
      (s) => s.totals.polls >= 3 && s.totals.changesWritten > 0,
      'polled three times',
    );
    expect(status).toMatchObject({ provider: SIM, providerType: 'simulated', mode: 'loop', paused: false });
    expect(status.quota?.remaining).toBeGreaterThan(0);
    expect(status.lastPollAt).not.toBeNull();

    const h = await history(SIM);
    expect(h.polls).toBeGreaterThanOrEqual(3);
    expect(h.rows).toBe(h.changes);
    expect(h.rows).toBeGreaterThan(0);

    const board = await readBoard(stores.redis, ingestKeys(loaded.config.redis.keyPrefix));
    const ours = board.filter((ev) => ev.markets.some((m) => m.quotes.some((q) => q.provider === SIM)));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.flatMap((e) => e.markets.map((m) => m.market.marketType))).toEqual(
      expect.arrayContaining(['h2h', 'totals']),
    );
    expect(await stores.redis.xlen(`${loaded.config.redis.keyPrefix}odds:changes`)).toBeGreaterThan(0);

    // A second start is a no-op.
    expect(await startPollingWorkflows(client, loaded, { providers: [SIM] })).toEqual([
      expect.objectContaining({ result: 'already-running' }),
    ]);

    const desc = await client.workflow.getHandle(pollingWorkflowId(SIM)).describe();
    expect(desc.typedSearchAttributes.get(SA.Provider)).toBe(SIM);
    expect(await desc.staticSummary()).toMatch(new RegExp(`Odds polling: ${SIM}`));
  }, 180_000);

  it('pauses, takes a validated interval update, resumes — all visible in the status query', async () => {
    const handle = client.workflow.getHandle(pollingWorkflowId(SIM));
    await handle.signal(pauseSignal);
    const paused = await until(client, SIM, (s) => s.state === 'paused', 'paused');
    expect(paused.paused).toBe(true);
    // Nothing is lost or counted twice: the status matches the history exactly.
    const h = await history(SIM);
    expect([
      paused.totals.polls,
      paused.totals.quotesSeen,
      paused.totals.changesWritten,
      paused.totals.rejects,
    ]).toEqual([h.polls, h.quotesSeen, h.changes, h.rejects]);

    const settings = await handle.executeUpdate(updateSettings, { args: [{ intervalSeconds: 0.5 }] });
    expect(settings).toEqual({ intervalSeconds: 0.5, sports: ['americanfootball_nfl', 'soccer_epl'] });
    for (const bad of [{ intervalSeconds: -1 }, { sports: ['cricket_ipl'] }, { sports: [] }, {}]) {
      await expect(handle.executeUpdate(updateSettings, { args: [bad] })).rejects.toBeInstanceOf(
        WorkflowUpdateFailedError,
      );
    }
    const afterUpdates = await handle.query(statusQuery);
    expect(afterUpdates).toMatchObject({
      state: 'paused',
      intervalSeconds: 0.5,
      sports: ['americanfootball_nfl', 'soccer_epl'],
    });
    expect(afterUpdates.totals.polls).toBe(paused.totals.polls);
    expect((await history(SIM)).polls).toBe(h.polls);

    await handle.signal(resumeSignal);
    const resumed = await until(
      client,
      SIM,
      (s) => !s.paused && s.totals.polls > paused.totals.polls,
      'resumed polling',
    );
    expect(resumed.intervalSeconds).toBe(0.5);

    // A settings update while polling cancels the running loop, which reports what it did.
    await handle.executeUpdate(updateSettings, { args: [{ sports: ['soccer_epl'] }] });
    await handle.signal(pauseSignal);
    const again = await until(client, SIM, (s) => s.state === 'paused', 'paused again');
    expect(again.sports).toEqual(['soccer_epl']);
    const h2 = await history(SIM);
    expect([again.totals.polls, again.totals.changesWritten]).toEqual([h2.polls, h2.changes]);
    await handle.signal(resumeSignal);
  }, 180_000);

  it('backs off a provider that is down, shows it in the status, and recovers', async () => {
    await startPollingWorkflows(client, loaded, { providers: [DOWN], maxBackoffSeconds: 2, chunkSeconds: 2 });
    const failing = await until(client, DOWN, (s) => s.state === 'backing-off', 'backed off');
    expect(failing.lastError).toMatchObject({
      type: 'ProviderUnavailable',
      nonRetryable: false,
      status: 503,
    });
    expect(failing.totals.errors).toBeGreaterThanOrEqual(3);
    expect(failing.backoffUntil).not.toBeNull();
    expect(failing.consecutiveFailures).toBeGreaterThanOrEqual(1);

    downMode = 'ok';
    const recovered = await until(
      client,
      DOWN,
      (s) => s.totals.polls > 0 && s.consecutiveFailures === 0,
      'recovered',
    );
    expect(recovered.quota).toMatchObject({ remaining: 42, used: 8 });
    expect(recovered.state === 'polling' || recovered.state === 'backing-off').toBe(true);
  }, 180_000);

  it('continues as new before the history grows large, carrying its totals', async () => {
    await startPollingWorkflows(client, loaded, { providers: [SIM2], historyLimit: 25, chunkSeconds: 1 });
    const status = await until(
      client,
      SIM2,
      (s) => s.runs >= 2 && s.totals.polls > 0,
      'continued as new twice',
    );
    await client.workflow.getHandle(pollingWorkflowId(SIM2)).signal(pauseSignal);
    const paused = await until(client, SIM2, (s) => s.state === 'paused', 'paused');
    expect(paused.runs).toBeGreaterThanOrEqual(status.runs);
    const h = await history(SIM2);
    expect([paused.totals.polls, paused.totals.changesWritten]).toEqual([h.polls, h.changes]);
    // The new run keeps the search attribute.
    const desc = await client.workflow.getHandle(pollingWorkflowId(SIM2)).describe();
    expect(desc.typedSearchAttributes.get(SA.Provider)).toBe(SIM2);
  }, 180_000);

  it('is driven by the CLI: poll status, pause, resume, and the board with quote ages', async () => {
    const cli = async (args: string[]) => {
      const r = await alphabetOnTestStack(args, {
        ALPHABET_CONFIG: configFile,
        REDIS_KEY_PREFIX: loaded.config.redis.keyPrefix,
      });
      if (r.code !== 0)
        throw new Error(`alphabet ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
      return r;
    };
    const status = JSON.parse((await cli(['poll', 'status', '--provider', SIM, '--json'])).stdout) as {
      pollers: { running: boolean; status: PollStatus }[];
    };
    expect(status.pollers[0]).toMatchObject({ running: true, status: { provider: SIM } });
    expect(status.pollers[0]!.status.totals.polls).toBeGreaterThan(0);

    await cli(['poll', 'pause', '--provider', SIM]);
    await until(client, SIM, (s) => s.state === 'paused', 'paused by the CLI');
    const human = (await cli(['poll', 'status', '--provider', SIM])).stdout;
    expect(human).toContain(`${SIM} (simulated): paused`);
    await cli(['poll', 'resume', '--provider', SIM]);
    await until(client, SIM, (s) => !s.paused, 'resumed by the CLI');

    const board = JSON.parse((await cli(['board', '--json'])).stdout) as {
      events: { eventId: string; markets: { quotes: { price: string; ageMs: number }[] }[] }[];
    };
    expect(board.events.length).toBeGreaterThan(0);
    const q = board.events[0]!.markets[0]!.quotes[0]!;
    expect(Number(q.price)).toBeGreaterThan(1);
    expect(q.ageMs).toBeGreaterThanOrEqual(0);
    // The event may have started (its quotes gone stale) by now: --stale shows them anyway, marked.
    const id = board.events[board.events.length - 1]!.eventId;
    const text = (await cli(['board', '--event', id, '--stale'])).stdout;
    expect(text.split('\n')[0]).toMatch(new RegExp(`^${id} `));
    expect(text).toMatch(/age\s+\d+/);
  }, 180_000);
});
