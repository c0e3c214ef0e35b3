// The strategies task queue's workflow bundle (shared/queues.ts says why each workflow is here).
export { strategyWorkflow } from '../strategies/workflow';
export { rolloutWorkflow } from '../rollout/workflow';
export { paperTradingWorkflow } from '../paper/workflow';
export { alertDeliveryWorkflow } from '../alerts/workflow';
export { healthCheckWorkflow } from '../health/workflow';
