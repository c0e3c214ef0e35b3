import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import type { BetStatus, MarketKey, Opportunity } from '../../shared/entities';
import type { PlacementMode } from '../../activities';
import { SA } from '../../shared/search-attributes';
import { betSummary, betWorkflowId } from '../../shared/bets';

/**
 * Messages of the bet lifecycle, shared by the workflow, the CLI and anything else that talks to it
 * (the Web UI sends the same updates by name), and how a lifecycle is started.
 */

export { betWorkflowId, betIdFor, idempotencyKeyFor } from '../../shared/bets';

/** Ids and the minimum context; the workflow reads the opportunity itself (histories stay small). */
export interface BetLifecycleInput {
  opportunityId: string;
  strategy: string;
  sport: string;
  eventId: string;
  /** Overrides the strategy's placement mode. */
  mode?: PlacementMode | null;
  /** "KC@BUF" for the summary; otherwise built from the event's participants. */
  eventLabel?: string | null;
}

export interface BetLifecycleResult {
  opportunityId: string;
  status: BetStatus;
  reason: string | null;
  legs: BetLegView[];
}

export interface ConfirmPlacementRequest {
  /** Which leg; may be left out when the opportunity has one. */
  betId?: string | null;
  /**
   * Decimal odds actually taken: within `placement.requote.priceTolerance` of the leg's quoted price
   * (|odds − quoted| ≤ quoted × tolerance), unless `override` says why a price outside it is right.
   */
  odds: string;
  /** Stake actually placed: more than 0, at most the reservation, a whole multiple of `risk.stakeUnit`. */
  stake: string;
  bookReference?: string | null;
  /** Who decides; required with `override`. */
  by?: string | null;
  /** Take a price outside the tolerance: recorded on the bet with `by` and alerted (`bet.price_override`). */
  override?: { reason: string } | null;
}

export interface SkipBetRequest {
  betId?: string | null;
  reason: string;
  by?: string | null;
}

/**
 * An operator's result when the provider has none (or it cannot be graded): final scores, or a void.
 * Scores only once the event has started, one per participant of the event (names as ingestion matches
 * them), each ≥ 0 written as a string; a void at any time.
 */
export interface SettleRequest {
  scores?: Record<string, string> | null;
  void?: string | null;
  by?: string | null;
}

export type LifecyclePhase =
  | 'planning'
  | 'requoting'
  | 'reserving'
  | 'placing'
  | 'awaiting_confirmation'
  | 'awaiting_start'
  | 'awaiting_result'
  | 'settling'
  | 'settlement_blocked'
  | 'done';

export interface BetLegView {
  betId: string;
  legIndex: number;
  bookmaker: string;
  outcome: string;
  point: string | null;
  detectedPrice: string;
  requotedPrice: string | null;
  status: BetStatus;
  stake: string | null;
  price: string;
  bookReference: string | null;
  reason: string | null;
  closingPriceBook: string | null;
  closingFairSharp: string | null;
  clvBook: string | null;
  clvSharp: string | null;
  profitLoss: string | null;
}

export interface BetLifecycleState {
  opportunityId: string;
  phase: LifecyclePhase;
  /** The bet's overall status (the BetStatus search attribute). */
  status: BetStatus;
  strategy: string;
  sport: string;
  eventId: string;
  eventLabel: string | null;
  kind: string | null;
  edge: string | null;
  market: MarketKey | null;
  mode: PlacementMode | null;
  account: string | null;
  eventStart: string | null;
  /** Manual mode: when an unconfirmed bet expires. */
  confirmationDeadline: string | null;
  legs: BetLegView[];
  /** Why it ended as it did (skip rule, rejection, failure). */
  reason: string | null;
  timeline: { at: string; step: string }[];
}

export const betStateQuery = defineQuery<BetLifecycleState>('betState');
export const confirmPlacementUpdate = defineUpdate<BetLegView, [ConfirmPlacementRequest]>('confirmPlacement');
export const skipBetUpdate = defineUpdate<BetLegView, [SkipBetRequest]>('skip');
export const settleBetUpdate = defineUpdate<BetLifecycleState, [SettleRequest]>('settle');

/** What starting a lifecycle needs of an opportunity: ids for the workflow, the rest for the Web UI summary. */
export type BetOpportunityRef = Pick<Opportunity, 'id' | 'kind' | 'sport' | 'edge' | 'market' | 'legs'>;

/**
 * The start options of an opportunity's bet lifecycle, the same for a client start and a workflow's
 * hand-off (each adds only what its API needs). The workflow id is derived from the opportunity, and
 * REJECT_DUPLICATE refuses a second run even after the first closed, so an opportunity is bet at most once.
 * `choices` become part of the input only when given.
 */
export function betLifecycleStartOptions(
  opportunity: BetOpportunityRef,
  strategy: string,
  taskQueue: string,
  choices: Pick<BetLifecycleInput, 'mode' | 'eventLabel'> = {},
) {
  const input: BetLifecycleInput = {
    opportunityId: opportunity.id,
    strategy,
    sport: opportunity.sport,
    eventId: opportunity.market.eventId,
    ...choices,
  };
  const searchAttributes: SearchAttributePair[] = [
    { key: SA.BetStatus, value: 'pending' },
    { key: SA.Strategy, value: strategy },
    { key: SA.Sport, value: opportunity.sport },
    { key: SA.EventId, value: opportunity.market.eventId },
    { key: SA.Bookmaker, value: [...new Set(opportunity.legs.map((l) => l.bookmaker))].join(',') },
  ];
  return {
    workflowId: betWorkflowId(opportunity.id),
    taskQueue,
    args: [input] as [BetLifecycleInput],
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    staticSummary: betSummary({
      kind: opportunity.kind,
      edge: opportunity.edge,
      sport: opportunity.sport,
      eventLabel: choices.eventLabel ?? opportunity.market.eventId,
      marketType: opportunity.market.marketType,
      legs: opportunity.legs.map((l) => ({ ...l, stake: l.stake ?? null })),
    }),
    typedSearchAttributes: searchAttributes,
  };
}
