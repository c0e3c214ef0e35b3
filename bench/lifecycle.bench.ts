/**
 * Paper bet lifecycles per second on a Temporal store, next to a minimal workflow with the same number of
 * activities (7: plan, re-quote, reserve, place, closing line, result, settle) served by the same workers
 * against the same server. Starts its own Temporal (see --temporal), a temp database and `--bets-workers`
 * worker processes (bench/lifecycle-worker.ts); Redis db 15 under a per-run prefix. Goal: lifecycles reach
 * at least 0.7 of the minimal workflow's rate.
 *
 *   node --import tsx bench/lifecycle.bench.ts [--count 40] [--rounds 2] [--bets-workers 1]
 *     [--temporal dev|dev-full|dev-memory|server] [--shards 4]
 *
 * --temporal: dev (the dev server's SQLite file, WAL, synchronous=NORMAL: `stack up`'s default), dev-full
 * (synchronous=FULL), dev-memory (the dev server in memory), server (Temporal's own server on two throwaway
 * PostgreSQL databases with --shards history shards, torn down at the end: `stack up --temporal server`).
 * Each round runs COUNT lifecycles at once and COUNT minimal workflows at once (alternating which goes
 * first); the best round of each is reported. Rounds stop early once 60 s have passed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createPool } from '../activities/infra/postgres';
import { createRedis } from '../activities/infra/redis';
import { connectClient } from '../activities/infra/temporal';
import { startBetLifecycle } from '../workflows/bets/client';
import { BENCH_TEMPORAL, startBenchStack, type BenchTemporal } from './scratch-stack';
import { BENCH_TASK_QUEUE, benchConfig, type BenchTarget } from './lifecycle-worker';
import { betWorkflowId } from '../shared/bets';
import { deleteKeys, dropDatabase } from '../tests/helpers/scratch';
import { seedEvent, seedStrategy, seedValueBet, TEAMS } from '../tests/fixtures/bet-data';
import type { Opportunity } from '../shared/entities';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '2' },
    'bets-workers': { type: 'string', default: '1' },
    temporal: { type: 'string', default: 'dev' },
    shards: { type: 'string', default: '4' },
  },
});
const COUNT = Number(args.count);
const ROUNDS = Number(args.rounds);
const WORKERS = Number(args['bets-workers']);
const SHARDS = Number(args.shards);
const TEMPORAL = args.temporal as BenchTemporal;
if (!BENCH_TEMPORAL.includes(TEMPORAL))
  throw new Error(`--temporal: "${args.temporal}" is not one of ${BENCH_TEMPORAL.join(', ')}`);
for (const [flag, n] of [
  ['--bets-workers', WORKERS],
  ['--count', COUNT],
  ['--rounds', ROUNDS],
  ['--shards', SHARDS],
] as const)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: "${n}" is not a whole number ≥ 1`);
const ACTIVITIES = 7;
const BASE_DB = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const say = (m: string) => process.stdout.write(`${m}\n`);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

const started = Date.now();
const { dataDir, dbName, dbUrl, prefix, server, bundle } = await startBenchStack(
  'bench',
  BASE_DB,
  TEMPORAL,
  SHARDS,
);
const bundlePath = join(dataDir, 'workflow-bundle.js');
writeFileSync(bundlePath, bundle.code);
const target: BenchTarget = { address: server.address, dbUrl, prefix, bundlePath };
const { config } = benchConfig(target);
const db = createPool(config.database.url, 4);
const redis = createRedis(config.redis.url);
const client = await connectClient(config, {});
const { connection } = client;
say(
  `temporal ${TEMPORAL}${TEMPORAL === 'server' ? ` (${SHARDS} history shards)` : ''} · ${WORKERS} bets ` +
    `worker process${WORKERS > 1 ? 'es' : ''} · load average at the start ${load()}`,
);

/** A bets worker process, resolved once it polls. */
function startWorker(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'lifecycle-worker.ts'), JSON.stringify(target)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((ready, fail) => {
    child.once('exit', (code) => fail(new Error(`bench worker exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'ready') ready(child);
    });
  });
}
const workers = await Promise.all(Array.from({ length: WORKERS }, startWorker));

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
const measuring = Date.now();
for (let round = 0; round < ROUNDS; round++) {
  if (round > 0 && Date.now() - measuring > 60_000) break;
  const opportunities = await seed(round);
  const runMinimal = () =>
    timed(() =>
      Promise.all(
        Array.from({ length: COUNT }, async (_, i) => {
          const id = `minimal-${round}-${i}`;
          await client.workflow.start('minimalLifecycleWorkflow', {
            workflowId: id,
            taskQueue: BENCH_TASK_QUEUE,
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
          await startBetLifecycle(client, o, { taskQueue: BENCH_TASK_QUEUE, eventLabel: 'BENCH' });
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

const { rows: check } = await db.query<{ status: string; n: number }>(
  `SELECT status, count(*)::int AS n FROM bets GROUP BY status ORDER BY status`,
);
const best = (k: 'lifecycle' | 'minimal') => Math.max(...rows.map((r) => r[k]));
say(`endings: ${check.map((r) => `${r.status} ${r.n}`).join(', ')}`);
say(`paper lifecycles: ${best('lifecycle').toFixed(1)}/s (best of ${rows.length} rounds of ${COUNT})`);
say(`minimal ${ACTIVITIES}-activity workflow: ${best('minimal').toFixed(1)}/s`);
say(
  `ratio: ${(best('lifecycle') / best('minimal')).toFixed(2)} (goal ≥ 0.70) · load average at the end ${load()} · ` +
    `${((Date.now() - started) / 1000).toFixed(0)} s in all`,
);

for (const w of workers) w.kill('SIGTERM');
await Promise.all(
  workers.map((w) => new Promise((done) => (w.exitCode === null ? w.once('exit', done) : done(null)))),
);
await connection.close();
await db.end();
await deleteKeys(redis, [`${prefix}*`]);
redis.disconnect();
await server.stop();
rmSync(dataDir, { recursive: true, force: true });
await dropDatabase(BASE_DB, dbName);
process.exit(0);
