import { CancellationScope, condition, proxyActivities } from '@temporalio/workflow';
import type { QueueActivities } from '../../shared/queues';

/** Activity options shared by the workflows that sweep the board (strategy, paper trading). */
/** Opportunities handed off to bet lifecycles per batch (a sweep's pending backlog is drained in these). */
export const HAND_OFF_BATCH = 50;
/**
 * New opportunities a sweep may return for their lifecycles to start at once, in one workflow task (a burst
 * of 100 appearing in one poll goes straight through, no claim passes). Only the sweep activity's input
 * and result depend on it, not the workflow's commands on replay: a recorded result decides the branch.
 */
export const DIRECT_HAND_OFF_LIMIT = 200;

const RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' } as const;
export const store = proxyActivities<QueueActivities<'strategies'>>({
  startToCloseTimeout: '1 minute',
  retry: RETRY,
});
export const sweeper = proxyActivities<QueueActivities<'strategies'>>({
  startToCloseTimeout: '5 minutes',
  retry: RETRY,
});

/**
 * Wait for the board to change after `since`, at most `timeoutMs`, or until `interrupted()` holds (a pause,
 * a new parameter set…): the board's new cursor and whether it changed, or null when interrupted. The wait
 * is an activity whose heartbeats let the interruption cancel it.
 */
export async function waitForBoardOrInterrupt(
  since: string | null,
  timeoutMs: number,
  interrupted: () => boolean,
): Promise<{ changed: boolean; cursor: string } | null> {
  const waiter = proxyActivities<QueueActivities<'strategies'>>({
    startToCloseTimeout: timeoutMs + 30_000,
    heartbeatTimeout: '10 seconds',
    retry: { ...RETRY, maximumAttempts: 3 },
  });
  return CancellationScope.cancellable(async () => {
    try {
      return await Promise.race([
        waiter.waitForBoardChange({ since, timeoutMs }),
        condition(interrupted).then(() => null),
      ]);
    } finally {
      CancellationScope.current().cancel();
    }
  });
}
