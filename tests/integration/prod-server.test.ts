import { join } from 'node:path';
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
import { OPEN_PAPER_GATE, startSimulatedPlatform, useSimulatedMarket } from '../helpers/sim-market';
import * as rolloutHelpers from '../helpers/rollout';
import { D } from '../../shared/math/decimal';
import { paperAccount } from '../../shared/paper';
import { balances } from '../../activities/bets/ledger';
import type { paperTradingWorkflow } from '../../workflows/paper/workflow';
import { PAPER_WORKFLOW } from '../../workflows/paper/messages';
import type { rolloutWorkflow } from '../../workflows/rollout/workflow';
import { abortRolloutSignal, rolloutWorkflowId } from '../../workflows/rollout/messages';

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

  it(
    'runs a paper session and advances a rollout stage on the server, its bets on the bets workers above',
    { timeout: 180_000 },
    async () => {
      const sim = `sim-prod-${run}`;
      const paperStrategy = `${STRATEGY}-paper`;
      const rolloutStrategy = `${STRATEGY}-rollout`;
      // Ingestion (the simulated market) and strategies run in this process, on the same server.
      loaded.config.temporal.address = server.address;
      await useSimulatedMarket(loaded, sim, 13);
      loaded.config.paper = {
        ...loaded.config.paper,
        progressIntervalSeconds: 0.5,
        reportDir: join(inject('dataDir'), `paper-reports-${run}`),
      };
      await rolloutHelpers.seedRolloutStrategy(stores.db, rolloutStrategy);
      const platform = await startSimulatedPlatform(
        loaded,
        sim,
        { db: stores.db, name: paperStrategy, enabled: false, mode: 'backtest', stakeMultiplier: '0' },
        { roles: ['ingestion', 'strategies'], address: server.address },
      );
      const strategies = loaded.config.temporal.taskQueues.strategies;
      const paperId = `paper:${paperStrategy}:prod`;
      try {
        const paper = await platform.client.workflow.start<typeof paperTradingWorkflow>(PAPER_WORKFLOW, {
          workflowId: paperId,
          taskQueue: strategies,
          args: [
            {
              strategy: paperStrategy,
              bankroll: '500',
              bets: 1,
              duration: '5m',
              settleTimeout: '3m',
              gate: OPEN_PAPER_GATE,
              by: 'tester',
            },
          ],
        });

        // The rollout's paper stage passes on three settled bets: the strategy goes live at 0.25.
        const rollout = await platform.client.workflow.start<typeof rolloutWorkflow>('rolloutWorkflow', {
          workflowId: rolloutWorkflowId(rolloutStrategy),
          taskQueue: strategies,
          args: [{ strategy: rolloutStrategy, config: rolloutHelpers.ROLLOUT_TEST_CONFIG }],
        });
        await rolloutHelpers.waitForRollout(
          rollout,
          (s) => s.stage === 'paper' && s.lastVerdict?.startsWith('wait') === true,
        );
        for (const [i, status, profit] of [
          [0, 'won', '9.5'],
          [1, 'won', '8'],
          [2, 'lost', '-10'],
        ] as const)
          await rolloutHelpers.settledRolloutBet(stores.db, rolloutStrategy, {
            id: `${rolloutStrategy}-${i}`,
            status,
            stake: '10',
            profit,
          });
        const status = await rolloutHelpers.waitForRollout(rollout, (s) =>
          rolloutHelpers.enteredStage(s, 'live-0.25'),
        );
        expect(status.events.map((e) => `${e.stage}:${e.event}`)).toContain('paper:passed');
        const { rows } = await stores.db.query<{ mode: string; stake_multiplier: string }>(
          'SELECT mode, stake_multiplier FROM strategies WHERE name = $1',
          [rolloutStrategy],
        );
        expect(rows[0]).toEqual({ mode: 'live', stake_multiplier: '0.25' });
        await rollout.signal(abortRolloutSignal, 'test over');
        expect((await rollout.result()).outcome).toBe('aborted');

        // The paper session bet once on its own bankroll; the ledger agrees with the bet to the cent.
        const r = await paper.result();
        expect(r.endReason).toBe('1 bets placed');
        expect(r.verdict, JSON.stringify(r.verdictReasons)).toBe('pass');
        const { rows: bets } = await stores.db.query<{ account: string; profit_loss: string | null }>(
          `SELECT account, profit_loss::text AS profit_loss FROM bets WHERE paper_session_id = $1 AND status <> 'skipped'`,
          [r.sessionId],
        );
        expect(bets.length).toBeGreaterThanOrEqual(1);
        expect(new Set(bets.map((b) => b.account))).toEqual(new Set([paperAccount(r.sessionId)]));
        const pnl = bets.reduce((sum, b) => sum.plus(b.profit_loss ?? 0), new D(0));
        const ledger = await balances(stores.db, paperAccount(r.sessionId));
        expect(new D(ledger.equity).eq(new D('500').plus(pnl))).toBe(true);
        expect(new D(r.metrics.profit).eq(pnl)).toBe(true);
      } finally {
        await platform.stop([paperId, rolloutWorkflowId(rolloutStrategy)]);
      }
    },
  );
});
