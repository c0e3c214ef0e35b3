import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { startWorkerProcess, startWorkers, testClient, testConfig } from '../helpers/platform';
import { createActivities } from '../../activities';
import { createLogger } from '../../activities/infra/logger';
import { createWorkerSet, type WorkerSet } from '../../workers/worker';
import { QUEUE_ACTIVITIES, QUEUE_ROLES } from '../../shared/queues';
import type { healthCheckWorkflow } from '../../workflows';

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

describe('a worker serves only its own queue', () => {
  const loaded = testConfig();
  const queues = loaded.config.temporal.taskQueues;
  let client: Client;
  // The production path: no prebuilt bundle, so the bets entry alone is bundled.
  let bets: WorkerSet;
  let betsDone: Promise<void>;

  beforeAll(async () => {
    client = await testClient();
    bets = await createWorkerSet({
      loaded,
      roles: ['bets'],
      logger: createLogger({ level: 'warn', name: 'test-worker' }),
    });
    betsDone = bets.run();
  });

  afterAll(async () => {
    bets?.shutdown();
    await betsDone;
    await client?.connection.close();
  });

  it('registers exactly the bets activities, and the three queues together cover every activity', () => {
    expect(bets.workers).toHaveLength(1);
    expect(sorted(bets.workers[0]!.options.activities.keys())).toEqual(sorted(QUEUE_ACTIVITIES.bets));
    expect(sorted(QUEUE_ROLES.flatMap((r) => QUEUE_ACTIVITIES[r]))).toEqual(
      sorted(Object.keys(createActivities(bets.deps))),
    );
  });

  it('runs its own workflows from the bets bundle: a health check probing the bets queue', async () => {
    const probeId = `probe-bets-only-${Date.now()}`;
    const report = await client.workflow.execute<typeof healthCheckWorkflow>('healthCheckWorkflow', {
      workflowId: probeId,
      taskQueue: queues.bets,
      args: [{ probeId, taskQueues: [queues.bets] }],
    });
    expect(report.ok).toBe(true);
  });

  it('does not run a strategies workflow started on the bets queue: "not found" in its bundle', async () => {
    const handle = await client.workflow.start('strategyWorkflow', {
      workflowId: `strategy-on-bets-${Date.now()}`,
      taskQueue: queues.bets,
      args: [{ name: 'nobody' }],
    });
    try {
      let failure: string | null | undefined;
      for (let i = 0; i < 300 && !failure; i++) {
        const { events } = await handle.fetchHistory();
        failure = events?.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes
          ?.failure?.message;
        if (!failure) await new Promise((r) => setTimeout(r, 100));
      }
      expect(failure).toMatch(/strategyWorkflow/);
      expect((await handle.describe()).status.name).toBe('RUNNING');
    } finally {
      await handle.terminate('test done');
    }
  });

  it('every queue of an all-queues worker set registers only its own activities', async () => {
    const all = await startWorkers(testConfig(), QUEUE_ROLES);
    try {
      QUEUE_ROLES.forEach((role, i) =>
        expect(sorted(all.workers[i]!.options.activities.keys()), role).toEqual(
          sorted(QUEUE_ACTIVITIES[role]),
        ),
      );
    } finally {
      all.shutdown();
      await all.done;
    }
  });

  it('the worker process (alphabet worker --queues bets) serves only bets, drains on SIGTERM and exits 0', async () => {
    const own = testConfig();
    const worker = await startWorkerProcess(own, 'bets');
    const exited = new Promise<number | string | null>((resolve) =>
      worker.once('exit', (code, signal) => resolve(code ?? signal)),
    );
    try {
      const probeId = `probe-process-${Date.now()}`;
      const report = await client.workflow.execute<typeof healthCheckWorkflow>('healthCheckWorkflow', {
        workflowId: probeId,
        taskQueue: own.config.temporal.taskQueues.bets,
        args: [{ probeId, taskQueues: [own.config.temporal.taskQueues.bets] }],
      });
      expect(report.ok).toBe(true);
      expect(worker.output()).toContain(`"taskQueues":["${own.config.temporal.taskQueues.bets}"]`);
    } finally {
      worker.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(worker.output()).toContain('"msg":"workers stopped, connections closed"');
  });
});
