// The workflow bundle's entry point: every workflow the workers run is exported from here.
export { healthCheckWorkflow } from './health';
export type { HealthCheckInput, HealthReport } from './health';
export { oddsPollingWorkflow } from './odds-polling';
export type { OddsPollingInput, PollStatus, PollSettings, PollSettingsPatch } from './odds-polling-api';
export { betLifecycleWorkflow } from './bets/workflow';
export type { BetLifecycleInput, BetLifecycleResult } from './bets/messages';
export { alertDeliveryWorkflow } from './alert-delivery';
export type { AlertDeliveryResult } from './alert-delivery';
export { rolloutWorkflow } from './rollout';
export type { RolloutInput, RolloutResult, RolloutStatus } from './rollout-api';
export { strategyWorkflow } from './strategy';
export type {
  StrategyWorkflowInput,
  StrategyStatus,
  StrategyCounts,
  SetParametersRequest,
} from './strategy-api';
export { paperTradingWorkflow } from './paper';
export type { PaperTradingInput, PaperResult, PaperStatus } from './paper-api';
