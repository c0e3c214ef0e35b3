import { describe, expect, it, inject } from 'vitest';
import { alphabetOnTestStack } from '../helpers/platform';

function cli(args: string[], env: Record<string, string> = {}) {
  return alphabetOnTestStack(args, env);
}

describe('alphabet CLI against the test stack', () => {
  it('`stack status --json` reports every component with its address and health', async () => {
    const { code, stdout } = await cli(['stack', 'status', '--json']);
    const { components } = JSON.parse(stdout) as {
      components: { component: string; address: string; healthy: boolean }[];
    };
    const byName = Object.fromEntries(components.map((c) => [c.component, c]));
    expect(byName.postgres).toMatchObject({ healthy: true });
    expect(byName.redis).toMatchObject({ healthy: true, address: '127.0.0.1:6379/15' });
    expect(byName.temporal).toMatchObject({ healthy: true, address: inject('temporalAddress') });
    expect(code).toBe(0);
  });

  it('`stack up` on a remote-style address is idempotent: migrations up to date, search attributes present', async () => {
    const first = await cli(['stack', 'up', '--json']);
    const second = await cli(['stack', 'up', '--json']);
    expect(first.code).toBe(0);
    const components = (
      JSON.parse(second.stdout) as { components: { component: string; detail: string; healthy: boolean }[] }
    ).components;
    expect(components.find((c) => c.component === 'migrations')).toMatchObject({
      healthy: true,
      detail: 'up to date',
    });
    expect(components.find((c) => c.component === 'temporal')?.detail).not.toContain('registered');
    expect(second.code).toBe(0);
  });

  it('refuses bad configuration before doing anything, naming the key and value (exit 2)', async () => {
    const { code, stderr } = await cli(['stack', 'status'], { DATABASE_POOL_SIZE: 'many' });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('database.poolSize = "many"');
    expect(stderr).toContain('DATABASE_POOL_SIZE');
  });

  it('reports unhealthy components with exit 1 and says what to do', async () => {
    const { code, stdout } = await cli(['stack', 'status', '--json'], { REDIS_URL: 'redis://127.0.0.1:1/0' });
    const redis = (
      JSON.parse(stdout) as { components: { component: string; healthy: boolean; detail: string }[] }
    ).components.find((c) => c.component === 'redis');
    expect(redis?.healthy).toBe(false);
    expect(code).toBe(1);
  });
});
