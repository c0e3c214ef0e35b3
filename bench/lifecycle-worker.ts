/**
 * One bets worker process of the lifecycle bench (bench/lifecycle.bench.ts starts `--bets-workers` of them):
 * the platform's activities plus the minimal workflow's no-op on the bench task queue, with the platform's
 * own connection options and data converter, as a deployed `alphabet worker --queues bets` uses them.
 *
 *   node --import tsx bench/lifecycle-worker.ts '<BenchTarget as JSON>'
 *
 * Prints "ready" once its worker polls; SIGTERM drains it and exits.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createPool } from '../activities/infra/postgres';
import { createRedis } from '../activities/infra/redis';
import { createLogger } from '../activities/infra/logger';
import { temporalConnectOptions, temporalDataConverter } from '../activities/infra/temporal';
import { createActivities } from '../activities';
import { loadConfig, type LoadedConfig } from '../config/load';
import { patchConfig } from '../tests/fixtures/bet-data';

export const BENCH_TASK_QUEUE = 'bench-bets';
const BENCH_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

/** Where the bench's stack is: its Temporal, its database, its Redis key prefix, its workflow bundle. */
export interface BenchTarget {
  address: string;
  dbUrl: string;
  prefix: string;
  bundlePath: string;
}

/** The bench's config: huge bankroll and exposure caps, quotes never too old, settlement polled fast. */
export function benchConfig(t: BenchTarget): LoadedConfig {
  return patchConfig(
    loadConfig({
      env: {
        TEMPORAL_ADDRESS: t.address,
        DATABASE_URL: t.dbUrl,
        REDIS_URL: BENCH_REDIS_URL,
        REDIS_KEY_PREFIX: t.prefix,
        LOG_LEVEL: 'error',
      },
    }),
    {
      database: { poolSize: 20 },
      risk: { bankroll: '100000000', maxSportExposureFraction: '1' },
      placement: {
        requote: { maxQuoteAgeSeconds: 3600 },
        settlement: { expectedDurationMinutes: { default: 0 }, pollInitialSeconds: 0.2, pollMaxSeconds: 1 },
      },
      alerts: { routes: [] },
    },
  );
}

async function main(target: BenchTarget): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') }); // default shutdown signals: SIGTERM drains
  const loaded = benchConfig(target);
  const { config } = loaded;
  const db = createPool(config.database.url, config.database.poolSize);
  const redis = createRedis(config.redis.url);
  const logger = createLogger({ level: 'error', name: 'bench-worker' });
  const connection = await NativeConnection.connect(temporalConnectOptions(config, loaded.secrets));
  const worker = await Worker.create({
    connection,
    taskQueue: BENCH_TASK_QUEUE,
    activities: {
      ...createActivities({ db, redis, config, secrets: {}, logger }),
      benchNoop: (i: number) => Promise.resolve(i),
    },
    dataConverter: temporalDataConverter(config, loaded.secrets),
    workflowBundle: { codePath: target.bundlePath },
  });
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
  await connection.close();
  await db.end();
  redis.disconnect();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(JSON.parse(process.argv[2] ?? '{}') as BenchTarget);
  process.exit(0);
}
