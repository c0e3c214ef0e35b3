import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';
import { MathError } from '../../shared/math';
import { SettlementError } from '../../shared/settlement';

/**
 * Retry or not, decided in ONE place for every bet and alert activity: business failures (a bet in the
 * wrong state, a rule that cannot grade, bad data, a missing adapter) are non-retryable and reach the
 * workflow at once; everything else (PostgreSQL, Redis, HTTP, timeouts) is an infrastructure fault that
 * Temporal retries under the activity's retry policy. Activities throw plain errors; the wrapper decides.
 */
export const BetFailure = {
  NotFound: 'BetNotFound',
  State: 'BetStateError',
  Rule: 'BetRuleError',
  NoAdapter: 'NoPlacementAdapter',
  Settlement: 'SettlementError',
  Data: 'BetDataError',
  ResultNotReady: 'ResultNotReady',
  /** The book's answer cannot be accepted as it stands (activities/bets/adapter.ts says why). */
  BookAnswer: 'BookAnswerRefused',
} as const;
export type BetFailure = (typeof BetFailure)[keyof typeof BetFailure];

/** A business failure: retrying cannot help. */
export class BetBusinessError extends Error {
  override readonly name = 'BetBusinessError';
  constructor(
    readonly type: BetFailure,
    message: string,
  ) {
    super(message);
  }
}

/**
 * PostgreSQL errors that no retry can fix: data exceptions (22), syntax/undefined objects (42), and a CHECK
 * refusing the value (23514, e.g. a NaN price): a retry writes the same value again.
 */
const PERMANENT_SQLSTATE = /^(22|42)|^23514$/;

export function toFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof BetBusinessError) return ApplicationFailure.nonRetryable(err.message, err.type);
  if (err instanceof SettlementError)
    return ApplicationFailure.nonRetryable(err.message, BetFailure.Settlement);
  if (err instanceof ZodError || err instanceof MathError)
    return ApplicationFailure.nonRetryable(err.message, BetFailure.Data);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && PERMANENT_SQLSTATE.test(code))
    return ApplicationFailure.nonRetryable(`${(err as Error).message} (SQLSTATE ${code})`, BetFailure.Data);
  // 23505 (a concurrent duplicate), 40001/40P01, connection loss, timeouts: a retry meets the earlier success.
  return err;
}

/** Wrap every activity so its failures are classified by toFailure. */
export function classified<T extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: T,
): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    out[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toFailure(err);
      }
    };
  }
  return out as T;
}
