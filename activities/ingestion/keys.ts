import type { RedisBatch } from '../infra/redis-batch';

/**
 * Redis key layout of the odds board and of ingestion's own state (every key under config.redis.keyPrefix):
 *
 *   board:<marketKey>             HASH  field "<bookmaker>|<outcome>|<point or ->" → quote JSON; EXPIRE = staleness
 *   board:ev:<eventId>:markets    ZSET  market keys of the event, score = last refresh (ms)
 *   board:ev:<eventId>:info       STRING event JSON (sport, participants, start, status)
 *   board:sport:<sport>           ZSET  event ids, score = last refresh (ms)
 *   board:sports                  ZSET  sports with a board, score = last refresh (ms)
 *   odds:changes                  STREAM one entry per changed market per poll (XADD MAXLEN ~)
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
/** Change-stream length (approximate trim). */
export const CHANGES_STREAM_MAXLEN = 100_000;

/** One entry of the change stream: a market whose quotes changed, from which poll, how many changes. */
export interface MarketChange {
  market: string;
  event: string;
  sport: string;
  provider: string;
  poll: string;
  observedAt: string;
  changes: number | string;
  /**
   * marketChecksum (shared/strategies/live-index.ts) of the quotes this poll wrote to the market; a live
   * board that holds them differently resynchronises from Redis. Absent in entries from older writers.
   */
  sum?: string;
}

/** Append a market change to the stream (in the caller's batch), in the one layout its readers parse. */
export function addMarketChange(batch: RedisBatch, keys: IngestKeys, c: MarketChange): void {
  batch.call(
    'xadd',
    keys.changesStream,
    'MAXLEN',
    '~',
    String(CHANGES_STREAM_MAXLEN),
    '*',
    'market',
    c.market,
    'event',
    c.event,
    'sport',
    c.sport,
    'provider',
    c.provider,
    'poll',
    c.poll,
    'observedAt',
    c.observedAt,
    'changes',
    String(c.changes),
    ...(c.sum === undefined ? [] : ['sum', c.sum]),
  );
}

/** A changed market as a poll announces it (MarketChange without the poll's own fields). */
export type ChangedMarket = Omit<MarketChange, 'provider' | 'poll' | 'observedAt'>;

/**
 * Announce a poll's changed markets, in the caller's batch: one stream entry each, and one pub/sub message
 * for the poll (what sweeps waiting on the channel wake up to). Nothing when no market changed.
 */
export function announceChanges(
  batch: RedisBatch,
  keys: IngestKeys,
  poll: { provider: string; pollId: string; observedAt: string },
  markets: readonly ChangedMarket[],
): void {
  if (markets.length === 0) return;
  for (const m of markets) {
    addMarketChange(batch, keys, {
      ...m,
      provider: poll.provider,
      poll: poll.pollId,
      observedAt: poll.observedAt,
    });
  }
  batch.call(
    'publish',
    keys.changesChannel,
    JSON.stringify({
      ...poll,
      markets: markets.map((m) => ({
        market: m.market,
        event: m.event,
        sport: m.sport,
        changes: Number(m.changes),
      })),
    }),
  );
}
