import type { ProbeResult } from '../../activities';

/** The workflow type name, as the workers register it. */
export const HEALTH_CHECK_WORKFLOW = 'healthCheckWorkflow';

export interface HealthCheckInput {
  probeId: string;
  /** Every task queue whose worker must answer: ingestion, strategies, bets. */
  taskQueues: string[];
}

export interface HealthReport {
  probeId: string;
  ok: boolean;
  results: ProbeResult[];
}

/** A health check's workflow id (also its probe id): one per run, by its start time. */
export const healthCheckWorkflowId = (at: Date): string =>
  `health-check-${at.toISOString().replace(/[:.]/g, '-')}`;
