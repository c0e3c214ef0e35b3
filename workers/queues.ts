import type { Activities } from '../activities';
import type * as IngestionWorkflows from '../workflows/queues/ingestion';
import type * as StrategiesWorkflows from '../workflows/queues/strategies';
import type * as BetsWorkflows from '../workflows/queues/bets';
import type * as AllWorkflows from '../workflows';
import {
  QUEUE_ACTIVITIES,
  type QUEUE_WORKFLOWS,
  type QueueActivityName,
  type QueueRole,
} from '../shared/queues';

// Compile-time facts about shared/queues.ts: an activity or workflow no queue serves, or a queue's bundle
// entry exporting other workflows than its list, is a type error naming it.
type Missing<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : Exclude<All, Listed>;
type Same<A, B> = [Exclude<A, B> | Exclude<B, A>] extends [never] ? true : Exclude<A, B> | Exclude<B, A>;
type Listed<T extends Record<QueueRole, readonly string[]>> = T[QueueRole][number];
type WorkflowsOf<R extends QueueRole> = (typeof QUEUE_WORKFLOWS)[R][number];
const everyActivityHasAQueue: Missing<keyof Activities, Listed<typeof QUEUE_ACTIVITIES>> = true;
const everyWorkflowHasAQueue: Missing<keyof typeof AllWorkflows, Listed<typeof QUEUE_WORKFLOWS>> = true;
const ingestionEntry: Same<keyof typeof IngestionWorkflows, WorkflowsOf<'ingestion'>> = true;
const strategiesEntry: Same<keyof typeof StrategiesWorkflows, WorkflowsOf<'strategies'>> = true;
const betsEntry: Same<keyof typeof BetsWorkflows, WorkflowsOf<'bets'>> = true;
void [everyActivityHasAQueue, everyWorkflowHasAQueue, ingestionEntry, strategiesEntry, betsEntry];

/** Keep only the queue's activities from everything createActivities built. */
export function queueActivities<R extends QueueRole>(
  role: R,
  all: Activities,
): Pick<Activities, QueueActivityName<R>> {
  // The SDK registers activities as bare functions anyway (none uses `this`).
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const entries = QUEUE_ACTIVITIES[role].map((name) => [name, all[name]]);
  return Object.fromEntries(entries) as Pick<Activities, QueueActivityName<R>>;
}
