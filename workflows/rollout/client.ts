import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ifWorkflowExists } from '../../activities/infra/temporal';
import type { AppConfig } from '../../config/schema';
import { SA } from '../../shared/search-attributes';
import type { rolloutWorkflow } from './workflow';
import {
  ROLLOUT_WORKFLOW,
  abortRolloutSignal,
  approveRolloutUpdate,
  pauseRolloutSignal,
  resumeRolloutSignal,
  rolloutStatusQuery,
  rolloutWorkflowId,
  type RolloutStatus,
} from './messages';

/** Start a strategy's rollout (id rollout:<strategy>) with the config's stages and gates; running already is fine. */
export async function startRollout(
  client: Client,
  config: AppConfig,
  strategy: string,
): Promise<'started' | 'already running'> {
  try {
    await client.workflow.start<typeof rolloutWorkflow>(ROLLOUT_WORKFLOW, {
      workflowId: rolloutWorkflowId(strategy),
      taskQueue: config.temporal.taskQueues.strategies,
      args: [{ strategy, config: config.rollout }],
      staticSummary: `Rollout of ${strategy}: ${config.rollout.stages.map((s) => s.name).join(' → ')}`,
      typedSearchAttributes: [
        { key: SA.Strategy, value: strategy },
        { key: SA.RolloutStage, value: config.rollout.stages[0]!.name },
      ],
    });
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already running';
    throw err;
  }
}

/** Run `fn` on the rollout's handle; null when the strategy has no rollout. */
function onRollout<T>(
  client: Client,
  strategy: string,
  fn: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<T>,
): Promise<T | null> {
  return ifWorkflowExists(() => fn(client.workflow.getHandle(rolloutWorkflowId(strategy))), null);
}

/** The rollout's stage, metrics, verdict and events; null when the strategy has no rollout. */
export function rolloutStatus(client: Client, strategy: string): Promise<RolloutStatus | null> {
  return onRollout(client, strategy, (h) => h.query(rolloutStatusQuery));
}

/**
 * Approve a manual gate; null when no rollout runs. A refusal (the rollout does not wait for approval)
 * throws the update's WorkflowUpdateFailedError, its cause saying why.
 */
export function approveRollout(client: Client, strategy: string, by: string): Promise<RolloutStatus | null> {
  return onRollout(client, strategy, (h) => h.executeUpdate(approveRolloutUpdate, { args: [by] }));
}

export type RolloutControl = 'pause' | 'resume' | 'abort';

/** Pause, resume or abort a rollout (the reason is recorded with the event); false when none runs. */
export async function controlRollout(
  client: Client,
  strategy: string,
  verb: RolloutControl,
  reason?: string,
): Promise<boolean> {
  const sent = await onRollout(client, strategy, async (h) => {
    if (verb === 'resume') await h.signal(resumeRolloutSignal);
    else await h.signal(verb === 'pause' ? pauseRolloutSignal : abortRolloutSignal, reason);
    return true;
  });
  return sent ?? false;
}
