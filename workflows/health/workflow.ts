import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { ProbeResult } from '../../activities';
import type { QueueActivities, QueueRole } from '../../shared/queues';
import type { HealthCheckInput, HealthReport } from './messages';

export type { HealthCheckInput, HealthReport } from './messages';

/** Proves the platform end to end: each task queue's worker writes to and reads from PostgreSQL and Redis. */
export async function healthCheckWorkflow({ probeId, taskQueues }: HealthCheckInput): Promise<HealthReport> {
  const results: ProbeResult[] = [];
  for (const taskQueue of taskQueues) {
    const probes = proxyActivities<QueueActivities<QueueRole>>({
      taskQueue,
      startToCloseTimeout: '30 seconds',
      // A worker not yet polling this queue must not hang the check forever.
      scheduleToCloseTimeout: '5 minutes',
      retry: { maximumAttempts: 5, initialInterval: '1 second' },
    });
    setCurrentDetails(`probing **${taskQueue}**: PostgreSQL and Redis round trips`);
    results.push(await probes.probePostgres({ probeId, taskQueue }));
    results.push(await probes.probeRedis({ probeId, taskQueue }));
  }
  const ok = results.every((r) => r.ok);
  setCurrentDetails(
    `${ok ? 'healthy' : 'UNHEALTHY'}: ${results.length} round trips on ${taskQueues.join(', ')}`,
  );
  return { probeId, ok, results };
}
