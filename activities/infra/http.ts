/**
 * Reading answers from servers we do not control. `res.text()` and `res.json()` buffer whatever arrives, so
 * a broken or hostile server can exhaust the worker's memory; every outbound answer is read through
 * readBodyLimited instead, which streams and stops at a byte limit.
 */

/** An answer larger than its caller's limit: the read was aborted. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(
    readonly url: string,
    readonly maxBytes: number,
  ) {
    super(`the answer from ${url} exceeds the limit of ${maxBytes} bytes; refused`);
  }
}

/**
 * The URL as it may appear in messages and logs: no query string (API keys travel there) and no user
 * information, e.g. `https://api.example.com/v4/sports/x/odds`.
 */
export function safeUrl(url: string | URL): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * The body as UTF-8 text, read in chunks; past `maxBytes` the stream is cancelled (the connection is not
 * read further) and a BodyTooLargeError names the URL and the limit. A Content-Length above the limit is
 * refused before reading anything.
 */
export async function readBodyLimited(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(safeUrl(res.url), maxBytes);
  }
  if (!res.body) return '';
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(safeUrl(res.url), maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}
