// The workflow bundle's entry point: every workflow the workers run is exported from here.
export { healthCheckWorkflow } from './health/workflow';
export type { HealthCheckInput, HealthReport } from './health/messages';
export { oddsPollingWorkflow } from './ingestion/workflow';
export type { OddsPollingInput, PollStatus, PollSettings, PollSettingsPatch } from './ingestion/messages';
export { betLifecycleWorkflow } from './bets/workflow';
export type { BetLifecycleInput, BetLifecycleResult } from './bets/messages';
export { alertDeliveryWorkflow } from './alerts/workflow';
export type { AlertDeliveryResult } from './alerts/messages';
export { rolloutWorkflow } from './rollout/workflow';
export type { RolloutInput, RolloutResult, RolloutStatus } from './rollout/messages';
export { strategyWorkflow } from './strategies/workflow';
export type {
  StrategyWorkflowInput,
  StrategyStatus,
  StrategyCounts,
  SetParametersRequest,
} from './strategies/messages';
export { paperTradingWorkflow } from './paper/workflow';
export type { PaperTradingInput, PaperResult, PaperStatus } from './paper/messages';
