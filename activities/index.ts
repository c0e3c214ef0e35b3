import type { ActivityDeps } from './deps';
import { createHealthActivities } from './health/activities';
import { createStrategyActivities } from './strategies/activities';
import { createRolloutActivities } from './rollout/activities';
import { createBetActivities } from './bets/activities';
import { createAlertActivities } from './alerts/activities';
import { createIngestionActivities } from './ingestion/activities';
import { createPaperActivities } from './paper/activities';

export type { ActivityDeps } from './deps';
export type { ProbeInput, ProbeResult } from './health/activities';
export type {
  LoadStrategyResult,
  SweepInput,
  SweepResult,
  UpdateStrategyInput,
  UpdateStrategyResult,
} from './strategies/activities';
export type { StrategyChange, StrategyRow } from './strategies/store';
export type { PendingOpportunity } from './strategies/opportunity-store';
export type * from './bets/types';
export type { PreparedAlert } from './alerts/activities';
export type { OpenedPaperSession, FinishPaperSessionInput, FinishedPaperSession } from './paper/activities';
export type {
  PollChunkInput,
  PollChunkResult,
  ChunkProgress,
  IngestionFailureDetails,
} from './ingestion/activities';

/** Every activity, built from its dependencies. Workflows `import type { Activities }` only. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createHealthActivities(deps),
    ...createStrategyActivities(deps),
    ...createRolloutActivities(deps),
    ...createBetActivities(deps),
    ...createAlertActivities(deps),
    ...createIngestionActivities(deps),
    ...createPaperActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
