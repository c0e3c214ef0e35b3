import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { PendingOpportunity } from '../../activities';
import { betLifecycleStartOptions } from './messages';

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
      ...betLifecycleStartOptions(o, strategy, taskQueue),
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already';
    throw err;
  }
}
