import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import type { Logger } from '../infra/logger';
import type { OddsBatch, OddsProvider, ProviderQuota, RejectInput } from '../providers/types';
import { excerpt } from '../../shared/readers/values';
import { pollRedisWrite, type BoardEventInfo, type BoardWrite } from './board';
import { canonicalQuote, dedupeQuotes, detectChanges, type CanonicalQuote } from './changes';
import type { EventResolver } from './events';
import { commitPoll, committedPolls, insertRejects, type CommittedPoll } from './history';
import { announceChanges, ingestKeys, type IngestKeys } from './keys';
import { loadLastKnown, type LastKnownMemory } from './last-known';
import { RedisBatch, type PreparedBatch } from '../infra/redis-batch';

export interface PollContext {
  db: Pool;
  redis: Redis;
  keys: IngestKeys;
  resolver: EventResolver;
  /** The worker process's memory of the last known prices it wrote (one per process, like the resolver). */
  memory: LastKnownMemory;
  provider: OddsProvider;
  logger?: Logger;
  now?: () => number;
}

export interface PollInput {
  /** Deterministic, from the workflow: a retried poll carries the same id and writes nothing twice. */
  pollId: string;
  sports: readonly string[];
  stalenessSeconds: number;
}

export interface PollSummary {
  pollId: string;
  observedAt: string | null;
  quotesSeen: number;
  changesWritten: number;
  rejects: number;
  events: number;
  requests: number;
  quota: ProviderQuota | null;
  /** Nothing to observe (a replay waiting for its clock): nothing recorded. */
  idle: boolean;
  exhausted: boolean;
  /** This poll id had already been committed (a retry): its recorded figures, nothing written. */
  alreadyCommitted: boolean;
}

/** Test hook: fail at a given point, to prove a crash there loses and duplicates nothing. */
export type CrashPoint = 'after-fetch' | 'after-commit';

export function createPollContext(deps: {
  db: Pool;
  redis: Redis;
  keyPrefix: string;
  resolver: EventResolver;
  memory: LastKnownMemory;
  provider: OddsProvider;
  logger?: Logger;
}): PollContext {
  return {
    db: deps.db,
    redis: deps.redis,
    keys: ingestKeys(deps.keyPrefix),
    resolver: deps.resolver,
    memory: deps.memory,
    provider: deps.provider,
    ...(deps.logger ? { logger: deps.logger } : {}),
  };
}

/**
 * One poll, provider payload to Redis and PostgreSQL:
 *
 *  1. If this poll id is already committed (a retry after a crash), make sure its effects reached Redis and
 *     return its recorded figures. If the provider's latest committed poll never reached Redis, invalidate
 *     the last known prices it touched (they are rebuilt from PostgreSQL).
 *  2. Fetch (recorded sources resume from the cursor of the latest committed poll).
 *  3. Canonical events; drop duplicate slots into rejects.
 *  4. Change detection against the last known prices (this worker's memory of them while Redis's applied
 *     marker names its last poll, else Redis, else PostgreSQL; none for an event the provider never had).
 *  5. ONE PostgreSQL transaction: change rows, rejects, and the odds_polls row that marks the poll committed.
 *  6. ONE Redis transaction (RedisBatch), built and queued while step 5 runs, applied after it: last known
 *     prices, board, indexes, change stream, pub/sub; then the applied marker.
 */
export async function runPoll(
  ctx: PollContext,
  input: PollInput,
  crashAt?: CrashPoint,
): Promise<PollSummary> {
  const { db, redis, keys, provider } = ctx;
  const name = provider.name;
  const now = ctx.now ?? Date.now;

  const [{ self, latest }, applied] = await Promise.all([
    committedPolls(db, name, input.pollId),
    redis.get(keys.applied(name)),
  ]);
  if (self) {
    if (applied !== self.pollId) {
      await reconcileRedis(ctx, self);
    }
    return {
      pollId: self.pollId,
      observedAt: self.polledAt,
      quotesSeen: self.quotesSeen,
      changesWritten: self.changesWritten,
      rejects: self.rejects,
      events: self.eventIds.length,
      requests: self.requests,
      quota:
        self.quotaRemaining !== null || self.quotaUsed !== null
          ? { remaining: self.quotaRemaining, used: self.quotaUsed, last: null }
          : null,
      idle: false,
      exhausted: false,
      alreadyCommitted: true,
    };
  }
  if (latest && applied !== latest.pollId) {
    await reconcileRedis(ctx, latest);
  }
  // After a reconciliation the marker names another poll than the memory's: the memory is dropped.
  const remembered = ctx.memory.valid(name, applied);

  const batch = await provider.fetchOdds({ sports: input.sports, cursor: latest?.cursor ?? null });
  if (batch.idle) {
    return {
      pollId: input.pollId,
      observedAt: null,
      quotesSeen: 0,
      changesWritten: 0,
      rejects: 0,
      events: 0,
      requests: batch.requests,
      quota: batch.quota,
      idle: true,
      exhausted: batch.exhausted,
      alreadyCommitted: false,
    };
  }
  if (crashAt === 'after-fetch') throw new Error('injected crash after fetch');

  // Canonical events.
  const { ids, firstMapped } = await ctx.resolver.resolve(name, batch.events);
  const eventsById = new Map(batch.events.map((e) => [e.providerEventId, e]));
  const rejects: RejectInput[] = [...batch.rejects];
  const canonical: CanonicalQuote[] = [];
  for (const q of batch.quotes) {
    const eventId = ids.get(q.providerEventId);
    const ev = eventsById.get(q.providerEventId);
    if (!eventId || !ev) {
      rejects.push({
        reason: 'missing_field',
        message: 'quote for an event that is not in the payload',
        field: q.path,
        value: q.providerEventId,
        rawExcerpt: excerpt(q),
      });
      continue;
    }
    canonical.push(canonicalQuote(q, eventId, ev.sport));
  }
  const { kept, rejects: dupes } = dedupeQuotes(canonical);
  rejects.push(...dupes);

  // Change detection.
  const eventIds = [...new Set(kept.map((q) => q.eventId))];
  const lastKnown = await loadLastKnown(db, redis, keys, name, eventIds, remembered, firstMapped);
  const changes = detectChanges(kept, lastKnown);

  // PostgreSQL: the commit point. Meanwhile the Redis write is built and queued in a Redis transaction (its
  // client-side work and its transfer, about as long as the commit on a large poll); it is applied (EXEC) only
  // once the commit has happened, and discarded otherwise.
  const [commit, queued] = await Promise.allSettled([
    commitPoll(db, {
      pollId: input.pollId,
      provider: name,
      polledAt: batch.observedAt,
      sports: input.sports,
      quotesSeen: kept.length,
      changes,
      rejects,
      quota: batch.quota,
      eventIds,
      cursor: batch.cursor,
      requests: batch.requests,
    }),
    queueRedisWrite(redis, keys, {
      provider: name,
      pollId: input.pollId,
      observedAt: batch.observedAt,
      seenAtMs: now(),
      stalenessSeconds: input.stalenessSeconds,
      quotes: kept,
      changes,
      lastKnown,
      firstMapped,
      events: boardEventsOf(batch.events, ids),
    }),
  ]);
  const redisWrite = queued.status === 'fulfilled' ? queued.value : null;
  if (commit.status === 'rejected' || !commit.value || crashAt === 'after-commit') {
    await redisWrite?.discard();
    if (commit.status === 'rejected') throw commit.reason;
    if (!commit.value) {
      // A concurrent attempt of the same poll won the race: report what it recorded.
      return runPoll(ctx, input);
    }
    throw new Error('injected crash after the PostgreSQL commit');
  }
  const committed = commit.value;

  // Redis: the board and the announcements.
  try {
    if (!redisWrite) throw (queued as PromiseRejectedResult).reason;
    await redisWrite.apply();
  } catch (err) {
    ctx.memory.forget(name);
    throw err;
  }
  // What Redis now holds for these events: the prices loaded, with this poll's changes.
  for (const c of changes) {
    lastKnown
      .get(c.quote.eventId)
      ?.set(c.quote.slot, { point: c.quote.point, price: c.quote.price, changedAt: batch.observedAt });
  }
  ctx.memory.applied(name, input.pollId, lastKnown);

  return {
    pollId: input.pollId,
    observedAt: batch.observedAt,
    quotesSeen: kept.length,
    changesWritten: committed.changesWritten,
    rejects: rejects.length,
    events: eventIds.length,
    requests: batch.requests,
    quota: batch.quota,
    idle: false,
    exhausted: batch.exhausted,
    alreadyCommitted: false,
  };
}

/** The poll's Redis write, built in slices while the commit is in flight (see pollRedisWrite), then queued. */
async function queueRedisWrite(redis: Redis, keys: IngestKeys, w: BoardWrite): Promise<PreparedBatch> {
  return (await pollRedisWrite(keys, w)).prepare(redis);
}

function boardEventsOf(events: OddsBatch['events'], ids: ReadonlyMap<string, string>): BoardEventInfo[] {
  const out: BoardEventInfo[] = [];
  for (const e of events) {
    const eventId = ids.get(e.providerEventId);
    if (!eventId) continue;
    out.push({
      eventId,
      sport: e.sport,
      league: e.league,
      startTime: e.startTime,
      status: e.status,
      participants: e.participants,
    });
  }
  return out;
}

/**
 * A poll committed to PostgreSQL whose Redis write never happened (a crash in between): forget the last known
 * prices of its events (they are rebuilt from the history on next use), announce its changed markets now
 * (so announcements are at least once), and mark it applied. The board heals on the next poll.
 */
async function reconcileRedis(ctx: PollContext, poll: CommittedPoll): Promise<void> {
  const { db, redis, keys, provider } = ctx;
  ctx.memory.forget(provider.name);
  const { rows } = await db.query<{ market: string; event_id: string; sport: string; n: string }>(
    `SELECT q.event_id || '|' || q.market_type || '|' || q.period || '|' || COALESCE(q.line::text, '-') AS market,
            q.event_id, e.sport, count(*) AS n
       FROM odds_quotes q JOIN events e ON e.event_id = q.event_id
      WHERE q.event_id = ANY($1::text[]) AND q.observed_at = $2 AND q.provider = $3 AND q.poll_id = $4
      GROUP BY 1, 2, 3`,
    [poll.eventIds, poll.polledAt, provider.name, poll.pollId],
  );
  const b = new RedisBatch();
  if (poll.eventIds.length) b.call('del', ...poll.eventIds.map((ev) => keys.last(provider.name, ev)));
  announceChanges(
    b,
    keys,
    { provider: provider.name, pollId: poll.pollId, observedAt: poll.polledAt },
    rows.map((r) => ({ market: r.market, event: r.event_id, sport: r.sport, changes: Number(r.n) })),
  );
  b.last('set', keys.applied(provider.name), poll.pollId);
  await b.exec(redis);
}

/** Rejects outside a poll (results endpoint): recorded with no poll id. */
export async function recordRejects(
  db: Pool,
  provider: string,
  pollId: string | null,
  rejects: readonly RejectInput[],
): Promise<void> {
  await insertRejects(db, provider, pollId, rejects);
}
