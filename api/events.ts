import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { latestOpsEventId, readOpsEvents, STREAM_ID_RE } from '../activities/infra/ops-events';
import { OPS_EVENT_KINDS } from '../shared/ops-events';
import type { ApiContext } from './context';
import { ApiError } from './errors';
import { errors, type ZodApp } from './schemas';

/** A blocking read returns at least this often, so idle streams get a keep-alive comment. */
const KEEPALIVE_MS = 15_000;

/**
 * `GET /api/events`: the operator event stream as server-sent events. Each event's `id:` is its Redis
 * stream entry id; a reconnect sending `Last-Event-ID` (or `?since=`) first gets everything after it that
 * the stream still holds (about its last 10 000 entries), then live events. Without either it starts now.
 */
export function registerEvents(app: ZodApp, ctx: ApiContext): void {
  const open = new Set<ServerResponse>();
  app.addHook('onClose', async () => {
    for (const res of open) res.end();
    return Promise.resolve();
  });
  const prefix = ctx.loaded.config.redis.keyPrefix;

  app.get(
    '/api/events',
    {
      schema: {
        summary: `live updates as text/event-stream: event ${OPS_EVENT_KINDS.join(' | ')}; id = stream entry id`,
        description:
          'Resumable: send the last id seen as the Last-Event-ID header (EventSource does) or ?since=<id>.',
        querystring: z.object({
          since: z
            .string()
            .regex(STREAM_ID_RE, 'expected a stream entry id such as 1733430000000-0')
            .optional(),
        }),
        response: { ...errors },
      },
    },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      const resume = typeof header === 'string' && header !== '' ? header : request.query.since;
      if (resume !== undefined && !STREAM_ID_RE.test(resume))
        throw new ApiError(
          400,
          'Last-Event-ID',
          `Last-Event-ID: ${JSON.stringify(resume)} is not a stream entry id such as 1733430000000-0`,
        );
      let after = resume ?? (await latestOpsEventId(ctx.redis, prefix));
      // A blocking read holds its connection: each stream reads on one of its own.
      const conn = ctx.redis.duplicate();
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      open.add(res);
      let live = true;
      const stop = () => {
        live = false;
        open.delete(res);
        conn.disconnect();
      };
      res.on('close', stop);
      while (live) {
        try {
          const events = await readOpsEvents(conn, prefix, after, { count: 200, blockMs: KEEPALIVE_MS });
          if (!live) break;
          if (events.length === 0) res.write(': keep-alive\n\n');
          for (const e of events) {
            res.write(`id: ${e.id}\nevent: ${e.kind}\ndata: ${JSON.stringify(e.data)}\n\n`);
            after = e.id;
          }
        } catch (err) {
          if (!live) break;
          // Redis away: say so, then try again (the client keeps its place through `after`).
          res.write(`: redis: ${(err as Error).message.replace(/\s+/g, ' ')}\n\n`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      if (!res.writableEnded) res.end();
    },
  );
}
