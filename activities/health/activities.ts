import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from '../deps';

export interface ProbeInput {
  probeId: string;
  taskQueue: string;
}

export interface ProbeResult {
  store: 'postgres' | 'redis';
  taskQueue: string;
  wrote: string;
  read: string | null;
  ok: boolean;
}

/** Round trips that prove each task queue's worker reaches PostgreSQL and Redis. */
export function createHealthActivities({ db, redis, config }: ActivityDeps) {
  return {
    async probePostgres({ probeId, taskQueue }: ProbeInput): Promise<ProbeResult> {
      const wrote = `${probeId}@${taskQueue}`;
      await db.query(
        `INSERT INTO health_checks (probe_id, task_queue, payload) VALUES ($1, $2, $3)
         ON CONFLICT (probe_id, task_queue) DO UPDATE SET payload = EXCLUDED.payload, written_at = now()`,
        [probeId, taskQueue, JSON.stringify({ value: wrote })],
      );
      const { rows } = await db.query<{ value: string }>(
        `SELECT payload->>'value' AS value FROM health_checks WHERE probe_id = $1 AND task_queue = $2`,
        [probeId, taskQueue],
      );
      const read = rows[0]?.value ?? null;
      if (read !== wrote)
        throw ApplicationFailure.nonRetryable(
          `PostgreSQL returned ${read} for ${wrote}`,
          'HealthCheckMismatch',
        );
      return { store: 'postgres', taskQueue, wrote, read, ok: true };
    },

    async probeRedis({ probeId, taskQueue }: ProbeInput): Promise<ProbeResult> {
      const key = `${config.redis.keyPrefix}health:${probeId}:${taskQueue}`;
      const wrote = `${probeId}@${taskQueue}`;
      await redis.set(key, wrote, 'EX', 24 * 3600);
      const read = await redis.get(key);
      if (read !== wrote)
        throw ApplicationFailure.nonRetryable(`Redis returned ${read} for ${wrote}`, 'HealthCheckMismatch');
      return { store: 'redis', taskQueue, wrote, read, ok: true };
    },
  };
}
