import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';

/**
 * Minimal 7-activity workflows (bench/lifecycle-workflows.ts) per second on the server at `address`: `count`
 * at once, best of two rounds, with a worker of its own on a task queue named after `label`.
 */
export async function minimalRate(
  address: string,
  label: string,
  bundlePath: string,
  count: number,
): Promise<number> {
  const connection = await NativeConnection.connect({ address });
  const taskQueue = `bench-minimal-${label}`;
  const worker = await Worker.create({
    connection,
    taskQueue,
    activities: { benchNoop: (i: number) => Promise.resolve(i) },
    workflowBundle: { codePath: bundlePath },
  });
  const c = new Client({ connection: await Connection.connect({ address }) });
  let best = 0;
  await worker.runUntil(async () => {
    for (let round = 0; round < 2; round++) {
      const t0 = performance.now();
      const handles = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          c.workflow.start('minimalLifecycleWorkflow', {
            workflowId: `minimal-${label}-${round}-${i}`,
            taskQueue,
            args: [7],
          }),
        ),
      );
      await Promise.all(handles.map((h) => h.result()));
      best = Math.max(best, count / ((performance.now() - t0) / 1000));
    }
  });
  await c.connection.close();
  await connection.close();
  return best;
}
