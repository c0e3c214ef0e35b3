import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ifWorkflowExists } from '../../activities/infra/temporal';
import type { LoadedConfig } from '../../config/load';
import { SA } from '../../shared/search-attributes';
import type { oddsPollingWorkflow } from './workflow';
import {
  ODDS_POLLING_WORKFLOW,
  pauseSignal,
  pollingWorkflowId,
  resumeSignal,
  statusQuery,
  updateSettings,
  type OddsPollingInput,
  type PollSettings,
  type PollSettingsPatch,
  type PollStatus,
} from './messages';
import { SimulatedOptions } from '../../activities/providers/options';
import { describeProvider, type ProviderSettings } from '../../activities/providers/registry';
import {
  ensureSimulatedMarket,
  type SimulatedMarketHandle,
} from '../../activities/providers/simulated/server';

export interface PollerStart {
  provider: string;
  type: string;
  workflowId: string;
  result: 'started' | 'already-running';
}

export interface StartPollersOptions {
  /** Only these providers (each must be in the config and enabled); default: every enabled provider. */
  providers?: readonly string[];
  /** Workflow knobs, for tests: loop length, continue-as-new threshold, back-off ceiling. */
  chunkSeconds?: number;
  historyLimit?: number;
  maxBackoffSeconds?: number;
}

export class PollerConfigError extends Error {
  override readonly name = 'PollerConfigError';
}

/** The providers a command acts on: the named ones (checked against the config) or every enabled one. */
export function selectProviders(loaded: LoadedConfig, names?: readonly string[]): ProviderSettings[] {
  const all = loaded.config.providers;
  if (!names || names.length === 0) return all.filter((p) => p.enabled);
  return names.map((n) => {
    const p = all.find((x) => x.name === n);
    if (!p)
      throw new PollerConfigError(
        `--provider: no provider "${n}" in the config (have: ${all.map((x) => x.name).join(', ') || 'none'})`,
      );
    return p;
  });
}

export function pollingInput(p: ProviderSettings, o: StartPollersOptions = {}): OddsPollingInput {
  const caps = describeProvider(p);
  return {
    provider: p.name,
    providerType: p.type,
    intervalSeconds: p.pollIntervalSeconds,
    sports: [...p.sports],
    supportedSports: caps.sports ? [...caps.sports] : null,
    ...(o.chunkSeconds !== undefined ? { chunkSeconds: o.chunkSeconds } : {}),
    ...(o.historyLimit !== undefined ? { historyLimit: o.historyLimit } : {}),
    ...(o.maxBackoffSeconds !== undefined ? { maxBackoffSeconds: o.maxBackoffSeconds } : {}),
  };
}

/**
 * Start one OddsPollingWorkflow per provider (id `odds-poll:<name>`) on the ingestion task queue.
 * Idempotent: a poller already running is left alone and reported as such.
 */
export async function startPollingWorkflows(
  client: Client,
  loaded: LoadedConfig,
  o: StartPollersOptions = {},
): Promise<PollerStart[]> {
  const out: PollerStart[] = [];
  for (const p of selectProviders(loaded, o.providers)) {
    if (!p.enabled)
      throw new PollerConfigError(`provider "${p.name}" is disabled in the config (providers[].enabled)`);
    const workflowId = pollingWorkflowId(p.name);
    try {
      await client.workflow.start<typeof oddsPollingWorkflow>(ODDS_POLLING_WORKFLOW, {
        workflowId,
        taskQueue: loaded.config.temporal.taskQueues.ingestion,
        args: [pollingInput(p, o)],
        typedSearchAttributes: [{ key: SA.Provider, value: p.name }],
        staticSummary: `Odds polling: ${p.name} (${p.type}) every ${p.pollIntervalSeconds} s`,
        staticDetails: `Polls **${p.name}** (${p.type}) for ${p.sports.join(', ')} into the Redis board and the odds history. Signals: pause, resume. Update: updateSettings { intervalSeconds, sports }. Query: status.`,
      });
      out.push({ provider: p.name, type: p.type, workflowId, result: 'started' });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      out.push({ provider: p.name, type: p.type, workflowId, result: 'already-running' });
    }
  }
  return out;
}

export interface IngestionHandle {
  pollers: PollerStart[];
  /** The simulated markets and where they answer. */
  simulators: { provider: string; url: string; servedHere: boolean }[];
  /** Stop the simulated market servers this call started (the polling workflows keep running durably). */
  stop(): Promise<void>;
}

/**
 * For `npm start`: serve the simulated market of every enabled simulated provider on loopback and start the
 * polling workflows of every enabled provider. The worker process polls; run it in the same process (or point
 * it at the same port). Returns a handle whose stop() closes the servers started here.
 */
export async function startIngestion(
  loaded: LoadedConfig,
  client: Client,
  o: StartPollersOptions = {},
): Promise<IngestionHandle> {
  const handles: SimulatedMarketHandle[] = [];
  const simulators: IngestionHandle['simulators'] = [];
  try {
    for (const p of selectProviders(loaded, o.providers)) {
      if (p.type !== 'simulated' || !p.enabled) continue;
      const so = SimulatedOptions.parse(p.options);
      const h = await ensureSimulatedMarket({
        host: so.host,
        port: so.port,
        seed: so.seed,
        speed: so.speed,
        model: so.model,
      });
      handles.push(h);
      simulators.push({ provider: p.name, url: h.url, servedHere: h.servedHere });
    }
    const pollers = await startPollingWorkflows(client, loaded, o);
    return {
      pollers,
      simulators,
      async stop() {
        await Promise.all(handles.splice(0).map((h) => h.close()));
      },
    };
  } catch (err) {
    await Promise.all(handles.map((h) => h.close()));
    throw err;
  }
}

export interface PollerStatusReport {
  provider: string;
  workflowId: string;
  running: boolean;
  status: PollStatus | null;
  /** The polling activity as the server sees it: its attempt and last failure show a back-off in progress. */
  activity: { attempt: number; lastFailure: string | null; nextAttemptAt: string | null } | null;
  error: string | null;
}

/** The status query plus the pending activity (retries in progress), for `alphabet poll status`. */
export async function pollerStatus(client: Client, provider: string): Promise<PollerStatusReport> {
  const workflowId = pollingWorkflowId(provider);
  const handle = client.workflow.getHandle(workflowId);
  return ifWorkflowExists(
    async () => {
      const desc = await handle.describe();
      const running = desc.status.name === 'RUNNING';
      const status = running ? await handle.query(statusQuery) : null;
      const pending = desc.raw.pendingActivities?.[0];
      const ts = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
        t?.seconds !== undefined && t.seconds !== null
          ? new Date(Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString()
          : null;
      return {
        provider,
        workflowId,
        running,
        status,
        activity: pending
          ? {
              attempt: pending.attempt ?? 1,
              lastFailure: pending.lastFailure?.message ?? null,
              nextAttemptAt: ts(pending.nextAttemptScheduleTime),
            }
          : null,
        error: running ? null : `workflow is ${desc.status.name}`,
      };
    },
    {
      provider,
      workflowId,
      running: false,
      status: null,
      activity: null,
      error: 'not running (alphabet poll start)',
    },
  );
}

/** Pause or resume a provider's poller; false when it is not running. */
export async function controlPoller(
  client: Client,
  provider: string,
  verb: 'pause' | 'resume',
): Promise<boolean> {
  return ifWorkflowExists(async () => {
    await client.workflow
      .getHandle(pollingWorkflowId(provider))
      .signal(verb === 'pause' ? pauseSignal : resumeSignal);
    return true;
  }, false);
}

/**
 * Change a running poller's interval or sports through its validated update: the settings now, or null
 * when it is not running. A refusal throws the update's WorkflowUpdateFailedError, its cause saying why.
 */
export async function updatePollerSettings(
  client: Client,
  provider: string,
  patch: PollSettingsPatch,
): Promise<PollSettings | null> {
  return ifWorkflowExists(
    () =>
      client.workflow.getHandle(pollingWorkflowId(provider)).executeUpdate(updateSettings, { args: [patch] }),
    null,
  );
}
