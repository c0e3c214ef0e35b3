import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Pool } from 'pg';
import { loadConfig, PROJECT_ROOT, type LoadedConfig } from '../../config/load';
import type { AppConfig } from '../../config/schema';
import { SimulatedOptions } from '../../activities/providers/options';
import { SIM_SPORTS } from '../../activities/providers/simulated/model';
import { createLogger } from '../../activities/infra/logger';
import { connectClient } from '../../activities/infra/temporal';
import { downComponents, formatStatuses, stackUp, stackDown, usesLocalDevServer } from '../../scripts/stack';
import { runHealthCheck } from '../../workflows/health/client';
import { withClient } from '../client';
import { parseDuration } from '../duration';
import { serveCodec } from './codec-server';
import type { RunningApi } from '../../api/server';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'bring the whole platform up on the embedded defaults, run a health check, keep running until Ctrl-C',
    )
    .option('--duration <d>', 'stop by itself after this long (e.g. 2m)')
    .option('--keep-stack', 'leave the Temporal dev server running on exit')
    .action(async (opts: { duration?: string; keepStack?: boolean }) => {
      const durationMs = opts.duration ? parseDuration(opts.duration, '--duration') : null;
      await start(loadConfig(), durationMs, opts.keepStack ?? false);
    });

  program
    .command('health')
    .description('run the health-check workflow against the running workers and print the result')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const loaded = loadConfig();
      const report = await withClient(loaded, (client) => runHealthCheck(client, loaded.config));
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(report, null, 2)}\n`
          : `${report.ok ? 'healthy' : 'UNHEALTHY'}: ${report.url}\n`,
      );
      if (!report.ok) process.exitCode = 1;
    });
}

/**
 * When every enabled provider is the simulated market, its clock runs `speed` times faster than the wall
 * and its games last the model's game minutes, not a real sport's hours. The demo's bet lifecycles then
 * look for results on that clock (each simulated sport's game length over the speed), so bets settle during
 * a short run. Returns the speed applied, or null (real providers: nothing changes).
 */
export function scaleSettlementToSimulation(config: AppConfig): number | null {
  const enabled = config.providers.filter((p) => p.enabled);
  if (enabled.length === 0 || enabled.some((p) => p.type !== 'simulated')) return null;
  const speeds = new Set(enabled.map((p) => SimulatedOptions.parse(p.options).speed));
  if (speeds.size !== 1) return null;
  const speed = [...speeds][0]!;
  if (speed <= 1) return null;
  const s = config.placement.settlement;
  config.placement.settlement = {
    ...s,
    expectedDurationMinutes: {
      default: Math.max(...SIM_SPORTS.map((sport) => sport.game)) / speed,
      ...Object.fromEntries(SIM_SPORTS.map((sport) => [sport.key, sport.game / speed])),
    },
    pollInitialSeconds: Math.max(1, s.pollInitialSeconds / speed),
    pollMaxSeconds: Math.max(2, s.pollMaxSeconds / speed),
  };
  return speed;
}

async function start(loaded: LoadedConfig, durationMs: number | null, keepStack: boolean): Promise<void> {
  const say = (m: string) => process.stdout.write(`${m}\n`);
  say('Alpha-Bet: bringing the stack up…');
  const speed = scaleSettlementToSimulation(loaded.config);
  if (speed !== null)
    say(
      `  the simulated market runs ${speed}× faster than the wall clock: bets look for results on its clock`,
    );
  const statuses = await stackUp(loaded, (m) => say(`  ${m}`));
  say(formatStatuses(statuses));
  const down = downComponents(statuses);
  if (down.length)
    throw new Error(`cannot start: ${down.map((s) => `${s.component} (${s.detail})`).join('; ')}`);
  const startedDevServer = statuses.some((s) => s.component === 'temporal' && s.detail.startsWith('started'));
  // Encrypted payloads: the Web UI decrypts them through this server (the dev server was told its URL).
  const codec = loaded.config.temporal.payloadEncryption.enabled ? await serveCodec(loaded) : null;
  if (codec) say(`payload encryption on; Web UI codec server: ${codec.url}`);

  // Worker logs go to a file-friendly JSON stream on stderr at warn level, keeping the terminal readable.
  const logger = createLogger({
    level: process.env.LOG_LEVEL ?? 'warn',
    name: 'worker',
    secrets: loaded.secrets,
  });
  // The worker SDK is heavy to load: only `start` needs it, so other commands stay quick.
  const { createWorkerSet } = await import('../../workers/worker');
  const workers = await createWorkerSet({ loaded, logger }).catch(async (err: unknown) => {
    await codec?.close();
    throw err;
  });
  const running = workers.run();

  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    say(`\n${why}: stopping the workers…`);
    workers.shutdown();
  };
  process.once('SIGINT', () => stop('Ctrl-C'));
  process.once('SIGTERM', () => stop('SIGTERM'));

  let demo: Demo | null = null;
  let api: RunningApi | null = null;
  // Fastify and the console load only for `start` and `serve`.
  const { startApiServer } = await import('../../api/server');
  try {
    const report = await withClient(loaded, (client) => runHealthCheck(client, loaded.config));
    say(
      `health check ${report.ok ? 'passed' : 'FAILED'}: ${report.results.length} round trips to PostgreSQL and Redis across ${Object.values(loaded.config.temporal.taskQueues).join(', ')}`,
    );
    // The Temporal server has no UI of its own: the links work once the UI container runs at uiUrl.
    const uiNote = statuses.some((s) => s.component === 'temporal-ui' && s.note)
      ? ' (once the temporalio/ui container runs there: README, Deployment)'
      : '';
    say(`this health check: ${report.url}${uiNote}`);
    demo = await startDemo(loaded, workers.deps.db, say);
    // The console is a convenience beside the platform: if it cannot start (port taken), the rest runs on.
    api = await startApiServer(loaded).catch((err: Error) => {
      say(`console not started: ${err.message} (npx alphabet serve --port <n>)`);
      return null;
    });
    say(
      `Temporal Web UI: ${loaded.config.temporal.uiUrl}/namespaces/${loaded.config.temporal.namespace}/workflows${uiNote}`,
    );
    if (api) say(`Console: ${api.url}`);
    say('in another terminal: npx alphabet paper start --strategy value-sharp --bankroll 1000 --duration 5m');
    say(
      durationMs
        ? `running for ${Math.round(durationMs / 1000)} s; Ctrl-C stops earlier`
        : 'running; Ctrl-C stops',
    );
    if (durationMs) setTimeout(() => stop('duration reached'), durationMs).unref();
    const ticker = setInterval(() => {
      if (!stopping) void printSummary(workers.deps.db, demo!.since, say).catch(() => undefined);
    }, 15_000);
    ticker.unref();
    void running.finally(() => clearInterval(ticker));
  } catch (err) {
    stop(`start-up failed (${(err as Error).message})`);
    process.exitCode = 1;
  }

  await running.catch((err: unknown) => {
    say(`worker stopped with an error: ${(err as Error).message}`);
    process.exitCode = 1;
  });
  await api?.close();
  if (demo) {
    await demo.stop();
    await writeReport(loaded, demo.since, say);
  }
  await codec?.close();
  if (startedDevServer && !keepStack && usesLocalDevServer(loaded.config)) {
    await stackDown(loaded);
    say('stopped the Temporal dev server (state kept; `npm start` resumes it)');
  }
  say('stopped cleanly');
}

interface Demo {
  since: Date;
  stop(): Promise<void>;
}

/** The embedded demo: the simulated market over HTTP, a poller per provider, the strategies in paper mode. */
async function startDemo(loaded: LoadedConfig, db: Pool, say: (m: string) => void): Promise<Demo> {
  const since = new Date();
  const { startIngestion } = await import('../../workflows/ingestion/client');
  const { startStrategyWorkflows } = await import('../../workflows/strategies/client');
  const client = await connectClient(loaded.config, loaded.secrets);
  try {
    const ingestion = await startIngestion(loaded, client);
    for (const sim of ingestion.simulators) say(`simulated market ${sim.provider}: ${sim.url}`);
    for (const p of ingestion.pollers) say(`poller ${p.workflowId}: ${p.result}`);
    const strategies = await startStrategyWorkflows(client, loaded, db);
    for (const st of strategies) say(`strategy ${st.workflowId}: ${st.result}`);
    return {
      since,
      async stop() {
        await ingestion.stop();
      },
    };
  } finally {
    await client.connection.close();
  }
}

interface StrategyLine {
  strategy: string;
  mode: string;
  opportunities: number;
  skipped: number;
  bets: number;
  settled: number;
  open: number;
  staked: string;
  profit: string;
  clv: string | null;
}

/** Opportunities, bets, P&L and CLV per strategy since the demo started (exact: NUMERIC sums as text). */
async function strategyLines(db: Pool, since: Date): Promise<StrategyLine[]> {
  const { rows } = await db.query<StrategyLine>(
    `SELECT s.name AS strategy, s.mode,
            (SELECT count(*)::int FROM opportunities o WHERE o.strategy_name = s.name AND o.detected_at >= $1
               AND o.paper_session_id IS NULL) AS opportunities,
            (SELECT count(*)::int FROM opportunities o WHERE o.strategy_name = s.name AND o.detected_at >= $1
               AND o.paper_session_id IS NULL AND o.decision = 'skipped') AS skipped,
            count(b.bet_id) FILTER (WHERE b.status NOT IN ('skipped', 'pending', 'failed'))::int AS bets,
            count(b.bet_id) FILTER (WHERE b.status IN ('won', 'lost', 'push', 'voided'))::int AS settled,
            count(b.bet_id) FILTER (WHERE b.status IN ('placed', 'reserved', 'awaiting_confirmation'))::int AS open,
            COALESCE(sum(b.stake) FILTER (WHERE b.status IN ('placed', 'won', 'lost', 'push')), 0)::text AS staked,
            COALESCE(sum(b.profit_loss) FILTER (WHERE b.status IN ('won', 'lost', 'push', 'voided')), 0)::text AS profit,
            round(avg(b.clv_sharp), 6)::text AS clv
       FROM strategies s LEFT JOIN bets b ON b.strategy_name = s.name AND b.created_at >= $1 AND b.paper_session_id IS NULL
      GROUP BY s.name, s.mode ORDER BY s.name`,
    [since],
  );
  return rows;
}

function formatLines(lines: StrategyLine[]): string {
  const header =
    'strategy            mode    opps  skipped  bets  open  settled      staked         P&L   mean CLV';
  const body = lines.map(
    (l) =>
      `${l.strategy.padEnd(18)}  ${l.mode.padEnd(6)}  ${String(l.opportunities).padStart(4)}  ${String(l.skipped).padStart(7)}  ${String(l.bets).padStart(4)}  ${String(l.open).padStart(4)}  ${String(l.settled).padStart(7)}  ${l.staked.padStart(10)}  ${l.profit.padStart(10)}  ${(l.clv ?? '-').padStart(9)}`,
  );
  return [header, ...body].join('\n');
}

async function printSummary(db: Pool, since: Date, say: (m: string) => void): Promise<void> {
  say(`\n— ${new Date().toISOString()} —\n${formatLines(await strategyLines(db, since))}`);
}

/** The closing report of a run: the per-strategy table, printed and written to reports/. */
async function writeReport(loaded: LoadedConfig, since: Date, say: (m: string) => void): Promise<void> {
  const { createPool } = await import('../../activities/infra/postgres');
  const db = createPool(loaded.config.database.url, 1);
  try {
    const lines = await strategyLines(db, since);
    const table = formatLines(lines);
    const dir = resolve(PROJECT_ROOT, 'reports');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `demo-${since.toISOString().replace(/[:.]/g, '-')}.md`);
    writeFileSync(
      file,
      `# Alpha-Bet demo run\n\nFrom ${since.toISOString()} to ${new Date().toISOString()}, simulated market, strategies in paper mode.\n\n\`\`\`\n${table}\n\`\`\`\n\nEvery bet: \`npx alphabet bets list\`; bankroll: \`npx alphabet bankroll\`.\n`,
    );
    say(`\nreport of this run (${file}):\n${table}`);
  } finally {
    await db.end();
  }
}
