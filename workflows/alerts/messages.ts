import { ParentClosePolicy, type ChildWorkflowOptions } from '@temporalio/workflow';
import type { Alert } from '../../shared/alerts';

export interface AlertDeliveryResult {
  alertId: string;
  delivered: string[];
  failed: { channel: string; error: string }[];
  suppressed: { channel: string; why: string }[];
}

/** An alert's delivery workflow id: one delivery per alert, however often its sender retries. */
export const alertDeliveryWorkflowId = (alert: Pick<Alert, 'id'>): string => `alert:${alert.id}`;

/**
 * How a workflow starts an alert's delivery as a child: on its own task queue, abandoned when the parent
 * closes (the sender never waits for it), and at most once per alert id.
 */
export function alertDeliveryChildOptions(alert: Alert, taskQueue: string) {
  return {
    workflowId: alertDeliveryWorkflowId(alert),
    args: [alert] as [Alert],
    taskQueue,
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowExecutionTimeout: '1 day',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  } satisfies ChildWorkflowOptions & { args: [Alert] };
}
