// The bets task queue's workflow bundle (shared/queues.ts says why each workflow is here).
export { betLifecycleWorkflow } from '../bet-lifecycle';
export { alertDeliveryWorkflow } from '../alert-delivery';
export { healthCheckWorkflow } from '../health';
