import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { PlacementMode } from '../../activities';
import type { betLifecycleWorkflow } from './workflow';
import {
  betLifecycleStartOptions,
  betStateQuery,
  betWorkflowId,
  confirmPlacementUpdate,
  settleBetUpdate,
  skipBetUpdate,
  type BetLegView,
  type BetLifecycleState,
  type BetOpportunityRef,
  type ConfirmPlacementRequest,
  type SettleRequest,
  type SkipBetRequest,
} from './messages';

/**
 * The only way to start or message a bet lifecycle from outside a workflow (the CLI, tests, benches):
 * workflow code hands opportunities over through ./hand-off instead.
 */

/** What the client needs of an opportunity: ids for the workflow, the rest for the Web UI summary. */
export type OpportunityRef = BetOpportunityRef & { strategy: string };

export interface StartBetLifecycleOptions {
  /** The bets task queue (config.temporal.taskQueues.bets). */
  taskQueue: string;
  /** Overrides the strategy's placement mode. */
  mode?: PlacementMode;
  /** "KC@BUF" for the summary and alerts; otherwise built from the event's participants. */
  eventLabel?: string;
  /** Shorter workflow-task timeout (tests that kill workers); the server default otherwise. */
  workflowTaskTimeout?: string;
}

export interface StartedBetLifecycle {
  workflowId: string;
  /** False when a lifecycle for this opportunity already exists (running or closed): nothing was started. */
  started: boolean;
  runId: string | null;
}

/**
 * Start the bet lifecycle of a recorded opportunity (the opportunity must be in PostgreSQL). However often
 * this is called, an opportunity is bet at most once (betLifecycleStartOptions says why).
 */
export async function startBetLifecycle(
  client: Client,
  opportunity: OpportunityRef,
  options: StartBetLifecycleOptions,
): Promise<StartedBetLifecycle> {
  const start = betLifecycleStartOptions(opportunity, opportunity.strategy, options.taskQueue, {
    mode: options.mode ?? null,
    eventLabel: options.eventLabel ?? null,
  });
  try {
    const handle = await client.workflow.start<typeof betLifecycleWorkflow>('betLifecycleWorkflow', {
      ...start,
      workflowIdConflictPolicy: 'FAIL',
      ...(options.workflowTaskTimeout ? { workflowTaskTimeout: options.workflowTaskTimeout } : {}),
    });
    return { workflowId: start.workflowId, started: true, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      return { workflowId: start.workflowId, started: false, runId: null };
    throw err;
  }
}

const lifecycle = (client: Client, opportunityId: string) =>
  client.workflow.getHandle<typeof betLifecycleWorkflow>(betWorkflowId(opportunityId));

/** The lifecycle's live state (the `betState` query). */
export function betState(client: Client, opportunityId: string): Promise<BetLifecycleState> {
  return lifecycle(client, opportunityId).query(betStateQuery);
}

/** A bet placed by hand at the book (the `confirmPlacement` update); answers once the decision is recorded. */
export function confirmPlacement(
  client: Client,
  opportunityId: string,
  request: ConfirmPlacementRequest,
): Promise<BetLegView> {
  return lifecycle(client, opportunityId).executeUpdate(confirmPlacementUpdate, { args: [request] });
}

/** A bet awaiting confirmation not placed (the `skip` update); answers once the skip is recorded. */
export function skipBet(client: Client, opportunityId: string, request: SkipBetRequest): Promise<BetLegView> {
  return lifecycle(client, opportunityId).executeUpdate(skipBetUpdate, { args: [request] });
}

/** An operator's result or void (the `settle` update); answers once the lifecycle has ended. */
export function settleManually(
  client: Client,
  opportunityId: string,
  request: SettleRequest,
): Promise<BetLifecycleState> {
  return lifecycle(client, opportunityId).executeUpdate(settleBetUpdate, { args: [request] });
}
