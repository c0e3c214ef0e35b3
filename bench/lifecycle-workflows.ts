// The bench's workflow bundle: every production workflow plus a minimal one with as many activities.
import { proxyActivities } from '@temporalio/workflow';

export * from '../workflows';

const noop = proxyActivities<{ benchNoop(i: number): Promise<number> }>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

/** The baseline: `activities` activities one after another, doing nothing. */
export async function minimalLifecycleWorkflow(activities: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < activities; i++) total += await noop.benchNoop(i);
  return total;
}
