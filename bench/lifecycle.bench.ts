/**
 * Paper bet lifecycles per second on a Temporal dev server, next to a minimal workflow with the same number
 * of activities (7: plan, re-quote, reserve, place, closing line, result, settle) run in the same process
 * against the same server. Starts its own headless dev server (temp data dir) and a temp database; Redis
 * db 15 under a per-run prefix. Goal: lifecycles reach at least 0.7 of the minimal workflow's rate.
 *
 *   node --import tsx bench/lifecycle.bench.ts [--count 40] [--rounds 2]
 *
 * Each round runs COUNT lifecycles at once and COUNT minimal workflows at once (alternating which goes
 * first); the best round of each is reported. Rounds stop early once 60 s have passed.
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { stopDevServer } from '../scripts/devserver';
import { createPool } from '../activities/infra/postgres';
import { createRedis } from '../activities/infra/redis';
import { createLogger } from '../activities/infra/logger';
import { connectClient, temporalConnectOptions, temporalDataConverter } from '../activities/infra/temporal';
import { createActivities } from '../activities';
import { startBetLifecycle } from '../workflows/bets/client';
import { loadConfig } from '../config/load';
import { startBenchStack } from './scratch-stack';
import { betWorkflowId } from '../shared/bets';
import { dropDatabase } from '../tests/helpers/scratch';
import { patchConfig, seedEvent, seedStrategy, seedValueBet, TEAMS } from '../tests/fixtures/bet-data';
import type { Opportunity } from '../shared/entities';

const { values: args } = parseArgs({
  options: { count: { type: 'string', default: '40' }, rounds: { type: 'string', default: '2' } },
});
const COUNT = Number(args.count);
const ROUNDS = Number(args.rounds);
const ACTIVITIES = 7;
const BASE_DB = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const say = (m: string) => process.stdout.write(`${m}\n`);

Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
const started = Date.now();
const { dataDir, dbName, dbUrl, prefix, server, bundle } = await startBenchStack('bench', BASE_DB);

const loaded = patchConfig(
  loadConfig({
    env: {
      TEMPORAL_ADDRESS: server.address,
      DATABASE_URL: dbUrl,
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15',
      REDIS_KEY_PREFIX: prefix,
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
const { config } = loaded;
const db = createPool(config.database.url, config.database.poolSize);
const redis = createRedis(config.redis.url);
const logger = createLogger({ level: 'error', name: 'bench' });
const taskQueue = 'bench-bets';
const activities = {
  ...createActivities({ db, redis, config, secrets: {}, logger }),
  benchNoop: (i: number) => Promise.resolve(i),
};
// The platform's own connection options and data converter, as a deployed worker and client use them.
const nativeConnection = await NativeConnection.connect(temporalConnectOptions(config, loaded.secrets));
const worker = await Worker.create({
  connection: nativeConnection,
  taskQueue,
  activities,
  dataConverter: temporalDataConverter(config, loaded.secrets),
  workflowBundle: bundle,
});
const client = await connectClient(config, loaded.secrets);
const { connection } = client;

// Data: events already under way with their results in (no timers wait), one value bet each.
const STRATEGY = 'bench';
await seedStrategy(db, STRATEGY);
async function seed(round: number): Promise<Opportunity[]> {
  const out: Opportunity[] = [];
  for (let i = 0; i < COUNT; i++) {
    const eventId = `ev-${round}-${i}`;
    await seedEvent(db, {
      eventId,
      sport: 'bench_sport',
      startInMs: -1_000,
      result: i % 2 ? { [TEAMS.away]: '1', [TEAMS.home]: '2' } : { [TEAMS.away]: '3', [TEAMS.home]: '2' },
    });
    out.push(
      await seedValueBet(db, redis, prefix, {
        id: `opp-${round}-${i}`,
        strategy: STRATEGY,
        sport: 'bench_sport',
        eventId,
      }),
    );
  }
  return out;
}

async function timed(start: () => Promise<string[]>): Promise<number> {
  const t0 = performance.now();
  const ids = await start();
  await Promise.all(ids.map((id) => client.workflow.getHandle(id).result()));
  return (performance.now() - t0) / 1000;
}

const rows: { round: number; lifecycle: number; minimal: number }[] = [];
await worker.runUntil(async () => {
  for (let round = 0; round < ROUNDS; round++) {
    if (round > 0 && Date.now() - started > 60_000) break;
    const opportunities = await seed(round);
    const runMinimal = () =>
      timed(() =>
        Promise.all(
          Array.from({ length: COUNT }, async (_, i) => {
            const id = `minimal-${round}-${i}`;
            await client.workflow.start('minimalLifecycleWorkflow', {
              workflowId: id,
              taskQueue,
              args: [ACTIVITIES],
            });
            return id;
          }),
        ),
      );
    const runLifecycles = () =>
      timed(() =>
        Promise.all(
          opportunities.map(async (o) => {
            await startBetLifecycle(client, o, { taskQueue, eventLabel: 'BENCH' });
            return betWorkflowId(o.id);
          }),
        ),
      );
    // Alternate which goes first, so neither always meets a cold or a warm server.
    let minimal: number;
    let lifecycle: number;
    if (round % 2 === 0) {
      minimal = await runMinimal();
      lifecycle = await runLifecycles();
    } else {
      lifecycle = await runLifecycles();
      minimal = await runMinimal();
    }
    rows.push({ round, lifecycle: COUNT / lifecycle, minimal: COUNT / minimal });
    say(
      `round ${round + 1}: ${COUNT} paper lifecycles ${(COUNT / lifecycle).toFixed(1)}/s · ` +
        `${COUNT} minimal ${ACTIVITIES}-activity workflows ${(COUNT / minimal).toFixed(1)}/s`,
    );
  }
});

const { rows: check } = await db.query<{ status: string; n: number }>(
  `SELECT status, count(*)::int AS n FROM bets GROUP BY status ORDER BY status`,
);
const best = (k: 'lifecycle' | 'minimal') => Math.max(...rows.map((r) => r[k]));
say(`endings: ${check.map((r) => `${r.status} ${r.n}`).join(', ')}`);
say(`paper lifecycles: ${best('lifecycle').toFixed(1)}/s (best of ${rows.length} rounds of ${COUNT})`);
say(`minimal ${ACTIVITIES}-activity workflow: ${best('minimal').toFixed(1)}/s`);
say(
  `ratio: ${(best('lifecycle') / best('minimal')).toFixed(2)} (goal ≥ 0.70) · ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
);

await connection.close();
await nativeConnection.close();
await db.end();
redis.disconnect();
await stopDevServer(dataDir);
rmSync(dataDir, { recursive: true, force: true });
await dropDatabase(BASE_DB, dbName);
const cleanup = createRedis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15');
const keys = await cleanup.keys(`${prefix}*`);
if (keys.length) await cleanup.del(...keys);
cleanup.disconnect();
process.exit(0);
