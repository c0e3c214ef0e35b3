/**
 * The operator event stream (issue 13): what the console shows live. ONE Redis stream,
 * `<redis.keyPrefix>ops:events`, capped near OPS_EVENTS_MAXLEN entries; each entry has two fields,
 * `kind` (one of OPS_EVENT_KINDS) and `data` (the JSON below). activities/infra/ops-events.ts is the one
 * writer and the one reader; the API's `GET /api/events` serves it as server-sent events whose `id:` is
 * the stream entry id, so a reconnect with Last-Event-ID resumes exactly after what it saw.
 */

export const OPS_EVENT_KINDS = ['opportunity', 'bet', 'settlement', 'alert'] as const;
export type OpsEventKind = (typeof OPS_EVENT_KINDS)[number];

/** About the last 10 000 events are kept: a reconnect after longer than that replays what is left. */
export const OPS_EVENTS_MAXLEN = 10_000;

export function opsEventsKey(keyPrefix: string): string {
  return `${keyPrefix}ops:events`;
}

/** An opportunity recorded by a sweep, placed (handed to a bet lifecycle) or skipped with its reason. */
export interface OpportunityEventData {
  opportunityId: string;
  strategy: string;
  session: string | null;
  kind: string;
  sport: string;
  eventId: string;
  edge: string;
  decision: 'pending' | 'skipped';
  reason: string | null;
}

/** A bet leg changed status (or every leg of an opportunity when `betId` is null, e.g. a refused re-quote). */
export interface BetEventData {
  opportunityId: string;
  betId: string | null;
  status: string;
  stake: string | null;
  price: string | null;
  bookReference: string | null;
  reason: string | null;
}

export interface SettlementEventData {
  opportunityId: string;
  betId: string;
  status: string;
  profitLoss: string;
  rule: string;
}

export interface AlertEventData {
  id: string;
  type: string;
  severity: string;
  title: string;
  text: string;
  link: string | null;
  fields: Record<string, string>;
}

export type OpsEvent =
  | { kind: 'opportunity'; data: OpportunityEventData }
  | { kind: 'bet'; data: BetEventData }
  | { kind: 'settlement'; data: SettlementEventData }
  | { kind: 'alert'; data: AlertEventData };

/** An event as read back: the stream entry id and what was written. */
export type StoredOpsEvent = OpsEvent & { id: string };

/** The opportunity id of a bet id (`<opportunity>#<leg>`, shared/bets.ts betIdFor). */
export function opportunityOfBet(betId: string): string {
  const at = betId.lastIndexOf('#');
  return at < 0 ? betId : betId.slice(0, at);
}
