import Decimal from 'decimal.js';
import { z } from 'zod';
import { parseDecimal, toDecimalString } from './math/decimal';
import { InputError } from './math/errors';

/**
 * The sport-agnostic entities every layer shares (design document, "Core Entities").
 * Decimal values are strings at every boundary (JSON, Temporal payloads, SQL parameters);
 * times are ISO-8601 strings so payloads stay plain JSON.
 */

const DECIMAL_RE = /^-?\d+(\.\d+)?$/;

/** An exact decimal carried as a string, e.g. "2.5" or "-110". */
export const DecimalString = z
  .string()
  .regex(DECIMAL_RE, { message: 'expected a decimal number written as a string, e.g. "2.05"' });
export type DecimalString = z.infer<typeof DecimalString>;

/** Decimal odds: an exact decimal strictly greater than 1. */
export const DecimalOdds = DecimalString.refine((s) => isGreaterThanOne(s), {
  message: 'decimal odds must be greater than 1',
});

export const IsoTime = z.iso.datetime({ offset: true });

export const Participant = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  /** "home", "away", "player1", "fighter-red"… data, never a column. */
  role: z.string().min(1),
});
export type Participant = z.infer<typeof Participant>;

export const EventStatus = z.enum(['scheduled', 'live', 'completed', 'cancelled', 'postponed']);
export type EventStatus = z.infer<typeof EventStatus>;

export const SportEvent = z.object({
  id: z.string().min(1),
  sport: z.string().min(1),
  league: z.string().nullable().default(null),
  participants: z.array(Participant).min(1),
  startTime: IsoTime,
  status: EventStatus,
  /** Sport-specific extras (venue, round, surface…). */
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type SportEvent = z.infer<typeof SportEvent>;

/** Market types we price; props and others can be added as data later. */
export const MarketType = z.enum(['h2h', 'spreads', 'totals']);
export type MarketType = z.infer<typeof MarketType>;

/**
 * A line-aware market: two quotes are comparable only when all four parts match.
 * `line` is the absolute handicap for spreads, the total for totals, null for h2h.
 */
export const MarketKey = z.object({
  eventId: z.string().min(1),
  marketType: MarketType,
  line: DecimalString.nullable(),
  period: z.string().min(1).default('full'),
});
export type MarketKey = z.infer<typeof MarketKey>;

/**
 * The one market-key format: "<eventId>|<marketType>|<period>|<line or ->", e.g. "ev_1|totals|full|2.5".
 * It is persisted (Redis `board:<marketKey>` hashes and indexes, the change stream, opportunity ids), so it
 * never changes. The line is canonical ("2.50" and "2.5" give one key); "|" inside a part is refused.
 */
export function marketKeyString(k: MarketKey): string {
  for (const field of ['eventId', 'marketType', 'period'] as const) {
    if (k[field].includes('|')) throw new InputError('market key parts cannot contain "|"', field, k[field]);
  }
  return `${k.eventId}|${k.marketType}|${k.period}|${k.line === null ? '-' : canonicalLine(k.line)}`;
}

export function parseMarketKeyString(s: string): MarketKey {
  const parts = s.split('|');
  if (parts.length !== 4) {
    throw new InputError('market key must look like eventId|marketType|period|line', 'marketKey', s);
  }
  const [eventId, marketType, period, line] = parts;
  return MarketKey.parse({ eventId, marketType, period, line: line === '-' ? null : line });
}

// Keys are built per quote on busy paths; a market has few distinct lines, so remember their canonical text.
const canonicalLines = new Map<string, string>();

function canonicalLine(line: string): string {
  let text = canonicalLines.get(line);
  if (text === undefined) {
    text = toDecimalString(parseDecimal(line, 'line'));
    if (canonicalLines.size >= 10_000) canonicalLines.clear();
    canonicalLines.set(line, text);
  }
  return text;
}

export const OddsQuote = z.object({
  market: MarketKey,
  /** The selection: a participant's name, "Draw", "Over", "Under". */
  outcome: z.string().min(1),
  /** Signed point of this outcome (spreads: -3.5 / +3.5; totals: the total), null for h2h. */
  point: DecimalString.nullable(),
  /** Where we got it (the-odds-api, simulated, replay) and whose price it is (draftkings…). */
  provider: z.string().min(1),
  bookmaker: z.string().min(1),
  price: DecimalOdds,
  observedAt: IsoTime,
  /** The book's own last-update time as the provider reported it. */
  sourceUpdatedAt: IsoTime.nullable(),
});
export type OddsQuote = z.infer<typeof OddsQuote>;

export const OpportunityKind = z.enum(['arbitrage', 'value', 'steam', 'consensus']);
export type OpportunityKind = z.infer<typeof OpportunityKind>;

export const OpportunityLeg = z.object({
  bookmaker: z.string().min(1),
  outcome: z.string().min(1),
  point: DecimalString.nullable(),
  price: DecimalOdds,
  /** Suggested stake for arbitrage legs; value bets are sized by risk. */
  stake: DecimalString.nullable().default(null),
  fairProbability: DecimalString.nullable().default(null),
  quoteAgeMs: z.number().int().nonnegative(),
});
export type OpportunityLeg = z.infer<typeof OpportunityLeg>;

export const Opportunity = z.object({
  /** Deterministic from strategy, market, legs and prices: the same opportunity is never bet twice. */
  id: z.string().min(1),
  strategy: z.string().min(1),
  kind: OpportunityKind,
  sport: z.string().min(1),
  market: MarketKey,
  legs: z.array(OpportunityLeg).min(1),
  /** Expected value per unit staked (value/steam) or guaranteed profit fraction (arbitrage). */
  edge: DecimalString,
  fairMethod: z.string().nullable().default(null),
  /** Which rule fired, in words an operator can read. */
  rule: z.string().min(1),
  suspect: z.boolean().default(false),
  suspectReasons: z.array(z.string()).default([]),
  detectedAt: IsoTime,
  context: z.record(z.string(), z.unknown()).default({}),
});
export type Opportunity = z.infer<typeof Opportunity>;

export const BetStatus = z.enum([
  'pending',
  'reserved',
  'awaiting_confirmation',
  'placed',
  'skipped',
  'rejected',
  'expired',
  'voided',
  'won',
  'lost',
  'push',
  'failed',
]);
export type BetStatus = z.infer<typeof BetStatus>;

export const Bet = z.object({
  id: z.string().min(1),
  opportunityId: z.string().min(1),
  idempotencyKey: z.string().min(1),
  strategy: z.string().min(1),
  sport: z.string().min(1),
  market: MarketKey,
  outcome: z.string().min(1),
  point: DecimalString.nullable(),
  bookmaker: z.string().min(1),
  mode: z.enum(['paper', 'manual', 'adapter']),
  stake: DecimalString,
  price: DecimalOdds,
  expectedValue: DecimalString.nullable(),
  status: BetStatus,
  /** Why it was skipped, rejected, expired or voided: the rule or the book's words. */
  reason: z.string().nullable().default(null),
  placedAt: IsoTime.nullable().default(null),
  settledAt: IsoTime.nullable().default(null),
  profitLoss: DecimalString.nullable().default(null),
  clvSharp: DecimalString.nullable().default(null),
  clvBook: DecimalString.nullable().default(null),
  bookReference: z.string().nullable().default(null),
});
export type Bet = z.infer<typeof Bet>;

export const StrategyType = z.enum(['arbitrage', 'value', 'steam', 'consensus']);
export type StrategyType = z.infer<typeof StrategyType>;
export const StrategyMode = z.enum(['backtest', 'paper', 'live']);
export type StrategyMode = z.infer<typeof StrategyMode>;

export const Strategy = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { message: 'lower-case letters, digits, - and _' }),
  type: StrategyType,
  enabled: z.boolean(),
  mode: StrategyMode,
  /** Rollout multiplier on the sized stake: 0.25, 0.5, 1.0 as the strategy earns it. */
  stakeMultiplier: DecimalString,
  /** Validated by the strategy type's own schema. */
  parameters: z.record(z.string(), z.unknown()),
});
export type Strategy = z.infer<typeof Strategy>;

function isGreaterThanOne(s: string): boolean {
  return DECIMAL_RE.test(s) && new Decimal(s).gt(1);
}
