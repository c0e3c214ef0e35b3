import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../../config/load';
import { createLogger } from '../../activities/infra/logger';
import { connectClient } from '../../activities/infra/temporal';
import { formatStatuses, stackUp, stackDown, usesLocalDevServer } from '../../scripts/stack';
import { createWorkerSet } from '../../workers/worker';
import type { healthCheckWorkflow } from '../../workflows';
import { parseDuration } from '../duration';

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
      const report = await runHealthCheck(loaded);
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(report, null, 2)}\n`
          : `${report.ok ? 'healthy' : 'UNHEALTHY'}: ${report.url}\n`,
      );
      if (!report.ok) process.exitCode = 1;
    });
}

async function start(loaded: LoadedConfig, durationMs: number | null, keepStack: boolean): Promise<void> {
  const say = (m: string) => process.stdout.write(`${m}\n`);
  say('Alpha-Bet: bringing the stack up…');
  const statuses = await stackUp(loaded, (m) => say(`  ${m}`));
  say(formatStatuses(statuses));
  const down = statuses.filter((s) => !s.healthy && s.component !== 'temporal-ui');
  if (down.length)
    throw new Error(`cannot start: ${down.map((s) => `${s.component} (${s.detail})`).join('; ')}`);
  const startedDevServer = statuses.some((s) => s.component === 'temporal' && s.detail.startsWith('started'));

  // Worker logs go to a file-friendly JSON stream on stderr at warn level, keeping the terminal readable.
  const logger = createLogger({
    level: process.env.LOG_LEVEL ?? 'warn',
    name: 'worker',
    secrets: loaded.secrets,
  });
  const workers = await createWorkerSet({ loaded, logger });
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

  try {
    const report = await runHealthCheck(loaded);
    say(
      `health check ${report.ok ? 'passed' : 'FAILED'}: ${report.results.length} round trips to PostgreSQL and Redis across ${loaded.config.temporal.taskQueues.ingestion}, ${loaded.config.temporal.taskQueues.strategies}, ${loaded.config.temporal.taskQueues.bets}`,
    );
    say(
      `Temporal Web UI: ${loaded.config.temporal.uiUrl}/namespaces/${loaded.config.temporal.namespace}/workflows`,
    );
    say(`this health check: ${report.url}`);
    say(
      durationMs
        ? `running for ${Math.round(durationMs / 1000)} s; Ctrl-C stops earlier`
        : 'running; Ctrl-C stops',
    );
    if (durationMs) setTimeout(() => stop('duration reached'), durationMs).unref();
  } catch (err) {
    stop(`health check failed (${(err as Error).message})`);
    process.exitCode = 1;
  }

  await running;
  if (startedDevServer && !keepStack && usesLocalDevServer(loaded.config)) {
    await stackDown(loaded);
    say('stopped the Temporal dev server (state kept; `npm start` resumes it)');
  }
  say('stopped cleanly');
}

export async function runHealthCheck(loaded: LoadedConfig) {
  const { config, secrets } = loaded;
  const client = await connectClient(config, secrets);
  try {
    const workflowId = `health-check-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const queues = config.temporal.taskQueues;
    const report = await client.workflow.execute<typeof healthCheckWorkflow>('healthCheckWorkflow', {
      workflowId,
      taskQueue: queues.ingestion,
      args: [{ probeId: workflowId, taskQueues: [queues.ingestion, queues.strategies, queues.bets] }],
      staticSummary: 'Health check: PostgreSQL and Redis round trips from every task queue',
      workflowExecutionTimeout: '10 minutes',
    });
    const url = `${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${encodeURIComponent(workflowId)}`;
    return { ...report, workflowId, url };
  } finally {
    await client.connection.close();
  }
}
