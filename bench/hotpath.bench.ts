/**
 * The hot path, from a price the market serves to a placed paper bet (issue 14):
 *  (a) the simulated market served over HTTP, the real poller, the arbitrage strategy and paper bet
 *      lifecycles on a dev server of its own: time from the market first serving an arbitrage to the
 *      opportunity being recorded (opportunities.recorded_at) and to its bets being placed (bets.placed_at),
 *      with the steps between (handed_off_at, the bets' created_at = the lifecycle's plan), p50 and p99,
 *      one opportunity at a time (idle) and for a burst of opportunities appearing in one poll;
 *  (b) the strategy sweep of arbitrage on a strategy worker's live board built from a 100,000-quote board
 *      in Redis (measureSweeps: the sweep's view, the board over the persistent index, evaluation), full and
 *      after one changed market;
 *  (c) minimal 7-activity workflows per second on the default embedded dev server next to an in-memory dev
 *      server in the same run.
 *
 *   node --import tsx bench/hotpath.bench.ts [--idle 20] [--burst 100] [--poll 1] [--runs 20] [--count 40] [--parts abc]
 *
 * Temp data dir, temp database, Redis db 15 under a per-run prefix; all removed at the end. The last line
 * is one JSON object with the headline figures.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { dynamicConfigArgs, stopDevServer, temporalHealthy } from '../scripts/devserver';
import { createPool } from '../activities/infra/postgres';
import { createRedis } from '../activities/infra/redis';
import { createLogger } from '../activities/infra/logger';
import { connectClient } from '../activities/infra/temporal';
import { writeBoard } from '../activities/strategies/board-reader';
import { createLiveBoard } from '../activities/strategies/live-board';
import { measureSweeps } from '../activities/strategies/sweep-measure';
import { seedStrategies } from '../activities/strategies/store';
import { startSimulatedServer } from '../activities/providers/simulated/server';
import { canonicalEventId } from '../activities/providers/normalize';
import type { OddsApiEvent } from '../shared/readers/the-odds-api';
import { createWorkerSet } from '../workers/worker';
import { startPollingWorkflows } from '../workflows/ingestion/client';
import { startStrategyWorkflows } from '../workflows/strategies/client';
import { strategyStatusQuery, strategyWorkflowId } from '../workflows/strategies/messages';
import { loadConfig } from '../config/load';
import { startBenchStack } from './scratch-stack';
import { ProviderConfig } from '../config/schema';
import { mulberry32 } from '../shared/random';
import { deleteKeys, dropDatabase } from '../tests/helpers/scratch';
import { freePort } from '../tests/helpers/ports';
import { patchConfig } from '../tests/fixtures/bet-data';
import { makeBoard, percentile } from './board-fixture';
import { minimalRate } from './lifecycle-workflows-rate';
import { reportSteps, stepTimes, type StepRow, type StepSample, type StepSources } from './hotpath-steps';

const { values: args } = parseArgs({
  options: {
    idle: { type: 'string', default: '20' },
    burst: { type: 'string', default: '100' },
    poll: { type: 'string', default: '1' },
    runs: { type: 'string', default: '20' },
    count: { type: 'string', default: '40' },
    parts: { type: 'string', default: 'abc' },
  },
});
const IDLE = Number(args.idle);
const BURST = Number(args.burst);
const RUNS = Number(args.runs);
const COUNT = Number(args.count);
const PARTS = new Set(args.parts);
const BASE_DB = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const SPORT = 'basketball_nba';
const STRATEGY = 'hotpath-arb';
const say = (m: string) => process.stdout.write(`${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (x: number) => `${Math.round(x).toString().padStart(6)} ms`;
const stats = (xs: number[]) => `p50 ${ms(percentile(xs, 50))}  p99 ${ms(percentile(xs, 99))}`;

Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
const started = Date.now();
const { dataDir, dbName, dbUrl, prefix, cli, server, bundle } = await startBenchStack('hotpath', BASE_DB);
const bundlePath = join(dataDir, 'workflow-bundle.js');
writeFileSync(bundlePath, bundle.code);

const marketPort = await freePort();
const loaded = patchConfig(
  loadConfig({
    env: {
      TEMPORAL_ADDRESS: server.address,
      DATABASE_URL: dbUrl,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'error',
    },
  }),
  {
    database: { poolSize: 20 },
    risk: { bankroll: '100000000', maxSportExposureFraction: '1' },
    placement: { requote: { maxQuoteAgeSeconds: 3600 } },
    alerts: { routes: [] },
  },
);
const { config } = loaded;
config.strategies = [];
config.providers = [
  ProviderConfig.parse({
    name: 'sim',
    type: 'simulated',
    enabled: true,
    pollIntervalSeconds: Number(args.poll),
    sports: [SPORT],
    options: { seed: 42, speed: 120, port: marketPort, oddsFormat: 'decimal', scoresIntervalSeconds: 5 },
  }),
];
const db = createPool(config.database.url, 10);
const redis = createRedis(config.redis.url);
const logger = createLogger({ level: 'error', name: 'bench' });
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
say(`load average at start: ${load()}`);

// ---- (b) the sweep on a 100,000-quote board ---------------------------------------------------------------
async function partB(): Promise<{ full: number[]; changed: number[] }> {
  const sweepPrefix = `${prefix}sweep:`;
  const board = makeBoard(100_000, Date.now(), mulberry32(0x5eed));
  await writeBoard(redis, sweepPrefix, board);
  // A strategy worker's live board, built from Redis once; each sweep evaluates its persistent index.
  const live = createLiveBoard(redis, sweepPrefix, { fullSweepEveryMs: 3_600_000 });
  await live.ready();
  const t = await measureSweeps(live, { runs: RUNS });
  await live.stop();
  say(`(b) sweep of arbitrage over the live board's ${t.quotes} quotes (view, board, evaluate)`);
  say(`  full                   ${stats(t.full)}  (process CPU ${stats(t.fullCpu)})`);
  say(`  after 1 changed market ${stats(t.changed)}  (process CPU ${stats(t.changedCpu)})`);
  const kB = (bytes: number[]) => `${Math.round(percentile(bytes, 50) / 1024)} kB`;
  say(
    `  allocated per sweep    full ${kB(t.fullBytes)}, after 1 changed market ${kB(t.changedBytes)} (JS heap)`,
  );
  const paused = t.fullGcMs.filter((x) => x > 0);
  say(
    `  GC inside full sweeps  ${paused.length} of ${t.fullGcMs.length}, longest ${ms(Math.max(0, ...paused))}`,
  );
  await deleteKeys(redis, [`${sweepPrefix}*`]);
  return { full: t.full, changed: t.changed };
}

// ---- (a) served price → recorded → placed ---------------------------------------------------------------
let market: Awaited<ReturnType<typeof startSimulatedServer>>;
let temporal: StepSources['temporal'] = null;
/** Wait until every burst event's opportunity has its two legs placed; the samples, ms after first served. */
async function measure(
  served: OddsApiEvent[],
  timeoutMs: number,
): Promise<{ samples: StepSample[]; missing: string[] }> {
  // Ingestion names an event by sport, teams and start (canonicalEventId), not by the provider's id.
  const byEvent = new Map(
    served.map((e) => [canonicalEventId(e.sport_key, [e.home_team, e.away_team], e.commence_time), e.id]),
  );
  const ids = [...byEvent.keys()];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query<StepRow>(
      `SELECT o.opportunity_id, o.event_id, o.recorded_at, o.handed_off_at, o.detected_at,
              min(b.created_at) AS planned, max(b.placed_at) AS placed,
              count(*) FILTER (WHERE b.status = 'placed')::int AS n
       FROM opportunities o LEFT JOIN bets b USING (opportunity_id)
       WHERE o.event_id = ANY($1::text[]) AND o.strategy_name = $2
       GROUP BY o.opportunity_id, o.event_id, o.recorded_at, o.handed_off_at, o.detected_at`,
      [ids, STRATEGY],
    );
    // Placed and marked handed off: the lifecycle may place before the strategy marks the hand-off.
    const done = rows.filter((r) => r.n === 2 && r.handed_off_at !== null);
    if (done.length === ids.length || Date.now() > deadline) {
      const servedAt = (eventId: string) => market.bursts.servedAt(byEvent.get(eventId)!)!;
      const samples = await stepTimes({ db, redis, prefix, temporal }, done, servedAt);
      const have = new Set(done.map((r) => r.event_id));
      const missing = ids.filter((id) => !have.has(id));
      if (missing.length) await explain(missing.slice(0, 3));
      return { samples, missing };
    }
    await sleep(50);
  }
}
/** Why some were not placed: what the database holds for them. */
async function explain(ids: string[]): Promise<void> {
  const { rows } = await db.query(
    `SELECT e.event_id, o.decision, o.decision_reason, b.status, b.reason
     FROM events e LEFT JOIN opportunities o USING (event_id) LEFT JOIN bets b USING (opportunity_id)
     WHERE e.event_id = ANY($1::text[])`,
    [ids],
  );
  say(`  not placed: ${ids.join(', ')} → ${JSON.stringify(rows)}`);
}
async function partA(): Promise<{ idle: number[]; burstSeconds: number | null }> {
  market = await startSimulatedServer({ seed: 42, speed: 120, port: marketPort });
  await seedStrategies(
    db,
    [
      {
        name: STRATEGY,
        type: 'arbitrage',
        enabled: true,
        mode: 'paper',
        stakeMultiplier: '1',
        parameters: { sports: [SPORT], marketTypes: ['h2h'], minProfit: '0.01', fallbackIntervalMs: 5_000 },
      },
    ],
    'bench',
  );
  const workers = await createWorkerSet({ loaded, workflowBundle: { codePath: bundlePath }, logger });
  const workersDone = workers.run();
  const client = await connectClient(config, loaded.secrets);
  temporal = client;
  await startPollingWorkflows(client, loaded);
  await startStrategyWorkflows(client, loaded, db, { names: [STRATEGY] });
  const strategy = client.workflow.getHandle(strategyWorkflowId(STRATEGY));
  while (((await strategy.query(strategyStatusQuery).catch(() => null))?.counts.sweeps ?? 0) < 2)
    await sleep(200);

  say(`(a) simulated market over HTTP → poller (every ${args.poll} s) → arbitrage → paper lifecycles`);
  const idle: StepSample[] = [];
  for (let i = 0; i < IDLE; i++) {
    const r = await measure(
      market.bursts.add({ sport: SPORT, count: 1, tag: `idle${i}` }, Date.now()),
      60_000,
    );
    if (r.missing.length) say(`  idle ${i}: not placed within 60 s: ${r.missing.join(', ')}`);
    idle.push(...r.samples);
    // Land the next one at a different point of the poll cycle.
    await sleep(137 * (i % 7));
  }
  reportSteps(say, stats, 'idle, one at a time', idle);
  const burst = await measure(
    market.bursts.add({ sport: SPORT, count: BURST, tag: 'burst' }, Date.now()),
    180_000,
  );
  reportSteps(say, stats, `burst of ${BURST} in one poll`, burst.samples);
  const burstSeconds = burst.missing.length
    ? Infinity
    : Math.max(...burst.samples.map((s) => s.placed)) / 1000;
  say(
    `    all ${BURST} placed within ${burst.missing.length ? `— (${burst.missing.length} not placed in 180 s)` : `${burstSeconds.toFixed(1)} s`}`,
  );
  say(`load average: ${load()}`);

  await client.workflow.getHandle(strategyWorkflowId(STRATEGY)).terminate('bench over');
  await client.workflow.getHandle('odds-poll:sim').terminate('bench over');
  workers.shutdown();
  await workersDone;
  await client.connection.close();
  await market.close();
  return {
    idle: idle.map((s) => s.placed),
    burstSeconds: Number.isFinite(burstSeconds) ? burstSeconds : null,
  };
}

// ---- (c) minimal workflows: embedded store vs in-memory ---------------------------------------------------
async function partC(): Promise<number> {
  const memoryPort = await freePort();
  const memory = spawn(
    cli.path,
    [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(memoryPort),
      '--log-level',
      'error',
      // The same dynamic config as the embedded server: only the store differs.
      ...dynamicConfigArgs(config.stack.devServer.dynamicConfig),
    ],
    { stdio: 'ignore' },
  );
  const memoryAddress = `127.0.0.1:${memoryPort}`;
  while (!(await temporalHealthy({ address: memoryAddress }))) await sleep(250);
  // Alternated, so neither server gets only the cold first round (the first bundle load, JIT) or the
  // other helpers' quieter moments.
  let embeddedRate = 0;
  let memoryRate = 0;
  for (let pass = 0; pass < 2; pass++) {
    embeddedRate = Math.max(
      embeddedRate,
      await minimalRate(server.address, `embedded${pass}`, bundlePath, COUNT),
    );
    memoryRate = Math.max(memoryRate, await minimalRate(memoryAddress, `memory${pass}`, bundlePath, COUNT));
  }
  memory.kill('SIGTERM');
  say(`(c) minimal 7-activity workflows, ${COUNT} at once, best of 4 rounds each, alternated`);
  say(`  embedded dev server (SQLite file, as started by default) ${embeddedRate.toFixed(1)}/s`);
  say(`  in-memory dev server                                     ${memoryRate.toFixed(1)}/s`);
  say(`load average at the end: ${load()} · ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
  return embeddedRate / memoryRate;
}

const b = PARTS.has('b') ? await partB() : null;
const a = PARTS.has('a') ? await partA() : null;
const ratio = PARTS.has('c') ? await partC() : null;

await db.end();
await deleteKeys(redis, [`${prefix}*`]);
redis.disconnect();
await stopDevServer(dataDir);
rmSync(dataDir, { recursive: true, force: true });
await dropDatabase(BASE_DB, dbName);
const round = (x: number | null | undefined) => (x == null ? null : Math.round(x * 10) / 10);
say(
  JSON.stringify({
    sweepFullP99Ms: round(b && percentile(b.full, 99)),
    sweepChangedP99Ms: round(b && percentile(b.changed, 99)),
    detectToPlaceP50Ms: round(a?.idle.length ? percentile(a.idle, 50) : null),
    detectToPlaceP99Ms: round(a?.idle.length ? percentile(a.idle, 99) : null),
    burst100Seconds: round(a?.burstSeconds),
    embeddedVsMemoryRatio: ratio === null ? null : Math.round(ratio * 100) / 100,
  }),
);
process.exit(0);
