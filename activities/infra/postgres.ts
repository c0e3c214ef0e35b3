import pg from 'pg';
import { runner } from 'node-pg-migrate';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../../config/load';

// NUMERIC and BIGINT come back as strings: exact money, never a float.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => v);

export type Pool = pg.Pool;
export const MIGRATIONS_DIR = resolve(PROJECT_ROOT, 'migrations');

export function createPool(databaseUrl: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5_000 });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** Connect once; on "database does not exist" create it through the maintenance database. */
export async function ensureDatabase(databaseUrl: string): Promise<'exists' | 'created'> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return 'exists';
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } catch (err) {
    if ((err as { code?: string }).code !== '42P04') throw err; // created meanwhile
  } finally {
    await admin.end();
  }
  return 'created';
}

/** Apply pending migrations (node-pg-migrate); a second run is a no-op. Returns the names applied. */
export async function migrate(
  databaseUrl: string,
  log: (msg: string) => void = () => undefined,
): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    count: Infinity,
    singleTransaction: true,
    checkOrder: true,
    log,
    verbose: false,
  });
  return applied.map((m) => m.name);
}

/** Run `fn` in one SQL transaction (READ COMMITTED; callers take the row locks they need). */
export async function inTransaction<T>(db: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => void (broken = e));
    throw err;
  } finally {
    // A connection that could not even roll back is discarded, not handed to the next transaction.
    client.release(broken);
  }
}
