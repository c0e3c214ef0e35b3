import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';

// CommonJS package: take the namespace from its default export under ESM.
const { IndexedValueType } = proto.temporal.api.enums.v1;
import { CUSTOM_SEARCH_ATTRIBUTES } from '../shared/search-attributes';
import { PROJECT_ROOT } from '../config/load';
import type { TemporalConnectOptions } from '../activities/infra/temporal';

export interface DevServerOptions {
  temporalCli: string;
  dataDir: string;
  dbFile: string;
  ip: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** Omit the Web UI (tests). */
  headless?: boolean;
  /** The remote codec the Web UI calls to decrypt payloads (`alphabet codec-server`), when encryption is on. */
  uiCodecEndpoint?: string;
  /** `stack.devServer.sqliteSync`; `normal` when absent (tests, benches run on the default store). */
  sqliteSync?: 'normal' | 'full';
  /** `stack.devServer.sqlitePragmas`: further pragmas for the SQLite file. */
  sqlitePragmas?: Readonly<Record<string, string | number>>;
  /** `stack.devServer.dynamicConfig`: Temporal dynamic config values. */
  dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
}

interface PidRecord {
  pid: number;
  address: string;
  uiUrl: string | null;
  dbPath: string;
  startedAt: string;
}

export interface DevServerState {
  running: boolean;
  pid: number | null;
  address: string;
  uiUrl: string | null;
  dbPath: string;
  startedHere: boolean;
}

export function resolveDataDir(dataDir: string): string {
  return isAbsolute(dataDir) ? dataDir : resolve(PROJECT_ROOT, dataDir);
}

const pidFile = (dataDir: string) => join(resolveDataDir(dataDir), 'temporal.pid');

/** A pid file's JSON record (dev server, Temporal server), or null when it is missing or unreadable. */
export function readPidFile<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

const readPid = (dataDir: string) => readPidFile<PidRecord>(pidFile(dataDir));

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when a Temporal frontend answers. Remote clusters get temporalConnectOptions (TLS, API key); the
 * dev server started here speaks plaintext on loopback, so it is `{ address }`.
 */
export async function temporalHealthy(target: TemporalConnectOptions, timeoutMs = 3_000): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ ...target, connectTimeout: timeoutMs });
    await connection.withDeadline(Date.now() + timeoutMs, () => connection!.healthService.check({}));
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

export async function waitHealthy(
  address: string,
  pid: number,
  timeoutMs: number,
  logPath: string,
  what = 'the Temporal dev server',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      throw new Error(`${what} exited during start-up; see ${logPath}${logTail(logPath)}`);
    }
    if (await temporalHealthy({ address }, 1_000)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not answer at ${address} within ${timeoutMs / 1000} s; see ${logPath}`);
}

/** The last lines of a start-up log, for the error that says the process exited (the log may be gone later). */
function logTail(logPath: string): string {
  try {
    const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-5).join('\n');
    return lines ? `; its last lines:\n${lines.slice(-1_500)}` : '';
  } catch {
    return '';
  }
}

/**
 * Start `temporal server start-dev` detached, persisting to a SQLite file in the data folder, unless it
 * is already up (idempotent). Registers Alpha-Bet's custom search attributes.
 */
export async function startDevServer(
  o: DevServerOptions,
): Promise<DevServerState & { alreadyRunning: boolean }> {
  const dataDir = resolveDataDir(o.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const address = `${o.ip}:${o.port}`;
  const uiUrl = o.headless ? null : `http://${o.ip}:${o.uiPort}`;
  const dbPath = join(dataDir, o.dbFile);

  const existing = readPid(dataDir);
  if (existing && isAlive(existing.pid) && (await temporalHealthy({ address: existing.address }))) {
    await ensureSearchAttributes({ address: existing.address }, o.namespace);
    return {
      running: true,
      pid: existing.pid,
      address: existing.address,
      uiUrl: existing.uiUrl,
      dbPath: existing.dbPath,
      startedHere: true,
      alreadyRunning: true,
    };
  }
  if (await temporalHealthy({ address })) {
    throw new Error(
      `another Temporal server already answers at ${address} (not started by Alpha-Bet). Stop it, or use it by ` +
        'setting TEMPORAL_ADDRESS and skipping `stack up` for Temporal, or pick another TEMPORAL_DEV_PORT.',
    );
  }

  const logPath = join(dataDir, 'temporal.log');
  const args = devServerArgs(o, dbPath);
  const logFd = openSync(logPath, 'a');
  const child = spawn(o.temporalCli, args, { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${o.temporalCli}`);
  const record: PidRecord = { pid, address, uiUrl, dbPath, startedAt: new Date().toISOString() };
  writeFileSync(pidFile(dataDir), JSON.stringify(record, null, 2));
  try {
    await waitHealthy(address, pid, 60_000, logPath);
    await ensureSearchAttributes({ address }, o.namespace);
  } catch (err) {
    await stopPid(pid);
    rmSync(pidFile(dataDir), { force: true });
    throw err;
  }
  return { running: true, pid, address, uiUrl, dbPath, startedHere: true, alreadyRunning: false };
}

/**
 * The `temporal server start-dev` arguments. SQLite runs in WAL mode: commits append to the log instead of
 * rewriting pages under a rollback journal (about 2.5x the workflow rate on this store). With
 * synchronous=NORMAL the log is synced at checkpoints only, so a power cut or OS crash may roll back the
 * last commits (never corrupt the file) while a process crash loses nothing; `full` syncs every commit.
 */
export function devServerArgs(o: DevServerOptions, dbPath: string): string[] {
  const pragmas = Object.entries(o.sqlitePragmas ?? {}).flatMap(([k, v]) => ['--sqlite-pragma', `${k}=${v}`]);
  return [
    'server',
    'start-dev',
    '--db-filename',
    dbPath,
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    `synchronous=${o.sqliteSync ?? 'normal'}`,
    ...pragmas,
    ...dynamicConfigArgs(o.dynamicConfig),
    '--ip',
    o.ip,
    '--port',
    String(o.port),
    '--namespace',
    o.namespace,
    '--log-level',
    'warn',
    ...(o.headless ? ['--headless'] : ['--ui-port', String(o.uiPort)]),
    ...(o.uiCodecEndpoint && !o.headless ? ['--ui-codec-endpoint', o.uiCodecEndpoint] : []),
  ];
}

/** `--dynamic-config-value key=<JSON>` for each value (also for an in-memory dev server beside ours). */
export function dynamicConfigArgs(values: DevServerOptions['dynamicConfig']): string[] {
  return Object.entries(values ?? {}).flatMap(([k, v]) => [
    '--dynamic-config-value',
    `${k}=${JSON.stringify(v)}`,
  ]);
}

/** Stop the dev server this data folder started. Returns false when none was running. */
export async function stopDevServer(dataDir: string): Promise<boolean> {
  const record = readPid(dataDir);
  rmSync(pidFile(dataDir), { force: true });
  if (!record || !isAlive(record.pid)) return false;
  await stopPid(record.pid);
  return true;
}

export async function stopPid(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 15_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
}

export async function devServerState(
  o: Pick<DevServerOptions, 'dataDir' | 'dbFile' | 'ip' | 'port' | 'uiPort'>,
): Promise<DevServerState> {
  const record = readPid(o.dataDir);
  if (record && isAlive(record.pid)) {
    return {
      running: await temporalHealthy({ address: record.address }),
      pid: record.pid,
      address: record.address,
      uiUrl: record.uiUrl,
      dbPath: record.dbPath,
      startedHere: true,
    };
  }
  const address = `${o.ip}:${o.port}`;
  return {
    running: await temporalHealthy({ address }),
    pid: null,
    address,
    uiUrl: `http://${o.ip}:${o.uiPort}`,
    dbPath: join(resolveDataDir(o.dataDir), o.dbFile),
    startedHere: false,
  };
}

/** Register every custom search attribute the namespace lacks; existing ones are left alone. */
export async function ensureSearchAttributes(
  target: TemporalConnectOptions,
  namespace: string,
  connection?: Connection,
): Promise<string[]> {
  const conn = connection ?? (await Connection.connect(target));
  try {
    const { customAttributes } = await conn.operatorService.listSearchAttributes({ namespace });
    const missing = CUSTOM_SEARCH_ATTRIBUTES.filter((k) => !(customAttributes && k.name in customAttributes));
    if (missing.length === 0) return [];
    await conn.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, indexedValueType(k.type)])),
    });
    return missing.map((k) => k.name);
  } finally {
    if (!connection) await conn.close();
  }
}

function indexedValueType(type: string): number {
  const T = IndexedValueType;
  const byType: Record<string, number> = {
    TEXT: T.INDEXED_VALUE_TYPE_TEXT,
    KEYWORD: T.INDEXED_VALUE_TYPE_KEYWORD,
    INT: T.INDEXED_VALUE_TYPE_INT,
    DOUBLE: T.INDEXED_VALUE_TYPE_DOUBLE,
    BOOL: T.INDEXED_VALUE_TYPE_BOOL,
    DATETIME: T.INDEXED_VALUE_TYPE_DATETIME,
    KEYWORD_LIST: T.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  };
  const found = byType[type];
  if (found === undefined) throw new Error(`unknown search attribute type ${type}`);
  return found;
}
