import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { PendingOpportunity } from '../activities';
import { SA } from '../shared/search-attributes';
import { betSummary, betWorkflowId } from '../shared/bets';

/**
 * Hand one opportunity to its bet lifecycle (workflow id bet:<opportunity>, REJECT_DUPLICATE, abandoned by
 * its parent so it outlives it). 'already' when a lifecycle for it exists: it is never bet twice.
 */
export async function startBetLifecycle(
  o: PendingOpportunity,
  strategy: string,
  taskQueue: string,
): Promise<'started' | 'already'> {
  try {
    await startChild('betLifecycleWorkflow', {
      workflowId: betWorkflowId(o.id),
      taskQueue,
      args: [{ opportunityId: o.id, strategy, sport: o.sport, eventId: o.market.eventId }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: betSummary({
        kind: o.kind,
        edge: o.edge,
        sport: o.sport,
        eventLabel: o.market.eventId,
        marketType: o.market.marketType,
        legs: o.legs.map((l) => ({ ...l, stake: l.stake ?? null })),
      }),
      typedSearchAttributes: [
        { key: SA.BetStatus, value: 'pending' },
        { key: SA.Strategy, value: strategy },
        { key: SA.Sport, value: o.sport },
        { key: SA.EventId, value: o.market.eventId },
        { key: SA.Bookmaker, value: [...new Set(o.legs.map((l) => l.bookmaker))].join(',') },
      ],
    });
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already';
    throw err;
  }
}
