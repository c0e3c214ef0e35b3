import type { AppConfig } from '../config/schema';
import type { LoadedConfig } from '../config/load';
import { migrate } from '../activities/infra/postgres';
import { temporalConnectOptions } from '../activities/infra/temporal';
import {
  devServerState,
  ensureSearchAttributes,
  startDevServer,
  stopDevServer,
  temporalHealthy,
} from './devserver';
import { ensurePostgres, ensureRedis, postgresState, redisState } from './services';
import { ensureTemporalCli } from './temporal-cli';
import {
  ensureServerBinaries,
  serverOptions,
  setupTemporalDatabases,
  startTemporalServer,
  stopTemporalServer,
  temporalServerState,
} from './temporal-server';
import { startWorkers, stopWorkers, workerHealth, type WorkerPlan } from './workers';

export interface StackUpOptions {
  /** Overrides stack.temporal for this run. */
  temporal?: 'dev' | 'server';
  /** Worker processes to start in the background, per queue. */
  workers?: WorkerPlan;
}

/** The Web UI of the real server: the dev CLI's UI cannot attach to it and no standalone UI is built here. */
const SERVER_UI_NOTE =
  'none of its own: run the temporalio/ui:2.42.1 container and set TEMPORAL_UI_URL to it (README, Deployment)';

export interface ComponentStatus {
  component: string;
  address: string;
  healthy: boolean;
  detail: string;
  /** Nothing to run here (the server mode's Web UI): printed as a note, not as DOWN. */
  note?: true;
}

/** The local dev server is ours to run when the configured address is the dev server's own. */
export function usesLocalDevServer(config: AppConfig): boolean {
  const { ip, port } = config.stack.devServer;
  return config.temporal.address === `${ip}:${port}` || config.temporal.address === `localhost:${port}`;
}

function devServerOptions(config: AppConfig) {
  return { ...config.stack.devServer, dataDir: config.stack.dataDir, namespace: config.temporal.namespace };
}

/** Where the Web UI finds the codec server, when payloads are encrypted (else the UI shows ciphertext). */
export function codecEndpoint(config: AppConfig): string | undefined {
  const { enabled, codecServer } = config.temporal.payloadEncryption;
  if (!enabled) return undefined;
  const host = codecServer.host === '0.0.0.0' || codecServer.host === '::' ? '127.0.0.1' : codecServer.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${codecServer.port}`;
}

/**
 * A cluster that is not our dev server: checked (and, on `up`, given the search attributes it lacks)
 * through the same connection options as workers and clients: TLS, client certificate, API key.
 */
export async function remoteTemporalStatus(
  { config, secrets }: LoadedConfig,
  { registerSearchAttributes }: { registerSearchAttributes: boolean },
): Promise<ComponentStatus> {
  const options = temporalConnectOptions(config, secrets);
  const healthy = await temporalHealthy(options);
  let detail = healthy
    ? 'remote cluster answering'
    : 'not answering: check TEMPORAL_ADDRESS, TLS and TEMPORAL_API_KEY';
  if (healthy && registerSearchAttributes) {
    try {
      const added = await ensureSearchAttributes(options, config.temporal.namespace);
      if (added.length) detail += `; registered ${added.join(', ')}`;
    } catch (err) {
      detail += `; could not register search attributes (${(err as Error).message}); ask the cluster's admin to add them`;
    }
  }
  return { component: 'temporal', address: config.temporal.address, healthy, detail };
}

/**
 * Bring everything up, idempotently: the Temporal dev server (or check a remote cluster), PostgreSQL
 * and Redis (started locally when installed but stopped), the migrations and the search attributes.
 */
export async function stackUp(
  loaded: LoadedConfig,
  log: (m: string) => void,
  options: StackUpOptions = {},
): Promise<ComponentStatus[]> {
  const { config } = loaded;
  const mode = options.temporal ?? config.stack.temporal;
  const statuses: ComponentStatus[] = [];

  const [pg, redis] = await Promise.all([
    ensurePostgres(config.database.url, log),
    ensureRedis(config.redis.url, log),
  ]);
  statuses.push({ component: 'postgres', address: pg.address, healthy: pg.healthy, detail: pg.detail });
  statuses.push({ component: 'redis', address: redis.address, healthy: redis.healthy, detail: redis.detail });

  if (pg.healthy) {
    try {
      const applied = await migrate(config.database.url);
      statuses.push({
        component: 'migrations',
        address: pg.address,
        healthy: true,
        detail: applied.length ? `applied ${applied.join(', ')}` : 'up to date',
      });
    } catch (err) {
      statuses.push({
        component: 'migrations',
        address: pg.address,
        healthy: false,
        detail: (err as Error).message,
      });
    }
  }

  // A server this data folder started keeps serving `npm start` and plain `stack up` until `stack down`.
  const runningServer = await temporalServerState(config.stack.dataDir);
  if (mode === 'server' || runningServer) {
    statuses.push(...(await serverUp(loaded, pg.healthy, log)));
  } else if (usesLocalDevServer(config)) {
    const cli = await ensureTemporalCli({ log });
    const uiCodecEndpoint = codecEndpoint(config);
    const dev = await startDevServer({
      ...devServerOptions(config),
      temporalCli: cli.path,
      ...(uiCodecEndpoint ? { uiCodecEndpoint } : {}),
    });
    statuses.push(
      ...(await devServerStatuses(
        dev,
        config,
        true,
        `${dev.alreadyRunning ? 'already running' : 'started'} (pid ${dev.pid}, server ${cli.serverVersion}, ${dev.dbPath})`,
      )),
    );
  } else {
    statuses.push(await remoteTemporalStatus(loaded, { registerSearchAttributes: true }));
  }
  const temporalUp = statuses.some((s) => s.component === 'temporal' && s.healthy);
  if (options.workers && temporalUp) {
    const started = startWorkers(config.stack.dataDir, options.workers, workerEnv(loaded, statuses));
    if (started.length)
      log(`started ${started.map((w) => `${w.queue}#${w.index} (pid ${w.pid})`).join(', ')}`);
    statuses.push(...(await workerStatuses(loaded, statuses)));
  }
  return statuses;
}

/** Build/check the server and SQL tool, migrate Temporal's databases, start the server. */
async function serverUp(
  { config }: LoadedConfig,
  pgHealthy: boolean,
  log: (m: string) => void,
): Promise<ComponentStatus[]> {
  const o = serverOptions(config);
  const address = `${o.ip}:${o.port}`;
  if (!pgHealthy) {
    return [{ component: 'temporal', address, healthy: false, detail: 'server mode needs PostgreSQL' }];
  }
  try {
    const bin = await ensureServerBinaries({ log });
    await setupTemporalDatabases(bin, o, log);
    const s = await startTemporalServer(bin, o);
    return [
      {
        component: 'temporal',
        address: s.address,
        healthy: true,
        detail: `${s.alreadyRunning ? 'already running' : 'started'} (pid ${s.pid}, server on PostgreSQL ${o.databases.temporal}/${o.databases.visibility}, ${o.historyShards} shards, log ${s.logPath})`,
      },
      { component: 'temporal-ui', address: '-', healthy: false, note: true, detail: SERVER_UI_NOTE },
    ];
  } catch (err) {
    return [{ component: 'temporal', address, healthy: false, detail: (err as Error).message }];
  }
}

/** The worker processes reach the Temporal the stack runs, whichever mode. */
function workerEnv({ config }: LoadedConfig, statuses: ComponentStatus[]): NodeJS.ProcessEnv {
  const temporal = statuses.find((s) => s.component === 'temporal');
  return { ...process.env, TEMPORAL_ADDRESS: temporal?.address ?? config.temporal.address };
}

async function workerStatuses(loaded: LoadedConfig, statuses: ComponentStatus[]): Promise<ComponentStatus[]> {
  const { config, secrets } = loaded;
  // The address the workers were given, with the connection options they build from the same config.
  const address = workerEnv(loaded, statuses).TEMPORAL_ADDRESS!;
  const health = await workerHealth(
    config.stack.dataDir,
    { ...temporalConnectOptions(config, secrets), address },
    config.temporal.namespace,
    config.temporal.taskQueues,
  ).catch(() => []);
  return health.map((w) => ({
    component: `worker ${w.queue}#${w.index}`,
    address: `pid ${w.pid}`,
    healthy: w.alive,
    detail: w.alive
      ? w.lastPoll
        ? `polling ${config.temporal.taskQueues[w.queue]}, last poll ${w.lastPoll.toISOString()}`
        : `alive, not polling ${config.temporal.taskQueues[w.queue]} yet`
      : 'exited: see its log in the data folder (workers/)',
  }));
}

export async function stackDown({ config }: LoadedConfig): Promise<ComponentStatus[]> {
  // Workers first, so they drain against a live server.
  const workers = await stopWorkers(config.stack.dataDir);
  const out: ComponentStatus[] = workers
    ? [
        {
          component: 'workers',
          address: '-',
          healthy: false,
          detail: `${workers} drained and stopped (SIGTERM)`,
        },
      ]
    : [];
  if (await stopTemporalServer(config.stack.dataDir)) {
    return [
      ...out,
      {
        component: 'temporal',
        address: `${config.stack.server.ip}:${config.stack.server.port}`,
        healthy: false,
        detail: `server stopped (state kept in PostgreSQL ${config.stack.server.databases.temporal})`,
      },
    ];
  }
  const stopped = usesLocalDevServer(config) ? await stopDevServer(config.stack.dataDir) : false;
  return [
    ...out,
    {
      component: 'temporal',
      address: config.temporal.address,
      healthy: false,
      detail: stopped ? 'stopped (state kept in the SQLite file)' : 'was not running from this data folder',
    },
  ];
}

export async function stackStatus(loaded: LoadedConfig): Promise<ComponentStatus[]> {
  const { config } = loaded;
  const [pg, redis] = await Promise.all([postgresState(config.database.url), redisState(config.redis.url)]);
  const statuses: ComponentStatus[] = [
    { component: 'postgres', address: pg.address, healthy: pg.healthy, detail: pg.detail },
    { component: 'redis', address: redis.address, healthy: redis.healthy, detail: redis.detail },
  ];
  const server = await temporalServerState(config.stack.dataDir);
  if (server || config.stack.temporal === 'server') {
    statuses.push({
      component: 'temporal',
      address: server?.address ?? `${config.stack.server.ip}:${config.stack.server.port}`,
      healthy: server?.running ?? false,
      detail: server
        ? `server (pid ${server.pid}) on PostgreSQL ${config.stack.server.databases.temporal}, ${server.running ? 'frontend healthy' : 'frontend not answering'}; log ${server.logPath}`
        : 'not running: `alphabet stack up --temporal server`',
    });
  } else if (usesLocalDevServer(config)) {
    const dev = await devServerState(devServerOptions(config));
    const detail = dev.running
      ? `dev server${dev.pid ? ` (pid ${dev.pid})` : ' (not started by this data folder)'}, ${dev.dbPath}`
      : 'not running: `alphabet stack up`';
    statuses.push(...(await devServerStatuses(dev, config, dev.running, detail)));
  } else {
    statuses.push(await remoteTemporalStatus(loaded, { registerSearchAttributes: false }));
  }
  statuses.push(...(await workerStatuses(loaded, statuses)));
  return statuses;
}

/** The local dev server and its Web UI, as two status lines. */
async function devServerStatuses(
  dev: { address: string; uiUrl: string | null },
  config: AppConfig,
  healthy: boolean,
  detail: string,
): Promise<ComponentStatus[]> {
  return [
    { component: 'temporal', address: dev.address, healthy, detail },
    {
      component: 'temporal-ui',
      address: dev.uiUrl ?? config.temporal.uiUrl,
      healthy: await httpOk(dev.uiUrl),
      detail: 'Web UI',
    },
  ];
}

async function httpOk(url: string | null): Promise<boolean> {
  if (!url) return false;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * The components that are down and matter: the Web UI is for people, not for the platform (and the
 * Temporal server mode has none of its own), so it never fails `stack up|status` or `npm start`.
 */
export function downComponents(statuses: readonly ComponentStatus[]): ComponentStatus[] {
  return statuses.filter((s) => !s.healthy && s.component !== 'temporal-ui');
}

export function formatStatuses(statuses: ComponentStatus[]): string {
  const width = Math.max(...statuses.map((s) => s.component.length));
  const addrWidth = Math.max(...statuses.map((s) => s.address.length));
  return statuses
    .map(
      (s) =>
        `${s.healthy ? 'ok  ' : s.note ? 'note' : 'DOWN'}  ${s.component.padEnd(width)}  ${s.address.padEnd(addrWidth)}  ${s.detail}`,
    )
    .join('\n');
}
