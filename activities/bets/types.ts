import type { BetStatus, MarketKey } from '../../shared/entities';
import type { AlertEventType } from '../../shared/alerts';
import type { RiskRule } from '../../shared/risk';

/** Payloads between the bet lifecycle workflow and its activities: ids and small facts, never boards. */

export type PlacementMode = 'paper' | 'manual' | 'adapter';

export interface PlanInput {
  opportunityId: string;
  workflowId: string;
  /** Overrides the strategy's mode (operator re-runs, tests). */
  mode?: PlacementMode | null;
  eventLabel?: string | null;
}

export interface PlanLeg {
  legIndex: number;
  betId: string;
  idempotencyKey: string;
  bookmaker: string;
  outcome: string;
  point: string | null;
  detectedPrice: string;
  /** Fair win probability (value bets). */
  probability: string | null;
  /** Suggested stake (arbitrage legs). */
  suggestedStake: string | null;
}

export interface BetPlan {
  opportunityId: string;
  strategy: string;
  kind: string;
  sport: string;
  eventId: string;
  eventLabel: string;
  edge: string;
  market: MarketKey;
  mode: PlacementMode;
  account: string;
  eventStartMs: number;
  /** When results are first looked for: start + the sport's expected duration. */
  expectedEndMs: number;
  kellyFraction: string;
  multiplier: string;
  legs: PlanLeg[];
  /** Each leg as PostgreSQL has it now: all `pending` on a first run. */
  current: LegState[];
  manualDeadlineMs: number;
  resultPoll: { initialMs: number; maxMs: number; backoff: number };
  /** Alert event types that reach some channel: the workflow starts no delivery for the others. */
  alerts: AlertEventType[];
  uiLink: string | null;
  /** Set when the lifecycle must not bet at all (already recorded as skipped). */
  refusal: { rule: string; reason: string } | null;
  /**
   * For the manual updates' validators (config `placement.requote.priceTolerance`, `risk.stakeUnit`, the
   * event's participant names). Optional: plans recorded in histories before they existed lack them.
   */
  priceTolerance?: string;
  stakeUnit?: string;
  participants?: string[];
}

export type RequoteOutcome = { ok: true; prices: string[] } | { ok: false; rule: RiskRule; reason: string };

export type ReserveOutcome =
  | { ok: true; stakes: string[]; boundBy: string[]; equity: string }
  | { ok: false; rule: string; reason: string };

/** A leg's state in PostgreSQL after a step. */
export interface LegState {
  betId: string;
  status: BetStatus;
  stake: string;
  price: string;
  bookReference: string | null;
  reason: string | null;
}

export type ManualDecision =
  | {
      kind: 'confirm';
      price: string;
      stake: string;
      bookReference: string | null;
      by: string | null;
      /** The operator took a price outside the tolerance on purpose (recorded and alerted). */
      override?: { reason: string } | null;
    }
  | { kind: 'skip'; reason: string; by: string | null }
  | { kind: 'expire' };

export interface ClosingLine {
  betId: string;
  closingPriceBook: string | null;
  closingFairSharp: string | null;
  clvBook: string | null;
  clvSharp: string | null;
  note: string | null;
}

export type EventOutcome =
  | { kind: 'scores'; scores: Record<string, string>; source: 'provider' | 'operator' }
  | { kind: 'void'; reason: string; source: 'provider' | 'operator' };

export interface SettledLeg {
  betId: string;
  status: BetStatus;
  profitLoss: string;
  rule: string;
}
