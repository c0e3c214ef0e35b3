import Decimal from 'decimal.js';
import { z } from 'zod';
import { durationProblem, parseDurationMs } from './duration';
import { DecimalString } from './entities';
import type { RolloutGate, StageMetrics } from './rollout';
import { sha256Hex } from './strategies/hash';

/**
 * Operator-started paper trading: a strategy run in paper mode on the live board with its own virtual
 * bankroll, for a duration or a number of bets, then judged against a gate and reported. Pure: the request
 * schema (the CLI and the workflow both check it, so the Web UI's JSON input gets the same answers) and the
 * small rules the workflow decides with.
 */

const NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;
const DECIMAL_RE = /^\d+(\.\d+)?$/;

/** Money or a multiplier as the Web UI may type it: "1000" or 1000 (a JSON number is taken as written). */
const PositiveDecimal = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === 'number' ? String(v) : v.trim()))
  .refine((s) => DECIMAL_RE.test(s) && new Decimal(s).gt(0), {
    message: 'expected a positive decimal amount written as a string, e.g. "1000"',
  });

/** "6h", "90s", "1h30m", or a number of seconds. */
const Duration = z.union([z.string(), z.number()]).superRefine((v, ctx) => {
  const problem =
    typeof v === 'number'
      ? Number.isFinite(v) && v > 0
        ? null
        : 'a number of seconds must be positive'
      : durationProblem(v);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

/** Gate fields to override (no defaults here: what is left out comes from config paper.gate). */
const GateOverrides = z.strictObject({
  minDurationSeconds: z.number().nonnegative().optional(),
  minBets: z.number().int().nonnegative().optional(),
  minClvLowerBound: DecimalString.nullable().optional(),
  clvZ: z.number().positive().optional(),
  minYield: DecimalString.nullable().optional(),
  maxDrawdownFraction: DecimalString.nullable().optional(),
  maxVoidOrLimitRate: DecimalString.nullable().optional(),
});
export type GateOverrides = z.infer<typeof GateOverrides>;

export const PaperTradingRequest = z
  .strictObject({
    /** A strategy in the strategies table: its type and (unless overridden) its current parameters. */
    strategy: z.string().regex(NAME_RE, 'expected a strategy name (lower-case letters, digits, - and _)'),
    /** The session's own virtual bankroll (ledger account paper:<session id>). */
    bankroll: PositiveDecimal,
    /** Active time to trade (pauses do not count): "6h", "90m" or seconds. */
    duration: Duration.optional(),
    /** Or end once this many opportunities were placed (an arbitrage's legs are one). */
    bets: z.number().int().positive().optional(),
    /** Fraction of the strategy's target stake (default 1: paper money earns no risk discount). */
    stakeMultiplier: PositiveDecimal.refine((s) => new Decimal(s).lte(1), {
      message: 'expected a decimal between 0 and 1, e.g. "0.5"',
    }).optional(),
    /** Parameter overrides, merged into the strategy's current parameters and validated by its type. */
    parameters: z.record(z.string(), z.unknown()).optional(),
    /** Gate overrides on top of config paper.gate. */
    gate: GateOverrides.optional(),
    /** How long to wait after the end for open bets to settle before reporting (default config). */
    settleTimeout: Duration.optional(),
    /** Who started it (the CLI sends the operator; the Web UI may leave it out). */
    by: z.string().min(1).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.duration === undefined && r.bets === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['duration'],
        message: 'give a duration ("6h") or a number of bets (bets: 50), or both',
      });
  });
export type PaperTradingRequest = z.input<typeof PaperTradingRequest>;

/** A checked request in the form the workflow and its activities use. */
export interface PaperSessionSpec {
  strategy: string;
  bankroll: string;
  durationMs: number | null;
  maxBets: number | null;
  stakeMultiplier: string;
  parameters: Record<string, unknown> | null;
  gate: GateOverrides | null;
  settleTimeoutMs: number | null;
  by: string;
}

export class PaperRequestError extends Error {
  override readonly name = 'PaperRequestError';
}

/** Check a request; the error names each bad field and the value it had. */
export function parsePaperRequest(input: unknown): PaperSessionSpec {
  const parsed = PaperTradingRequest.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.') || 'input';
      const value = valueAt(input, issue.path);
      return `${path}: ${issue.message}${value === undefined ? '' : ` (got ${JSON.stringify(value)})`}`;
    });
    throw new PaperRequestError(`paper-trading request refused: ${problems.join('; ')}`);
  }
  const r = parsed.data;
  const ms = (d: string | number | undefined): number | null =>
    d === undefined ? null : typeof d === 'number' ? Math.round(d * 1000) : parseDurationMs(d);
  return {
    strategy: r.strategy,
    bankroll: new Decimal(r.bankroll).toFixed(),
    durationMs: ms(r.duration),
    maxBets: r.bets ?? null,
    stakeMultiplier: r.stakeMultiplier === undefined ? '1' : new Decimal(r.stakeMultiplier).toFixed(),
    parameters: r.parameters ?? null,
    gate: r.gate ?? null,
    settleTimeoutMs: ms(r.settleTimeout),
    by: r.by ?? 'web-ui',
  };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** The session's ledger account: the session id, marked paper (ids from the CLI already are). */
export const paperAccount = (sessionId: string): string =>
  sessionId.startsWith('paper:') ? sessionId : `paper:${sessionId}`;

/**
 * A session's own id for an opportunity its sweep found: deterministic (found again → same id, bet once)
 * and distinct from the strategy workflow's id for the same prices, so both may bet it on their accounts.
 */
export function sessionOpportunityId(sessionId: string, opportunityId: string): string {
  return `opp_${sha256Hex(JSON.stringify(['paper-session/v1', sessionId, opportunityId])).slice(0, 40)}`;
}

/** A fresh workflow (= session) id: paper:<strategy>:<UTC stamp>. */
export function paperSessionId(strategy: string, at: Date): string {
  return `paper:${strategy}:${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

/** The session's results so far, read from its bets and opportunities (decimal strings). */
export interface PaperProgress {
  metrics: StageMetrics;
  opportunities: { recorded: number; handedOff: number; placed: number; skipped: number; inFlight: number };
  /** Legs reserved, awaiting confirmation or placed: not settled yet. */
  open: number;
  equity: string;
  asOf: string;
}

/** Opportunities the session may still hand to bet lifecycles: the bet limit less those placed or in flight. */
export function handOffAllowance(maxBets: number | null, progress: PaperProgress | null): number {
  if (maxBets === null) return Number.POSITIVE_INFINITY;
  const committed = progress ? progress.opportunities.placed + progress.opportunities.inFlight : 0;
  return Math.max(0, maxBets - committed);
}

/** The session's gate: config paper.gate with the request's overrides; never a manual approval. */
export function sessionGate(base: RolloutGate, overrides: GateOverrides | null): RolloutGate {
  const gate: RolloutGate = { ...base, manualApproval: false };
  for (const [key, value] of Object.entries(overrides ?? {}))
    if (value !== undefined) (gate as Record<string, unknown>)[key] = value;
  return gate;
}

export type PaperVerdict = 'pass' | 'fail' | 'inconclusive';
