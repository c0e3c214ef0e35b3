import { execFile, spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  openSync,
  closeSync,
  statSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The CLI release we build: the newest whose go.mod permits `go install` (server 1.29.1, UI 2.42). */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
/** Oldest bundled server we accept from a binary found on PATH or in $TEMPORAL_CLI. */
const MIN_SERVER = [1, 25, 0] as const;

export interface TemporalCli {
  path: string;
  source: 'TEMPORAL_CLI' | 'PATH' | 'cache' | 'built';
  version: string;
  serverVersion: string;
}

export class ProvisionError extends Error {
  override readonly name = 'ProvisionError';
}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.ALPHABET_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'alphabet');
  return join(base, `temporal-${TEMPORAL_CLI_VERSION}`);
}

/**
 * Find a usable `temporal` binary: $TEMPORAL_CLI, then PATH, then the cache; otherwise build it with
 * `go install` into the cache (minutes, once per machine). Every candidate's version is checked.
 */
export async function ensureTemporalCli(
  options: {
    env?: NodeJS.ProcessEnv;
    log?: (msg: string) => void;
    build?: boolean;
    /** Where Go is; found on PATH or in /usr/local/go by default, null when absent. */
    goBinary?: string | null;
  } = {},
): Promise<TemporalCli> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));

  if (env.TEMPORAL_CLI) {
    if (!isExecutable(env.TEMPORAL_CLI)) {
      throw new ProvisionError(
        `TEMPORAL_CLI=${env.TEMPORAL_CLI} is not an executable file; unset it or point it at the temporal binary`,
      );
    }
    return { path: env.TEMPORAL_CLI, source: 'TEMPORAL_CLI', ...(await checkVersion(env.TEMPORAL_CLI)) };
  }

  const onPath = findOnPath('temporal', env.PATH ?? '');
  if (onPath) {
    try {
      return { path: onPath, source: 'PATH', ...(await checkVersion(onPath)) };
    } catch (err) {
      log(`ignoring ${onPath}: ${(err as Error).message}`);
    }
  }

  const cached = join(cacheDir(env), 'temporal');
  if (isExecutable(cached)) {
    return { path: cached, source: 'cache', ...(await checkVersion(cached)) };
  }
  if (options.build === false) {
    throw new ProvisionError(
      `no temporal binary found (TEMPORAL_CLI unset, none on PATH, none at ${cached})`,
    );
  }
  const go = options.goBinary === undefined ? findGo(env) : options.goBinary;
  await buildIntoCache(go, cacheDir(env), env, log);
  return { path: cached, source: 'built', ...(await checkVersion(cached)) };
}

async function checkVersion(path: string): Promise<{ version: string; serverVersion: string }> {
  let out: string;
  try {
    out = (await execFileAsync(path, ['--version'], { timeout: 20_000 })).stdout;
  } catch (err) {
    throw new ProvisionError(`${path} --version failed: ${(err as Error).message}`);
  }
  // A `go install` build reports "temporal version 0.0.0-DEV (Server 1.29.1, UI 2.42.1)".
  const cli = /temporal version (\S+)/.exec(out)?.[1];
  const server = /Server (\d+)\.(\d+)\.(\d+)/.exec(out);
  if (!cli || !server)
    throw new ProvisionError(`${path} --version printed "${out.trim()}", not a Temporal CLI version`);
  const parts = [Number(server[1]), Number(server[2]), Number(server[3])];
  for (let i = 0; i < 3; i++) {
    if (parts[i]! > MIN_SERVER[i]!) break;
    if (parts[i]! < MIN_SERVER[i]!) {
      throw new ProvisionError(
        `${path} bundles Temporal server ${parts.join('.')}; ${MIN_SERVER.join('.')} or newer is needed`,
      );
    }
  }
  return { version: cli, serverVersion: parts.join('.') };
}

function findGo(env: NodeJS.ProcessEnv): string | null {
  const fromRoot = env.GOROOT ? join(env.GOROOT, 'bin', 'go') : null;
  return (
    findOnPath('go', env.PATH ?? '') ??
    [fromRoot, '/usr/local/go/bin/go'].find((p): p is string => !!p && isExecutable(p)) ??
    null
  );
}

async function buildIntoCache(
  go: string | null,
  dir: string,
  env: NodeJS.ProcessEnv,
  log: (msg: string) => void,
): Promise<void> {
  if (!go) {
    throw new ProvisionError(
      'the Temporal CLI is missing and Go is not installed to build it. Either install Go 1.23 or newer ' +
        '(https://go.dev/dl, or `apt-get install golang`) so Alpha-Bet can run ' +
        `\`go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}\`, or install the temporal CLI yourself and ` +
        'put it on PATH, or set TEMPORAL_CLI=/path/to/temporal.',
    );
  }
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, '.build.lock');
  await acquireLock(lock, log);
  try {
    if (isExecutable(join(dir, 'temporal'))) return; // another process built it while we waited
    const staging = join(dir, `.staging-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    log(
      `building the Temporal CLI ${TEMPORAL_CLI_VERSION} with ${go} (a few minutes, once; cached in ${dir})`,
    );
    const started = Date.now();
    await new Promise<void>((resolvePromise, reject) => {
      const child = spawn(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
        env: { ...env, GOBIN: staging, GOFLAGS: env.GOFLAGS ?? '-mod=mod' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0
          ? resolvePromise()
          : reject(
              new ProvisionError(
                `go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} exited with ${code}`,
              ),
            ),
      );
    });
    renameSync(join(staging, 'temporal'), join(dir, 'temporal'));
    rmSync(staging, { recursive: true, force: true });
    log(`built the Temporal CLI in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(lock, { force: true });
  }
}

/** A lock file so concurrent runs (tests and `npm start`) build once; a stale lock (>30 min) is taken over. */
async function acquireLock(lock: string, log: (msg: string) => void): Promise<void> {
  let waited = false;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      return;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 30 * 60_000) rmSync(lock, { force: true });
      } catch {
        // removed meanwhile
      }
      if (!waited) log(`waiting for another build of the Temporal CLI (${lock})`);
      waited = true;
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name: string, pathVar: string): string | null {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate) && isExecutable(candidate)) return candidate;
  }
  return null;
}

// `node --import tsx scripts/temporal-cli.ts` prints the binary's path (used by .ci/run).
if (import.meta.url === `file://${process.argv[1]}`) {
  ensureTemporalCli()
    .then((cli) => process.stdout.write(`${cli.path}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    });
}
