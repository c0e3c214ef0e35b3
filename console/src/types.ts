/** The parts of the API's answers the console reads (api/schemas.ts has the full zod schemas). */
import type { BankrollView, BetListRow, OpportunityRow } from '../../shared/api-types';

export interface Health {
  ok: boolean;
  temporal: boolean;
  postgres: boolean;
  redis: boolean;
  uiUrl: string;
  version: string;
  /** config operator.oddsFormat; decimal when the API does not say. */
  oddsFormat?: 'decimal' | 'american' | 'fractional';
}

/** A bet as listed, with the link to its lifecycle in the Temporal Web UI where the API gives one. */
export type BetRow = BetListRow & { workflowUrl?: string };

export interface Leg {
  betId: string;
  bookmaker: string;
  outcome: string;
  point: string | null;
  detectedPrice: string;
  requotedPrice: string | null;
  status: string;
  stake: string | null;
  price: string;
}

export interface Lifecycle {
  phase: string;
  status: string;
  strategy: string;
  eventId: string;
  eventLabel: string | null;
  edge: string | null;
  market: { marketType: string; period: string; line: string | null } | null;
  confirmationDeadline: string | null;
  legs: Leg[];
}

export interface BetDetailAnswer {
  bet: BetRow & { expectedValue: string | null };
  lifecycle: Lifecycle | null;
  lifecycleError: string | null;
  workflowUrl: string;
}

/** A recorded opportunity; the console reads these parts of its legs. */
export type Opportunity = Omit<OpportunityRow, 'legs'> & {
  legs: { bookmaker?: string; outcome?: string; price?: string; quoteAgeMs?: number }[];
};

export interface BoardQuote {
  bookmaker: string;
  outcome: string;
  point: string | null;
  price: string;
  ageSeconds: number;
}

export interface Strategy {
  name: string;
  type: string;
  enabled: boolean;
  mode: string;
  stakeMultiplier: string;
  parameters: Record<string, unknown>;
  workflow: string;
  paused: boolean | null;
  rolloutStage: string | null;
}

export type BankrollAccount = BankrollView;

export interface PerformancePoint {
  at: string;
  cumulativePnl: string;
  cumulativeClv: string;
  bets: number;
}
