import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Client } from '@temporalio/client';
import { startWorkerProcess, testClient, testConfig, testStores } from '../helpers/platform';
import { patchConfig, seedStrategy } from '../fixtures/bet-data';
import { runNames } from '../helpers/bet-setup';
import * as chaos from '../helpers/bet-chaos';
import { scratchTemporalServer, type ScratchTemporalServer } from '../helpers/scratch';
import { startTemporalServer, stopTemporalServer } from '../../scripts/temporal-server';
import { mulberry32 } from '../../shared/random';

// The production topology here: Temporal's own server on PostgreSQL (its databases this run's own),
// two `alphabet worker --queues bets` processes; one is SIGKILLed repeatedly and the server restarted once.
const { run, SPORT, STRATEGY, ACCOUNT } = runNames('prod');
const LIFECYCLES = 30;
const KILLS = 3;

const CONFIG_PATCH = chaos.chaosConfigPatch(ACCOUNT);

describe('bet lifecycles on the Temporal server (PostgreSQL), two bets workers, kills and a server restart', () => {
  const loaded = patchConfig(testConfig(), CONFIG_PATCH);
  const taskQueue = loaded.config.temporal.taskQueues.bets;
  const stores = testStores();
  let server: ScratchTemporalServer;
  let client: Client;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    server = await scratchTemporalServer(inject('databaseUrl'), inject('dataDir'), `test_${process.pid}`, 2);
    client = await testClient(server.address);
    await seedStrategy(stores.db, STRATEGY);
  }, 240_000);

  afterAll(async () => {
    for (const w of workers) await chaos.killChild(w);
    await client?.connection.close();
    await server?.stop();
    await stores.close();
  });

  const startWorker = () =>
    startWorkerProcess(loaded, 'bets', { TEMPORAL_ADDRESS: server.address }).then((w) => {
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
          await stopTemporalServer(server.options.dataDir);
          await startTemporalServer(server.bin, server.options);
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
