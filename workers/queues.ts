import type { Activities } from '../activities';
import type * as IngestionWorkflows from '../workflows/queues/ingestion';
import type * as StrategiesWorkflows from '../workflows/queues/strategies';
import type * as BetsWorkflows from '../workflows/queues/bets';
import type * as AllWorkflows from '../workflows';

/**
 * Which workflows and activities each task queue serves: the one place that decides it. A worker for a
 * queue registers exactly these activities and runs the workflows of its own bundle entry
 * (workflows/queues/<queue>.ts, checked against the lists below at compile time), so the split is a fact.
 *
 * How the lists follow from the workflows:
 * - a workflow's activities run on its own queue (no workflow names another queue for them), except
 *   healthCheckWorkflow, which probes PostgreSQL and Redis on every queue it is given: probePostgres and
 *   probeRedis belong to all three, and so does the workflow itself (`alphabet health` starts it on
 *   ingestion; any queue's worker can run it);
 * - strategyWorkflow and paperTradingWorkflow (strategies) hand opportunities to betLifecycleWorkflow on
 *   the bets queue (loadStrategy / openPaperSession return it); rolloutWorkflow runs with them;
 * - alertDeliveryWorkflow is a child started on its parent's queue (workflowInfo().taskQueue): the bet
 *   lifecycle's (bets) and the paper session's (strategies), so it and its activities serve both.
 */
export const QUEUE_ROLES = ['ingestion', 'strategies', 'bets'] as const;
export type QueueRole = (typeof QUEUE_ROLES)[number];

type ActivityName = keyof Activities;
type WorkflowName = keyof typeof AllWorkflows;

const HEALTH = ['probePostgres', 'probeRedis'] as const;
const ALERTS = ['prepareAlert', 'deliverAlert'] as const;

export const QUEUE_ACTIVITIES = {
  ingestion: [...HEALTH, 'pollOdds'],
  strategies: [
    ...HEALTH,
    ...ALERTS,
    // strategyWorkflow, and the sweep loop paperTradingWorkflow shares with it
    'loadStrategy',
    'updateStrategy',
    'recordStrategyEvent',
    'sweepStrategy',
    'waitForBoardChange',
    'claimPendingOpportunities',
    'markOpportunitiesHandedOff',
    'skipPendingOpportunities',
    // rolloutWorkflow
    'applyRolloutStage',
    'measureRolloutStage',
    // paperTradingWorkflow
    'openPaperSession',
    'paperSessionProgress',
    'endPaperSession',
    'finishPaperSession',
  ],
  bets: [
    ...HEALTH,
    ...ALERTS,
    'loadBetPlan',
    'requoteBets',
    'reserveStakes',
    'placePaperBet',
    'placeAdapterBet',
    'markAwaitingConfirmation',
    'recordManualDecision',
    'closeUnplacedBets',
    'captureClosingLine',
    'awaitEventResult',
    'settleBets',
  ],
} as const satisfies Record<QueueRole, readonly ActivityName[]>;

export const QUEUE_WORKFLOWS = {
  ingestion: ['oddsPollingWorkflow', 'healthCheckWorkflow'],
  strategies: [
    'strategyWorkflow',
    'rolloutWorkflow',
    'paperTradingWorkflow',
    'alertDeliveryWorkflow',
    'healthCheckWorkflow',
  ],
  bets: ['betLifecycleWorkflow', 'alertDeliveryWorkflow', 'healthCheckWorkflow'],
} as const satisfies Record<QueueRole, readonly WorkflowName[]>;

/** The activities a queue's worker registers (and so the only ones its workflows may call). */
export type QueueActivities<R extends QueueRole> = Pick<Activities, (typeof QUEUE_ACTIVITIES)[R][number]>;

// Compile-time facts: an activity or workflow no queue serves, or a bundle entry that differs from its
// list, is a type error naming it.
type Missing<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : Exclude<All, Listed>;
type Same<A, B> = [Exclude<A, B> | Exclude<B, A>] extends [never] ? true : Exclude<A, B> | Exclude<B, A>;
type Listed<T extends Record<QueueRole, readonly string[]>> = T[QueueRole][number];
const everyActivityHasAQueue: Missing<ActivityName, Listed<typeof QUEUE_ACTIVITIES>> = true;
const everyWorkflowHasAQueue: Missing<WorkflowName, Listed<typeof QUEUE_WORKFLOWS>> = true;
const ingestionEntry: Same<keyof typeof IngestionWorkflows, (typeof QUEUE_WORKFLOWS)['ingestion'][number]> =
  true;
const strategiesEntry: Same<
  keyof typeof StrategiesWorkflows,
  (typeof QUEUE_WORKFLOWS)['strategies'][number]
> = true;
const betsEntry: Same<keyof typeof BetsWorkflows, (typeof QUEUE_WORKFLOWS)['bets'][number]> = true;
void [everyActivityHasAQueue, everyWorkflowHasAQueue, ingestionEntry, strategiesEntry, betsEntry];

/** Keep only the queue's activities from everything createActivities built. */
export function queueActivities<R extends QueueRole>(role: R, all: Activities): QueueActivities<R> {
  // The SDK registers activities as bare functions anyway (none uses `this`).
  // eslint-disable-next-line @typescript-eslint/unbound-method
  return Object.fromEntries(QUEUE_ACTIVITIES[role].map((name) => [name, all[name]])) as QueueActivities<R>;
}

/** A bad queue list (--queues, ALPHABET_WORKER_QUEUES), naming where it came from and the value. */
export class QueueListError extends Error {
  override readonly name = 'QueueListError';
}

/**
 * Parse a comma-separated queue list ("bets", "ingestion,strategies"); empty or absent means all three.
 * `source` names the flag or variable it came from, for the error.
 */
export function parseQueueRoles(text: string | undefined, source: string): QueueRole[] {
  const names = (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) return [...QUEUE_ROLES];
  const roles: QueueRole[] = [];
  for (const name of names) {
    if (!(QUEUE_ROLES as readonly string[]).includes(name))
      throw new QueueListError(
        `${source}: unknown queue "${name}" in "${text}"; expected a comma-separated list of ${QUEUE_ROLES.join(', ')}`,
      );
    if (!roles.includes(name as QueueRole)) roles.push(name as QueueRole);
  }
  return roles;
}
