import type { Redis } from '../infra/redis';
import { RedisBatch } from '../infra/redis-batch';
import { marketKeyString, type MarketKey } from '../../shared/entities';
import { D, toDecimalString } from '../../shared/math';
import type { BoardQuote } from '../../shared/strategies';
import { ingestKeys } from '../ingestion/keys';
import { boardField } from '../ingestion/changes';
import type { BoardEntry as IngestBoardEntry } from '../ingestion/board';

/**
 * The current odds board as the bet lifecycle reads it (re-quote, closing line), in ingestion's layout
 * (activities/ingestion/keys.ts): HASH `${prefix}board:${marketKeyString(market)}`, field
 * `${bookmaker}|${outcome}|${point ?? '-'}`, value a JSON BoardEntry {price, observedAt, seenAt, staleAt…}.
 */
export interface BoardPrice {
  price: string;
  /** When the price was last confirmed (ingestion's `seenAt`, else `observedAt`). */
  observedAt: string;
  /** Ingestion's own staleness limit (ms), when it set one. */
  staleAt: number | null;
}

/** The board's price for one slot of the market (bookmaker, outcome, signed point). */
export type SlotPrice = BoardPrice & Pick<BoardQuote, 'bookmaker' | 'outcome' | 'point'>;

export interface QuoteLookup {
  currentQuote(
    market: MarketKey,
    bookmaker: string,
    outcome: string,
    point: string | null,
  ): Promise<BoardPrice | null>;
  marketQuotes(market: MarketKey): Promise<SlotPrice[]>;
}

const norm = (x: string | null): string | null => (x === null ? null : toDecimalString(new D(x)));

export function boardMarketKey(prefix: string, market: MarketKey): string {
  return ingestKeys(prefix).market(marketKeyString({ ...market, line: norm(market.line) }));
}

function parseEntry(value: string | null | undefined): BoardPrice | null {
  if (!value) return null;
  try {
    const v = JSON.parse(value) as Partial<IngestBoardEntry>;
    if (typeof v.price !== 'string') return null;
    const seen = typeof v.seenAt === 'number' ? new Date(v.seenAt).toISOString() : v.observedAt;
    if (typeof seen !== 'string') return null;
    return { price: v.price, observedAt: seen, staleAt: typeof v.staleAt === 'number' ? v.staleAt : null };
  } catch {
    return null;
  }
}

export function createRedisQuoteLookup(redis: Redis, prefix: string): QuoteLookup {
  return {
    async currentQuote(market, bookmaker, outcome, point) {
      const field = boardField({ bookmaker, outcome, point: norm(point) });
      return parseEntry(await redis.hget(boardMarketKey(prefix, market), field));
    },
    async marketQuotes(market) {
      const all = await redis.hgetall(boardMarketKey(prefix, market));
      const out: SlotPrice[] = [];
      for (const [field, value] of Object.entries(all)) {
        const entry = parseEntry(value);
        const [bookmaker, outcome, point] = field.split('|');
        if (!entry || !bookmaker || !outcome || point === undefined) continue;
        out.push({ ...entry, bookmaker, outcome, point: point === '-' ? null : point });
      }
      return out;
    },
  };
}

/** Put quotes on the board in ingestion's layout (tests and the bench seed boards with it). */
export async function writeBoardQuotes(
  redis: Redis,
  prefix: string,
  market: MarketKey,
  quotes: readonly {
    bookmaker: string;
    outcome: string;
    point: string | null;
    price: string;
    observedAt?: string;
  }[],
  stalenessSeconds = 3600,
): Promise<void> {
  if (quotes.length === 0) return;
  const now = Date.now();
  const fields: string[] = [];
  for (const q of quotes) {
    const observedAt = q.observedAt ?? new Date(now).toISOString();
    const seenAt = Date.parse(observedAt);
    const entry: IngestBoardEntry = {
      price: q.price,
      point: norm(q.point),
      provider: 'test',
      observedAt,
      sourceUpdatedAt: null,
      changedAt: observedAt,
      seenAt,
      staleAt: seenAt + stalenessSeconds * 1000,
      pollId: 'test',
    };
    fields.push(
      boardField({ bookmaker: q.bookmaker, outcome: q.outcome, point: norm(q.point) }),
      JSON.stringify(entry),
    );
  }
  const keys = ingestKeys(prefix);
  const mk = marketKeyString({ ...market, line: norm(market.line) });
  await new RedisBatch()
    .call('hset', keys.market(mk), ...fields)
    .call('zadd', keys.eventMarkets(market.eventId), now, mk)
    .exec(redis);
}
