import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { SA } from '../../shared/search-attributes';
import { betSummary, betWorkflowId } from '../../shared/bets';
import type { Opportunity } from '../../shared/entities';
import type { PlacementMode } from './types';
import type { BetLifecycleInput, betLifecycleWorkflow } from '../../workflows/bet-lifecycle';

/** What the client needs of an opportunity: ids for the workflow, the rest for the Web UI summary. */
export type OpportunityRef = Pick<
  Opportunity,
  'id' | 'strategy' | 'kind' | 'sport' | 'edge' | 'market' | 'legs'
>;

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
 * Start the bet lifecycle of a recorded opportunity (the opportunity must be in PostgreSQL). The workflow id
 * is derived from the opportunity, and REJECT_DUPLICATE refuses a second run even after the first closed,
 * so an opportunity is bet at most once however often this is called.
 */
export async function startBetLifecycle(
  client: Client,
  opportunity: OpportunityRef,
  options: StartBetLifecycleOptions,
): Promise<StartedBetLifecycle> {
  const workflowId = betWorkflowId(opportunity.id);
  const input: BetLifecycleInput = {
    opportunityId: opportunity.id,
    strategy: opportunity.strategy,
    sport: opportunity.sport,
    eventId: opportunity.market.eventId,
    mode: options.mode ?? null,
    eventLabel: options.eventLabel ?? null,
  };
  try {
    const handle = await client.workflow.start<typeof betLifecycleWorkflow>('betLifecycleWorkflow', {
      workflowId,
      taskQueue: options.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      staticSummary: betSummary({
        kind: opportunity.kind,
        edge: opportunity.edge,
        sport: opportunity.sport,
        eventLabel: options.eventLabel ?? opportunity.market.eventId,
        marketType: opportunity.market.marketType,
        legs: opportunity.legs.map((l) => ({ ...l, stake: l.stake ?? null })),
      }),
      typedSearchAttributes: [
        { key: SA.BetStatus, value: 'pending' },
        { key: SA.Strategy, value: opportunity.strategy },
        { key: SA.Sport, value: opportunity.sport },
        { key: SA.EventId, value: opportunity.market.eventId },
        { key: SA.Bookmaker, value: [...new Set(opportunity.legs.map((l) => l.bookmaker))].join(',') },
      ],
      ...(options.workflowTaskTimeout ? { workflowTaskTimeout: options.workflowTaskTimeout } : {}),
    });
    return { workflowId, started: true, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      return { workflowId, started: false, runId: null };
    throw err;
  }
}
