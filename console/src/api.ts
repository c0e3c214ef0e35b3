/**
 * The console's only way to the API: /api/* with the operator's bearer token (pasted once, kept in
 * sessionStorage, so it goes with the tab) and, on writes, JSON plus `X-Alphabet-Request: 1` (the API's
 * CSRF rule). Errors come back as the API's `{ error: { field, message } }`.
 */

const TOKEN_KEY = 'alphabet.token';

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly field: string | null,
    message: string,
  ) {
    super(message);
  }
}

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string): void {
  if (token.trim() === '') sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token.trim());
}

/** Headers every request carries (the event stream too). */
export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const write = method !== 'GET';
  const res = await fetch(path, {
    method,
    headers: {
      ...authHeaders(),
      ...(write ? { 'content-type': 'application/json', 'x-alphabet-request': '1' } : {}),
    },
    ...(write ? { body: JSON.stringify(body ?? {}) } : {}),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    throw new ApiRequestError(res.status, null, `${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
  }
  if (!res.ok) {
    const e = (json as { error?: { field?: string | null; message?: string } } | null)?.error;
    throw new ApiRequestError(res.status, e?.field ?? null, e?.message ?? `${method} ${path}: ${res.status}`);
  }
  return json as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
};

/** A path segment (bet ids contain '#'). */
export const seg = (s: string) => encodeURIComponent(s);
