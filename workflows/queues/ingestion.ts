// The ingestion task queue's workflow bundle (shared/queues.ts says why each workflow is here).
export { oddsPollingWorkflow } from '../ingestion/workflow';
export { healthCheckWorkflow } from '../health/workflow';
