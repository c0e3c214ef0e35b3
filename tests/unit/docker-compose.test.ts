import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../config/paths';
import { loadConfig } from '../../config/load';
import { ENV_OVERRIDES, SECRET_ENV } from '../../config/schema';
import { QUEUE_ROLES } from '../../shared/queues';
import { TEMPORAL_SERVER_VERSION } from '../../scripts/temporal-server';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  ports?: (string | number | { target: number; published?: string | number; host_ip?: string })[];
}
const compose = parse(readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
/** Variables the processes read directly, outside the config file's overrides. */
const PROCESS_ENV = new Set(['ALPHABET_WORKER_QUEUES', 'ALPHABET_CONFIG']);

/** Resolve compose's ${NAME:-default} the way docker compose does with NAME unset. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z_]+):-([^}]*)\}/g, (_m, _name, fallback: string) => fallback);
}

/** The host address a `ports:` entry publishes on; '' means every interface. */
function hostIp(port: string | number | { host_ip?: string }): string {
  if (typeof port === 'number') return '';
  if (typeof port === 'object') return port.host_ip ?? '';
  const spec = interpolate(port).replace(/\/(tcp|udp)$/, '');
  const v6 = /^\[([^\]]+)\]:/.exec(spec);
  if (v6) return v6[1]!;
  const parts = spec.split(':');
  return parts.length === 3 ? parts[0]! : '';
}

/** Whether .dockerignore keeps `path` out of the build context (Docker's rule: the last matching line wins). */
function dockerIgnored(patterns: string[], path: string): boolean {
  let ignored = false;
  for (const line of patterns) {
    const negated = line.startsWith('!');
    const glob = (negated ? line.slice(1) : line).replace(/^\/+/, '');
    const re = new RegExp(
      `^${glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*/g, '\0')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/\0/g, '.*')}(/.*)?$`,
    );
    if (re.test(path)) ignored = !negated;
  }
  return ignored;
}

/** The services that run `alphabet worker`, by the queues they serve. */
function workerServices(): Record<string, Service> {
  return Object.fromEntries(
    Object.entries(compose.services).filter(([, s]) => s.command?.includes('worker')),
  );
}

describe('docker-compose.yml', () => {
  it('has postgres, redis, temporal with PostgreSQL persistence, temporal-ui and the workers built here', () => {
    const s = compose.services;
    expect(Object.keys(s)).toEqual(
      expect.arrayContaining(['postgres', 'redis', 'temporal', 'temporal-ui', 'worker-bets']),
    );
    expect(s.postgres!.image).toMatch(/^postgres:15/);
    expect(s.redis!.image).toMatch(/^redis:7/);
    expect(s.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    for (const w of Object.values(workerServices())) expect(w.build).toBe('.');
    expect(existsSync(join(PROJECT_ROOT, 'Dockerfile'))).toBe(true);
    // The same server and UI releases the local dev server bundles.
    expect(s.temporal!.image).toBe('temporalio/server:1.29.1');
    expect(s['temporal-ui']!.image).toBe('temporalio/ui:2.42.1');
  });

  it('gives our services only environment names the config reads', () => {
    const known = new Set([...Object.keys(ENV_OVERRIDES), ...Object.keys(SECRET_ENV), ...PROCESS_ENV]);
    for (const name of [...Object.keys(workerServices()), 'setup']) {
      const env = compose.services[name]!.environment!;
      expect(Object.keys(env).length).toBeGreaterThan(3);
      for (const key of Object.keys(env)) expect(known, `${name}: ${key}`).toContain(key);
    }
  });

  it('points the worker at the compose services, and that environment validates', () => {
    const env = Object.fromEntries(
      Object.entries(compose.services['worker-bets']!.environment!).map(([k, v]) => [
        k,
        interpolate(String(v)),
      ]),
    );
    const { config, secrets } = loadConfig({ env });
    expect(new URL(config.database.url).hostname).toBe('postgres');
    expect(new URL(config.redis.url).hostname).toBe('redis');
    expect(config.temporal.address).toBe('temporal:7233');
    expect(Object.keys(secrets)).toEqual([]); // empty pass-throughs are not secrets
  });

  it('publishes ports on loopback only: the frontend and the Web UI ask for no login', () => {
    const published = Object.entries(compose.services).flatMap(([name, s]) =>
      (s.ports ?? []).map((port) => ({ name, port, ip: hostIp(port) })),
    );
    expect(published.map((p) => p.name).sort()).toEqual(['temporal', 'temporal-ui']);
    for (const p of published) {
      expect(p.ip, `${p.name}: ${JSON.stringify(p.port)} is published on every interface`).toMatch(
        /^(127\.\d+\.\d+\.\d+|::1|localhost)$/,
      );
    }
    expect(compose.services.temporal!.ports).toEqual(['127.0.0.1:7233:7233']);
    expect(compose.services['temporal-ui']!.ports).toEqual(['127.0.0.1:8080:8080']);
  });

  it('keeps .env files out of the image', () => {
    const patterns = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const file of ['.env', '.env.production', '.env.local'])
      expect(dockerIgnored(patterns, file), `${file} reaches the build context`).toBe(true);
    expect(dockerIgnored(patterns, 'package.json')).toBe(false);
  });

  it('starts the workers only after setup (migrations, search attributes) completed', () => {
    for (const w of Object.values(workerServices()))
      expect(w.depends_on).toMatchObject({ setup: { condition: 'service_completed_successfully' } });
    expect(compose.services.setup!.command).toEqual(['node', 'bin/alphabet.mjs', 'stack', 'up']);
  });

  it('runs the same Temporal server as local server mode: version, history shards, dynamic config', () => {
    const { server } = loadConfig({ env: {} }).config.stack;
    const temporal = compose.services.temporal!;
    expect(temporal.image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION.slice(1)}`);
    expect(temporal.environment!.NUM_HISTORY_SHARDS).toBe(String(server.historyShards));
    const volumes = (temporal as { volumes?: string[] }).volumes ?? [];
    const file = server.dynamicConfig.split('/').pop()!;
    const dir = server.dynamicConfig.slice(0, -file.length - 1);
    expect(volumes).toContain(`./${dir}:/etc/temporal/config/dynamicconfig`);
    expect(temporal.environment!.DYNAMIC_CONFIG_FILE_PATH).toBe(`config/dynamicconfig/${file}`);
  });

  it('runs one worker service per task queue with config stack.workers replicas (stack up --workers)', () => {
    const { workers } = loadConfig({ env: {} }).config.stack;
    expect(Object.keys(workerServices()).sort()).toEqual(QUEUE_ROLES.map((q) => `worker-${q}`).sort());
    for (const queue of QUEUE_ROLES) {
      const service = compose.services[`worker-${queue}`]!;
      expect(service.command).toEqual(['node', 'bin/alphabet.mjs', 'worker', '--queues', queue]);
      expect(service.deploy?.replicas ?? 1, `replicas of worker-${queue}`).toBe(workers[queue]);
    }
  });
});
