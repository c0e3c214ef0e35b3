import type { Redis } from './redis';
import type { Logger } from './logger';
import {
  OPS_EVENT_KINDS,
  OPS_EVENTS_MAXLEN,
  opsEventsKey,
  type OpsEvent,
  type OpsEventKind,
  type StoredOpsEvent,
} from '../../shared/ops-events';

/** The one writer and the one reader of the operator event stream (layout in shared/ops-events.ts). */

export type OpsEventPublisher = (events: readonly OpsEvent[]) => Promise<void>;

/** Append events in one round trip; throws when Redis fails. */
export async function appendOpsEvents(
  redis: Redis,
  keyPrefix: string,
  events: readonly OpsEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const key = opsEventsKey(keyPrefix);
  const multi = redis.multi();
  for (const e of events)
    multi.xadd(key, 'MAXLEN', '~', OPS_EVENTS_MAXLEN, '*', 'kind', e.kind, 'data', JSON.stringify(e.data));
  const replies = await multi.exec();
  const failed = replies?.find(([err]) => err)?.[0];
  if (failed) throw failed;
}

/**
 * appendOpsEvents, best effort: the stream feeds screens, so a Redis failure is logged and never fails the
 * activity that changed a bet (its state is in PostgreSQL and its lifecycle).
 */
export function createOpsEventPublisher(redis: Redis, keyPrefix: string, logger: Logger): OpsEventPublisher {
  return async (events) => {
    try {
      await appendOpsEvents(redis, keyPrefix, events);
    } catch (err) {
      logger.warn({ err: (err as Error).message, events: events.length }, 'ops event stream: append failed');
    }
  };
}

type RawEntry = [id: string, fields: string[]];

function decode([id, fields]: RawEntry): StoredOpsEvent | null {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
  const kind = f.get('kind') as OpsEventKind | undefined;
  const data = f.get('data');
  if (!kind || !OPS_EVENT_KINDS.includes(kind) || data === undefined) return null;
  const parsed: unknown = JSON.parse(data);
  return { id, kind, data: parsed } as StoredOpsEvent;
}

/** A stream entry id as Redis writes them (`<ms>-<seq>`); anything else is not a position in the stream. */
export const STREAM_ID_RE = /^\d{1,20}-\d{1,20}$/;

/** The id of the newest event, or `0-0` for an empty stream: "from now on". */
export async function latestOpsEventId(redis: Redis, keyPrefix: string): Promise<string> {
  const rows = (await redis.xrevrange(opsEventsKey(keyPrefix), '+', '-', 'COUNT', 1)) as RawEntry[];
  return rows[0]?.[0] ?? '0-0';
}

/**
 * Events after `after` (an entry id), oldest first: at most `count`, waiting up to `blockMs` for the first
 * one when there are none (0: do not wait). Blocking needs a connection of its own (redis.duplicate()).
 */
export async function readOpsEvents(
  redis: Redis,
  keyPrefix: string,
  after: string,
  options: { count?: number; blockMs?: number } = {},
): Promise<StoredOpsEvent[]> {
  const key = opsEventsKey(keyPrefix);
  const count = options.count ?? 100;
  const reply = options.blockMs
    ? await redis.xread('COUNT', count, 'BLOCK', options.blockMs, 'STREAMS', key, after)
    : await redis.xread('COUNT', count, 'STREAMS', key, after);
  return (reply?.[0]?.[1] ?? []).map(decode).filter((e): e is StoredOpsEvent => e !== null);
}
