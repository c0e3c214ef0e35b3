import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { Connection } from '@temporalio/client';
// msToTs is marked internal, but it is the SDK's own conversion from a duration string to the proto type.
import { msToTs } from '@temporalio/common';
import { PROJECT_ROOT } from '../config/load';
import type { AppConfig } from '../config/schema';
import { createPool, ensureDatabase } from '../activities/infra/postgres';
import {
  ensureSearchAttributes,
  isAlive,
  readPidFile,
  resolveDataDir,
  stopPid,
  temporalHealthy,
  waitHealthy,
} from './devserver';
import { buildIntoCache, cacheRoot, findGo, isExecutable, ProvisionError, type GoTool } from './temporal-cli';

const execFileAsync = promisify(execFile);

/** The server release the CLI v1.5.1 bundles, so dev and server mode run the same Temporal. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const SERVER_MODULE = 'go.temporal.io/server';
const SERVER_TOOLS: readonly GoTool[] = [
  { module: `${SERVER_MODULE}/cmd/server`, version: TEMPORAL_SERVER_VERSION, binary: 'server' },
  { module: `${SERVER_MODULE}/cmd/tools/sql`, version: TEMPORAL_SERVER_VERSION, binary: 'sql' },
];

export interface ServerBinaries {
  server: string;
  sql: string;
  /** versioned schema folders of the module, for the SQL tool's update-schema */
  schemaRoot: string;
}

export function serverCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

/**
 * The server and its SQL tool from the cache, built with `go install` on first use (same mechanism and
 * lock as the CLI). The schema files ship in Go's module cache; `go mod download` restores them.
 */
export async function ensureServerBinaries(
  options: { env?: NodeJS.ProcessEnv; log?: (m: string) => void } = {},
): Promise<ServerBinaries> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const dir = serverCacheDir(env);
  const go = findGo(env);
  if (!SERVER_TOOLS.every((t) => isExecutable(join(dir, t.binary)))) {
    await buildIntoCache(go, SERVER_TOOLS, dir, env, log);
  }
  if (!go) throw new ProvisionError('Go is needed for the Temporal server schema files (go env GOMODCACHE)');
  const modCache = (await execFileAsync(go, ['env', 'GOMODCACHE'], { env })).stdout.trim();
  const schemaRoot = join(modCache, `${SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`, 'schema/postgresql/v12');
  if (!existsSync(schemaRoot)) {
    log(`downloading ${SERVER_MODULE}@${TEMPORAL_SERVER_VERSION} for its schema files`);
    await execFileAsync(go, ['mod', 'download', `${SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`], {
      env: { ...env, GOFLAGS: env.GOFLAGS ?? '-mod=mod' },
      cwd: dir,
    });
  }
  return { server: join(dir, 'server'), sql: join(dir, 'sql'), schemaRoot };
}

export interface ServerOptions {
  dataDir: string;
  ip: string;
  port: number;
  historyShards: number;
  databases: { temporal: string; visibility: string };
  dynamicConfig: string;
  namespace: string;
  /** Alpha-Bet's own database URL: Temporal's databases live in the same PostgreSQL server. */
  databaseUrl: string;
}

export function serverOptions(config: AppConfig): ServerOptions {
  return {
    ...config.stack.server,
    dataDir: config.stack.dataDir,
    namespace: config.temporal.namespace,
    databaseUrl: config.database.url,
  };
}

/** The nine ports a server takes: frontend gRPC at `port`, the rest right after it. */
export function serverPorts(port: number) {
  return {
    frontend: { grpcPort: port, membershipPort: port + 1, httpPort: port + 2 },
    history: { grpcPort: port + 3, membershipPort: port + 4 },
    matching: { grpcPort: port + 5, membershipPort: port + 6 },
    worker: { grpcPort: port + 7, membershipPort: port + 8 },
  };
}

function pgTarget(databaseUrl: string) {
  const u = new URL(databaseUrl);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password),
  };
}

function datastore(databaseUrl: string, databaseName: string, maxConns: number) {
  const pg = pgTarget(databaseUrl);
  return {
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${pg.host}:${pg.port}`,
      connectProtocol: 'tcp',
      user: pg.user,
      password: pg.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

/** The server's YAML configuration, from config/ (shards, ports, databases, dynamic config). */
export function renderServerConfig(o: ServerOptions): string {
  const ports = serverPorts(o.port);
  const rpc = (p: object) => ({ rpc: { ...p, bindOnIP: o.ip } });
  const dynamicConfig = isAbsolute(o.dynamicConfig)
    ? o.dynamicConfig
    : resolve(PROJECT_ROOT, o.dynamicConfig);
  return stringify({
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: o.historyShards,
      datastores: {
        'postgres-default': datastore(o.databaseUrl, o.databases.temporal, 20),
        'postgres-visibility': datastore(o.databaseUrl, o.databases.visibility, 4),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: o.ip } },
    services: {
      frontend: rpc(ports.frontend),
      history: rpc(ports.history),
      matching: rpc(ports.matching),
      worker: rpc(ports.worker),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `${o.ip}:${o.port}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfig, pollInterval: '10s' },
  });
}

/**
 * Create Temporal's two databases when missing and bring their schemas to this server version with the
 * SQL tool (setup-schema once, then update-schema, which is idempotent).
 */
export async function setupTemporalDatabases(
  bin: ServerBinaries,
  o: ServerOptions,
  log: (m: string) => void,
): Promise<void> {
  const pg = pgTarget(o.databaseUrl);
  const base = ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user];
  const env = { ...process.env, SQL_PASSWORD: pg.password };
  for (const [kind, name] of [
    ['temporal', o.databases.temporal],
    ['visibility', o.databases.visibility],
  ] as const) {
    const url = new URL(o.databaseUrl);
    url.pathname = `/${name}`;
    if ((await ensureDatabase(url.toString())) === 'created') log(`created database ${name}`);
    const db = createPool(url.toString(), 1);
    let versioned: boolean;
    try {
      const { rows } = await db.query(`SELECT to_regclass('schema_version') IS NOT NULL AS present`);
      versioned = (rows[0] as { present: boolean }).present;
    } finally {
      await db.end();
    }
    const tool = (args: string[]) =>
      execFileAsync(bin.sql, [...base, '--db', name, ...args], { env, timeout: 300_000 }).catch(
        (err: Error) => {
          throw new Error(`temporal sql tool on database ${name} (${args[0]}) failed: ${err.message}`);
        },
      );
    if (!versioned) await tool(['setup-schema', '-v', '0.0']);
    await tool(['update-schema', '-d', join(bin.schemaRoot, kind, 'versioned')]);
  }
}

/** Drop Temporal's two databases (tests; never called by `stack down`, which keeps the state). */
export async function dropTemporalDatabases(o: ServerOptions): Promise<void> {
  const db = createPool(o.databaseUrl, 1);
  try {
    for (const name of [o.databases.temporal, o.databases.visibility])
      await db.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await db.end();
  }
}

interface ServerPid {
  pid: number;
  address: string;
  startedAt: string;
}

const serverDir = (dataDir: string) => join(resolveDataDir(dataDir), 'temporal-server');
const serverPidFile = (dataDir: string) => join(resolveDataDir(dataDir), 'temporal-server.pid');

const readServerPid = (dataDir: string) => readPidFile<ServerPid>(serverPidFile(dataDir));

export interface ServerState {
  running: boolean;
  pid: number | null;
  address: string;
  logPath: string;
  alreadyRunning?: boolean;
}

/**
 * Start the server detached (pid file and log in the data folder), unless this data folder's server
 * already answers; then make sure the namespace and Alpha-Bet's search attributes exist.
 */
export async function startTemporalServer(bin: ServerBinaries, o: ServerOptions): Promise<ServerState> {
  const dir = serverDir(o.dataDir);
  const configDir = join(dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const address = `${o.ip}:${o.port}`;
  const logPath = join(resolveDataDir(o.dataDir), 'temporal-server.log');
  const existing = readServerPid(o.dataDir);
  if (existing && isAlive(existing.pid) && (await temporalHealthy({ address: existing.address }))) {
    await ensureNamespace(existing.address, o.namespace);
    return { running: true, pid: existing.pid, address: existing.address, logPath, alreadyRunning: true };
  }
  if (await temporalHealthy({ address })) {
    throw new Error(
      `another Temporal server already answers at ${address} (a dev server? \`alphabet stack down\` stops ` +
        'it), or set TEMPORAL_SERVER_PORT',
    );
  }
  writeFileSync(join(configDir, 'alphabet.yaml'), renderServerConfig(o));
  const logFd = openSync(logPath, 'a');
  const child = spawn(
    bin.server,
    ['--root', dir, '--config', 'config', '--env', 'alphabet', '--allow-no-auth', 'start'],
    {
      detached: true,
      stdio: ['ignore', logFd, logFd],
    },
  );
  closeSync(logFd);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${bin.server}`);
  const record: ServerPid = { pid: child.pid, address, startedAt: new Date().toISOString() };
  writeFileSync(serverPidFile(o.dataDir), JSON.stringify(record, null, 2));
  try {
    await waitHealthy(address, child.pid, 120_000, logPath, 'the Temporal server');
    await ensureNamespace(address, o.namespace);
  } catch (err) {
    await stopPid(child.pid);
    rmSync(serverPidFile(o.dataDir), { force: true });
    // The server's last error lines say why (port taken, database unreachable); the log may be gone later.
    const fatal = readFileSync(logPath, 'utf8')
      .split('\n')
      .filter((l) => /"level":"(fatal|error)"/.test(l))
      .slice(-2)
      .map((l) => l.slice(0, 400));
    throw new Error([(err as Error).message, ...fatal].join('\n'));
  }
  return { running: true, pid: child.pid, address, logPath, alreadyRunning: false };
}

/**
 * Register the namespace (a real server starts with none) and the search attributes. The frontend's
 * namespace cache refreshes every few seconds, so the attributes are retried until it knows the namespace.
 */
async function ensureNamespace(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs('3 days'),
      });
    } catch (err) {
      if (!/already exists|AlreadyExists/i.test((err as Error).message)) throw err;
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await ensureSearchAttributes({ address }, namespace, connection);
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  } finally {
    await connection.close();
  }
}

/** Stop this data folder's server (SIGTERM, then SIGKILL after 15 s). False when none was running. */
export async function stopTemporalServer(dataDir: string): Promise<boolean> {
  const record = readServerPid(dataDir);
  rmSync(serverPidFile(dataDir), { force: true });
  if (!record || !isAlive(record.pid)) return false;
  await stopPid(record.pid);
  return true;
}

/** The server this data folder started, if any (`npm start` uses it when present, whatever the config). */
export async function temporalServerState(dataDir: string): Promise<ServerState | null> {
  const record = readServerPid(dataDir);
  if (!record || !isAlive(record.pid)) return null;
  return {
    running: await temporalHealthy({ address: record.address }),
    pid: record.pid,
    address: record.address,
    logPath: join(resolveDataDir(dataDir), 'temporal-server.log'),
  };
}
