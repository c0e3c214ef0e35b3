import { ApplicationFailure } from '@temporalio/common';
import { BodyTooLargeError } from '../infra/http';
import { typedFailureDetails } from '../../shared/failure-details';

/**
 * Error classification for everything ingestion talks to, in ONE place. Adapters and the ingestion
 * pipeline never decide retryability themselves: they call these functions, which return Temporal
 * ApplicationFailures — non-retryable for requests that cannot succeed as sent (401, 403, 422, bad config),
 * retryable with `nextRetryDelay` when the remote said when to come back (429/503 Retry-After).
 *
 * Temporal does not hand `nextRetryDelay` back to the workflow, so the same facts travel in `details[0]`
 * (FailureDetails): the polling workflow reads them to show the back-off in its status.
 */
export const FailureType = {
  Auth: 'ProviderAuthError',
  Request: 'ProviderRequestError',
  RateLimited: 'ProviderRateLimited',
  Unavailable: 'ProviderUnavailable',
  Timeout: 'ProviderTimeout',
  Config: 'ProviderConfigError',
  Store: 'IngestionStoreError',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

export interface FailureDetails {
  type: FailureType;
  provider: string;
  status: number | null;
  retryAfterMs: number | null;
  nonRetryable: boolean;
}

/** Longest Retry-After we honour as given; longer ones are capped (the poller shows the back-off anyway). */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: Date = new Date()): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    ms = Math.ceil(Number(text) * 1000);
  } else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return null;
    ms = Math.max(0, at - now.getTime());
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

function failure(
  type: FailureType,
  provider: string,
  message: string,
  opts: { status?: number | null; retryAfterMs?: number | null; nonRetryable: boolean; cause?: Error },
): ApplicationFailure {
  const details: FailureDetails = {
    type,
    provider,
    status: opts.status ?? null,
    retryAfterMs: opts.retryAfterMs ?? null,
    nonRetryable: opts.nonRetryable,
  };
  return ApplicationFailure.create({
    message: `${provider}: ${message}`,
    type,
    nonRetryable: opts.nonRetryable,
    details: [details],
    ...(opts.retryAfterMs !== null && opts.retryAfterMs !== undefined && !opts.nonRetryable
      ? { nextRetryDelay: opts.retryAfterMs }
      : {}),
    ...(opts.cause ? { cause: opts.cause } : {}),
  });
}

/** A non-2xx HTTP answer. 401/403/422 (and other 4xx but 408/429) cannot succeed by retrying. */
export function httpFailure(
  provider: string,
  status: number,
  what: string,
  headers: { get(name: string): string | null },
  bodyExcerpt: string,
): ApplicationFailure {
  const retryAfterMs = parseRetryAfter(headers.get('retry-after'));
  const said = bodyExcerpt ? `: ${bodyExcerpt}` : '';
  if (status === 401 || status === 403) {
    return failure(
      FailureType.Auth,
      provider,
      `HTTP ${status} from ${what} (API key refused or quota used up)${said}`,
      {
        status,
        nonRetryable: true,
      },
    );
  }
  if (status === 429) {
    return failure(
      FailureType.RateLimited,
      provider,
      `HTTP 429 from ${what}: rate limited${retryAfterMs !== null ? `, retry after ${Math.round(retryAfterMs / 1000)} s` : ''}${said}`,
      { status, retryAfterMs, nonRetryable: false },
    );
  }
  if (status === 408) {
    return failure(FailureType.Timeout, provider, `HTTP 408 from ${what}${said}`, {
      status,
      retryAfterMs,
      nonRetryable: false,
    });
  }
  if (status >= 500) {
    return failure(FailureType.Unavailable, provider, `HTTP ${status} from ${what}${said}`, {
      status,
      retryAfterMs,
      nonRetryable: false,
    });
  }
  // 400, 404, 422 …: the request itself is wrong (unknown sport, bad market, bad parameter).
  return failure(FailureType.Request, provider, `HTTP ${status} from ${what} (request refused)${said}`, {
    status,
    nonRetryable: true,
  });
}

/** Anything thrown while talking to a provider or to our stores, as an ApplicationFailure. */
export function toFailure(provider: string, err: unknown, what = 'the provider'): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const name = e.name;
  const code = errorCode(e);
  if (
    name === 'TimeoutError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'ETIMEDOUT'
  ) {
    return failure(FailureType.Timeout, provider, `no answer from ${what} in time (${e.message})`, {
      nonRetryable: false,
      cause: e,
    });
  }
  if (
    code !== null &&
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
      'ENOTFOUND',
      'EAI_AGAIN',
      'EHOSTUNREACH',
      'ENETUNREACH',
      'UND_ERR_SOCKET',
    ].includes(code)
  ) {
    return failure(FailureType.Unavailable, provider, `cannot reach ${what}: ${code}`, {
      nonRetryable: false,
      cause: e,
    });
  }
  if (e.message === 'fetch failed' || e.message === 'terminated') {
    return failure(FailureType.Unavailable, provider, `connection to ${what} failed: ${causeMessage(e)}`, {
      nonRetryable: false,
      cause: e,
    });
  }
  if (e instanceof BodyTooLargeError) {
    // Retried with the poller's back-off: a provider's oversized answer is its fault, and may pass.
    return failure(FailureType.Unavailable, provider, e.message, { nonRetryable: false, cause: e });
  }
  // PostgreSQL / Redis trouble: retry (a poll is idempotent).
  return failure(FailureType.Store, provider, `${e.message}`, { nonRetryable: false, cause: e });
}

/** Config that cannot work (missing API key, unknown sport for the simulator). */
export function configFailure(provider: string, message: string): ApplicationFailure {
  return failure(FailureType.Config, provider, message, { nonRetryable: true });
}

/** The FailureDetails an ingestion failure carries, wherever it was wrapped. */
export function failureDetails(err: unknown): FailureDetails | null {
  return typedFailureDetails<FailureDetails>(err, 5);
}

function errorCode(e: Error): string | null {
  const direct = (e as { code?: unknown }).code;
  if (typeof direct === 'string') return direct;
  const cause = (e as { cause?: unknown }).cause;
  if (cause && typeof cause === 'object') {
    const c = (cause as { code?: unknown }).code;
    if (typeof c === 'string') return c;
  }
  return null;
}

function causeMessage(e: Error): string {
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : e.message;
}
