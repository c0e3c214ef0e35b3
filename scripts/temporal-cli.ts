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

/** ~/.cache/alphabet (or $ALPHABET_CACHE_DIR): Go-built tools live here, outside any clone. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.ALPHABET_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'alphabet');
}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), `temporal-${TEMPORAL_CLI_VERSION}`);
}

/** A Go command built with `go install <module>@<version>`; `binary` is the file go names it. */
export interface GoTool {
  module: string;
  version: string;
  binary: string;
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
  await buildIntoCache(
    go,
    [{ module: TEMPORAL_CLI_MODULE, version: TEMPORAL_CLI_VERSION, binary: 'temporal' }],
    cacheDir(env),
    env,
    log,
  );
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

export function findGo(env: NodeJS.ProcessEnv): string | null {
  const fromRoot = env.GOROOT ? join(env.GOROOT, 'bin', 'go') : null;
  return (
    findOnPath('go', env.PATH ?? '') ??
    [fromRoot, '/usr/local/go/bin/go'].find((p): p is string => !!p && isExecutable(p)) ??
    null
  );
}

/**
 * The one provisioning mechanism for Go-built tools (the CLI; the server and its SQL tool): `go install`
 * into a staging GOBIN, then renamed into `dir`, under a lock so concurrent runs build once.
 */
export async function buildIntoCache(
  go: string | null,
  tools: readonly GoTool[],
  dir: string,
  env: NodeJS.ProcessEnv,
  log: (msg: string) => void,
): Promise<void> {
  const targets = tools.map((t) => `${t.module}@${t.version}`);
  if (!go) {
    throw new ProvisionError(
      `${tools.map((t) => t.binary).join(' and ')} missing and Go is not installed to build them. Either install ` +
        'Go 1.23 or newer (https://go.dev/dl, or `apt-get install golang`) so Alpha-Bet can run ' +
        `\`go install ${targets.join(' ')}\`, or install them yourself and put them on PATH ` +
        '(the CLI can also be named by TEMPORAL_CLI=/path/to/temporal).',
    );
  }
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, '.build.lock');
  await acquireLock(lock, log);
  try {
    // another process built them while we waited
    if (tools.every((t) => isExecutable(join(dir, t.binary)))) return;
    const staging = join(dir, `.staging-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    log(`building ${targets.join(' ')} with ${go} (a few minutes, once; cached in ${dir})`);
    const started = Date.now();
    await new Promise<void>((resolvePromise, reject) => {
      const child = spawn(go, ['install', ...targets], {
        env: { ...env, GOBIN: staging, GOFLAGS: env.GOFLAGS ?? '-mod=mod' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0
          ? resolvePromise()
          : reject(new ProvisionError(`go install ${targets.join(' ')} exited with ${code}`)),
      );
    });
    for (const t of tools) renameSync(join(staging, t.binary), join(dir, t.binary));
    rmSync(staging, { recursive: true, force: true });
    log(`built ${tools.map((t) => t.binary).join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
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
      if (!waited) log(`waiting for another build (${lock})`);
      waited = true;
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
}

export function isExecutable(path: string): boolean {
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
