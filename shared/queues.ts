import type { Activities } from '../activities';

/**
 * Which workflows and activities each task queue serves: the one place that decides it. A worker for a
 * queue registers exactly these activities and runs the workflows of its own bundle entry
 * (workflows/queues/<queue>.ts); workers/queues.ts checks both against these lists at compile time, and
 * workflows proxy QueueActivities<their queue>, so calling another queue's activity does not compile.
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
} as const satisfies Record<QueueRole, readonly string[]>;

/** The names of the activities queue R's workers register. */
export type QueueActivityName<R extends QueueRole> = (typeof QUEUE_ACTIVITIES)[R][number];
// The names on every queue of R (a union of queues gives the activities they have in common).
type NamesOnEvery<R extends QueueRole> = (
  R extends QueueRole ? (k: QueueActivityName<R>) => void : never
) extends (k: infer I) => void
  ? I & ActivityName
  : never;

/**
 * The activities the workers of queue R register (of every queue in R, for a workflow that runs on
 * several): workflows proxy this type, so calling an activity their queue lacks is a compile error.
 */
export type QueueActivities<R extends QueueRole> = Pick<Activities, NamesOnEvery<R>>;

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
