import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG_FILE, loadConfig, type ConfigError } from '../../config/load';
import { createLogger } from '../../activities/infra/logger';
import { createRedis } from '../../activities/infra/redis';
import { reportFailure } from '../../cli/output';
import { redactUrl, redactUrls } from '../../shared/redact';
import { alphabetWithEnv } from '../helpers/cli';
import { devServerArgs } from '../../scripts/devserver';
import { configErrorOf as errorOf } from '../helpers/config';

const dir = mkdtempSync(join(tmpdir(), 'alphabet-config-'));
const base = readFileSync(DEFAULT_CONFIG_FILE, 'utf8');

/** Load `text` written as the config file `name` (no environment): the file and the ConfigError it throws. */
function fileError(name: string, text: string): { file: string; err: ConfigError } {
  const file = join(dir, name);
  writeFileSync(file, text);
  return { file, err: errorOf(() => loadConfig({ file, env: {} })) };
}

/** A bad REDIS_URL: refused under its key, the message naming the environment variable it came from. */
/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function redisUrlError(value: string): ConfigError {
  const err = errorOf(() => loadConfig({ env: { REDIS_URL: value } }));
  expect(err.key).toBe('redis.url');
  expect(err.message).toContain('environment variable REDIS_URL');
  return err;
}

/** A logger that knows `secret` (as ODDS_API_KEY), writing its lines into `lines`. */
function capturingLogger(secret: string) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'info', secrets: { ODDS_API_KEY: secret } }, sink) };
}

describe('configuration', () => {
  it('loads the shipped defaults', () => {
    const { config, file } = loadConfig({ env: {} });
    expect(file).toBe(DEFAULT_CONFIG_FILE);
    expect(config.risk.perBetCapFraction).toBe('0.02');
    expect(config.temporal.taskQueues.bets).toBe('alphabet-bets');
  });

  it('names the key, the value, the file and what was expected for a bad value in the file', () => {
    const { file, err } = fileError(
      'bad-fraction.yaml',
      base.replace("perBetCapFraction: '0.02'", "perBetCapFraction: 'two percent'"),
    );
    expect(err.key).toBe('risk.perBetCapFraction');
    expect(err.value).toBe('two percent');
    expect(err.message).toContain('risk.perBetCapFraction = "two percent"');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/expected a decimal number/);
  });

  it('names the environment variable when an override is bad', () => {
    const err = redisUrlError('http://cache:6379');
    expect(err.message).toContain('"http://cache:6379"');
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

  it('starts the dev server in WAL mode with synchronous=normal unless full sync is chosen', () => {
    const argsFor = (env: Record<string, string>) => {
      const { config } = loadConfig({ env });
      return devServerArgs(
        { ...config.stack.devServer, dataDir: '.data', namespace: 'default', temporalCli: 't' },
        'db',
      );
    };
    const pragmas = (args: string[]) =>
      args.flatMap((a, i) => (args[i - 1] === '--sqlite-pragma' ? [a] : []));
    const tuning = ['cache_size=-65536', 'temp_store=memory', 'mmap_size=268435456'];
    expect(pragmas(argsFor({}))).toEqual(['journal_mode=wal', 'synchronous=normal', ...tuning]);
    expect(pragmas(argsFor({ TEMPORAL_DEV_SQLITE_SYNC: 'full' }))).toEqual([
      'journal_mode=wal',
      'synchronous=full',
      ...tuning,
    ]);
    const dynamic = argsFor({}).flatMap((a, i, all) => (all[i - 1] === '--dynamic-config-value' ? [a] : []));
    expect(dynamic).toContain('system.enableActivityEagerExecution=true');
    expect(dynamic).toContain('matching.numTaskqueueReadPartitions=1');
    const err = errorOf(() => loadConfig({ env: { TEMPORAL_DEV_SQLITE_SYNC: 'off' } }));
    expect(err.key).toBe('stack.devServer.sqliteSync');
    expect(err.message).toContain('off');
  });

  it('refuses dev server pragmas that would override sqliteSync, and malformed dynamic config keys', () => {
    const { err: pragma } = fileError(
      'pragma.yaml',
      base.replace('      cache_size: -65536', '      synchronous: "off"'),
    );
    expect(pragma.key).toContain('stack.devServer.sqlitePragmas');
    expect(pragma.message).toContain('sqliteSync');
    const { err: key } = fileError(
      'dynamic.yaml',
      base.replace('      matching.numTaskqueueWritePartitions: 1', '      "not a key": 1'),
    );
    expect(key.key).toContain('stack.devServer.dynamicConfig');
  });

  it('refuses unknown keys (typos) with the key named', () => {
    const { err } = fileError('typo.yaml', base.replace('  poolSize: 10', '  poolSize: 10\n  pool_sise: 12'));
    expect(err.key).toBe('database.pool_sise');
    expect(err.message).toContain('unknown key');
  });

  it('reports a missing key as missing', () => {
    const { err } = fileError('missing.yaml', base.replace('  currency: USD\n', ''));
    expect(err.key).toBe('risk.currency');
    expect(err.message).toContain('(missing)');
  });

  it('refuses secrets in the file without echoing them', () => {
    const { err } = fileError(
      'secret.yaml',
      base.replace('      regions: [us]', '      regions: [us]\n      apiKey: sk-live-123456'),
    );
    expect(err.key).toBe('providers.1.options.apiKey');
    expect(err.message).not.toContain('sk-live-123456');
    expect(err.message).toContain('ODDS_API_KEY');
  });

  it('reports YAML syntax errors with the line', () => {
    const { file, err } = fileError('syntax.yaml', 'temporal:\n  address: [unclosed\n');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/line \d+/);
  });

  it('masks the password of a bad URL in a ConfigError, parseable or not', () => {
    const bad = redisUrlError('http://ops:s3cret@cache:6379/0');
    expect(bad.message).toContain('"http://ops:***@cache:6379/0"');
    expect(bad.value).toBe('http://ops:***@cache:6379/0');
    const unparseable = errorOf(() => loadConfig({ env: { REDIS_URL: 'redis://ops:s3cret@cache:port/0' } }));
    expect(unparseable.message).toContain('"redis://***@cache:port/0"');
    for (const err of [bad, unparseable]) {
      expect(err.message).not.toContain('s3cret');
      expect(JSON.stringify(err.value)).not.toContain('s3cret');
    }
  });

  it('masks the password in a Redis client construction error', () => {
    let error: unknown;
    try {
      createRedis('redis://:s3cret@cache:port/0', { lazyConnect: true });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('redis.url redis://***@cache:port/0: Invalid URL');
    expect(JSON.stringify(error)).not.toContain('s3cret');
  });

  it('a Redis command failure in the CLI names the server, password masked, whatever the command', async () => {
    const port = await closedPort();
    const url = `redis://ops:s3cret@127.0.0.1:${port}/0`;
    const redis = createRedis(url, { maxRetries: 0 });
    const stderr: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    try {
      const single = await redis.get('k').catch((err: unknown) => err);
      const [[piped]] = ((await redis.pipeline().get('k').exec()) ?? [[null]]) as [[unknown]];
      for (const err of [single, piped]) expect(reportFailure(err)).toBe(1);
      // Not every error is a Redis one: nothing is added to others.
      reportFailure(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    } finally {
      write.mockRestore();
      redis.disconnect();
    }
    expect(stderr).toHaveLength(3);
    for (const line of stderr.slice(0, 2)) {
      expect(line.startsWith(`alphabet: redis redis://ops:***@127.0.0.1:${port}/0: `), line).toBe(true);
      expect(line).not.toContain('s3cret');
    }
    expect(stderr[2]).toBe('alphabet: connect ECONNREFUSED 127.0.0.1:5432\n');
  });

  it.concurrent(
    '`alphabet board` with Redis unreachable names the address, password masked',
    { timeout: 180_000 },
    async () => {
      const port = await closedPort();
      const run = await alphabetWithEnv({ REDIS_URL: `redis://ops:s3cret@127.0.0.1:${port}/0` }, 'board');
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`alphabet: redis redis://ops:***@127.0.0.1:${port}/0: `);
      expect(run.stderr).not.toContain('s3cret');
    },
  );

  it.concurrent(
    'config show prints no URL password, with or without --json',
    { timeout: 180_000 },
    async () => {
      const env = {
        DATABASE_URL: 'postgres://u:s3cret@127.0.0.1:5432/test',
        REDIS_URL: 'redis://:r3dispw@127.0.0.1:6379/0',
      };
      const [human, json] = await Promise.all([
        alphabetWithEnv(env, 'config', 'show'),
        alphabetWithEnv(env, 'config', 'show', '--json'),
      ]);
      for (const run of [human, json]) {
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).not.toContain('s3cret');
        expect(run.stdout).not.toContain('r3dispw');
      }
      const shown = JSON.parse(json.stdout) as {
        config: { database: { url: string }; redis: { url: string } };
      };
      expect(shown.config.database.url).toBe('postgres://u:***@127.0.0.1:5432/test');
      expect(shown.config.redis.url).toBe('redis://:***@127.0.0.1:6379/0');
      const bad = await alphabetWithEnv({ REDIS_URL: 'http://ops:s3cret@cache:6379/0' }, 'config', 'show');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('redis.url = "http://ops:***@cache:6379/0"');
      expect(bad.stderr).not.toContain('s3cret');
    },
  );

  it('takes secrets from the environment only', () => {
    const { secrets } = loadConfig({ env: { ODDS_API_KEY: 'abc123secret' } });
    expect(secrets.ODDS_API_KEY).toBe('abc123secret');
  });
});

describe('logger', () => {
  it('never writes a secret value, in a message or in a field', () => {
    const secret = 'odds-key-9f8e7d6c';
    const { lines, logger } = capturingLogger(secret);
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

  it("keeps an error's message and stack with secrets set, without the secret or a URL password", () => {
    const secret = 'odds-key-9f8e7d6c';
    const { lines, logger } = capturingLogger(secret);
    const err = new Error(`settlement failed at postgres://ops:s3cret@db:5432/bets with key ${secret}`);
    logger.error({ err, url: 'redis://:r3dispw@cache:6379/0' }, 'as a field');
    logger.error(err, 'as the object');
    logger.child({ queue: 'bets' }).error({ err }, 'from a child logger');
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain('s3cret');
      const entry = JSON.parse(line) as { err: { message: string; stack: string; type: string } };
      expect(entry.err.type).toBe('Error');
      expect(entry.err.message).toBe(
        'settlement failed at postgres://ops:***@db:5432/bets with key [redacted]',
      );
      expect(entry.err.stack).toContain('config.test.ts');
    }
    expect(lines[0]).toContain('"url":"redis://:***@cache:6379/0"');
    expect(lines.join('')).not.toContain('r3dispw');
  });
});

describe('redactUrl', () => {
  it.each([
    ['postgres://u:s3cret@127.0.0.1:5432/test', 'postgres://u:***@127.0.0.1:5432/test'],
    ['redis://:s3cret@127.0.0.1:6379/0', 'redis://:***@127.0.0.1:6379/0'],
    ['rediss://user:p%40ss@cache:6380/0?x=a@b', 'rediss://user:***@cache:6380/0?x=a@b'],
    ['postgres://u@db/x', 'postgres://u@db/x'],
    ['redis://127.0.0.1:6379/0', 'redis://127.0.0.1:6379/0'],
    // Unparseable (an unencoded / in the password, a bad port): everything between // and @ goes.
    ['postgres://u:pa/ss@db/x', 'postgres://***@db/x'],
    ['postgres://u:s3cret@db:port/x', 'postgres://***@db:port/x'],
    ['not a url', 'not a url'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('masks every URL in a text and leaves the rest as it was', () => {
    expect(redactUrls('from "postgres://a:b@h/d" to redis://:c@r:1/0, then https://x.y/z?k=1')).toBe(
      'from "postgres://a:***@h/d" to redis://:***@r:1/0, then https://x.y/z?k=1',
    );
  });
});
