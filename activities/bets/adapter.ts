import { z } from 'zod';
import type { PlaceBetRequest, PlaceBetResult } from '../providers/types';
import { DecimalOdds, DecimalString } from '../../shared/entities';
import { D } from '../../shared/math';
import { readBodyLimited, safeUrl } from '../infra/http';
import { BetBusinessError, BetFailure } from './errors';

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

/** A book's answer is a few hundred bytes; anything near this is not an answer to read. */
export const ADAPTER_MAX_ANSWER_BYTES = 64 * 1024;

/** A transport or HTTP fault (timeouts, 408, 429, 5xx, unreadable bodies): retried, the book deduplicates by key. */
export class AdapterHttpError extends Error {
  override readonly name = 'AdapterHttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An answer we refuse as it stands. Non-retryable (BetFailure.BookAnswer): the book would give the same
 * answer again (the retry asks findBet first), and the activity's retry policy has no attempt limit. The
 * lifecycle's compensation records the leg as failed with this message and alerts `bet.failed`
 * (critical), never as placed: when the book says it placed at a price or stake nobody agreed to, an
 * operator must look at the book, and the message says so.
 */
function refused(bookmaker: string, what: string): BetBusinessError {
  return new BetBusinessError(BetFailure.BookAnswer, `${bookmaker}: ${what}`);
}

/** The answer's shape; each value is checked against the request in acceptPlacement. */
const BookAnswer = z.object({
  status: z.enum(['placed', 'rejected']),
  bookReference: z.string().max(200).nullish(),
  price: z.string().max(40).nullish(),
  stake: z.string().max(40).nullish(),
  reason: z.string().nullish(),
});

function parseResult(body: unknown, bookmaker: string, what: string): PlaceBetResult {
  const parsed = BookAnswer.safeParse(body);
  // No readable status: a proxy's error page or a cut answer, not the book's word; a retry may read it.
  if (!parsed.success)
    throw new AdapterHttpError(502, `${bookmaker}: ${what} answer without status placed|rejected`);
  const b = parsed.data;
  return {
    status: b.status,
    bookReference: b.bookReference ?? null,
    price: b.price ?? null,
    stake: b.stake ?? null,
    reason: b.reason?.slice(0, 500) ?? null,
  };
}

/**
 * The fill to record for a "placed" answer, or a refusal: the price must be decimal odds > 1 within
 * `tolerance` (relative, either way: a price far better than asked is as likely a misread as a gift) of
 * the price requested, and a stated stake must be positive and at most the reservation. A price or stake
 * left out means the one requested.
 */
export function acceptPlacement(
  result: PlaceBetResult,
  requested: { bookmaker: string; price: string; stake: string },
  tolerance: string,
): { price: string; stake: string } {
  const book = requested.bookmaker;
  const check = ` (book reference ${result.bookReference ?? 'none'}); not recorded as placed: check the bet at the book`;
  let price = requested.price;
  if (result.price !== null) {
    if (!DecimalOdds.safeParse(result.price).success)
      throw refused(book, `answered placed at price "${result.price}", not decimal odds > 1${check}`);
    const asked = new D(requested.price);
    const off = new D(result.price).minus(asked).abs().div(asked);
    if (off.gt(new D(tolerance)))
      throw refused(
        book,
        `answered placed at price ${result.price}, outside the ${tolerance} tolerance of the requested ${requested.price}${check}`,
      );
    price = result.price;
  }
  let stake = requested.stake;
  if (result.stake !== null) {
    if (!DecimalString.safeParse(result.stake).success || new D(result.stake).lte(0))
      throw refused(book, `answered placed with stake "${result.stake}", not a positive decimal${check}`);
    if (new D(result.stake).gt(new D(requested.stake)))
      throw refused(
        book,
        `answered placed with stake ${result.stake}, more than the reserved ${requested.stake}${check}`,
      );
    stake = result.stake;
  }
  return { price, stake };
}

/**
 * REST contract: `POST {baseUrl}/bets` with the request as JSON and an `Idempotency-Key` header answers
 * 200/201 {status: placed|rejected, bookReference, price, stake?, reason} (a 4xx with status "rejected" is
 * a refusal too); `GET {baseUrl}/bets/{key}` answers the same body, or 404 when the key is unknown.
 * With a token (BOOK_ADAPTER_TOKEN) every request carries `Authorization: Bearer <token>`. Redirects are
 * refused: the token and the bet must not follow a 3xx to another address.
 */
export function createHttpPlacementAdapter(
  bookmaker: string,
  options: { baseUrl: string; timeoutSeconds: number; token?: string | null | undefined },
): PlacementAdapter {
  const base = options.baseUrl.replace(/\/+$/, '');
  const call = async (method: 'GET' | 'POST', path: string, key: string, body?: unknown) => {
    const url = `${base}${path}`;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': key };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const res = await fetch(url, {
      method,
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(options.timeoutSeconds * 1000),
    });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel().catch(() => undefined);
      // Where the bet went is unknown and the configured address is wrong: an operator's matter.
      throw refused(
        bookmaker,
        `${method} ${safeUrl(url)} answered a redirect (${res.status}); redirects are refused — check the adapter's baseUrl and the bet at the book`,
      );
    }
    let text: string;
    try {
      text = await readBodyLimited(res, ADAPTER_MAX_ANSWER_BYTES);
    } catch (err) {
      // The same answer would come again: refused, not retried.
      throw refused(bookmaker, `${(err as Error).message} — check the bet at the book`);
    }
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
      if (res.status >= 200 && res.status < 300) return parseResult(res.json, bookmaker, 'placement');
      if (
        res.status >= 400 &&
        res.status < 500 &&
        (res.json as { status?: string } | null)?.status === 'rejected'
      )
        return parseResult(res.json, bookmaker, 'placement');
      // 408, 429, 5xx and anything unexpected: retried; the book deduplicates by the key.
      throw new AdapterHttpError(
        res.status,
        `${bookmaker}: placement answered ${res.status} ${res.text.slice(0, 200)}`,
      );
    },
    async findBet(key) {
      const res = await call('GET', `/bets/${encodeURIComponent(key)}`, key);
      if (res.status === 404) return null;
      if (res.status >= 200 && res.status < 300) return parseResult(res.json, bookmaker, 'lookup');
      throw new AdapterHttpError(
        res.status,
        `${bookmaker}: lookup answered ${res.status} ${res.text.slice(0, 200)}`,
      );
    },
  };
}
