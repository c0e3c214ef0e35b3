import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import { isAlive, startDevServer, stopDevServer } from '../../scripts/devserver';
import { migrate } from '../../activities/infra/postgres';
import { createRedis } from '../../activities/infra/redis';
import { PROJECT_ROOT } from '../../config/paths';
import { compiledEntry, consoleBuildIsStale } from '../../bin/compiled.mjs';
import { deleteKeys, dropDatabase, recreateDatabase, scratchDevServer } from '../helpers/scratch';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCli: string;
    workflowBundlePath: string;
    databaseUrl: string;
    redisUrl: string;
    redisKeyPrefix: string;
    dataDir: string;
  }
}

const BASE_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/**
 * Tests never touch the operator's data: a database of their own per run (concurrent runs must not
 * clobber each other), Redis db 15 under a per-run key prefix.
 */
const TEST_DATABASE = `alphabet_test_${process.pid}`;
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const REDIS_KEY_PREFIX = `abtest:${process.pid}:`;

/**
 * The CLI tests run `bin/alphabet.mjs`, which takes the compiled dist/ when it is up to date and the sources
 * (tsx) otherwise. A fresh clone always has a fresh dist/ (built by `prepare`), so tests build it too when it
 * is stale: a module that works through tsx but not compiled (a deep import, a missing extension) then
 * fails here as it would for a user, not only in CI.
 */
async function buildCliIfStale(): Promise<void> {
  if (compiledEntry(PROJECT_ROOT)) return;
  await promisify(execFile)(process.execPath, ['bin/build-cli.mjs'], { cwd: PROJECT_ROOT });
}

/** The same for the web console the API serves: the browser tests then test the console's current sources. */
async function buildConsoleIfStale(): Promise<void> {
  if (!consoleBuildIsStale(PROJECT_ROOT)) return;
  await promisify(execFile)('npm', ['run', 'build:console'], { cwd: PROJECT_ROOT });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'alphabet-test-'));
  const cli = await ensureTemporalCli();

  // Drops the databases of runs that died (their process is gone) too.
  const databaseUrl = await recreateDatabase(BASE_DATABASE_URL, TEST_DATABASE, (name) => {
    const pid = /^alphabet_test_([0-9]+)$/.exec(name)?.[1];
    return pid !== undefined && !isAlive(Number(pid));
  });
  await migrate(databaseUrl);

  const [server, bundle] = await Promise.all([
    startDevServer(await scratchDevServer(cli.path, dataDir)),
    bundleWorkflowCode({
      workflowsPath: resolve(import.meta.dirname, '../fixtures/workflows.ts'),
      logger: new DefaultLogger('WARN'),
    }),
    buildCliIfStale(),
    buildConsoleIfStale(),
  ]);
  const workflowBundlePath = join(dataDir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);

  project.provide('temporalAddress', server.address);
  project.provide('temporalCli', cli.path);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', REDIS_URL);
  project.provide('redisKeyPrefix', REDIS_KEY_PREFIX);
  project.provide('dataDir', dataDir);
  process.stderr.write(
    `[global-setup] dev server ${server.address}, database ${TEST_DATABASE}, ready in ${Date.now() - started} ms\n`,
  );

  return async () => {
    await stopDevServer(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
    await dropDatabase(BASE_DATABASE_URL, TEST_DATABASE);
    const redis = createRedis(REDIS_URL);
    try {
      await deleteKeys(redis, [`${REDIS_KEY_PREFIX}*`]);
    } finally {
      redis.disconnect();
    }
  };
}
