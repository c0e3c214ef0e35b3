import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { createRedis } from '../activities/infra/redis';
import { ensureDatabase } from '../activities/infra/postgres';
import { redactUrls } from '../shared/redact';

const execFileAsync = promisify(execFile);

export interface ServiceState {
  name: 'postgres' | 'redis';
  address: string;
  healthy: boolean;
  detail: string;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** host:port of a URL with the credentials left out, for printing. */
export function displayAddress(url: string, defaultPort: number): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || defaultPort}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
}

export async function postgresState(url: string): Promise<ServiceState> {
  const address = displayAddress(url, 5432);
  try {
    const result = await ensureDatabase(url);
    return {
      name: 'postgres',
      address,
      healthy: true,
      detail: result === 'created' ? 'database created' : 'accepting connections',
    };
  } catch (err) {
    return { name: 'postgres', address, healthy: false, detail: redactUrls((err as Error).message) };
  }
}

export async function redisState(url: string): Promise<ServiceState> {
  const address = displayAddress(url, 6379);
  const redis = createRedis(url, { lazyConnect: true, maxRetries: 0 });
  redis.options.retryStrategy = () => null;
  try {
    await redis.connect();
    const pong = await redis.ping();
    return { name: 'redis', address, healthy: pong === 'PONG', detail: pong === 'PONG' ? 'PONG' : pong };
  } catch (err) {
    return { name: 'redis', address, healthy: false, detail: redactUrls((err as Error).message) };
  } finally {
    redis.disconnect();
  }
}

/**
 * Make PostgreSQL answer at `url`: when it is down on this machine and installed, start the local
 * cluster; otherwise explain what to do.
 */
export async function ensurePostgres(url: string, log: (m: string) => void): Promise<ServiceState> {
  let state = await postgresState(url);
  if (state.healthy) return state;
  const host = new URL(url).hostname;
  const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
  if (LOCAL_HOSTS.has(host) && versions.length > 0 && existsSync('/usr/bin/pg_ctlcluster')) {
    log(`PostgreSQL is not answering at ${state.address}; starting the local cluster ${versions[0]}/main`);
    try {
      await execFileAsync('pg_ctlcluster', ['--skip-systemctl-redirect', versions[0]!, 'main', 'start'], {
        timeout: 60_000,
      });
    } catch (err) {
      log(`pg_ctlcluster: ${(err as Error).message.split('\n')[0]}`);
    }
    for (let i = 0; i < 40 && !state.healthy; i++) {
      await new Promise((r) => setTimeout(r, 250));
      state = await postgresState(url);
    }
  }
  if (!state.healthy) {
    state.detail +=
      `. Start PostgreSQL 15+ at ${state.address} (Debian: pg_ctlcluster --skip-systemctl-redirect <version> main start), ` +
      'or set DATABASE_URL to a reachable server.';
  }
  return state;
}

export async function ensureRedis(url: string, log: (m: string) => void): Promise<ServiceState> {
  let state = await redisState(url);
  if (state.healthy) return state;
  const u = new URL(url);
  const server = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
  if (LOCAL_HOSTS.has(u.hostname) && server) {
    const port = u.port || '6379';
    log(`Redis is not answering at ${state.address}; starting ${server} on port ${port}`);
    try {
      await execFileAsync(
        server,
        ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', port, '--save', '', '--appendonly', 'no'],
        { timeout: 30_000 },
      );
    } catch (err) {
      log(`redis-server: ${(err as Error).message.split('\n')[0]}`);
    }
    for (let i = 0; i < 40 && !state.healthy; i++) {
      await new Promise((r) => setTimeout(r, 250));
      state = await redisState(url);
    }
  }
  if (!state.healthy) {
    state.detail += `. Start Redis 7 at ${state.address} (redis-server --daemonize yes --port ${u.port || 6379}), or set REDIS_URL.`;
  }
  return state;
}
