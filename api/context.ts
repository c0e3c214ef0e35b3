import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { LoadedConfig } from '../config/load';
import { PROJECT_ROOT } from '../config/paths';
import { createPool, type Pool } from '../activities/infra/postgres';
import { createRedis, type Redis } from '../activities/infra/redis';
import { connectClient } from '../activities/infra/temporal';
import { parseApiTokens } from './auth';

/** What the routes use: the same stores and Temporal client the CLI builds, held for the server's life. */
export interface ApiContext {
  loaded: LoadedConfig;
  db: Pool;
  redis: Redis;
  /** Connected on first use (reads of PostgreSQL and Redis work while Temporal is away). */
  client(): Promise<Client>;
  /** Bearer token → operator name (ALPHABET_API_TOKENS); empty on loopback without tokens. */
  tokens: ReadonlyMap<string, string>;
  /** Backtest results (`alphabet backtest --report` writes them here). */
  reportsDir: string;
  /** The built web console, served at `/` when it exists. */
  consoleDir: string;
  version: string;
  close(): Promise<void>;
}

export function createApiContext(
  loaded: LoadedConfig,
  options: { reportsDir?: string; consoleDir?: string } = {},
): ApiContext {
  const { config, secrets } = loaded;
  const tokens = parseApiTokens(secrets.ALPHABET_API_TOKENS);
  const db = createPool(config.database.url, Math.min(config.database.poolSize, 5));
  const redis = createRedis(config.redis.url);
  let client: Promise<Client> | null = null;
  const version = (
    JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }
  ).version;
  return {
    loaded,
    db,
    redis,
    client() {
      client ??= connectClient(config, secrets).catch((err: unknown) => {
        client = null; // try again on the next request
        throw err;
      });
      return client;
    },
    tokens,
    reportsDir: options.reportsDir ?? resolve(PROJECT_ROOT, 'reports'),
    consoleDir: options.consoleDir ?? resolve(PROJECT_ROOT, 'console/dist'),
    version,
    async close() {
      const c = await client?.catch(() => null);
      await c?.connection.close().catch(() => undefined);
      await db.end().catch(() => undefined);
      redis.disconnect();
    },
  };
}

/** The lifecycle's page in the Temporal Web UI. */
export function workflowLink(ctx: ApiContext, workflowId: string): string {
  const { uiUrl, namespace } = ctx.loaded.config.temporal;
  return `${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`;
}
