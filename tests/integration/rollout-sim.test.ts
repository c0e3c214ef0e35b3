import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { testConfig, testStores } from '../helpers/platform';
import { runNames } from '../helpers/bet-setup';
import { startSimulatedPlatform, useSimulatedMarket, type SimulatedPlatform } from '../helpers/sim-market';
import type { LoadedConfig } from '../../config/load';
import { SA } from '../../shared/search-attributes';
import { RolloutGate, type RolloutConfig } from '../../shared/rollout';
import { strategyWorkflowId } from '../../workflows/strategies/messages';
import type { rolloutWorkflow } from '../../workflows/rollout/workflow';
import {
  abortRolloutSignal,
  rolloutStatusQuery,
  rolloutWorkflowId,
  type RolloutStatus,
} from '../../workflows/rollout/messages';

const { run, STRATEGY } = runNames('rollout-sim');
const SIM = `sim-rollout-${run}`;

/** One settled bet after a second; every other check off (the schema's defaults). */
const gate = RolloutGate.parse({ minDurationSeconds: 1, minBets: 1 });
/**
 * The backtest stage replays the odds history the poller records (PostgreSQL) through the strategy and passes
 * once one of its bets settles from a recorded result; paper passes on its first settled bet; live-0.25 asks
 * a yield no value bet reaches (odds are capped at 10).
 */
const CONFIG: RolloutConfig = {
  checkIntervalSeconds: 1,
  stages: [
    { name: 'backtest', mode: 'backtest', stakeMultiplier: '0', onBreach: 'pause', gate },
    { name: 'paper', mode: 'paper', stakeMultiplier: '1', onBreach: 'pause', gate },
    {
      name: 'live-0.25',
      mode: 'live',
      stakeMultiplier: '0.25',
      onBreach: 'demote',
      gate: { ...gate, minYield: '10' },
    },
  ],
};

describe('staged rollout against the simulated market', () => {
  let loaded: LoadedConfig;
  let platform: SimulatedPlatform;
  let client: Client;
  const stores = testStores();

  beforeAll(async () => {
    loaded = testConfig();
    await useSimulatedMarket(loaded, SIM, 23);
    // Live stakes go to the paper book here: no real bookmaker in a test.
    loaded.config.placement.liveMode = 'paper';
    platform = await startSimulatedPlatform(loaded, SIM, {
      db: stores.db,
      name: STRATEGY,
      enabled: true,
      mode: 'backtest',
      stakeMultiplier: '0',
    });
    client = platform.client;
  });

  afterAll(async () => {
    await platform?.stop([strategyWorkflowId(STRATEGY)]);
    await stores.close();
  });

  it('moves the running strategy from a backtest of the recorded history through paper into live stakes, demotes it on a failed gate, and shows the stage', async () => {
    // The strategy's own workflow starts in backtest mode: it records, never bets, until the rollout moves it.
    await client.workflow.start('strategyWorkflow', {
      workflowId: strategyWorkflowId(STRATEGY),
      taskQueue: loaded.config.temporal.taskQueues.strategies,
      args: [{ name: STRATEGY }],
    });
    const handle: WorkflowHandle<typeof rolloutWorkflow> = await client.workflow.start<
      typeof rolloutWorkflow
    >('rolloutWorkflow', {
      workflowId: rolloutWorkflowId(STRATEGY),
      taskQueue: loaded.config.temporal.taskQueues.strategies,
      args: [{ strategy: STRATEGY, config: CONFIG }],
    });
    const seen = (s: RolloutStatus, stage: string, event: string) =>
      s.events.filter((e) => e.stage === stage && e.event === event).length;
    const deadline = Date.now() + 360_000;
    let status: RolloutStatus;
    for (;;) {
      status = await handle.query(rolloutStatusQuery);
      if (seen(status, 'live-0.25', 'failed') >= 1 && seen(status, 'paper', 'entered') >= 2) break;
      if (Date.now() > deadline) throw new Error(`no demotion: ${JSON.stringify(status)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(status.events.map((e) => `${e.stage}:${e.event}`)).toEqual(
      expect.arrayContaining([
        'backtest:entered',
        'backtest:passed',
        'paper:entered',
        'paper:passed',
        'live-0.25:entered',
        'live-0.25:failed',
      ]),
    );
    const backtest = status.events.find((e) => e.stage === 'backtest' && e.event === 'passed')!;
    expect(backtest.reasons[0]).toMatch(/^\d+ settled bets$/);
    const failed = status.events.find((e) => e.stage === 'live-0.25' && e.event === 'failed')!;
    expect(failed.reasons.join(' ')).toMatch(/yield -?[\d.]+% below 1000%/);
    // Back on paper: the Web UI's RolloutStage says so.
    expect(status.stage).toBe('paper');
    expect((await handle.describe()).typedSearchAttributes.get(SA.RolloutStage)).toBe('paper');

    // The running strategy workflow followed the stages: it bet on paper and at live stakes, by the rules.
    const { rows } = await stores.db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM bets WHERE strategy_name = $1 GROUP BY status`,
      [STRATEGY],
    );
    const settled = rows
      .filter((r) => ['won', 'lost', 'push'].includes(r.status))
      .reduce((n, r) => n + r.n, 0);
    expect(settled).toBeGreaterThanOrEqual(2);
    const { rows: changes } = await stores.db.query<{ new_value: { stage: string } }>(
      `SELECT new_value FROM strategy_changes WHERE strategy_name = $1 AND changed_by = 'rollout' ORDER BY changed_at`,
      [STRATEGY],
    );
    expect(changes.map((c) => c.new_value.stage)).toEqual(['paper', 'live-0.25', 'paper']);

    await handle.signal(abortRolloutSignal, 'test over');
    expect((await handle.result()).outcome).toBe('aborted');
  }, 420_000);
});
