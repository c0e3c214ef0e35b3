import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BetStatus, DecimalString, MarketKey } from '../shared/entities';

/** The app as routes see it: request and response types come from the zod schemas. */
export type ZodApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** Schemas the routes share; money and odds are decimal strings (the domain's DecimalString). */

export const ErrorBody = z.object({
  error: z.object({ field: z.string().nullable(), message: z.string() }),
});
/** Every route may answer these besides its success. */
export const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/** Amounts, odds and fractions: exact decimals as strings (signed for P&L). */
export const Amount = DecimalString;
export const Limit = z.coerce.number().int().min(1).max(1000).default(50);
export const Name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a name: lower-case letters, digits, - and _');
export const Reason = z.string().trim().min(1).max(500);
export const By = { by: z.string() };
/** Operator acknowledgement of a signal. */
export const Sent = z.object({ sent: z.string(), by: z.string() });

export const BetListRow = z.object({
  betId: z.string(),
  opportunityId: z.string(),
  strategy: z.string(),
  sport: z.string(),
  eventId: z.string(),
  market: z.string(),
  outcome: z.string(),
  point: z.string().nullable(),
  bookmaker: z.string(),
  mode: z.string(),
  status: z.string(),
  stake: Amount,
  price: Amount,
  profitLoss: Amount.nullable(),
  clvSharp: Amount.nullable(),
  clvBook: Amount.nullable(),
  reason: z.string().nullable(),
  placedAt: z.string().nullable(),
  settledAt: z.string().nullable(),
  createdAt: z.string(),
});

export const BetLeg = z.object({
  betId: z.string(),
  legIndex: z.number().int(),
  bookmaker: z.string(),
  outcome: z.string(),
  point: z.string().nullable(),
  detectedPrice: Amount,
  requotedPrice: Amount.nullable(),
  status: BetStatus,
  stake: Amount.nullable(),
  price: Amount,
  bookReference: z.string().nullable(),
  reason: z.string().nullable(),
  closingPriceBook: Amount.nullable(),
  closingFairSharp: Amount.nullable(),
  clvBook: Amount.nullable(),
  clvSharp: Amount.nullable(),
  profitLoss: Amount.nullable(),
});

export const BetDetail = BetListRow.extend({
  account: z.string().nullable(),
  idempotencyKey: z.string(),
  workflowId: z.string().nullable(),
  detectedPrice: Amount.nullable(),
  expectedValue: Amount.nullable(),
  bookReference: z.string().nullable(),
  closingPriceBook: Amount.nullable(),
  closingFairSharp: Amount.nullable(),
  settlement: z.unknown(),
  ledger: z.array(z.object({ kind: z.string(), at: z.string(), entries: z.record(z.string(), z.string()) })),
});

/** workflows/bets/messages.ts BetLifecycleState. */
export const LifecycleState = z.object({
  opportunityId: z.string(),
  phase: z.enum([
    'planning',
    'requoting',
    'reserving',
    'placing',
    'awaiting_confirmation',
    'awaiting_start',
    'awaiting_result',
    'settling',
    'settlement_blocked',
    'done',
  ]),
  status: BetStatus,
  strategy: z.string(),
  sport: z.string(),
  eventId: z.string(),
  eventLabel: z.string().nullable(),
  kind: z.string().nullable(),
  edge: z.string().nullable(),
  market: MarketKey.nullable(),
  mode: z.enum(['paper', 'manual', 'adapter']).nullable(),
  account: z.string().nullable(),
  eventStart: z.string().nullable(),
  confirmationDeadline: z.string().nullable(),
  legs: z.array(BetLeg),
  reason: z.string().nullable(),
  timeline: z.array(z.object({ at: z.string(), step: z.string() })),
});
