import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { ensureTemporalCli } from '../scripts/temporal-cli';
import {
  ensureSearchAttributes,
  startDevServer,
  stopDevServer,
  stopPid,
  waitHealthy,
} from '../scripts/devserver';
import { migrate } from '../activities/infra/postgres';
import { recreateDatabase, scratchDevServer, scratchTemporalServer } from '../tests/helpers/scratch';
import { freePort } from '../tests/helpers/ports';

/**
 * Which Temporal a bench runs on: the dev server's SQLite file in WAL mode with synchronous=NORMAL (the
 * default `stack up`) or FULL, the dev server in memory, or Temporal's own server on PostgreSQL.
 */
export const BENCH_TEMPORAL = ['dev', 'dev-full', 'dev-memory', 'server'] as const;
export type BenchTemporal = (typeof BENCH_TEMPORAL)[number];

interface BenchTemporalServer {
  address: string;
  stop(): Promise<void>;
}

/** The in-memory dev server: no --db-filename, so nothing is written to disk. */
async function startMemoryDevServer(cliPath: string): Promise<BenchTemporalServer> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port)];
  const child = spawn(cliPath, [...args, '--log-level', 'error'], { stdio: 'ignore' });
  if (child.pid === undefined) throw new Error(`could not start ${cliPath}`);
  const pid = child.pid;
  await waitHealthy(address, pid, 60_000, '(no log: in-memory dev server)');
  await ensureSearchAttributes({ address }, 'default');
  return { address, stop: () => stopPid(pid) };
}

async function startBenchTemporal(
  temporal: BenchTemporal,
  cliPath: string,
  dataDir: string,
  baseDb: string,
  tag: string,
  historyShards: number,
): Promise<BenchTemporalServer> {
  if (temporal === 'dev-memory') return startMemoryDevServer(cliPath);
  if (temporal === 'server') {
    const server = await scratchTemporalServer(baseDb, dataDir, `${tag}_${process.pid}`, historyShards);
    return { address: server.address, stop: () => server.stop() };
  }
  const options = await scratchDevServer(cliPath, dataDir);
  const started = await startDevServer({
    ...options,
    sqliteSync: temporal === 'dev-full' ? 'full' : 'normal',
  });
  return { address: started.address, stop: () => stopDevServer(dataDir).then(() => undefined) };
}

/**
 * The throwaway stack a Temporal bench runs on: a temp data dir with its own Temporal (by default a
 * headless dev server on a SQLite file), a fresh migrated database, the bench workflows bundled once, and
 * a per-run Redis key prefix. The caller stops the server, removes the dir and drops the database at the end.
 */
export async function startBenchStack(
  tag: string,
  baseDb: string,
  temporal: BenchTemporal = 'dev',
  historyShards = 4,
) {
  const dataDir = mkdtempSync(join(tmpdir(), `alphabet-${tag}-`));
  const dbName = `alphabet_${tag}_${process.pid}`;
  const dbUrl = await recreateDatabase(baseDb, dbName);
  const cli = await ensureTemporalCli();
  const [server, bundle] = await Promise.all([
    startBenchTemporal(temporal, cli.path, dataDir, baseDb, tag, historyShards),
    bundleWorkflowCode({
      workflowsPath: resolve(import.meta.dirname, 'lifecycle-workflows.ts'),
      logger: new DefaultLogger('ERROR'),
    }),
    migrate(dbUrl),
  ]);
  return { dataDir, dbName, dbUrl, prefix: `ab${tag}:${process.pid}:`, cli, server, bundle };
}
