import type { RedisBatch } from '../infra/redis-batch';

/**
 * Redis key layout of the odds board and of ingestion's own state (every key under config.redis.keyPrefix):
 *
 *   board:<marketKey>             HASH  field "<bookmaker>|<outcome>|<point or ->" → quote JSON; EXPIRE = staleness
 *   board:ev:<eventId>:markets    ZSET  market keys of the event, score = last refresh (ms)
 *   board:ev:<eventId>:info       STRING event JSON (sport, participants, start, status)
 *   board:sport:<sport>           ZSET  event ids, score = last refresh (ms)
 *   board:sports                  ZSET  sports with a board, score = last refresh (ms)
 *   odds:changes                  STREAM one entry per poll with changes: its changed markets (XADD MAXLEN ~)
 *   odds:changes                  PUB/SUB channel: one JSON message per poll with changes
 *   ingest:last:<provider>:<ev>   HASH  "<type>|<period>|<bookmaker>|<outcome>" → "<point>|<price>|<changedAt>"
 *                                       (last known price for change detection; rebuilt from PostgreSQL when lost)
 *   ingest:applied:<provider>     STRING the last poll id whose effects reached Redis
 *
 * `<marketKey>` is marketKeyString(): "<eventId>|<marketType>|<period>|<line or ->" (it always holds "|", so
 * market hashes never collide with the index keys). The quote JSON has at least { price, observedAt, provider }
 * (see BoardEntry), the layout activities/bets/quotes.ts reads.
 */
export function ingestKeys(prefix: string) {
  return {
    market: (marketKey: string) => `${prefix}board:${marketKey}`,
    eventMarkets: (eventId: string) => `${prefix}board:ev:${eventId}:markets`,
    eventInfo: (eventId: string) => `${prefix}board:ev:${eventId}:info`,
    sportEvents: (sport: string) => `${prefix}board:sport:${sport}`,
    sports: `${prefix}board:sports`,
    changesStream: `${prefix}odds:changes`,
    changesChannel: `${prefix}odds:changes`,
    last: (provider: string, eventId: string) => `${prefix}ingest:last:${provider}:${eventId}`,
    applied: (provider: string) => `${prefix}ingest:applied:${provider}`,
  };
}
export type IngestKeys = ReturnType<typeof ingestKeys>;

/** Marker field of a last-known hash: present once the hash reflects PostgreSQL for that event. */
export const LAST_KNOWN_MARKER = '_';
/** Last-known hashes outlive their events a while; PostgreSQL rebuilds them when they are gone. */
export const LAST_KNOWN_TTL_SECONDS = 14 * 24 * 3600;
/**
 * Change-stream length in entries, one per poll (approximate trim): about a thousand polls, at most some tens of
 * MB for the largest recorded responses (about 250 changed markets a poll).
 */
export const CHANGES_STREAM_MAXLEN = 1_000;

/** A market whose quotes a poll changed, as its change-stream entry and pub/sub message list it. */
export interface ChangedMarket {
  market: string;
  event: string;
  sport: string;
  changes: number;
  /**
   * marketChecksum (shared/strategies/live-index.ts) of the quotes this poll wrote to the market; a live
   * board that holds them differently resynchronises from Redis. Absent in entries from older writers.
   */
  sum?: string;
}

/** A changed market with the poll it came from: what a change-stream reader gets from either layout. */
export interface MarketChange extends ChangedMarket {
  provider: string;
  poll: string;
  observedAt: string;
}

/**
 * Announce a poll's changed markets, in the caller's batch: ONE change-stream entry for the poll (fields
 * provider, poll, observedAt and markets, a JSON array of ChangedMarket) and one pub/sub message (the same,
 * as one JSON object, with pollId). Nothing when no market changed. Entries of older writers are one per
 * market (fields market, event, sport, provider, poll, observedAt, changes, sum): readChangeEntry reads both.
 */
export function announceChanges(
  batch: RedisBatch,
  keys: IngestKeys,
  poll: { provider: string; pollId: string; observedAt: string },
  markets: readonly ChangedMarket[],
): void {
  if (markets.length === 0) return;
  const list = JSON.stringify(markets);
  batch.call(
    'xadd',
    keys.changesStream,
    'MAXLEN',
    '~',
    String(CHANGES_STREAM_MAXLEN),
    '*',
    'provider',
    poll.provider,
    'poll',
    poll.pollId,
    'observedAt',
    poll.observedAt,
    'markets',
    list,
  );
  batch.call(
    'publish',
    keys.changesChannel,
    `{"provider":${JSON.stringify(poll.provider)},"pollId":${JSON.stringify(poll.pollId)},"observedAt":${JSON.stringify(poll.observedAt)},"markets":${list}}`,
  );
}

/** The changed markets of one change-stream entry (field, value, field, value…), in either layout. */
export function readChangeEntry(fields: readonly string[]): MarketChange[] {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  const poll = { provider: f.provider ?? '', poll: f.poll ?? '', observedAt: f.observedAt ?? '' };
  if (f.markets !== undefined) {
    const list = JSON.parse(f.markets) as ChangedMarket[];
    return list.map((m) => ({ ...m, ...poll }));
  }
  if (f.market === undefined) return [];
  return [
    {
      market: f.market,
      event: f.event ?? '',
      sport: f.sport ?? '',
      changes: Number(f.changes ?? 0),
      ...(f.sum === undefined ? {} : { sum: f.sum }),
      ...poll,
    },
  ];
}
