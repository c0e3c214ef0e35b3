// The workflow bundle's entry point: every workflow the workers run is exported from here.
export { healthCheckWorkflow } from './health';
export type { HealthCheckInput, HealthReport } from './health';
