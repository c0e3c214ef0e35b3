import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { startWorkerProcess, testClient, testConfig, testStores } from '../helpers/platform';
import { patchConfig, seedStrategy } from '../fixtures/bet-data';
import { runNames } from '../helpers/bet-setup';
import {
  chaosConfigPatch,
  expectChaosOutcome,
  killChild as kill,
  seedChaosBets,
  startChaosLifecycles,
} from '../helpers/bet-chaos';
import { mulberry32 } from '../../shared/random';

const { run, SPORT, STRATEGY, ACCOUNT } = runNames('kill');
const LIFECYCLES = 50;
const KILLS = 4;
const SEED = 0x6b111;

const prng = mulberry32;

const CONFIG_PATCH = chaosConfigPatch(ACCOUNT);

describe('50 bet lifecycles survive SIGKILLs of their worker', () => {
  // The worker under test is the production one (`alphabet worker --queues bets`), its config file
  // holding this test's queues, accounts, limits and short delays.
  const loaded = patchConfig(testConfig(), CONFIG_PATCH);
  const taskQueue = loaded.config.temporal.taskQueues.bets;
  const stores = testStores();
  let client: Client;
  let worker: ChildProcess | null = null;

  async function startWorker(): Promise<ChildProcess> {
    worker = await startWorkerProcess(loaded, 'bets');
    return worker;
  }

  beforeAll(async () => {
    client = await testClient();
    await seedStrategy(stores.db, STRATEGY);
  });

  afterAll(async () => {
    if (worker) await kill(worker);
    await client?.connection.close();
    await stores.close();
  });

  it(
    'every bet reaches a recorded ending, none is placed twice, the ledger balances to the cent',
    { timeout: 240_000 },
    async () => {
      const random = prng(SEED);
      const prefix = loaded.config.redis.keyPrefix;
      const opportunities = await seedChaosBets(stores, prefix, {
        tag: `kill-${run}`,
        sport: SPORT,
        strategy: STRATEGY,
        count: LIFECYCLES,
        random,
      });

      await startWorker();
      await startChaosLifecycles(client, opportunities, taskQueue);
      // SIGKILL at seeded random moments: mid-activity, mid-transaction, mid-workflow-task.
      for (let k = 0; k < KILLS; k++) {
        await new Promise((r) => setTimeout(r, 300 + Math.floor(random() * 2_500)));
        await kill(worker!);
        await startWorker();
      }

      const bets = await expectChaosOutcome(client, stores, opportunities, {
        sport: SPORT,
        strategy: STRATEGY,
        account: ACCOUNT,
      });
      expect(bets.filter((b) => b.status === 'skipped').length).toBeGreaterThanOrEqual(7);
      expect(bets.filter((b) => ['won', 'lost'].includes(b.status)).length).toBeGreaterThan(20);
    },
  );
});
