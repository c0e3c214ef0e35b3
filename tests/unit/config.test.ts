import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfig } from '../../config/load';
import { createLogger } from '../../activities/infra/logger';

const dir = mkdtempSync(join(tmpdir(), 'alphabet-config-'));
const base = readFileSync(DEFAULT_CONFIG_FILE, 'utf8');

function writeConfig(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('loads the shipped defaults', () => {
    const { config, file } = loadConfig({ env: {} });
    expect(file).toBe(DEFAULT_CONFIG_FILE);
    expect(config.risk.perBetCapFraction).toBe('0.02');
    expect(config.temporal.taskQueues.bets).toBe('alphabet-bets');
  });

  it('names the key, the value, the file and what was expected for a bad value in the file', () => {
    const file = writeConfig(
      'bad-fraction.yaml',
      base.replace("perBetCapFraction: '0.02'", "perBetCapFraction: 'two percent'"),
    );
    const err = errorOf(() => loadConfig({ file, env: {} }));
    expect(err.key).toBe('risk.perBetCapFraction');
    expect(err.value).toBe('two percent');
    expect(err.message).toContain('risk.perBetCapFraction = "two percent"');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/expected a decimal number/);
  });

  it('names the environment variable when an override is bad', () => {
    const err = errorOf(() => loadConfig({ env: { REDIS_URL: 'http://cache:6379' } }));
    expect(err.key).toBe('redis.url');
    expect(err.message).toContain('"http://cache:6379"');
    expect(err.message).toContain('environment variable REDIS_URL');
    expect(err.message).toContain('redis://');
  });

  it('applies valid overrides from the environment', () => {
    const { config, overriddenBy } = loadConfig({
      env: { DATABASE_URL: 'postgres://u@db:5432/prod', TEMPORAL_DEV_PORT: '7300', TEMPORAL_TLS: 'true' },
    });
    expect(config.database.url).toBe('postgres://u@db:5432/prod');
    expect(config.stack.devServer.port).toBe(7300);
    expect(config.temporal.tls.enabled).toBe(true);
    expect(overriddenBy['database.url']).toBe('DATABASE_URL');
  });

  it('refuses unknown keys (typos) with the key named', () => {
    const file = writeConfig('typo.yaml', base.replace('  poolSize: 10', '  poolSize: 10\n  pool_sise: 12'));
    const err = errorOf(() => loadConfig({ file, env: {} }));
    expect(err.key).toBe('database.pool_sise');
    expect(err.message).toContain('unknown key');
  });

  it('reports a missing key as missing', () => {
    const file = writeConfig('missing.yaml', base.replace('  currency: USD\n', ''));
    const err = errorOf(() => loadConfig({ file, env: {} }));
    expect(err.key).toBe('risk.currency');
    expect(err.message).toContain('(missing)');
  });

  it('refuses secrets in the file without echoing them', () => {
    const file = writeConfig(
      'secret.yaml',
      base.replace('      regions: [us]', '      regions: [us]\n      apiKey: sk-live-123456'),
    );
    const err = errorOf(() => loadConfig({ file, env: {} }));
    expect(err.key).toBe('providers.1.options.apiKey');
    expect(err.message).not.toContain('sk-live-123456');
    expect(err.message).toContain('ODDS_API_KEY');
  });

  it('reports YAML syntax errors with the line', () => {
    const file = writeConfig('syntax.yaml', 'temporal:\n  address: [unclosed\n');
    const err = errorOf(() => loadConfig({ file, env: {} }));
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/line \d+/);
  });

  it('takes secrets from the environment only', () => {
    const { secrets } = loadConfig({ env: { ODDS_API_KEY: 'abc123secret' } });
    expect(secrets.ODDS_API_KEY).toBe('abc123secret');
  });
});

describe('logger', () => {
  it('never writes a secret value, in a message or in a field', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const secret = 'odds-key-9f8e7d6c';
    const logger = createLogger({ level: 'info', secrets: { ODDS_API_KEY: secret } }, sink);
    logger.info(
      { url: `https://api.example/v4/sports?apiKey=${secret}`, headers: { authorization: 'Bearer x' } },
      `polling with ${secret}`,
    );
    logger.info({ provider: { apiKey: secret } }, 'nested');
    const out = lines.join('');
    expect(out).not.toContain(secret);
    expect(out).not.toContain('Bearer x');
    expect(out).toContain('[redacted]');
    expect(out).toContain('polling with');
  });
});
