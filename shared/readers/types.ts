import type { EventStatus, MarketType } from '../entities';

/**
 * What the readers of external odds sources make (shared/readers/the-odds-api.ts, line-changes.ts) and every
 * odds provider returns (activities/providers/types.ts): provider events, normalized quotes and results, and
 * the rejects that record bad input with its reason.
 */

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
