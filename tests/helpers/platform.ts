import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { inject } from 'vitest';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { loadConfig, type LoadedConfig } from '../../config/load';
import { createLogger } from '../../activities/infra/logger';
import { createPool, type Pool } from '../../activities/infra/postgres';
import { createRedis, type Redis } from '../../activities/infra/redis';
import { createWorkerSet, type WorkerSet } from '../../workers/worker';
import { PROJECT_ROOT } from '../../config/paths';
import type { QueueRole } from '../../shared/queues';
import { alphabetWithEnv, type CliRun } from './cli';

/** The test stack's addresses as the environment variables the config loader reads. */
export function testStackEnv(): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: inject('redisKeyPrefix'),
  };
}

/** `alphabet <args>` against the test stack; `env` adds or overrides variables. Never rejects. */
export function alphabetOnTestStack(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return alphabetWithEnv({ ...testStackEnv(), ...env }, ...args);
}

/** The test stack's config: the shared dev server, the test database, Redis db 15, unique task queues. */
export function testConfig(overrides: Record<string, string> = {}): LoadedConfig {
  const loaded = loadConfig({
    env: {
      ...testStackEnv(),
      LOG_LEVEL: 'warn',
      ...overrides,
    },
  });
  // Each test file gets its own task queues so files never steal each other's tasks.
  const suffix = Math.random().toString(36).slice(2, 8);
  const q = loaded.config.temporal.taskQueues;
  loaded.config.temporal.taskQueues = {
    ingestion: `${q.ingestion}-${suffix}`,
    strategies: `${q.strategies}-${suffix}`,
    bets: `${q.bets}-${suffix}`,
  };
  return loaded;
}

export async function startWorkers(
  loaded: LoadedConfig,
  roles?: readonly QueueRole[],
): Promise<WorkerSet & { done: Promise<void> }> {
  const set = await createWorkerSet({
    loaded,
    roles,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    logger: createLogger({ level: 'warn', name: 'test-worker' }),
  });
  const done = set.run();
  return Object.assign(set, { done });
}

export type RunningWorkers = Awaited<ReturnType<typeof startWorkers>>;

/** Terminate these workflows if they still run (a test's leftovers); no client, nothing to do. */
export async function terminateAll(
  client: Client | undefined,
  workflowIds: readonly string[],
  reason = 'test over',
): Promise<void> {
  if (!client) return;
  await Promise.all(
    workflowIds.map((id) =>
      client.workflow
        .getHandle(id)
        .terminate(reason)
        .catch(() => undefined),
    ),
  );
}

/**
 * Tear down what a test's beforeAll started, any part of which may be missing (set-up failed part-way):
 * the workflows it left running, the workers, the client, then the stores.
 */
export async function stopTestPlatform(p: {
  client?: Client;
  workers?: RunningWorkers;
  stores?: { close(): Promise<void> };
  workflowIds?: readonly string[];
  reason?: string;
}): Promise<void> {
  await terminateAll(p.client, p.workflowIds ?? [], p.reason);
  p.workers?.shutdown();
  await p.workers?.done;
  await p.client?.connection.close();
  await p.stores?.close();
}

/**
 * The result of a workflow that something else starts a moment from now (an alert after a placement): its
 * id is known before it exists, so a not-found is waited out for up to `ms`.
 */
export async function resultOfStarted<T>(client: Client, workflowId: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return (await client.workflow.getHandle(workflowId).result()) as T;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) || Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function testClient(address = inject('temporalAddress')): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace: 'default' });
}

/** Direct handles on the test database and Redis, for assertions made outside the platform. */
export function testStores(): { db: Pool; redis: Redis; close(): Promise<void> } {
  const db = createPool(inject('databaseUrl'), 4);
  const redis = createRedis(inject('redisUrl'));
  return {
    db,
    redis,
    async close() {
      await db.end();
      redis.disconnect();
    },
  };
}

/**
 * The production worker process, `alphabet worker --queues <queues>`, configured as an operator would: the
 * loaded config written to a file in ALPHABET_CONFIG (this test's queues and settings), the test stack's
 * addresses, and the shared prebuilt bundle (ALPHABET_WORKFLOW_BUNDLE) so a restart does not bundle again.
 * Resolves once it logs 'workers running'; its logs (JSON, info) are kept in `output()`.
 */
export function startWorkerProcess(
  loaded: LoadedConfig,
  queues: string,
  /** Added last, e.g. another TEMPORAL_ADDRESS (the real-server tests). */
  env: NodeJS.ProcessEnv = {},
): Promise<ChildProcess & { output(): string }> {
  const configFile = join(inject('dataDir'), `worker-${Math.random().toString(36).slice(2, 8)}.yaml`);
  writeFileSync(configFile, stringify(loaded.config));
  const child = spawn(process.execPath, ['bin/alphabet.mjs', 'worker', '--queues', queues], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      ALPHABET_CONFIG: configFile,
      ...testStackEnv(),
      LOG_LEVEL: 'info',
      ALPHABET_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      ...env,
    },
  });
  let output = '';
  const worker = Object.assign(child, { output: () => output });
  return new Promise((ready, fail) => {
    child.stdout.on('data', (b: Buffer) => {
      output += b.toString();
      if (output.includes('"msg":"workers running"')) ready(worker);
    });
    child.once('exit', (code, signal) =>
      fail(new Error(`worker exited (${code ?? signal}) before it was ready:\n${output}`)),
    );
  });
}
