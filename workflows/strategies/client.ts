import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ifWorkflowExists } from '../../activities/infra/temporal';
import type { Pool } from 'pg';
import type { LoadedConfig } from '../../config/load';
import { SA } from '../../shared/search-attributes';
import {
  STRATEGY_WORKFLOW,
  pauseSignal,
  resumeSignal,
  setParametersUpdate,
  strategyStatusQuery,
  strategySummary,
  strategyWorkflowId,
  type PauseRequest,
  type SetParametersRequest,
  type SetParametersResult,
  type StrategyStatus,
  type StrategyWorkflowInput,
} from './messages';
import {
  getStrategy,
  listStrategies,
  seedStrategies,
  updateStrategy,
} from '../../activities/strategies/store';

export interface StrategyStart {
  name: string;
  workflowId: string;
  result: 'started' | 'already-running' | 'disabled';
}

export interface StartStrategiesOptions {
  /** Only these strategies (each must be in the table after seeding); default every enabled one. */
  names?: readonly string[];
  handOff?: StrategyWorkflowInput['handOff'];
  maxIterationsPerRun?: number;
}

/**
 * Seed the strategies table from config, then start one StrategyWorkflow per enabled strategy (or per named
 * one) on the strategies task queue. Starting one that runs already is not an error.
 */
export async function startStrategyWorkflows(
  client: Client,
  loaded: LoadedConfig,
  db: Pool,
  options: StartStrategiesOptions = {},
): Promise<StrategyStart[]> {
  await seedStrategies(db, loaded.config.strategies, 'config');
  const rows = options.names?.length
    ? await Promise.all(
        options.names.map(async (n) => {
          const row = await getStrategy(db, n);
          if (!row)
            throw new Error(`unknown strategy "${n}" (not in config.strategies nor in the strategies table)`);
          return row;
        }),
      )
    : await listStrategies(db);
  const out: StrategyStart[] = [];
  for (const row of rows) {
    const workflowId = strategyWorkflowId(row.name);
    if (!row.enabled && !options.names?.length) {
      out.push({ name: row.name, workflowId, result: 'disabled' });
      continue;
    }
    const input: StrategyWorkflowInput = {
      name: row.name,
      ...(options.handOff ? { handOff: options.handOff } : {}),
      ...(options.maxIterationsPerRun ? { maxIterationsPerRun: options.maxIterationsPerRun } : {}),
    };
    try {
      await client.workflow.start(STRATEGY_WORKFLOW, {
        workflowId,
        taskQueue: loaded.config.temporal.taskQueues.strategies,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        staticSummary: strategySummary(row),
        typedSearchAttributes: [
          { key: SA.Strategy, value: row.name },
          { key: SA.StrategyMode, value: row.mode },
        ],
      });
      out.push({ name: row.name, workflowId, result: 'started' });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      out.push({ name: row.name, workflowId, result: 'already-running' });
    }
  }
  return out;
}

/** The running workflow's status, or null when no StrategyWorkflow runs for it. */
export async function strategyWorkflowStatus(client: Client, name: string): Promise<StrategyStatus | null> {
  const handle = client.workflow.getHandle(strategyWorkflowId(name));
  return ifWorkflowExists(async () => {
    const description = await handle.describe();
    return description.status.name === 'RUNNING' ? await handle.query(strategyStatusQuery) : null;
  }, null);
}

/**
 * Pause or resume a strategy's workflow (who and why go to its change log), then wait until its status
 * query shows the new state: a signal is only delivered, so whoever refreshes right after (the console,
 * a script) would otherwise still read the old state. `applied` is false when the workflow did not show it
 * within `waitMs` (a worker down): the signal stays queued and takes effect when the workflow runs.
 */
export async function controlStrategy(
  client: Client,
  name: string,
  verb: 'pause' | 'resume',
  request: PauseRequest,
  waitMs = 10_000,
): Promise<{ applied: boolean }> {
  const handle = client.workflow.getHandle(strategyWorkflowId(name));
  await handle.signal(verb === 'pause' ? pauseSignal : resumeSignal, request);
  const want = verb === 'pause';
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (Date.now() >= deadline) return { applied: false };
    // A workflow whose worker is down never answers: the query may not outlive the wait.
    const status = await client.connection
      .withDeadline(deadline, () => handle.query(strategyStatusQuery))
      .catch(() => null);
    if (status?.paused === want) return { applied: true };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Change a running strategy's parameters through its validated update; a refusal throws the update's
 * WorkflowUpdateFailedError, its cause saying why.
 */
export function setStrategyParameters(
  client: Client,
  name: string,
  request: SetParametersRequest,
): Promise<SetParametersResult> {
  return client.workflow
    .getHandle(strategyWorkflowId(name))
    .executeUpdate(setParametersUpdate, { args: [request] });
}

export type StrategyChangeResult = SetParametersResult & {
  via: 'workflow update' | 'strategies table (workflow not running)';
};

/**
 * Change a strategy (already checked with validateSetParameters): through its running workflow's validated
 * update, else in the table directly; recorded in strategy_changes either way. A refusal throws the
 * update's WorkflowUpdateFailedError or the table's StrategyParameterError, naming the field.
 */
export async function changeStrategy(
  client: Client,
  db: Pool,
  name: string,
  request: SetParametersRequest,
): Promise<StrategyChangeResult> {
  if (await strategyWorkflowStatus(client, name))
    return { via: 'workflow update', ...(await setStrategyParameters(client, name, request)) };
  return {
    via: 'strategies table (workflow not running)',
    ...(await updateStrategy(db, name, { ...request })),
  };
}
