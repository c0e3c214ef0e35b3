// Temporal's remote codec protocol over HTTP, so the Web UI (and `temporal … --codec-endpoint`) can show
// encrypted payloads: POST /decode and /encode take and return `{ "payloads": [...] }` in protobuf JSON
// form (metadata values and data base64).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { isLoopback, nonLoopbackHost } from './loopback';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** The namespace whose keys this server holds; a request naming another one (X-Namespace) is refused. */
  namespace: string;
  /** Browser origins (the Web UI) allowed to call it; other origins get no CORS headers. */
  corsOrigins: readonly string[];
  host: string;
  port: number;
}

export interface RunningCodecServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const ALLOWED_HEADERS = 'content-type, x-namespace, authorization';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createCodecServer(o: Omit<CodecServerOptions, 'port'>): Server {
  const origins = new Set(o.corsOrigins.map((u) => new URL(u).origin));
  return createServer((req, res) => {
    const origin = req.headers.origin;
    if (origin && origins.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.setHeader('Vary', 'Origin');
    handle(o, req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: (err as Error).message }));
    });
  });
}

async function handle(
  o: Omit<CodecServerOptions, 'port'>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  // Bound to loopback it asks for no credential, so, as the API without tokens, it answers only requests
  // for a loopback name (DNS rebinding). Bound to another address (for a Web UI in a container), it is
  // reached by the deployment's names, and CORS is what limits browsers.
  const problem = isLoopback(o.host) ? nonLoopbackHost(req.headers.host) : null;
  if (problem !== null)
    throw new HttpError(
      403,
      `Host ${problem}; a codec server bound to ${o.host} answers only requests for a loopback name`,
    );
  const path = new URL(req.url ?? '/', 'http://codec').pathname;
  if (req.method === 'OPTIONS') {
    res.writeHead(204).end();
    return;
  }
  if (path !== '/encode' && path !== '/decode')
    throw new HttpError(404, `no ${path}: POST /encode or /decode with {"payloads": [...]}`);
  if (req.method !== 'POST') throw new HttpError(405, `${req.method} ${path}: use POST`);
  const namespace = headerValue(req.headers['x-namespace']);
  if (namespace && namespace !== o.namespace)
    throw new HttpError(
      403,
      `X-Namespace "${namespace}": this codec server holds the keys of namespace "${o.namespace}" only`,
    );
  const payloads = fromJson(await readJson(req));
  let out: Payload[];
  try {
    out = path === '/encode' ? await o.codec.encode(payloads) : await o.codec.decode(payloads);
  } catch (err) {
    throw new HttpError(422, (err as Error).message);
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ payloads: out.map(toJson) }));
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return (Array.isArray(h) ? h[0] : h)?.trim() || undefined;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'request body: expected JSON {"payloads": [...]}');
  }
}

function fromJson(body: unknown): Payload[] {
  const list = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(list)) throw new HttpError(400, 'request body: expected {"payloads": [...]}');
  return list.map((p: JsonPayload, i) => {
    if (p === null || typeof p !== 'object') throw new HttpError(400, `payloads[${i}]: expected an object`);
    const metadata: Record<string, Uint8Array> = {};
    for (const [k, v] of Object.entries(p.metadata ?? {})) {
      if (typeof v !== 'string')
        throw new HttpError(400, `payloads[${i}].metadata.${k}: expected base64 text`);
      metadata[k] = Buffer.from(v, 'base64');
    }
    if (p.data !== undefined && typeof p.data !== 'string')
      throw new HttpError(400, `payloads[${i}].data: expected base64 text`);
    return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
  });
}

function toJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

/** Listen and resolve once bound (port 0 picks a free one). */
export async function startCodecServer(o: CodecServerOptions): Promise<RunningCodecServer> {
  const server = createCodecServer(o);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `codec server: cannot listen on ${o.host}:${o.port} (${err.code ?? err.message}); ` +
            'pick another port with --port or temporal.payloadEncryption.codecServer.port',
        ),
      ),
    );
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
