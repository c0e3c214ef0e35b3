import { z } from 'zod';
import { readBoard } from '../../activities/ingestion/board';
import { ingestKeys } from '../../activities/ingestion/keys';
import { listOpportunities } from '../../activities/strategies/opportunity-store';
import type { ApiContext } from '../context';
import { Amount, errors, Limit, Name, type ZodApp } from '../schemas';

const Quote = z.looseObject({
  bookmaker: z.string(),
  outcome: z.string(),
  point: z.string().nullable(),
  price: Amount,
  ageMs: z.number(),
  ageSeconds: z.number(),
  stale: z.boolean(),
});

const BoardEvent = z.looseObject({
  eventId: z.string(),
  sport: z.string(),
  markets: z.array(z.looseObject({ key: z.string(), market: z.looseObject({}), quotes: z.array(Quote) })),
});

const Opportunity = z.object({
  opportunityId: z.string(),
  strategy: z.string(),
  kind: z.string(),
  sport: z.string(),
  eventId: z.string(),
  marketType: z.string(),
  period: z.string(),
  line: Amount.nullable(),
  legs: z.array(z.unknown()),
  edge: Amount,
  rule: z.string(),
  suspect: z.boolean(),
  decision: z.enum(['pending', 'placed', 'skipped']),
  reason: z.string().nullable(),
  detectedAt: z.string(),
  decidedAt: z.string().nullable(),
});

/** The board (as `alphabet board --json`, each quote with its age) and the recorded opportunities. */
export function registerMarketRoutes(app: ZodApp, ctx: ApiContext): void {
  app.get(
    '/api/board',
    {
      schema: {
        summary: 'the current odds board from Redis, per event and market, with quote ages',
        querystring: z.object({
          sport: z.string().min(1).max(100).optional(),
          event: z.string().min(1).max(200).optional(),
          stale: z.enum(['true', 'false']).optional(),
        }),
        response: { 200: z.object({ at: z.string(), events: z.array(BoardEvent) }), ...errors },
      },
    },
    async (request) => {
      const now = Date.now();
      const q = request.query;
      const events = await readBoard(ctx.redis, ingestKeys(ctx.loaded.config.redis.keyPrefix), {
        ...(q.event ? { eventId: q.event } : {}),
        ...(q.sport ? { sport: q.sport } : {}),
        includeStale: q.stale === 'true',
        now,
      });
      return {
        at: new Date(now).toISOString(),
        events: events.map((e) => ({
          ...e,
          markets: e.markets.map((m) => ({
            ...m,
            quotes: m.quotes.map((x) => ({ ...x, ageSeconds: Math.round(x.ageMs / 100) / 10 })),
          })),
        })),
      };
    },
  );

  app.get(
    '/api/opportunities',
    {
      schema: {
        summary: 'recorded opportunities, newest first: placed, skipped (with reasons) and pending',
        querystring: z.object({
          strategy: Name.optional(),
          status: z.enum(['pending', 'placed', 'skipped']).optional(),
          limit: Limit,
        }),
        response: { 200: z.object({ opportunities: z.array(Opportunity) }), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      return {
        opportunities: await listOpportunities(ctx.db, {
          ...(q.strategy ? { strategy: q.strategy } : {}),
          ...(q.status ? { decision: q.status } : {}),
          limit: q.limit,
        }),
      };
    },
  );
}
