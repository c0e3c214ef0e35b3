import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { startWorkers, testClient, testConfig, testStores } from '../helpers/platform';
import { freePort } from '../helpers/ports';
import { finishEvent, patchConfig, seedEvent, seedStrategy, seedValueBet, TEAMS } from '../fixtures/bet-data';
import { runNames, QUICK_SETTLEMENT } from '../helpers/bet-setup';
import { startBetLifecycle } from '../../workflows/bets/client';
import { connectClient, payloadCodec } from '../../activities/infra/temporal';
import { KEY_ID_METADATA, ENCRYPTED_ENCODING } from '../../activities/infra/payload-codec';
import { startCodecServer, type RunningCodecServer } from '../../activities/infra/codec-server';
import { startDevServer, stopDevServer } from '../../scripts/devserver';
import { betStateQuery, betWorkflowId, type BetLifecycleResult } from '../../workflows/bets/messages';
import type { LoadedConfig } from '../../config/load';

const { run, SPORT, STRATEGY } = runNames('enc');
const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const utf8 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');

/** Every payload in a raw history, except search attributes (indexed by the server, never encoded). */
function payloadsOf(node: unknown, out: Payload[] = []): Payload[] {
  if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return out;
  // Markers the SDK's core writes itself, not through the data converter, hold no business data: a
  // `patched()` marker its patch id; a local activity marker's `data` its sequence number, activity type and
  // times. A local activity's `result` goes through the codec like any other payload.
  const marker = node as { markerName?: string; details?: Record<string, unknown> };
  if (marker.markerName === 'core_patch') return out;
  if (marker.markerName === 'core_local_activity') return payloadsOf(marker.details?.result, out);
  if ('data' in node && 'metadata' in node && (node as Payload).metadata) out.push(node as Payload);
  for (const [key, value] of Object.entries(node))
    if (key !== 'searchAttributes' && key !== 'indexedFields') payloadsOf(value, out);
  return out;
}

describe('payload encryption on the real dev server', { timeout: 180_000 }, () => {
  let loaded: LoadedConfig;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let plainClient: Client;
  let codecClient: Client;
  const stores = testStores();
  const opportunityId = `opp-enc-${run}`;
  const eventId = `ev-enc-${run}`;
  let rawPayloads: Payload[] = [];

  beforeAll(async () => {
    loaded = patchConfig(
      testConfig({ TEMPORAL_PAYLOAD_ENCRYPTION: 'true', ALPHABET_PAYLOAD_KEYS: `k1:${k1}` }),
      {
        risk: { accounts: { paper: `paper-${run}`, live: `live-${run}` } },
        placement: {
          requote: { maxQuoteAgeSeconds: 3600 },
          settlement: QUICK_SETTLEMENT,
        },
        alerts: { routes: [] },
      },
    );
    workers = await startWorkers(loaded, ['bets']);
    plainClient = await testClient();
    codecClient = await connectClient(loaded.config, loaded.secrets);
    await seedStrategy(stores.db, STRATEGY);
  });

  afterAll(async () => {
    workers?.shutdown();
    await workers?.done;
    await plainClient?.connection.close();
    await codecClient?.connection.close();
    await stores.close();
  });

  it('a bet’s history holds no readable stake, account or event; the key id is in the metadata', async () => {
    await seedEvent(stores.db, { eventId, sport: SPORT, startInMs: 2_000 });
    const opp = await seedValueBet(stores.db, stores.redis, loaded.config.redis.keyPrefix, {
      id: opportunityId,
      strategy: STRATEGY,
      sport: SPORT,
      eventId,
    });
    const started = await startBetLifecycle(codecClient, opp, {
      taskQueue: loaded.config.temporal.taskQueues.bets,
      eventLabel: 'KC@BUF',
    });
    const handle = codecClient.workflow.getHandle(started.workflowId);
    for (let i = 0; i < 600 && (await handle.query(betStateQuery)).phase !== 'awaiting_result'; i++)
      await new Promise((r) => setTimeout(r, 100));
    await finishEvent(stores.db, eventId, { [TEAMS.away]: '24', [TEAMS.home]: '20' });
    const result = (await handle.result()) as BetLifecycleResult;
    expect(result.status).toBe('won');

    // Read the history as the Web UI or `temporal workflow show` would without the codec.
    const { history } = await plainClient.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId: betWorkflowId(opportunityId) },
      maximumPageSize: 1000,
    });
    rawPayloads = payloadsOf(history?.events ?? []);
    expect(rawPayloads.length).toBeGreaterThan(5);

    // What the payloads say in clear, through the codec: the stake (200, capped at 2 %) among them.
    const decoded = await payloadCodec(loaded.config, loaded.secrets)!.decode(rawPayloads);
    const clear = decoded.map((p) => utf8(p.data)).join('\n');
    const secrets = ['"200"', `paper-${run}`, eventId, TEAMS.away, '"2.1'];
    for (const s of ['"200"', eventId, TEAMS.away]) expect(clear, s).toContain(s);

    for (const p of rawPayloads) {
      expect(utf8(p.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(utf8(p.metadata![KEY_ID_METADATA])).toBe('k1');
      expect(Object.keys(p.metadata!).sort()).toEqual(['encoding', KEY_ID_METADATA]);
      const bytes = Buffer.from(p.data ?? new Uint8Array());
      for (const s of secrets) expect(bytes.includes(s), `payload holds ${s}`).toBe(false);
    }
    // A client without the codec cannot read the result.
    await expect(plainClient.workflow.getHandle(betWorkflowId(opportunityId)).result()).rejects.toThrow(
      /binary\/encrypted/,
    );
  });

  it('rotation: a client with a new key listed first still decodes what the old key encrypted', async () => {
    const rotated = { ...loaded, secrets: { ...loaded.secrets, ALPHABET_PAYLOAD_KEYS: `k2:${k2},k1:${k1}` } };
    const client = await connectClient(rotated.config, rotated.secrets);
    try {
      const result = (await client.workflow
        .getHandle(betWorkflowId(opportunityId))
        .result()) as BetLifecycleResult;
      expect(result).toMatchObject({ opportunityId, status: 'won' });
      expect(result.legs[0]).toMatchObject({ stake: '200', status: 'won' });
    } finally {
      await client.connection.close();
    }
  });

  describe('the Web UI and its codec endpoint', () => {
    let codec: RunningCodecServer;
    let uiUrl: string;
    const dataDir = mkdtempSync(join(tmpdir(), 'alphabet-ui-'));

    beforeAll(async () => {
      const uiPort = await freePort();
      uiUrl = `http://127.0.0.1:${uiPort}`;
      codec = await startCodecServer({
        codec: payloadCodec(loaded.config, loaded.secrets)!,
        namespace: 'default',
        corsOrigins: [uiUrl],
        host: '127.0.0.1',
        port: 0,
      });
      await startDevServer({
        temporalCli: inject('temporalCli'),
        dataDir,
        dbFile: 'temporal.sqlite',
        ip: '127.0.0.1',
        port: await freePort(),
        uiPort,
        namespace: 'default',
        uiCodecEndpoint: codec.url,
      });
    });

    afterAll(async () => {
      await stopDevServer(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
      await codec?.close();
    });

    it('the dev server’s UI is told the codec endpoint, and the endpoint decodes the bet’s payloads for it', async () => {
      let settings: { Codec?: { Endpoint?: string } } = {};
      for (let i = 0; i < 100 && !settings.Codec; i++) {
        const res = await fetch(`${uiUrl}/api/v1/settings`).catch(() => null);
        if (res?.ok) settings = (await res.json()) as typeof settings;
        else await new Promise((r) => setTimeout(r, 200));
      }
      expect(settings.Codec?.Endpoint).toBe(codec.url);

      // What the UI's browser code does: preflight from its origin, then POST /decode.
      const preflight = await fetch(`${codec.url}/decode`, {
        method: 'OPTIONS',
        headers: {
          origin: uiUrl,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace',
        },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe(uiUrl);
      const res = await fetch(`${codec.url}/decode`, {
        method: 'POST',
        headers: { origin: uiUrl, 'content-type': 'application/json', 'x-namespace': 'default' },
        body: JSON.stringify({
          payloads: rawPayloads.map((p) => ({
            metadata: Object.fromEntries(
              Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
            ),
            data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
          })),
        }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(uiUrl);
      const { payloads } = (await res.json()) as { payloads: { data: string }[] };
      const clear = payloads.map((p) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');
      expect(clear).toContain('"200"');
      expect(clear).toContain(eventId);
    });
  });
});
