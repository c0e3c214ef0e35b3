import type { MarketType } from '../../shared/entities';
import type { ProviderEvent, ProviderQuote, ProviderResult, RejectInput } from '../../shared/readers/types';

// The entities the readers make (shared/readers/types.ts) are the vocabulary of every provider.
export type {
  ProviderEvent,
  ProviderQuote,
  ProviderResult,
  RejectInput,
  RejectReason,
} from '../../shared/readers/types';

/**
 * The adapter pattern of the design document: every odds source (a real API, the simulated market, a
 * recording played back) implements this one interface and returns normalized quotes. Which providers run,
 * and how, is data in the config file (`providers:`), never code.
 */
export interface OddsProvider {
  /** The config name (`providers[].name`): the `provider` column of every quote it produces. */
  readonly name: string;
  readonly type: ProviderType;
  readonly capabilities: ProviderCapabilities;
  /** Odds for the sports, as normalized quotes; bad input comes back as rejects, never as an exception. */
  fetchOdds(request: FetchOddsRequest): Promise<OddsBatch>;
  /** Scores or results for settlement (capabilities.results). */
  fetchResults?(request: FetchResultsRequest): Promise<ResultsBatch>;
  /** Bet placement (capabilities.placement); no provider we ship places bets yet. */
  placeBet?(request: PlaceBetRequest): Promise<PlaceBetResult>;
  /** Release sockets, servers and files. */
  close?(): Promise<void>;
}

export type ProviderType = 'simulated' | 'the-odds-api' | 'replay';

export interface ProviderCapabilities {
  odds: true;
  results: boolean;
  placement: boolean;
  markets: readonly MarketType[];
  /** The sport keys it can serve; null when any key the remote knows is accepted. */
  sports: readonly string[] | null;
  /** Prices observed in recorded time (replay) rather than now. */
  recorded: boolean;
}

export interface FetchOddsRequest {
  sports: readonly string[];
  /** Where a recorded source stopped last time (from the last committed poll); null on a fresh start. */
  cursor: string | null;
  signal?: AbortSignal;
}

export interface ProviderQuota {
  remaining: number | null;
  used: number | null;
  /** Cost of the last request as the provider reported it (x-requests-last). */
  last: number | null;
}

export interface OddsBatch {
  /** When these prices were observed: fetch time for live sources, the recorded time for replays. */
  observedAt: string;
  events: ProviderEvent[];
  quotes: ProviderQuote[];
  rejects: RejectInput[];
  quota: ProviderQuota | null;
  /** Recorded sources: position to resume from after this batch is committed. */
  cursor: string | null;
  /** Nothing new to observe yet (a replay waiting for its clock): no poll is recorded. */
  idle: boolean;
  /** A recorded source has played everything. */
  exhausted: boolean;
  requests: number;
}

export interface FetchResultsRequest {
  sports: readonly string[];
  daysFrom?: number;
  signal?: AbortSignal;
}

export interface ResultsBatch {
  observedAt: string;
  results: ProviderResult[];
  rejects: RejectInput[];
  quota: ProviderQuota | null;
}

export interface PlaceBetRequest {
  idempotencyKey: string;
  providerEventId: string;
  marketType: MarketType;
  outcome: string;
  point: string | null;
  bookmaker: string;
  price: string;
  stake: string;
}

export interface PlaceBetResult {
  status: 'placed' | 'rejected';
  bookReference: string | null;
  price: string | null;
  /** The stake the book took, when it says (a partial fill); null: the stake requested. */
  stake: string | null;
  reason: string | null;
}
