import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../config/paths';
import { loadConfig } from '../../config/load';
import { ENV_OVERRIDES, SECRET_ENV } from '../../config/schema';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
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

describe('docker-compose.yml', () => {
  it('has postgres, redis, temporal with PostgreSQL persistence, temporal-ui and the worker built here', () => {
    const s = compose.services;
    expect(Object.keys(s)).toEqual(
      expect.arrayContaining(['postgres', 'redis', 'temporal', 'temporal-ui', 'worker']),
    );
    expect(s.postgres!.image).toMatch(/^postgres:15/);
    expect(s.redis!.image).toMatch(/^redis:7/);
    expect(s.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    expect(s.worker!.build).toBe('.');
    expect(existsSync(join(PROJECT_ROOT, 'Dockerfile'))).toBe(true);
    // The same server and UI releases the local dev server bundles.
    expect(s.temporal!.image).toBe('temporalio/server:1.29.1');
    expect(s['temporal-ui']!.image).toBe('temporalio/ui:2.42.1');
  });

  it('gives our services only environment names the config reads', () => {
    const known = new Set([...Object.keys(ENV_OVERRIDES), ...Object.keys(SECRET_ENV), ...PROCESS_ENV]);
    for (const name of ['worker', 'setup']) {
      const env = compose.services[name]!.environment!;
      expect(Object.keys(env).length).toBeGreaterThan(3);
      for (const key of Object.keys(env)) expect(known, `${name}: ${key}`).toContain(key);
    }
  });

  it('points the worker at the compose services, and that environment validates', () => {
    const env = Object.fromEntries(
      Object.entries(compose.services.worker!.environment!).map(([k, v]) => [k, interpolate(String(v))]),
    );
    const { config, secrets } = loadConfig({ env });
    expect(new URL(config.database.url).hostname).toBe('postgres');
    expect(new URL(config.redis.url).hostname).toBe('redis');
    expect(config.temporal.address).toBe('temporal:7233');
    expect(Object.keys(secrets)).toEqual([]); // empty pass-throughs are not secrets
  });

  it('starts the worker only after setup (migrations, search attributes) completed', () => {
    expect(compose.services.worker!.depends_on).toMatchObject({
      setup: { condition: 'service_completed_successfully' },
    });
    expect(compose.services.setup!.command).toEqual(['node', 'bin/alphabet.mjs', 'stack', 'up']);
  });
});
