import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimulatedMarket, type SimulatedMarketOptions } from './model';
import { SimModelParams, type SimModelInput } from './params';
import { SimulatedBursts } from './burst';
import { readBodyLimited } from '../../infra/http';

/**
 * The simulated market served over HTTP on loopback in The Odds API v4 wire format (`/v4/sports`,
 * `/v4/sports/{sport}/odds`, `/v4/sports/{sport}/scores`), so the demo drives the real adapter end to end.
 * The clock is the wall clock unless one is injected; the model's `speed` makes time pass faster.
 */

export interface SimulatedServerOptions extends SimulatedMarketOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  now?: () => number;
  /** Reported in x-requests-remaining (counts down per request, never refuses). */
  quota?: number;
}

export interface SimulatedServer {
  url: string;
  port: number;
  market: SimulatedMarket;
  /** Extra events with arbitrages served beside the model's (the hot-path bench's bursts). */
  bursts: SimulatedBursts;
  /** Requests served so far. */
  requests(): number;
  close(): Promise<void>;
}

export const SIMULATOR_HEADER = 'x-alphabet-simulator';

/** Who serves a port: seed, speed and a digest of the calibration (another one would price differently). */
export function simulatorSignature(o: SimulatedMarketOptions): string {
  const model = createHash('sha256')
    .update(JSON.stringify(SimModelParams.parse(o.model ?? {})))
    .digest('hex')
    .slice(0, 12);
  return `seed=${o.seed};speed=${o.speed};model=${model}`;
}

export async function startSimulatedServer(opts: SimulatedServerOptions): Promise<SimulatedServer> {
  const market = new SimulatedMarket(opts);
  const bursts = new SimulatedBursts();
  const now = opts.now ?? Date.now;
  const quota = opts.quota ?? 100_000;
  let used = 0;
  const signature = simulatorSignature(opts);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, body: unknown, cost = 0) => {
      used += cost;
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'x-requests-used': String(used),
        'x-requests-remaining': String(Math.max(0, quota - used)),
        'x-requests-last': String(cost),
        [SIMULATOR_HEADER]: signature,
      });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { message: 'only GET' });
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'v4' || parts[1] !== 'sports') return send(404, { message: `no route ${url.pathname}` });
    if (parts.length === 2) {
      return send(
        200,
        market.sports.map((s) => ({
          key: s.key,
          group: s.title,
          title: s.title,
          description: `${s.title} (simulated)`,
          active: true,
          has_outrights: false,
        })),
      );
    }
    const sport = market.sport(decodeURIComponent(parts[2] ?? ''));
    if (!sport) return send(404, { message: `Unknown sport ${parts[2]}`, error_code: 'UNKNOWN_SPORT' });
    if (parts[3] === 'odds' && parts.length === 4) {
      const oddsFormat = url.searchParams.get('oddsFormat') ?? 'decimal';
      if (oddsFormat !== 'american' && oddsFormat !== 'decimal') {
        return send(422, { message: `Invalid oddsFormat ${oddsFormat}`, error_code: 'INVALID_ODDS_FORMAT' });
      }
      const markets = url.searchParams.get('markets')?.split(',').filter(Boolean) ?? ['h2h'];
      const unknown = markets.find((m) => !['h2h', 'spreads', 'totals'].includes(m));
      if (unknown) return send(422, { message: `Invalid market ${unknown}`, error_code: 'INVALID_MARKET' });
      const bookmakers = url.searchParams.get('bookmakers')?.split(',').filter(Boolean);
      const at = now();
      const only = bookmakers?.length ? { bookmakers } : {};
      const body = [
        ...market.odds(sport.key, at, { oddsFormat, markets, ...only }),
        ...bursts.serve(sport.key, at, { oddsFormat, markets, ...only }),
      ];
      return send(200, body, markets.length);
    }
    if (parts[3] === 'scores' && parts.length === 4) {
      return send(200, market.scores(sport.key, now()), url.searchParams.get('daysFrom') ? 2 : 1);
    }
    return send(404, { message: `no route ${url.pathname}` });
  };

  const server: Server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: (err as Error).message }));
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    market,
    bursts,
    requests: () => used,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Shared {
  server: SimulatedServer | null;
  refs: number;
  starting: Promise<SimulatedServer | null>;
}
const shared = new Map<string, Shared>();

export interface SimulatedMarketHandle {
  url: string;
  /** True when this process serves it; false when another process already did on that port. */
  servedHere: boolean;
  close(): Promise<void>;
}

/**
 * Make sure the simulated market answers on host:port: start it in this process (shared by everything in
 * the process that asks for the same port) or, when another process already serves the same seed and speed
 * there, use that one (the model is pure, so both give the same prices). Anything else on the port is an error.
 */
export async function ensureSimulatedMarket(opts: {
  host: string;
  port: number;
  seed: number;
  speed: number;
  model?: SimModelInput | undefined;
}): Promise<SimulatedMarketHandle> {
  const key = `${opts.host}:${opts.port}`;
  const url = `http://${key}`;
  let entry = shared.get(key);
  if (!entry) {
    const starting = startSimulatedServer(opts).catch(async (err: unknown) => {
      if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
      if (await probeSimulator(url, simulatorSignature(opts))) return null;
      throw new Error(
        `port ${opts.port} on ${opts.host} is in use by something other than the simulated market (seed ${opts.seed}, speed ${opts.speed}, this calibration); ` +
          'pick another providers[].options.port',
      );
    });
    entry = { server: null, refs: 0, starting };
    shared.set(key, entry);
    try {
      entry.server = await starting;
    } catch (err) {
      shared.delete(key);
      throw err;
    }
  } else {
    await entry.starting;
  }
  const e = entry;
  e.refs++;
  let closed = false;
  return {
    url,
    servedHere: e.server !== null,
    async close() {
      if (closed) return;
      closed = true;
      e.refs--;
      if (e.refs <= 0) {
        shared.delete(key);
        await e.server?.close();
      }
    },
  };
}

async function probeSimulator(url: string, signature: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v4/sports`, { signal: AbortSignal.timeout(2_000) });
    // Drained (a port's stranger may answer anything), never more than a sports list's worth.
    await readBodyLimited(res, 1024 * 1024);
    return res.headers.get(SIMULATOR_HEADER) === signature;
  } catch {
    return false;
  }
}
