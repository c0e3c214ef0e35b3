import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import { D, toDecimalString } from '../../shared/math/decimal';
import { decodeLastKnown, encodeLastKnown, slotKey, type LastKnown, type LastKnownByEvent } from './changes';
import { RedisBatch } from '../infra/redis-batch';
import { LAST_KNOWN_MARKER, LAST_KNOWN_TTL_SECONDS, type IngestKeys } from './keys';

/**
 * This process's copy of the last known prices it wrote to Redis, per provider: the events of the provider's
 * last poll, valid while Redis's applied marker still names that poll — nobody else has written the
 * provider's prices since, and Redis has not lost them (a restarted Redis has no marker). It spares each poll
 * reading back, from Redis, the prices it wrote itself one poll earlier (issue 14).
 */
export class LastKnownMemory {
  private readonly byProvider = new Map<string, { pollId: string; events: LastKnownByEvent }>();

  /** The remembered events, if Redis's marker (`applied`) still names the poll they were written by. */
  valid(provider: string, applied: string | null): LastKnownByEvent {
    const held = this.byProvider.get(provider);
    if (held && held.pollId === applied) return held.events;
    this.byProvider.delete(provider);
    return new Map();
  }

  /** After `pollId` reached Redis: its events' prices, the poll's changes applied. */
  applied(provider: string, pollId: string, events: LastKnownByEvent): void {
    this.byProvider.set(provider, { pollId, events });
  }

  forget(provider: string): void {
    this.byProvider.delete(provider);
  }
}

/**
 * The last known price per slot, for change detection. Redis holds it; an event whose hash is missing
 * (expired, Redis flushed, or invalidated after a crash between the PostgreSQL commit and the Redis write) is
 * rebuilt from the history itself — the latest row per slot — so change detection survives restarts and never
 * writes a row twice. Events in `remembered` (LastKnownMemory) are taken from there; events in `firstMapped`
 * (the provider never carried them: EventResolver) have none, and the poll's Redis write starts their hash.
 */
export async function loadLastKnown(
  db: Pool,
  redis: Redis,
  keys: IngestKeys,
  provider: string,
  wanted: readonly string[],
  remembered: LastKnownByEvent = new Map(),
  firstMapped: ReadonlySet<string> = new Set(),
): Promise<LastKnownByEvent> {
  const out: LastKnownByEvent = new Map();
  const eventIds: string[] = [];
  for (const ev of wanted) {
    const held = remembered.get(ev);
    if (held) out.set(ev, held);
    else if (firstMapped.has(ev)) out.set(ev, new Map());
    else eventIds.push(ev);
  }
  if (eventIds.length === 0) return out;
  const pipe = redis.pipeline();
  for (const ev of eventIds) pipe.hgetall(keys.last(provider, ev));
  const results = (await pipe.exec()) ?? [];
  const missing: string[] = [];
  eventIds.forEach((ev, i) => {
    const [err, hash] = results[i] ?? [new Error('no reply'), null];
    if (err) throw err;
    const h = (hash ?? {}) as Record<string, string>;
    if (!(LAST_KNOWN_MARKER in h)) {
      missing.push(ev);
      return;
    }
    const slots = new Map<string, LastKnown>();
    for (const [field, value] of Object.entries(h)) {
      if (field === LAST_KNOWN_MARKER) continue;
      const v = decodeLastKnown(value);
      if (v) slots.set(field, v);
    }
    out.set(ev, slots);
  });
  if (missing.length) {
    const hydrated = await hydrateFromHistory(db, provider, missing);
    const b = new RedisBatch();
    for (const ev of missing) {
      const slots = hydrated.get(ev) ?? new Map<string, LastKnown>();
      out.set(ev, slots);
      const key = keys.last(provider, ev);
      b.call('del', key);
      b.call(
        'hset',
        key,
        LAST_KNOWN_MARKER,
        '1',
        ...[...slots].flatMap(([slot, v]) => [slot, encodeLastKnown(v)]),
      );
      b.call('expire', key, LAST_KNOWN_TTL_SECONDS);
    }
    await b.exec(redis);
  }
  return out;
}

export async function hydrateFromHistory(
  db: Pool,
  provider: string,
  eventIds: readonly string[],
): Promise<LastKnownByEvent> {
  const { rows } = await db.query<{
    event_id: string;
    market_type: 'h2h' | 'spreads' | 'totals';
    period: string;
    bookmaker: string;
    outcome: string;
    point: string | null;
    price: string;
    observed_at: Date;
  }>(
    `SELECT DISTINCT ON (event_id, market_type, period, bookmaker, outcome)
            event_id, market_type, period, bookmaker, outcome, point::text AS point, price::text AS price, observed_at
       FROM odds_quotes
      WHERE provider = $1 AND event_id = ANY($2::text[])
      ORDER BY event_id, market_type, period, bookmaker, outcome, observed_at DESC`,
    [provider, eventIds],
  );
  const out: LastKnownByEvent = new Map();
  for (const r of rows) {
    const slots = out.get(r.event_id) ?? new Map<string, LastKnown>();
    slots.set(
      slotKey({ marketType: r.market_type, period: r.period, bookmaker: r.bookmaker, outcome: r.outcome }),
      {
        point: r.point === null ? null : toDecimalString(new D(r.point)),
        price: toDecimalString(new D(r.price)),
        changedAt: r.observed_at.toISOString(),
      },
    );
    out.set(r.event_id, slots);
  }
  return out;
}

/** Forget the last known prices of these events (they are rebuilt from PostgreSQL on next use). */
export async function invalidateLastKnown(
  redis: Redis,
  keys: IngestKeys,
  provider: string,
  eventIds: readonly string[],
): Promise<void> {
  if (eventIds.length === 0) return;
  await redis.del(...eventIds.map((ev) => keys.last(provider, ev)));
}
