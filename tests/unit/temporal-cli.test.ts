import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cacheDir,
  ensureTemporalCli,
  ProvisionError,
  TEMPORAL_CLI_VERSION,
} from '../../scripts/temporal-cli';

const dir = mkdtempSync(join(tmpdir(), 'alphabet-cli-'));

function fakeBinary(name: string, versionLine: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho "${versionLine}"\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('Temporal CLI provisioning', () => {
  it('uses $TEMPORAL_CLI first and reads the bundled server version', async () => {
    const path = fakeBinary('temporal-ok', 'temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)');
    const cli = await ensureTemporalCli({ env: { TEMPORAL_CLI: path, PATH: '' }, log: () => undefined });
    expect(cli).toMatchObject({ path, source: 'TEMPORAL_CLI', version: '1.5.1', serverVersion: '1.29.1' });
  });

  it('refuses a binary whose server is too old, naming the version', async () => {
    const path = fakeBinary('temporal-old', 'temporal version 0.9.0 (Server 1.20.0, UI 2.10.0)');
    await expect(ensureTemporalCli({ env: { TEMPORAL_CLI: path, PATH: '' } })).rejects.toThrow(
      /server 1\.20\.0/,
    );
  });

  it('refuses a $TEMPORAL_CLI that is not an executable', async () => {
    await expect(ensureTemporalCli({ env: { TEMPORAL_CLI: join(dir, 'nope'), PATH: '' } })).rejects.toThrow(
      /TEMPORAL_CLI=.*not an executable/,
    );
  });

  it('finds one on PATH', async () => {
    const binDir = mkdtempSync(join(tmpdir(), 'alphabet-path-'));
    const path = join(binDir, 'temporal');
    writeFileSync(path, '#!/bin/sh\necho "temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)"\n');
    chmodSync(path, 0o755);
    const cli = await ensureTemporalCli({
      env: { PATH: binDir, ALPHABET_CACHE_DIR: join(dir, 'empty-cache') },
    });
    expect(cli.source).toBe('PATH');
    expect(cli.path).toBe(path);
  });

  it('says exactly what to install or set when there is no binary and no Go', async () => {
    const env = { PATH: '/nonexistent', ALPHABET_CACHE_DIR: join(dir, 'no-go-cache') };
    const err = await ensureTemporalCli({ env, log: () => undefined, goBinary: null }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProvisionError);
    const message = (err as Error).message;
    expect(message).toContain('install Go');
    expect(message).toContain(`go install github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`);
    expect(message).toContain('TEMPORAL_CLI=');
    expect(cacheDir(env)).toBe(join(dir, 'no-go-cache', `temporal-${TEMPORAL_CLI_VERSION}`));
  });

  it('reuses the cached build without rebuilding', async () => {
    const cache = join(dir, 'warm-cache');
    const env = { PATH: '/nonexistent', ALPHABET_CACHE_DIR: cache };
    mkdirSync(cacheDir(env), { recursive: true });
    const path = join(cacheDir(env), 'temporal');
    writeFileSync(path, '#!/bin/sh\necho "temporal version 0.0.0-DEV (Server 1.29.1, UI 2.42.1)"\n');
    chmodSync(path, 0o755);
    const cli = await ensureTemporalCli({ env, goBinary: null });
    expect(cli).toMatchObject({ path, source: 'cache', serverVersion: '1.29.1' });
  });
});
