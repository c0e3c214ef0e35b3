import type { ActivityDeps } from './deps';
import { createHealthActivities } from './health';

export type { ActivityDeps } from './deps';
export type { ProbeInput, ProbeResult } from './health';

/** Every activity, built from its dependencies. Workflows `import type { Activities }` only. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createHealthActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
