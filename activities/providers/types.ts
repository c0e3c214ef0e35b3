import type { EventStatus, MarketType } from '../../shared/entities';

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

export interface ProviderEvent {
  providerEventId: string;
  sport: string;
  league: string | null;
  startTime: string;
  participants: { name: string; role: string }[];
  status: EventStatus;
}

/** One price as the provider gave it, already normalized: exact decimal odds, line-aware market. */
export interface ProviderQuote {
  providerEventId: string;
  marketType: MarketType;
  period: string;
  /** Absolute line (spreads: |point|, totals: the total), null for h2h. */
  line: string | null;
  outcome: string;
  /** Signed point of this outcome, null for h2h. */
  point: string | null;
  bookmaker: string;
  /** Decimal odds > 1 as an exact decimal string. */
  price: string;
  sourceUpdatedAt: string | null;
  /** The price as it was on the wire when not decimal, e.g. { american: "-110" } (kept in history metadata). */
  original: Record<string, string> | null;
  /** Where in the payload it came from, for reject messages. */
  path: string;
}

/** Bad input: recorded in ingest_rejects with the reason and a raw excerpt, counted in the status. */
export interface RejectInput {
  reason: RejectReason;
  /** What was wrong, in words ("American odds cannot lie between -100 and +100, got 0"). */
  message: string;
  /** Where: a path in the payload ("americanfootball_nfl[3].bookmakers[1].markets[0].outcomes[1].price"). */
  field: string | null;
  value: string | null;
  rawExcerpt: string | null;
}

export type RejectReason =
  | 'malformed_payload'
  | 'missing_field'
  | 'invalid_price'
  | 'invalid_point'
  | 'invalid_time'
  | 'unknown_market'
  | 'unknown_outcome'
  | 'duplicate_outcome'
  /** An event whose sport_key is not the sport that was asked for (never re-sported). */
  | 'wrong_sport'
  /** A provider header (quota) that is not a usable integer: recorded here, its value ignored. */
  | 'invalid_header';

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

export interface ProviderResult {
  providerEventId: string;
  sport: string;
  startTime: string;
  participants: { name: string; role: string }[];
  completed: boolean;
  /** Scores by participant name as reported (strings: exact), null before the start. */
  scores: { name: string; score: string }[] | null;
  lastUpdate: string | null;
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
