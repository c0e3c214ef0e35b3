import type { ActivityDeps } from './deps';
import { createHealthActivities } from './health';
import { createStrategyActivities } from './strategies/activities';
import { createRolloutActivities } from './rollout';
import { createBetActivities } from './bets/activities';
import { createAlertActivities } from './alerts';
import { createIngestionActivities } from './ingestion/activities';
import { createPaperActivities } from './paper';

export type { ActivityDeps } from './deps';
export type { ProbeInput, ProbeResult } from './health';
export type {
  LoadStrategyResult,
  SweepInput,
  SweepResult,
  UpdateStrategyInput,
  UpdateStrategyResult,
} from './strategies/activities';
export type { PendingOpportunity, StrategyChange, StrategyRow } from './strategies/repository';
export type * from './bets/types';
export type { PreparedAlert } from './alerts';
export type { OpenedPaperSession, FinishPaperSessionInput, FinishedPaperSession } from './paper';
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
