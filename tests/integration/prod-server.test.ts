import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Client } from '@temporalio/client';
import { startWorkerProcess, testClient, testConfig, testStores } from '../helpers/platform';
import { patchConfig, seedStrategy } from '../fixtures/bet-data';
import { runNames } from '../helpers/bet-setup';
import * as chaos from '../helpers/bet-chaos';
import {
  dropTemporalDatabases,
  ensureServerBinaries,
  setupTemporalDatabases,
  startTemporalServer,
  stopTemporalServer,
  type ServerBinaries,
  type ServerOptions,
} from '../../scripts/temporal-server';
import { mulberry32 } from '../../shared/random';

// The production topology here: Temporal's own server on PostgreSQL (its databases this run's own),
// two `alphabet worker --queues bets` processes; one is SIGKILLed repeatedly and the server restarted once.
const { run, SPORT, STRATEGY, ACCOUNT } = runNames('prod');
const LIFECYCLES = 30;
const KILLS = 3;

const CONFIG_PATCH = chaos.chaosConfigPatch(ACCOUNT);

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, '127.0.0.1', () => s.close(() => done(true)));
  });
}

/** Nine consecutive free ports (the server's frontend, history, matching and worker services). */
async function freePortBlock(): Promise<number> {
  for (;;) {
    // Below 32768: the server stores its membership ports in a SMALLINT column (cluster_membership).
    const base = 21_000 + Math.floor(Math.random() * 11_000);
    let ok = true;
    for (let p = base; p < base + 9 && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
}

describe('bet lifecycles on the Temporal server (PostgreSQL), two bets workers, kills and a server restart', () => {
  const loaded = patchConfig(testConfig(), CONFIG_PATCH);
  const taskQueue = loaded.config.temporal.taskQueues.bets;
  const stores = testStores();
  let bin: ServerBinaries;
  let o: ServerOptions;
  let client: Client;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    bin = await ensureServerBinaries();
    o = {
      dataDir: join(inject('dataDir'), `prod-server-${run}`),
      ip: '127.0.0.1',
      port: await freePortBlock(),
      historyShards: 2,
      databases: { temporal: `temporal_test_${process.pid}`, visibility: `temporal_vis_test_${process.pid}` },
      dynamicConfig: 'deploy/temporal/dynamicconfig/development-sql.yaml',
      namespace: 'default',
      databaseUrl: inject('databaseUrl'),
    };
    await dropTemporalDatabases(o);
    await setupTemporalDatabases(bin, o, () => undefined);
    await startTemporalServer(bin, o);
    client = await testClient(`${o.ip}:${o.port}`);
    await seedStrategy(stores.db, STRATEGY);
  }, 240_000);

  afterAll(async () => {
    for (const w of workers) await chaos.killChild(w);
    await client?.connection.close();
    if (o) {
      await stopTemporalServer(o.dataDir);
      await dropTemporalDatabases(o);
    }
    await stores.close();
  });

  const startWorker = () =>
    startWorkerProcess(loaded, 'bets', { TEMPORAL_ADDRESS: `${o.ip}:${o.port}` }).then((w) => {
      workers.push(w);
      return w;
    });

  it(
    'every bet ends once, none is placed twice, the ledger balances to the cent',
    { timeout: 360_000 },
    async () => {
      const random = mulberry32(0x9f0d);
      const opportunities = await chaos.seedChaosBets(stores, loaded.config.redis.keyPrefix, {
        tag: `prod-${run}`,
        sport: SPORT,
        strategy: STRATEGY,
        count: LIFECYCLES,
        random,
      });

      const steady = await startWorker();
      let victim = await startWorker();
      await chaos.startChaosLifecycles(client, opportunities, taskQueue);
      for (let k = 0; k < KILLS; k++) {
        await new Promise((r) => setTimeout(r, 300 + Math.floor(random() * 2_500)));
        await chaos.killChild(victim);
        if (k === 1) {
          // The server itself goes down and comes back on the same databases, workers still running.
          await stopTemporalServer(o.dataDir);
          await startTemporalServer(bin, o);
        }
        victim = await startWorker();
      }
      expect(steady.exitCode).toBeNull();

      await chaos.expectChaosOutcome(client, stores, opportunities, {
        sport: SPORT,
        strategy: STRATEGY,
        account: ACCOUNT,
      });
    },
  );
});
