import type { PlaceBetRequest, PlaceBetResult } from '../providers/types';

/**
 * Placement through a book's API. None of the US books we quote offers one, so the only implementation
 * is a generic HTTP adapter (tested against a loopback server); a real book gets its own class behind the
 * same interface. The idempotency key travels with every request: the book must recognise a repeat, and
 * `findBet` lets a retried placement find an earlier success before asking again.
 */
export interface PlacementAdapter {
  readonly bookmaker: string;
  placeBet(request: PlaceBetRequest): Promise<PlaceBetResult>;
  /** The book's record of a bet sent with this key, or null when it has none. */
  findBet(idempotencyKey: string): Promise<PlaceBetResult | null>;
}

export type { PlaceBetRequest, PlaceBetResult };

export class AdapterHttpError extends Error {
  override readonly name = 'AdapterHttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parseResult(body: unknown, bookmaker: string): PlaceBetResult {
  const b = (body ?? {}) as Partial<PlaceBetResult>;
  if (b.status !== 'placed' && b.status !== 'rejected')
    throw new AdapterHttpError(502, `${bookmaker}: answer without status placed|rejected`);
  return {
    status: b.status,
    bookReference: typeof b.bookReference === 'string' ? b.bookReference : null,
    price: typeof b.price === 'string' ? b.price : null,
    reason: typeof b.reason === 'string' ? b.reason : null,
  };
}

/**
 * REST contract: `POST {baseUrl}/bets` with the request as JSON and an `Idempotency-Key` header answers
 * 200/201 {status: placed|rejected, bookReference, price, reason} (a 4xx with status "rejected" is a
 * refusal too); `GET {baseUrl}/bets/{key}` answers the same body, or 404 when the key is unknown.
 */
export function createHttpPlacementAdapter(
  bookmaker: string,
  options: { baseUrl: string; timeoutSeconds: number },
): PlacementAdapter {
  const base = options.baseUrl.replace(/\/+$/, '');
  const call = async (method: 'GET' | 'POST', path: string, key: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(options.timeoutSeconds * 1000),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, json, text };
  };
  return {
    bookmaker,
    async placeBet(request) {
      const res = await call('POST', '/bets', request.idempotencyKey, request);
      if (res.status >= 200 && res.status < 300) return parseResult(res.json, bookmaker);
      if (
        res.status >= 400 &&
        res.status < 500 &&
        (res.json as { status?: string } | null)?.status === 'rejected'
      )
        return parseResult(res.json, bookmaker);
      // 408, 429, 5xx and anything unexpected: retried; the book deduplicates by the key.
      throw new AdapterHttpError(
        res.status,
        `${bookmaker}: placement answered ${res.status} ${res.text.slice(0, 200)}`,
      );
    },
    async findBet(key) {
      const res = await call('GET', `/bets/${encodeURIComponent(key)}`, key);
      if (res.status === 404) return null;
      if (res.status >= 200 && res.status < 300) return parseResult(res.json, bookmaker);
      throw new AdapterHttpError(
        res.status,
        `${bookmaker}: lookup answered ${res.status} ${res.text.slice(0, 200)}`,
      );
    },
  };
}
