// The strategies task queue's workflow bundle (shared/queues.ts says why each workflow is here).
export { strategyWorkflow } from '../strategy';
export { rolloutWorkflow } from '../rollout';
export { paperTradingWorkflow } from '../paper';
export { alertDeliveryWorkflow } from '../alert-delivery';
export { healthCheckWorkflow } from '../health';
