import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { ensureTemporalCli } from '../scripts/temporal-cli';
import { startDevServer } from '../scripts/devserver';
import { migrate } from '../activities/infra/postgres';
import { recreateDatabase, scratchDevServer } from '../tests/helpers/scratch';

/**
 * The throwaway stack a Temporal bench runs on: a temp data dir with its own headless dev server, a fresh
 * migrated database, the bench workflows bundled once, and a per-run Redis key prefix. The caller stops
 * the server, removes the dir and drops the database at the end.
 */
export async function startBenchStack(tag: string, baseDb: string) {
  const dataDir = mkdtempSync(join(tmpdir(), `alphabet-${tag}-`));
  const dbName = `alphabet_${tag}_${process.pid}`;
  const dbUrl = await recreateDatabase(baseDb, dbName);
  const cli = await ensureTemporalCli();
  const [server, bundle] = await Promise.all([
    startDevServer(await scratchDevServer(cli.path, dataDir)),
    bundleWorkflowCode({
      workflowsPath: resolve(import.meta.dirname, 'lifecycle-workflows.ts'),
      logger: new DefaultLogger('ERROR'),
    }),
    migrate(dbUrl),
  ]);
  return { dataDir, dbName, dbUrl, prefix: `ab${tag}:${process.pid}:`, cli, server, bundle };
}
