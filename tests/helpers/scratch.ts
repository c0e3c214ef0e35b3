import pg from 'pg';
import type { Redis } from 'ioredis';
import { join } from 'node:path';
import type { DevServerOptions } from '../../scripts/devserver';
import {
  dropTemporalDatabases,
  ensureServerBinaries,
  setupTemporalDatabases,
  startTemporalServer,
  stopTemporalServer,
  type ServerBinaries,
  type ServerOptions,
} from '../../scripts/temporal-server';
import { freePort, freePortBlock } from './ports';
import { loadConfig } from '../../config/load';

// Throwaway infrastructure for tests and benches: databases beside the configured one, headless dev
// servers on free loopback ports, and key clean-up that never flushes a whole Redis db.

/** A headless dev server on loopback keeping its state in `dataDir`/temporal.sqlite; free ports unless given. */
export async function scratchDevServer(
  temporalCli: string,
  dataDir: string,
  port?: number,
): Promise<DevServerOptions> {
  // The store as configured by default (pragmas, dynamic config): tests and benches run what `stack up` runs.
  const { sqliteSync, sqlitePragmas, dynamicConfig } = loadConfig({ env: {} }).config.stack.devServer;
  return {
    temporalCli,
    dataDir,
    sqliteSync,
    sqlitePragmas,
    dynamicConfig,
    dbFile: 'temporal.sqlite',
    ip: '127.0.0.1',
    port: port ?? (await freePort()),
    uiPort: await freePort(),
    namespace: 'default',
    headless: true,
  };
}

/** Run statements as the administrator of `baseUrl`'s server. */
async function asAdmin(baseUrl: string, run: (admin: pg.Client) => Promise<void>): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await run(admin);
  } finally {
    await admin.end();
  }
}

/**
 * An empty database `name` on `baseUrl`'s server (dropped first if left over); returns its URL. With
 * `isStale`, other databases it accepts are dropped too (those of runs that died).
 */
export async function recreateDatabase(
  baseUrl: string,
  name: string,
  isStale?: (name: string) => boolean,
): Promise<string> {
  await asAdmin(baseUrl, async (admin) => {
    if (isStale !== undefined) {
      const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database');
      for (const { datname } of rows) {
        if (datname !== name && isStale(datname))
          await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
      }
    }
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  });
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(baseUrl: string, name: string): Promise<void> {
  await asAdmin(baseUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  });
}

/** Delete the keys matching each pattern (SCAN, never FLUSHDB: the db may hold others' keys). */
export async function deleteKeys(redis: Redis, patterns: readonly string[]): Promise<void> {
  for (const match of patterns) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}

export interface ScratchTemporalServer {
  bin: ServerBinaries;
  options: ServerOptions;
  address: string;
  /** Stop the server and drop its two databases. */
  stop(): Promise<void>;
}

/**
 * A throwaway Temporal server (the production topology's) on `baseUrl`'s PostgreSQL: two databases of its
 * own named after `tag`, nine free loopback ports, its config, pid and log under `dataDir`.
 */
export async function scratchTemporalServer(
  baseUrl: string,
  dataDir: string,
  tag: string,
  historyShards: number,
): Promise<ScratchTemporalServer> {
  const bin = await ensureServerBinaries();
  const options: ServerOptions = {
    dataDir: join(dataDir, `temporal-server-${tag}`),
    ip: '127.0.0.1',
    port: await freePortBlock(9),
    historyShards,
    databases: { temporal: `temporal_${tag}`, visibility: `temporal_vis_${tag}` },
    dynamicConfig: 'deploy/temporal/dynamicconfig/development-sql.yaml',
    namespace: 'default',
    databaseUrl: baseUrl,
  };
  // Left over by a run that died, or from another shard count: the shard count is fixed at creation.
  await dropTemporalDatabases(options);
  await setupTemporalDatabases(bin, options, () => undefined);
  await startTemporalServer(bin, options);
  return {
    bin,
    options,
    address: `${options.ip}:${options.port}`,
    stop: async () => {
      await stopTemporalServer(options.dataDir);
      await dropTemporalDatabases(options);
    },
  };
}
