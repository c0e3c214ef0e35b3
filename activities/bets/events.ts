import type { OpsEvent } from '../../shared/ops-events';
import { opportunityOfBet } from '../../shared/ops-events';
import type { OpsEventPublisher } from '../infra/ops-events';
import type { LegState, SettledLeg } from './types';

/**
 * Bet status changes and settlements for the operator event stream, read off what the bet activities
 * return (their results are the state committed to PostgreSQL), so the activities themselves stay as they
 * are. Published after the activity's transaction committed, never inside it.
 */

const legEvent = (l: LegState): OpsEvent => ({
  kind: 'bet',
  data: {
    opportunityId: opportunityOfBet(l.betId),
    betId: l.betId,
    status: l.status,
    stake: l.stake,
    price: l.price,
    bookReference: l.bookReference,
    reason: l.reason,
  },
});

type Input = { opportunityId?: string };
type Refusal = { ok: boolean; reason?: string };

/** Per activity: the events its result means (absent: none). */
const EVENTS: Record<string, (input: Input, result: unknown) => OpsEvent[]> = {
  placePaperBet: (_, r) => [legEvent(r as LegState)],
  placeAdapterBet: (_, r) => [legEvent(r as LegState)],
  recordManualDecision: (_, r) => [legEvent(r as LegState)],
  markAwaitingConfirmation: (_, r) => (r as LegState[]).map(legEvent),
  closeUnplacedBets: (_, r) => (r as LegState[]).map(legEvent),
  // A refused re-quote or risk check skips every leg of the opportunity.
  requoteBets: (i, r) => refusal(i, r as Refusal),
  reserveStakes: (i, r) => refusal(i, r as Refusal),
  settleBets: (i, r) =>
    (r as SettledLeg[])
      .filter((s) => s.rule !== 'settled before')
      .map((s) => ({
        kind: 'settlement',
        data: {
          opportunityId: i.opportunityId ?? opportunityOfBet(s.betId),
          betId: s.betId,
          status: s.status,
          profitLoss: s.profitLoss,
          rule: s.rule,
        },
      })),
};

function refusal(input: Input, r: Refusal): OpsEvent[] {
  if (r.ok || !input.opportunityId) return [];
  const data = {
    opportunityId: input.opportunityId,
    betId: null,
    status: 'skipped',
    stake: null,
    price: null,
    bookReference: null,
    reason: r.reason ?? null,
  };
  return [{ kind: 'bet', data }];
}

/** The same activities, each publishing what its result means once it has returned. */
export function publishingBetEvents<T extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: T,
  publish: OpsEventPublisher,
): T {
  const out: Record<string, unknown> = { ...activities };
  for (const [name, events] of Object.entries(EVENTS)) {
    const fn = activities[name] as ((input: Input) => Promise<unknown>) | undefined;
    if (!fn) continue;
    out[name] = async (input: Input) => {
      const result = await fn(input);
      await publish(events(input, result));
      return result;
    };
  }
  return out as T;
}
