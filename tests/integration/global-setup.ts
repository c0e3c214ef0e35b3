import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import { isAlive, startDevServer, stopDevServer } from '../../scripts/devserver';
import { migrate } from '../../activities/infra/postgres';
import { createRedis } from '../../activities/infra/redis';
import { freePort } from '../helpers/ports';

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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'alphabet-test-'));
  const cli = await ensureTemporalCli();
  const port = await freePort();

  const databaseUrl = await recreateDatabase(BASE_DATABASE_URL, TEST_DATABASE);
  await migrate(databaseUrl);

  const [server, bundle] = await Promise.all([
    startDevServer({
      temporalCli: cli.path,
      dataDir,
      dbFile: 'temporal.sqlite',
      ip: '127.0.0.1',
      port,
      uiPort: await freePort(),
      namespace: 'default',
      headless: true,
    }),
    bundleWorkflowCode({
      workflowsPath: resolve(import.meta.dirname, '../fixtures/workflows.ts'),
      logger: new DefaultLogger('WARN'),
    }),
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
    await deleteKeys(REDIS_URL, REDIS_KEY_PREFIX);
  };
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = createRedis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function dropDatabase(baseUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Create this run's database, dropping those left by runs that died (their process is gone). */
async function recreateDatabase(baseUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname ~ '^alphabet_test_[0-9]+$'`,
    );
    for (const { datname } of rows) {
      const pid = Number(datname.slice('alphabet_test_'.length));
      if (pid !== process.pid && !isAlive(pid))
        await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
    }
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
