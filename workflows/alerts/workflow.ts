import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { QueueActivities } from '../../shared/queues';
import type { Alert } from '../../shared/alerts';
import type { AlertDeliveryResult } from './messages';

export type { AlertDeliveryResult } from './messages';

const routing = proxyActivities<QueueActivities<'bets' | 'strategies'>>({
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 10,
  },
});

/**
 * Delivers one alert, started by a lifecycle as a child with ParentClosePolicy ABANDON so the bet never
 * waits for it: routing, de-duplication and rate limits first, then one activity per channel, each with
 * that channel's retry policy, so a failing channel neither blocks nor repeats the others.
 */
export async function alertDeliveryWorkflow(alert: Alert): Promise<AlertDeliveryResult> {
  setCurrentDetails(`${alert.severity}: ${alert.title}`);
  const prepared = await routing.prepareAlert(alert);
  const outcomes = await Promise.allSettled(
    prepared.deliveries.map((d) =>
      proxyActivities<QueueActivities<'bets' | 'strategies'>>({
        startToCloseTimeout: '30 seconds',
        retry: {
          initialInterval: d.retry.initialIntervalMs,
          backoffCoefficient: 2,
          maximumInterval: d.retry.maximumIntervalMs,
          maximumAttempts: d.retry.maximumAttempts,
        },
      }).deliverAlert({ channel: d.channel, alert }),
    ),
  );
  const result: AlertDeliveryResult = {
    alertId: alert.id,
    delivered: [],
    failed: [],
    suppressed: prepared.suppressed,
  };
  outcomes.forEach((o, i) => {
    const channel = prepared.deliveries[i]!.channel;
    if (o.status === 'fulfilled') result.delivered.push(channel);
    else result.failed.push({ channel, error: String((o.reason as Error)?.cause ?? o.reason) });
  });
  setCurrentDetails(
    `${alert.title}: delivered to ${result.delivered.join(', ') || 'none'}` +
      (result.failed.length ? `; FAILED on ${result.failed.map((f) => f.channel).join(', ')}` : '') +
      (result.suppressed.length
        ? `; suppressed on ${result.suppressed.map((s) => s.channel).join(', ')}`
        : ''),
  );
  return result;
}
