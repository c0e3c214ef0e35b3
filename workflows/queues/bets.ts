// The bets task queue's workflow bundle (shared/queues.ts says why each workflow is here).
export { betLifecycleWorkflow } from '../bets/workflow';
export { alertDeliveryWorkflow } from '../alerts/workflow';
export { healthCheckWorkflow } from '../health/workflow';
