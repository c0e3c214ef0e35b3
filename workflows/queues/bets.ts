// The bets task queue's workflow bundle (shared/queues.ts says why each workflow is here).
export { betLifecycleWorkflow } from '../bet-lifecycle';
export { alertDeliveryWorkflow } from '../alerts/workflow';
export { healthCheckWorkflow } from '../health/workflow';
