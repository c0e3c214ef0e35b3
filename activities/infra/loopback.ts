import { isIP } from 'node:net';

/**
 * Loopback rules shared by the servers that trust whoever reaches them on this machine (the operator API
 * without tokens, the payload codec server).
 */

/** 127.0.0.0/8, ::1 and "localhost", in any case, bracketed or not: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * Why a request's Host header does not name a loopback host, or null when it does. Reaching a loopback
 * port is not proof of being on this machine: a web page can get there by DNS rebinding (its own name
 * re-resolved to 127.0.0.1, so the browser treats the port as the page's origin and sends any header),
 * but such a request's Host names the page's host, never a loopback one.
 */
export function nonLoopbackHost(hostHeader: string | undefined): string | null {
  // "name", "name:port", "[v6]" or "[v6]:port"; anything else (user info, a path) names no host of ours.
  const name = /^(\[[^\]]*\]|[^:[\]/@]*)(?::\d*)?$/.exec(hostHeader ?? '')?.[1] ?? '';
  if (isLoopback(name)) return null;
  return `${JSON.stringify(name || (hostHeader ?? ''))} is not a loopback name (127.0.0.1, localhost or [::1])`;
}
