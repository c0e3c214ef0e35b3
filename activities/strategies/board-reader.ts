import type { Redis } from '../infra/redis';
import { EventStatus, marketKeyString, parseMarketKeyString, type MarketKey } from '../../shared/entities';
import type { BoardEvent, BoardQuote, BoardSnapshot } from '../../shared/strategies';
import { announceChanges, ingestKeys, type ChangedMarket } from '../ingestion/keys';
import { RedisBatch } from '../infra/redis-batch';
import { marketChecksum } from '../../shared/strategies/live-index';
import type { BoardEntry, BoardEventInfo } from '../ingestion/board';

/**
 * How strategies see the current board: read it (optionally one set of sports), and wait until it changes.
 * The sweep activity depends on this interface only (ActivityDeps.boardReader); the default implementation
 * reads ingestion's Redis layout.
 */
export interface BoardFilter {
  sports?: readonly string[] | null;
}

export interface BoardChange {
  /** True when the change stream moved past `since`. */
  changed: boolean;
  /** The stream position to wait from next time. */
  cursor: string;
}

export interface BoardReader {
  /** The board now; `cursor` is the change-stream position read before the board, so no change is missed. */
  read(filter?: BoardFilter): Promise<BoardSnapshot>;
  /** Resolve when the board changes after `since`, or after `timeoutMs` with changed=false. */
  waitForChange(
    since: string | null,
    timeoutMs: number,
    options?: { onTick?: () => void; signal?: AbortSignal },
  ): Promise<BoardChange>;
}

/**
 * The Redis board as ingestion writes it (activities/ingestion/keys.ts, all under config.redis.keyPrefix):
 *
 *   board:sports                ZSET   sports with a board
 *   board:sport:<sport>         ZSET   event ids of the sport
 *   board:ev:<eventId>:info     STRING event JSON {eventId, sport, league, startTime, status, participants}
 *   board:ev:<eventId>:markets  ZSET   market keys (marketKeyString) of the event
 *   board:<marketKey>           HASH   "<bookmaker>|<outcome>|<point or ->" → BoardEntry JSON
 *   odds:changes                STREAM one entry per poll: its changed markets
 *
 * Read in three pipelined round trips (events, markets, hashes) whatever the board's size. An entry past
 * its `staleAt` is left out. A quote's age is the book's age when observed plus the time since we saw it
 * (ingestion's rule): observedAt = seenAt, sourceUpdatedAt = seenAt − (observedAt − sourceUpdatedAt).
 */
export function createRedisBoardReader(
  redis: Redis,
  prefix: string,
  options: { now?: () => number; pollMs?: number } = {},
): BoardReader {
  const now = options.now ?? Date.now;
  // Interned names across reads: the strategies compare and look up these strings once per quote, and
  // one shared string per bookmaker (instead of a fresh copy per quote) makes that cheap.
  const slots = new Map<string, { bookmaker: string; outcome: string } | null>();
  const strings = new Map<string, string>();
  const intern = (s: string): string => {
    let v = strings.get(s);
    if (v === undefined) {
      if (strings.size > 100_000) strings.clear();
      strings.set(s, (v = s));
    }
    return v;
  };
  const slotOf = (field: string) => {
    let v = slots.get(field);
    if (v === undefined) {
      const first = field.indexOf('|');
      const last = field.lastIndexOf('|');
      v =
        first < 0 || last <= first
          ? null
          : { bookmaker: intern(field.slice(0, first)), outcome: intern(field.slice(first + 1, last)) };
      if (slots.size > 500_000) slots.clear();
      slots.set(field, v);
    }
    return v;
  };
  return {
    async read(filter = {}) {
      const asOfMs = now();
      const { cursor, events, markets: raw } = await readRawBoard(redis, prefix, filter.sports ?? null);
      const marketKeys = raw.map(([mk]) => mk);
      const hashes = raw.map(([, hash]) => hash);
      const quotes: BoardQuote[] = [];
      const iso = isoCache();
      marketKeys.forEach((mk, i) => {
        const hash = hashes[i]!;
        let market: MarketKey;
        try {
          market = parseMarketKeyString(mk);
        } catch {
          return;
        }
        for (const field in hash) {
          let entry: BoardEntry;
          try {
            entry = JSON.parse(hash[field]!) as BoardEntry;
          } catch {
            continue;
          }
          if (typeof entry.staleAt === 'number' && entry.staleAt <= asOfMs) continue;
          const slot = slotOf(field);
          if (!slot) continue;
          const seenAt = typeof entry.seenAt === 'number' ? entry.seenAt : Date.parse(entry.observedAt);
          const bookAge = entry.sourceUpdatedAt
            ? Math.max(0, iso.ms(entry.observedAt) - iso.ms(entry.sourceUpdatedAt))
            : 0;
          const atMs = entry.sourceUpdatedAt ? seenAt - bookAge : seenAt;
          quotes.push({
            market,
            outcome: slot.outcome,
            point: entry.point === null ? null : intern(entry.point),
            provider: intern(entry.provider),
            bookmaker: slot.bookmaker,
            price: entry.price,
            observedAt: iso.text(seenAt),
            sourceUpdatedAt: entry.sourceUpdatedAt ? iso.text(atMs) : null,
            atMs,
          });
        }
      });
      return { asOf: new Date(asOfMs).toISOString(), cursor, events, quotes };
    },

    waitForChange: (since, timeoutMs, opts) =>
      waitForStreamChange(redis, prefix, since, timeoutMs, { ...opts, pollMs: options.pollMs }),
  };
}

/**
 * The board's events and market hashes as Redis holds them, in three pipelined round trips, and the
 * change-stream position read before them (so no change after it is missed). The sweep's reader and the
 * live board's resynchronisation both start here.
 */
export async function readRawBoard(
  redis: Redis,
  prefix: string,
  sports: readonly string[] | null,
): Promise<{
  cursor: string;
  events: Record<string, BoardEvent>;
  markets: [string, Record<string, string>][];
}> {
  const keys = ingestKeys(prefix);
  const last = await redis.xrevrange(keys.changesStream, '+', '-', 'COUNT', 1);
  const cursor = last[0]?.[0] ?? '0-0';
  const sportList = sports ?? (await redis.zrange(keys.sports, '0', '-1'));
  const sportPipe = redis.pipeline();
  for (const s of sportList) sportPipe.zrange(keys.sportEvents(s), '0', '-1');
  const eventIds = [...new Set((await execAll<string[]>(sportPipe)).flat())];

  const eventPipe = redis.pipeline();
  for (const id of eventIds) eventPipe.get(keys.eventInfo(id)).zrange(keys.eventMarkets(id), '0', '-1');
  const eventReplies = await execAll<string | string[] | null>(eventPipe);
  const events: Record<string, BoardEvent> = {};
  const marketKeys: string[] = [];
  eventIds.forEach((id, i) => {
    const info = eventReplies[2 * i] as string | null;
    const markets = (eventReplies[2 * i + 1] as string[] | null) ?? [];
    if (!info) return;
    const event = toBoardEvent(id, info);
    if (!event) return;
    events[id] = event;
    for (const mk of markets) marketKeys.push(mk);
  });

  const marketPipe = redis.pipeline();
  for (const mk of marketKeys) marketPipe.hgetall(keys.market(mk));
  const hashes = await execAll<Record<string, string>>(marketPipe);
  return { cursor, events, markets: marketKeys.map((mk, i) => [mk, hashes[i] ?? {}]) };
}

export function toBoardEvent(id: string, info: string): BoardEvent | null {
  try {
    // Written by other processes: every field may be missing; a participant may carry its own id.
    const e = JSON.parse(info) as Partial<Omit<BoardEventInfo, 'participants'>> & {
      participants?: { id?: string; name: string; role: string }[];
    };
    if (!e.sport || !e.startTime || !Number.isFinite(Date.parse(e.startTime))) return null;
    const status = EventStatus.safeParse(e.status);
    return {
      id,
      sport: e.sport,
      league: e.league ?? null,
      startTime: new Date(Date.parse(e.startTime)).toISOString(),
      status: status.success ? status.data : 'scheduled',
      participants: (e.participants ?? []).map((p) => ({ id: p.id ?? p.name, name: p.name, role: p.role })),
    };
  } catch {
    return null;
  }
}

/**
 * Resolve when the change stream moves past `since` (or at the timeout with changed=false). Polls the
 * stream's last id on the shared connection (no blocking XREAD holding a connection).
 */
export async function waitForStreamChange(
  redis: Redis,
  prefix: string,
  since: string | null,
  timeoutMs: number,
  { onTick, signal, pollMs = 200 }: { onTick?: () => void; signal?: AbortSignal; pollMs?: number } = {},
): Promise<BoardChange> {
  const keys = ingestKeys(prefix);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await redis.xrevrange(keys.changesStream, '+', '-', 'COUNT', 1);
    const cursor = last[0]?.[0] ?? '0-0';
    if (since === null || compareIds(cursor, since) > 0) return { changed: since !== null, cursor };
    const left = deadline - Date.now();
    if (left <= 0 || signal?.aborted) return { changed: false, cursor };
    onTick?.();
    await new Promise((r) => setTimeout(r, Math.min(pollMs, left)));
  }
}

/** Stream ids "ms-seq" compare numerically. */
export function compareIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  return Number(am) - Number(bm) || Number(as) - Number(bs);
}

function isoCache() {
  const ms = new Map<string, number>();
  const text = new Map<number, string>();
  return {
    ms(s: string): number {
      let v = ms.get(s);
      if (v === undefined) ms.set(s, (v = Date.parse(s)));
      return v;
    },
    text(t: number): string {
      let v = text.get(t);
      if (v === undefined) text.set(t, (v = new Date(t).toISOString()));
      return v;
    },
  };
}

async function execAll<T>(pipe: ReturnType<Redis['pipeline']>): Promise<T[]> {
  const results = (await pipe.exec()) ?? [];
  return results.map(([err, value]) => {
    if (err) throw err;
    return value as T;
  });
}

/**
 * The writer counterpart, for tests and the bench: puts a snapshot on the board in exactly the layout the
 * reader (and ingestion's applyToRedis) uses, and announces each market on the change stream.
 */
export async function writeBoard(
  redis: Redis,
  prefix: string,
  snapshot: Pick<BoardSnapshot, 'events' | 'quotes'>,
  options: { stalenessSeconds?: number; seenAtMs?: number; provider?: string; pollId?: string } = {},
): Promise<{ markets: number; quotes: number }> {
  const keys = ingestKeys(prefix);
  const seenAt = options.seenAtMs ?? Date.now();
  const ttl = options.stalenessSeconds ?? 3600;
  const byMarket = new Map<string, string[]>();
  const marketsByEvent = new Map<string, Set<string>>();
  for (const q of snapshot.quotes) {
    const mk = marketKeyString(q.market);
    const entry: BoardEntry = {
      price: q.price,
      point: q.point,
      provider: options.provider ?? q.provider,
      observedAt: q.observedAt,
      sourceUpdatedAt: q.sourceUpdatedAt,
      changedAt: q.observedAt,
      seenAt,
      staleAt: seenAt + ttl * 1000,
      pollId: options.pollId ?? 'board-writer',
    };
    const fields = byMarket.get(mk) ?? [];
    fields.push(`${q.bookmaker}|${q.outcome}|${q.point ?? '-'}`, JSON.stringify(entry));
    byMarket.set(mk, fields);
    const set = marketsByEvent.get(q.market.eventId) ?? new Set<string>();
    set.add(mk);
    marketsByEvent.set(q.market.eventId, set);
  }
  const b = new RedisBatch();
  for (const [mk, fields] of byMarket)
    b.call('hset', keys.market(mk), ...fields).call('expire', keys.market(mk), ttl);
  for (const [eventId, markets] of marketsByEvent) {
    const event = snapshot.events[eventId];
    if (!event) continue;
    b.call('zadd', keys.eventMarkets(eventId), ...[...markets].flatMap((mk) => [String(seenAt), mk]));
    const info: BoardEventInfo = {
      eventId,
      sport: event.sport,
      league: event.league,
      startTime: event.startTime,
      status: event.status,
      participants: event.participants.map((p) => ({ name: p.name, role: p.role })),
    };
    b.call('set', keys.eventInfo(eventId), JSON.stringify(info), 'EX', ttl);
    b.call('zadd', keys.sportEvents(event.sport), String(seenAt), eventId);
    b.call('zadd', keys.sports, String(seenAt), event.sport);
  }
  const pollId = options.pollId ?? 'board-writer';
  // One announcement per provider: a market's checksum is of the quotes one provider's poll wrote.
  const byProvider = new Map<string, ChangedMarket[]>();
  for (const [mk, fields] of byMarket) {
    const eventId = mk.split('|')[0]!;
    const written: { field: string; price: string }[] = [];
    let provider = options.provider ?? 'board-writer';
    for (let f = 0; f < fields.length; f += 2) {
      const entry = JSON.parse(fields[f + 1]!) as BoardEntry;
      written.push({ field: fields[f]!, price: entry.price });
      provider = entry.provider;
    }
    const list = byProvider.get(provider) ?? [];
    list.push({
      market: mk,
      event: eventId,
      sport: snapshot.events[eventId]?.sport ?? '?',
      changes: fields.length / 2,
      sum: marketChecksum(written),
    });
    byProvider.set(provider, list);
  }
  for (const [provider, markets] of byProvider)
    announceChanges(b, keys, { provider, pollId, observedAt: new Date(seenAt).toISOString() }, markets);
  await b.exec(redis);
  return { markets: byMarket.size, quotes: snapshot.quotes.length };
}
