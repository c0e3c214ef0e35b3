import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type LogLevel,
} from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { createPool } from '../activities/infra/postgres';
import { createRedis } from '../activities/infra/redis';
import { createLogger, type Logger } from '../activities/infra/logger';
import { temporalConnectOptions, temporalDataConverter } from '../activities/infra/temporal';
import { createProviderRegistry } from '../activities/providers/registry';
import { createAlertChannels } from '../activities/alerts/channels';
import { createLiveBoard } from '../activities/strategies/live-board';
import type { LoadedConfig } from '../config/load';
import { PROJECT_ROOT } from '../config/paths';
import { QUEUE_ROLES, type QueueRole } from '../shared/queues';
import { queueActivities } from './queues';

/**
 * A queue's workflow bundle entry: only the workflows shared/queues.ts gives that queue. Always the
 * TypeScript source, also when this module runs compiled from dist/.
 */
export const workflowEntry = (role: QueueRole): string => {
  const entry = join(PROJECT_ROOT, 'workflows', 'queues', `${role}.ts`);
  if (!existsSync(entry)) throw new Error(`no workflow bundle entry for queue ${role}: ${entry} is missing`);
  return entry;
};

export interface WorkerSetOptions {
  loaded: LoadedConfig;
  /** Which task queues this process serves; all three by default, one each when scaled out. */
  roles?: readonly QueueRole[];
  /**
   * A prebuilt workflow bundle served on every queue (tests share one; ALPHABET_WORKFLOW_BUNDLE). Otherwise
   * each queue's own entry is bundled at start (about a second each), so a queue runs only its workflows.
   */
  workflowBundle?: { codePath: string };
  logger?: Logger;
}

export interface WorkerSet {
  deps: ActivityDeps;
  workers: Worker[];
  /** Runs until shutdown() or a signal, then closes every connection. */
  run(): Promise<void>;
  shutdown(): void;
}

let runtimeInstalled = false;

/** Route the SDK's own logs into our structured logger (once per process). */
function installRuntime(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger(levelFor(logger.level), (entry) => {
        const level = entry.level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error';
        logger[level]({ ...entry.meta, sdk: true }, entry.message);
      }),
    });
  } catch {
    // Already installed by the embedding process (tests): keep theirs.
  }
}

function levelFor(level: string): LogLevel {
  const map: Record<string, LogLevel> = {
    trace: 'TRACE',
    debug: 'DEBUG',
    info: 'INFO',
    warn: 'WARN',
    error: 'ERROR',
    fatal: 'ERROR',
  };
  return map[level] ?? 'WARN';
}

export async function createWorkerSet({
  loaded,
  roles = QUEUE_ROLES,
  workflowBundle,
  logger: given,
}: WorkerSetOptions): Promise<WorkerSet> {
  const { config, secrets } = loaded;
  const logger = given ?? createLogger({ level: config.log.level, name: 'worker', secrets });
  installRuntime(logger);

  const db = createPool(config.database.url, config.database.poolSize);
  const redis = createRedis(config.redis.url);
  // Odds providers from config.providers (the simulated market's server starts on first use).
  const providers = createProviderRegistry(config, secrets);
  // Alert channels from config.alerts, built once (SMTP transports are reused).
  const alertChannels = createAlertChannels(config, secrets, logger, redis);
  // One live board per process serving the strategies queue: strategy and paper sweeps share it.
  const liveBoard =
    roles.includes('strategies') && config.liveBoard.enabled
      ? createLiveBoard(redis, config.redis.keyPrefix, {
          fullSweepEveryMs: config.liveBoard.fullSweepEverySeconds * 1000,
          logger,
        })
      : undefined;
  const deps: ActivityDeps = { db, redis, config, secrets, logger, providers, alertChannels, liveBoard };
  const activities = createActivities(deps);

  let connection: NativeConnection | undefined;
  const workers: Worker[] = [];
  try {
    // Built before connecting: a missing payload key stops the worker before it touches a task.
    const dataConverter = temporalDataConverter(config, secrets);
    connection = await NativeConnection.connect(temporalConnectOptions(config, secrets));
    for (const role of roles) {
      const bundle =
        workflowBundle ??
        (await bundleWorkflowCode({ workflowsPath: workflowEntry(role), logger: new DefaultLogger('WARN') }));
      workers.push(
        await Worker.create({
          connection,
          namespace: config.temporal.namespace,
          taskQueue: config.temporal.taskQueues[role],
          // Only this queue's activities: a workflow calling another queue's activity fails loudly here.
          activities: queueActivities(role, activities),
          workflowBundle: bundle,
          dataConverter,
        }),
      );
    }
  } catch (err) {
    await liveBoard?.stop();
    await connection?.close().catch(() => undefined);
    await db.end().catch(() => undefined);
    redis.disconnect();
    await providers.close();
    for (const c of alertChannels) c.close?.();
    throw err;
  }

  const conn = connection;
  return {
    deps,
    workers,
    async run() {
      logger.info(
        { taskQueues: roles.map((r) => config.temporal.taskQueues[r]), address: config.temporal.address },
        'workers running',
      );
      try {
        await Promise.all(workers.map((w) => w.run()));
      } finally {
        await liveBoard?.stop();
        await conn.close().catch(() => undefined);
        await db.end().catch(() => undefined);
        redis.disconnect();
        await providers.close();
        for (const c of alertChannels) c.close?.();
        logger.info('workers stopped, connections closed');
      }
    },
    shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING' || w.getState() === 'INITIALIZED') w.shutdown();
    },
  };
}
