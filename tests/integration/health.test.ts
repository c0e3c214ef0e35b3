import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { startWorkers, testClient, testConfig, testStores, stopTestPlatform } from '../helpers/platform';
import type { LoadedConfig } from '../../config/load';
import type { healthCheckWorkflow } from '../../workflows';

describe('health-check workflow on the real dev server', () => {
  let loaded: LoadedConfig;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let client: Client;
  const stores = testStores();

  beforeAll(async () => {
    loaded = testConfig();
    workers = await startWorkers(loaded);
    client = await testClient();
  });

  afterAll(async () => {
    await stopTestPlatform({ workers, client, stores });
  });

  it('writes to PostgreSQL and Redis from every task queue and reads the values back', async () => {
    const probeId = `probe-${Date.now()}`;
    const q = loaded.config.temporal.taskQueues;
    const queues = [q.ingestion, q.strategies, q.bets];
    const report = await client.workflow.execute<typeof healthCheckWorkflow>('healthCheckWorkflow', {
      workflowId: probeId,
      taskQueue: q.ingestion,
      args: [{ probeId, taskQueues: queues }],
    });

    expect(report.ok).toBe(true);
    expect(report.results).toHaveLength(6);

    // Check the stores directly, not through the platform's own code.
    const { rows } = await stores.db.query<{ task_queue: string; value: string }>(
      `SELECT task_queue, payload->>'value' AS value FROM health_checks WHERE probe_id = $1 ORDER BY task_queue`,
      [probeId],
    );
    expect(rows.map((r) => r.task_queue).sort()).toEqual([...queues].sort());
    for (const row of rows) expect(row.value).toBe(`${probeId}@${row.task_queue}`);
    for (const queue of queues) {
      expect(await stores.redis.get(`${loaded.config.redis.keyPrefix}health:${probeId}:${queue}`)).toBe(
        `${probeId}@${queue}`,
      );
    }
  });

  it('fails the probe when a task queue has no worker, instead of hanging', async () => {
    const probeId = `probe-missing-${Date.now()}`;
    const handle = await client.workflow.start<typeof healthCheckWorkflow>('healthCheckWorkflow', {
      workflowId: probeId,
      taskQueue: loaded.config.temporal.taskQueues.ingestion,
      args: [{ probeId, taskQueues: ['nobody-polls-this-queue'] }],
      workflowExecutionTimeout: '5 seconds',
    });
    await expect(handle.result()).rejects.toThrow();
    const { rows } = await stores.db.query(`SELECT 1 FROM health_checks WHERE probe_id = $1`, [probeId]);
    expect(rows).toHaveLength(0);
  });
});
