import type { Client } from '@temporalio/client';
import type { AppConfig } from '../../config/schema';
import type { healthCheckWorkflow } from './workflow';
import { HEALTH_CHECK_WORKFLOW, healthCheckWorkflowId, type HealthReport } from './messages';

export interface HealthCheckRun extends HealthReport {
  workflowId: string;
  /** The run in the Temporal Web UI. */
  url: string;
}

/**
 * Run the health-check workflow and wait for its report: started on the ingestion queue, it probes
 * PostgreSQL and Redis from every task queue's worker.
 */
export async function runHealthCheck(client: Client, config: AppConfig): Promise<HealthCheckRun> {
  const workflowId = healthCheckWorkflowId(new Date());
  const queues = config.temporal.taskQueues;
  const report = await client.workflow.execute<typeof healthCheckWorkflow>(HEALTH_CHECK_WORKFLOW, {
    workflowId,
    taskQueue: queues.ingestion,
    args: [{ probeId: workflowId, taskQueues: [queues.ingestion, queues.strategies, queues.bets] }],
    staticSummary: 'Health check: PostgreSQL and Redis round trips from every task queue',
    workflowExecutionTimeout: '10 minutes',
  });
  const url = `${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${encodeURIComponent(workflowId)}`;
  return { ...report, workflowId, url };
}
