import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import { startDevServer, stopDevServer } from '../../scripts/devserver';
import { migrate } from '../../activities/infra/postgres';
import { freePort } from '../helpers/ports';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCli: string;
    workflowBundlePath: string;
    databaseUrl: string;
    redisUrl: string;
    dataDir: string;
  }
}

const BASE_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Tests never touch the operator's database or Redis db: their own database, Redis db 15. */
const TEST_DATABASE = 'alphabet_test';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

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
    bundleWorkflowCode({ workflowsPath: resolve(import.meta.dirname, '../fixtures/workflows.ts') }),
  ]);
  const workflowBundlePath = join(dataDir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);

  project.provide('temporalAddress', server.address);
  project.provide('temporalCli', cli.path);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', REDIS_URL);
  project.provide('dataDir', dataDir);
  process.stderr.write(
    `[global-setup] dev server ${server.address}, database ${TEST_DATABASE}, ready in ${Date.now() - started} ms\n`,
  );

  return async () => {
    await stopDevServer(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  };
}

async function recreateDatabase(baseUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
