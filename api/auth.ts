import { timingSafeEqual } from 'node:crypto';
import { userInfo } from 'node:os';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLoopback, nonLoopbackHost } from '../activities/infra/loopback';
import { ApiError } from './errors';

/**
 * Access to the operator API: loopback without tokens (and then only requests whose Host is a loopback
 * name); any other bind address only with bearer tokens from ALPHABET_API_TOKENS ("alice:<token>,bob:<token>").
 * Writes are recorded as `api:<name>` with a token and `console:<os user>` without. No cookies at all; every
 * write needs `content-type: application/json` and `X-Alphabet-Request: 1`, which a cross-site form cannot
 * send (CSRF).
 */

export const TOKENS_ENV = 'ALPHABET_API_TOKENS';

/** The API cannot start as configured (no tokens for a public address, a malformed token list). */
export class ApiAccessError extends Error {
  override readonly name = 'ApiAccessError';
}

/** Token → operator name. Names are what the audit columns record, so they must be there and unique. */
export function parseApiTokens(text: string | undefined): Map<string, string> {
  const tokens = new Map<string, string>();
  if (text === undefined || text.trim() === '') return tokens;
  for (const [i, entry] of text.split(',').entries()) {
    const at = entry.indexOf(':');
    const name = entry.slice(0, at).trim();
    const token = entry.slice(at + 1).trim();
    if (at <= 0 || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name))
      throw new ApiAccessError(`${TOKENS_ENV}: entry ${i + 1} is not "<operator name>:<token>"`);
    if (token.length < 16)
      throw new ApiAccessError(`${TOKENS_ENV}: the token of "${name}" is shorter than 16 characters`);
    if (tokens.has(token)) throw new ApiAccessError(`${TOKENS_ENV}: the token of "${name}" is used twice`);
    tokens.set(token, name);
  }
  return tokens;
}

/** Refuse to serve a non-loopback address without tokens, naming the variable. */
export function checkBindAccess(host: string, tokens: ReadonlyMap<string, string>): void {
  if (!isLoopback(host) && tokens.size === 0)
    throw new ApiAccessError(
      `api.host ${host} is not loopback: set ${TOKENS_ENV}="<name>:<token>,…" so every request needs a bearer token`,
    );
}

function localOperator(): string {
  try {
    return `console:${userInfo().username}`;
  } catch {
    return 'console';
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is acting, for the audit columns: `api:<name>` or `console:<os user>`. */
    operator: string;
  }
}

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

function tokenName(tokens: ReadonlyMap<string, string>, presented: string): string | null {
  const p = Buffer.from(presented);
  for (const [token, name] of tokens) {
    const t = Buffer.from(token);
    if (t.length === p.length && timingSafeEqual(t, p)) return name;
  }
  return null;
}

/** The onRequest hook for /api routes: bearer token when tokens are configured, the CSRF rule for writes. */
export function accessHook(tokens: ReadonlyMap<string, string>) {
  const local = localOperator();
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (!request.url.startsWith('/api/')) return;
    if (tokens.size > 0) {
      const header = request.headers.authorization ?? '';
      const m = /^Bearer (.+)$/.exec(header);
      if (!m) throw new ApiError(401, 'authorization', 'authorization: send "Authorization: Bearer <token>"');
      const name = tokenName(tokens, m[1]!.trim());
      if (name === null) throw new ApiError(401, 'authorization', 'authorization: unknown token');
      request.operator = `api:${name}`;
    } else {
      // Without tokens, reaching loopback is the credential, unless the Host says a web page got here by
      // DNS rebinding.
      const problem = nonLoopbackHost(request.headers.host);
      if (problem !== null)
        throw new ApiError(
          403,
          'host',
          `host: ${problem}; without ${TOKENS_ENV} the API answers only requests for a loopback name`,
        );
      request.operator = local;
    }
    if (WRITE_METHODS.has(request.method)) {
      const type = request.headers['content-type'] ?? '';
      if (request.headers['x-alphabet-request'] !== '1')
        throw new ApiError(
          403,
          'x-alphabet-request',
          'x-alphabet-request: writes need the header X-Alphabet-Request: 1',
        );
      if (!/^application\/json\b/i.test(type))
        throw new ApiError(
          403,
          'content-type',
          `content-type: writes must be application/json, got ${JSON.stringify(type)}`,
        );
    }
    return Promise.resolve();
  };
}
