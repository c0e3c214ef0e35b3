import type { MarketType } from '../../shared/entities';
import { readBodyLimited } from '../infra/http';
import { configFailure, httpFailure, toFailure } from './errors';
import { parseOddsResponse, parseScoresResponse } from '../../shared/readers/the-odds-api';
import type {
  FetchOddsRequest,
  FetchResultsRequest,
  OddsBatch,
  OddsProvider,
  ProviderCapabilities,
  ProviderQuota,
  ProviderType,
  RejectInput,
  ResultsBatch,
} from './types';

export interface OddsApiAdapterSettings {
  name: string;
  type: ProviderType;
  baseUrl: string;
  regions: readonly string[];
  markets: readonly MarketType[];
  bookmakers?: readonly string[] | undefined;
  oddsFormat: 'american' | 'decimal';
  timeoutSeconds: number;
  scoresDaysFrom: number;
  /** From ODDS_API_KEY; null for keyless endpoints (the simulated market). */
  apiKey: string | null;
  apiKeyRequired: boolean;
  /** Sport keys the remote serves, when known (the simulator); null: any. */
  sports: readonly string[] | null;
  /** Called before each request (the simulated provider starts its embedded server here). */
  beforeRequest?: () => Promise<void>;
  /** Clock for observation times (tests inject one). */
  now?: () => number;
  /** Largest answer read; PROVIDER_MAX_ANSWER_BYTES when absent. */
  maxAnswerBytes?: number;
}

/** The largest odds or scores answer read (a full NFL odds board for every US book is about 2 MB). */
export const PROVIDER_MAX_ANSWER_BYTES = 32 * 1024 * 1024;

interface HttpResult {
  text: string;
  quota: ProviderQuota;
  /** Quota headers that could not be used. */
  rejects: RejectInput[];
  receivedAt: number;
}

/**
 * The Odds API v4 adapter: `GET /v4/sports/{sport}/odds` (regions or bookmakers, h2h/spreads/totals,
 * American or decimal prices, ISO dates) and `/v4/sports/{sport}/scores`. One request per sport; each
 * bookmaker of each event becomes quotes tagged with that bookmaker. The quota headers
 * (`x-requests-remaining`, `x-requests-used`, `x-requests-last`) are returned with every batch.
 * HTTP and transport failures are classified by ./errors (the one place that decides retryability).
 */
export class TheOddsApiProvider implements OddsProvider {
  readonly name: string;
  readonly type: ProviderType;
  readonly capabilities: ProviderCapabilities;

  constructor(private readonly s: OddsApiAdapterSettings) {
    this.name = s.name;
    this.type = s.type;
    this.capabilities = {
      odds: true,
      results: true,
      placement: false,
      markets: s.markets,
      sports: s.sports,
      recorded: false,
    };
  }

  async fetchOdds(request: FetchOddsRequest): Promise<OddsBatch> {
    const params: Record<string, string> = {
      markets: this.s.markets.join(','),
      oddsFormat: this.s.oddsFormat,
      dateFormat: 'iso',
    };
    if (this.s.bookmakers?.length) params.bookmakers = this.s.bookmakers.join(',');
    else params.regions = this.s.regions.join(',');

    const responses = await this.all(
      request.sports.map(
        (sport) => () => this.get(`/v4/sports/${encodeURIComponent(sport)}/odds`, params, request.signal),
      ),
    );
    const observedAt = new Date(Math.max(...responses.map((r) => r.receivedAt), 0)).toISOString();
    const batch: OddsBatch = {
      observedAt,
      events: [],
      quotes: [],
      rejects: responses.flatMap((r) => r.rejects),
      quota: lastQuota(responses.map((r) => r.quota)),
      cursor: null,
      idle: false,
      exhausted: false,
      requests: responses.length,
    };
    responses.forEach((r, i) => {
      const parsed = parseOddsResponse(r.text, {
        sport: request.sports[i]!,
        oddsFormat: this.s.oddsFormat,
        observedAt,
      });
      batch.events.push(...parsed.events);
      batch.quotes.push(...parsed.quotes);
      batch.rejects.push(...parsed.rejects);
    });
    return batch;
  }

  async fetchResults(request: FetchResultsRequest): Promise<ResultsBatch> {
    const params = { daysFrom: String(request.daysFrom ?? this.s.scoresDaysFrom), dateFormat: 'iso' };
    const responses = await this.all(
      request.sports.map(
        (sport) => () => this.get(`/v4/sports/${encodeURIComponent(sport)}/scores`, params, request.signal),
      ),
    );
    const batch: ResultsBatch = {
      observedAt: new Date(Math.max(...responses.map((r) => r.receivedAt), 0)).toISOString(),
      results: [],
      rejects: responses.flatMap((r) => r.rejects),
      quota: lastQuota(responses.map((r) => r.quota)),
    };
    responses.forEach((r, i) => {
      const parsed = parseScoresResponse(r.text, request.sports[i]!);
      batch.results.push(...parsed.results);
      batch.rejects.push(...parsed.rejects);
    });
    return batch;
  }

  /** Every request settles before the first failure (a non-retryable one first) is thrown. */
  private async all(tasks: (() => Promise<HttpResult>)[]): Promise<HttpResult[]> {
    const settled = await Promise.allSettled(tasks.map((t) => t()));
    const failures = settled
      .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
      .map((s) => s.reason as unknown);
    if (failures.length) {
      const classified = failures.map((f) => toFailure(this.name, f, this.s.baseUrl));
      throw classified.find((f) => f.nonRetryable) ?? classified[0]!;
    }
    return settled.map((s) => (s as PromiseFulfilledResult<HttpResult>).value);
  }

  private async get(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<HttpResult> {
    if (this.s.apiKeyRequired && !this.s.apiKey) {
      throw configFailure(
        this.name,
        'ODDS_API_KEY is not set in the environment (the key is read from there only)',
      );
    }
    await this.s.beforeRequest?.();
    const url = new URL(path, this.s.baseUrl.endsWith('/') ? this.s.baseUrl : `${this.s.baseUrl}/`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    if (this.s.apiKey) url.searchParams.set('apiKey', this.s.apiKey);
    const what = `GET ${url.origin}${url.pathname}`;
    const timeout = AbortSignal.timeout(this.s.timeoutSeconds * 1000);
    const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { signal: combined, headers: { accept: 'application/json' } });
      text = await readBodyLimited(response, this.s.maxAnswerBytes ?? PROVIDER_MAX_ANSWER_BYTES);
    } catch (err) {
      throw toFailure(this.name, err, what);
    }
    if (!response.ok) {
      throw httpFailure(
        this.name,
        response.status,
        what,
        response.headers,
        text.slice(0, 200).replace(/\s+/g, ' ').trim(),
      );
    }
    const rejects: RejectInput[] = [];
    const quota = readQuota(response.headers, what, rejects);
    return { text, quota, rejects, receivedAt: (this.s.now ?? Date.now)() };
  }
}

/** odds_polls.quota_remaining and quota_used are INT columns. */
const INT_MAX = 2_147_483_647;

/**
 * A whole number in [0, INT_MAX], or null. Anything else (a fraction, a negative, 1e20, text) would fail
 * the poll's INSERT and lose the poll: it is ignored, with a reject recording what came.
 */
function headerInt(headers: Headers, name: string, what: string, rejects: RejectInput[]): number | null {
  const v = headers.get(name);
  if (v === null || v.trim() === '') return null;
  const n = Number(v);
  if (Number.isInteger(n) && n >= 0 && n <= INT_MAX) return n;
  rejects.push({
    reason: 'invalid_header',
    message: `${name} from ${what} is not a whole number from 0 to ${INT_MAX}; ignored`,
    field: name,
    value: v.slice(0, 100),
    rawExcerpt: null,
  });
  return null;
}

export function readQuota(headers: Headers, what: string, rejects: RejectInput[]): ProviderQuota {
  return {
    remaining: headerInt(headers, 'x-requests-remaining', what, rejects),
    used: headerInt(headers, 'x-requests-used', what, rejects),
    last: headerInt(headers, 'x-requests-last', what, rejects),
  };
}

/** The most recent figures: the least remaining, the most used (requests ran concurrently). */
function lastQuota(quotas: ProviderQuota[]): ProviderQuota | null {
  const known = quotas.filter((q) => q.remaining !== null || q.used !== null);
  if (known.length === 0) return null;
  const min = (xs: (number | null)[]) =>
    xs.some((x) => x !== null) ? Math.min(...xs.filter((x): x is number => x !== null)) : null;
  const max = (xs: (number | null)[]) =>
    xs.some((x) => x !== null) ? Math.max(...xs.filter((x): x is number => x !== null)) : null;
  return {
    remaining: min(known.map((q) => q.remaining)),
    used: max(known.map((q) => q.used)),
    last: known.reduce((s, q) => s + (q.last ?? 0), 0) || null,
  };
}
