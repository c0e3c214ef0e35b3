import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { startWorkers, testClient, testConfig, testStores, stopTestPlatform } from '../helpers/platform';
import type { LoadedConfig } from '../../config/load';
import { SA } from '../../shared/search-attributes';
import type { rolloutWorkflow } from '../../workflows/rollout/workflow';
import {
  abortRolloutSignal,
  approveRolloutUpdate,
  rolloutWorkflowId,
} from '../../workflows/rollout/messages';
import {
  enteredStage,
  ROLLOUT_TEST_CONFIG,
  seedRolloutStrategy,
  settledRolloutBet,
  waitForRollout,
} from '../helpers/rollout';

describe('staged rollout on the real dev server', () => {
  let loaded: LoadedConfig;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let client: Client;
  const stores = testStores();
  const strategy = `rollout-${Date.now().toString(36)}`;
  let betSeq = 0;

  const settledBet = (status: 'won' | 'lost', stake: string, profit: string) =>
    settledRolloutBet(stores.db, strategy, { id: `${strategy}-${betSeq++}`, status, stake, profit });

  beforeAll(async () => {
    loaded = testConfig();
    workers = await startWorkers(loaded, ['strategies']);
    client = await testClient();
    await seedRolloutStrategy(stores.db, strategy);
  });

  afterAll(async () => {
    await stopTestPlatform({ workers, client, stores });
  });

  it('promotes through gates, waits for a manual approval, demotes on a breach and shows the stage', async () => {
    const handle = await client.workflow.start<typeof rolloutWorkflow>('rolloutWorkflow', {
      workflowId: rolloutWorkflowId(strategy),
      taskQueue: loaded.config.temporal.taskQueues.strategies,
      args: [{ strategy, config: ROLLOUT_TEST_CONFIG }],
    });

    // Paper: applied to the strategies table, then waiting for bets.
    let status = await waitForRollout(
      handle,
      (s) => s.stage === 'paper' && s.lastVerdict?.startsWith('wait') === true,
    );
    const row = async () =>
      (
        await stores.db.query<{ mode: string; stake_multiplier: string }>(
          'SELECT mode, stake_multiplier FROM strategies WHERE name = $1',
          [strategy],
        )
      ).rows[0];
    expect(await row()).toEqual({ mode: 'paper', stake_multiplier: '0' });

    // Approving before any gate waits for it is refused by the validator.
    await expect(handle.executeUpdate(approveRolloutUpdate, { args: ['alice'] })).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/nothing to approve: stage paper/) as unknown },
    });

    await settledBet('won', '10', '9.5');
    await settledBet('won', '10', '8');
    await settledBet('lost', '10', '-10');
    status = await waitForRollout(handle, (s) => enteredStage(s, 'live-0.25'));
    expect(status.events.map((e) => `${e.stage}:${e.event}`)).toContain('paper:passed');
    expect(await row()).toEqual({ mode: 'live', stake_multiplier: '0.25' });
    expect((await handle.describe()).typedSearchAttributes.get(SA.RolloutStage)).toBe('live-0.25');

    await settledBet('won', '5', '5');
    await settledBet('won', '5', '4');
    status = await waitForRollout(handle, (s) => s.awaitingApproval);
    expect(status.stage).toBe('live-0.25');
    const approved = await handle.executeUpdate(approveRolloutUpdate, { args: ['alice'] });
    expect(approved.strategy).toBe(strategy);

    status = await waitForRollout(handle, (s) => enteredStage(s, 'live-1.0'));
    expect(status.events.some((e) => e.event === 'approved' && e.reasons[0] === 'by alice')).toBe(true);
    expect(await row()).toEqual({ mode: 'live', stake_multiplier: '1.0' });

    // A loss at full stakes breaches the drawdown limit: back to 0.25 at once.
    await settledBet('lost', '50', '-50');
    status = await waitForRollout(handle, (s) => enteredStage(s, 'live-0.25', 2));
    expect(status.events.find((e) => e.event === 'breached')?.reasons[0]).toMatch(/drawdown/);
    expect(await row()).toEqual({ mode: 'live', stake_multiplier: '0.25' });

    await handle.signal(abortRolloutSignal, 'test over');
    const result = await handle.result();
    expect(result.outcome).toBe('aborted');
    expect(await row()).toEqual({ mode: 'paper', stake_multiplier: '0' });
    const changes = await stores.db.query(
      `SELECT count(*)::int AS n FROM strategy_changes WHERE strategy_name = $1 AND changed_by = 'rollout'`,
      [strategy],
    );
    expect(changes.rows[0].n).toBeGreaterThanOrEqual(5);
  });
});
