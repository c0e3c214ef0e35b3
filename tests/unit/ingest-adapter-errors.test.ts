import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, failureDetails, parseRetryAfter } from '../../activities/providers/errors';
import { TheOddsApiProvider } from '../../activities/providers/the-odds-api';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('The Odds API adapter against a loopback server with injected faults', () => {
  let server: Server;
  let url: string;
  let handler: Handler = (_req, res) => res.end('[]');
  const seen: URL[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(new URL(req.url ?? '/', 'http://x'));
      handler(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const adapter = (over: Partial<ConstructorParameters<typeof TheOddsApiProvider>[0]> = {}) =>
    new TheOddsApiProvider({
      name: 'oddsapi-test',
      type: 'the-odds-api',
      baseUrl: url,
      regions: ['us', 'uk'],
      markets: ['h2h', 'spreads', 'totals'],
      oddsFormat: 'american',
      timeoutSeconds: 0.5,
      scoresDaysFrom: 1,
      apiKey: 'secret-key-123',
      apiKeyRequired: true,
      sports: null,
      ...over,
    });

  async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
    try {
      await p;
    } catch (err) {
      expect(err).toBeInstanceOf(ApplicationFailure);
      return err as ApplicationFailure;
    }
    throw new Error('expected a failure');
  }

  it('sends the documented query, the key from the environment, and reports the quota headers', async () => {
    seen.length = 0;
    handler = (_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-requests-remaining': '480',
        'x-requests-used': '20',
        'x-requests-last': '3',
      });
      res.end('[]');
    };
    const batch = await adapter().fetchOdds({ sports: ['americanfootball_nfl'], cursor: null });
    const q = seen[0]!;
    expect(q.pathname).toBe('/v4/sports/americanfootball_nfl/odds');
    expect(Object.fromEntries(q.searchParams)).toEqual({
      regions: 'us,uk',
      markets: 'h2h,spreads,totals',
      oddsFormat: 'american',
      dateFormat: 'iso',
      apiKey: 'secret-key-123',
    });
    expect(batch.quota).toEqual({ remaining: 480, used: 20, last: 3 });
    expect(batch.requests).toBe(1);
  });

  it('ignores quota headers an INT column cannot hold, recording each as a reject, and keeps the poll', async () => {
    const cases: [remaining: string, used: string][] = [
      ['1e20', '-3'],
      ['12.5', 'lots'],
      ['2147483648', '2147483647'],
    ];
    for (const [remaining, used] of cases) {
      handler = (_req, res) => {
        res.writeHead(200, {
          'content-type': 'application/json',
          'x-requests-remaining': remaining,
          'x-requests-used': used,
        });
        res.end('[]');
      };
      const batch = await adapter().fetchOdds({ sports: ['americanfootball_nfl'], cursor: null });
      const usable = (v: string) => (/^\d+$/.test(v) && Number(v) <= 2_147_483_647 ? Number(v) : null);
      expect(batch.quota).toEqual(
        usable(used) === null ? null : { remaining: null, used: usable(used), last: null },
      );
      const bad = [
        ...(usable(remaining) === null ? [['x-requests-remaining', remaining]] : []),
        ...(usable(used) === null ? [['x-requests-used', used]] : []),
      ];
      expect(batch.rejects.map((r) => [r.reason, r.field, r.value])).toEqual(
        bad.map(([field, value]) => ['invalid_header', field, value]),
      );
      for (const r of batch.rejects) expect(r.message).not.toContain('secret-key-123');
    }
  });

  it('refuses an answer past the byte limit, naming the URL without the key and the limit', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // Streamed without a Content-Length: the limit is enforced while reading.
      res.write('[');
      res.end(`${'{"id":"x"},'.repeat(500)}{"id":"y"}]`);
    };
    const f = await failureOf(
      adapter({ maxAnswerBytes: 1000 }).fetchOdds({ sports: ['americanfootball_nfl'], cursor: null }),
    );
    expect(f.type).toBe(FailureType.Unavailable);
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toContain(`${url}/v4/sports/americanfootball_nfl/odds`);
    expect(f.message).toContain('exceeds the limit of 1000 bytes');
    expect(f.message).not.toContain('secret-key-123');
  });

  it('asks for bookmakers instead of regions when configured', async () => {
    seen.length = 0;
    handler = (_req, res) => res.end('[]');
    await adapter({ bookmakers: ['pinnacle', 'draftkings'] }).fetchOdds({
      sports: ['soccer_epl'],
      cursor: null,
    });
    expect(seen[0]!.searchParams.get('bookmakers')).toBe('pinnacle,draftkings');
    expect(seen[0]!.searchParams.has('regions')).toBe(false);
  });

  it('classifies 500 as retryable, without leaking the key', async () => {
    handler = (_req, res) => {
      res.writeHead(500);
      res.end('internal error');
    };
    const f = await failureOf(adapter().fetchOdds({ sports: ['americanfootball_nfl'], cursor: null }));
    expect(f.type).toBe(FailureType.Unavailable);
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toContain('HTTP 500');
    expect(f.message).not.toContain('secret-key-123');
    expect(failureDetails(f)).toMatchObject({ status: 500, nonRetryable: false });
  });

  it('honours Retry-After on 429', async () => {
    handler = (_req, res) => {
      res.writeHead(429, { 'retry-after': '7' });
      res.end('{"message":"slow down"}');
    };
    const f = await failureOf(adapter().fetchOdds({ sports: ['americanfootball_nfl'], cursor: null }));
    expect(f.type).toBe(FailureType.RateLimited);
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBe(7000);
    expect(failureDetails(f)).toMatchObject({ retryAfterMs: 7000, status: 429 });
  });

  it('refuses to retry 401, 403 and 422', async () => {
    for (const [status, type] of [
      [401, FailureType.Auth],
      [403, FailureType.Auth],
      [422, FailureType.Request],
    ] as const) {
      handler = (_req, res) => {
        res.writeHead(status);
        res.end('{"message":"no"}');
      };
      const f = await failureOf(adapter().fetchOdds({ sports: ['americanfootball_nfl'], cursor: null }));
      expect([status, f.type, f.nonRetryable]).toEqual([status, type, true]);
    }
  });

  it('turns a slow provider into a retryable timeout', async () => {
    handler = (_req, res) => {
      const t = setTimeout(() => res.end('[]'), 3_000);
      res.on('close', () => clearTimeout(t));
    };
    const f = await failureOf(
      adapter({ timeoutSeconds: 0.2 }).fetchOdds({ sports: ['americanfootball_nfl'], cursor: null }),
    );
    expect(f.type).toBe(FailureType.Timeout);
    expect(f.nonRetryable).toBe(false);
  });

  it('turns a refused connection into a retryable unavailability', async () => {
    const f = await failureOf(
      adapter({ baseUrl: 'http://127.0.0.1:9' }).fetchOdds({ sports: ['x'], cursor: null }),
    );
    expect(f.type).toBe(FailureType.Unavailable);
    expect(f.nonRetryable).toBe(false);
  });

  it('does not call out without the API key', async () => {
    seen.length = 0;
    const f = await failureOf(adapter({ apiKey: null }).fetchOdds({ sports: ['x'], cursor: null }));
    expect(f.type).toBe(FailureType.Config);
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toMatch(/ODDS_API_KEY/);
    expect(seen).toHaveLength(0);
  });

  it('prefers a non-retryable failure when several sports fail', async () => {
    handler = (req, res) => {
      res.writeHead(req.url?.includes('/bad/') ? 422 : 503);
      res.end('{}');
    };
    const f = await failureOf(adapter().fetchOdds({ sports: ['good', 'bad'], cursor: null }));
    expect(f.type).toBe(FailureType.Request);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('12', now)).toBe(12_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('999999', now)).toBe(15 * 60_000);
  });
});
