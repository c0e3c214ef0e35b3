import { z } from 'zod';
import type { ApiContext } from '../context';
import type { ZodApp } from '../schemas';

/** Each store answers within this, or counts as down (the health answer must come quickly). */
const PROBE_MS = 3000;

async function probe(fn: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, fail) => (timer = setTimeout(() => fail(new Error('timeout')), PROBE_MS))),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealthRoutes(app: ZodApp, ctx: ApiContext): void {
  app.get(
    '/api/health',
    {
      schema: {
        summary: 'Temporal, PostgreSQL and Redis reachable from the API',
        response: {
          200: z.object({
            ok: z.boolean(),
            temporal: z.boolean(),
            postgres: z.boolean(),
            redis: z.boolean(),
            uiUrl: z.string(),
            version: z.string(),
          }),
        },
      },
    },
    async () => {
      const [temporal, postgres, redis] = await Promise.all([
        probe(async () => (await ctx.client()).workflowService.getSystemInfo({})),
        probe(() => ctx.db.query('SELECT 1')),
        probe(() => ctx.redis.ping()),
      ]);
      return {
        ok: temporal && postgres && redis,
        temporal,
        postgres,
        redis,
        uiUrl: ctx.loaded.config.temporal.uiUrl,
        version: ctx.version,
      };
    },
  );
}
