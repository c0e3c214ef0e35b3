import type { Redis } from '../infra/redis';
import type { Logger } from '../infra/logger';
import { LiveBoardIndex, type LiveEntry, type LiveIndexedBoard } from '../../shared/strategies/live-index';
import { ingestKeys, readChangeEntry } from '../ingestion/keys';
import { compareIds, readRawBoard, toBoardEvent, type BoardReader } from './board-reader';

/**
 * The live board of a strategy worker process (issue 14): built once from Redis, then kept current from
 * ingestion's change stream (`odds:changes`) on a connection of its own. Redis stays the source of truth:
 * a changed market is re-read from its hash (never the whole board), and the board starts over from Redis
 * on start, on a gap in the stream (entries trimmed past our last id), on a reconnect, and when a market's
 * checksum differs from the one ingestion wrote in the entry. Quotes about to go stale are re-read too
 * (ingestion refreshes unchanged quotes without a stream entry).
 *
 * Sweeps take a view: everything, or only the events whose markets changed since that consumer's last
 * committed sweep (plus those that time alone changes), and a full one every `fullSweepEveryMs` as a safety
 * net. The view's board is the live index itself (its bet markets kept between sweeps), not a copy.
 */
export interface LiveBoard extends BoardReader {
  readonly index: LiveBoardIndex;
  /** Resolves once the first build from Redis is done. */
  ready(): Promise<void>;
  stop(): Promise<void>;
  sweepView(consumer: string, options: SweepViewOptions): Promise<SweepView>;
  readonly stats: LiveBoardStats;
}

export interface SweepViewOptions {
  sports: readonly string[] | null;
  /** The strategy's quote age limit: quotes crossing it change what a full sweep sees. */
  maxQuoteAgeMs: number | null;
}

export interface SweepView {
  full: boolean;
  /** Changed markets the view was taken for (every market of the board when full). */
  markets: number;
  /**
   * The board to evaluate at the view's instant, over the live index's own arrays: evaluate it before the
   * next await (the follower rewrites those arrays as changes arrive).
   */
  board(): LiveIndexedBoard;
  /** Call once the sweep's results and state are saved: the next view starts from this one. */
  commit(): void;
}

export interface LiveBoardStats {
  resyncs: number;
  gaps: number;
  reconnects: number;
  checksumMismatches: number;
  entriesApplied: number;
  marketsRead: number;
  lastId: string;
}

interface Consumer {
  epoch: number;
  version: number;
  asOfMs: number;
  fullAt: number;
}

export function createLiveBoard(
  redis: Redis,
  prefix: string,
  options: {
    fullSweepEveryMs: number;
    logger?: Logger;
    now?: () => number;
    /** XREAD block time: how often the loop also checks for quotes going stale. */
    blockMs?: number;
  },
): LiveBoard {
  const keys = ingestKeys(prefix);
  const now = options.now ?? Date.now;
  const log = options.logger;
  const index = new LiveBoardIndex();
  const consumers = new Map<string, Consumer>();
  const stats: LiveBoardStats = {
    resyncs: 0,
    gaps: 0,
    reconnects: 0,
    checksumMismatches: 0,
    entriesApplied: 0,
    marketsRead: 0,
    lastId: '0-0',
  };
  // Its own connection: XREAD BLOCK holds it, and a reconnect of it is what "we may have missed entries" means.
  const sub = redis.duplicate();
  let everReady = false;
  let resyncNeeded = true;
  sub.on('ready', () => {
    if (everReady) {
      stats.reconnects++;
      resyncNeeded = true;
    }
    everReady = true;
  });
  let stopped = false;
  let staleHorizon = 0;
  // Sweeps waiting for a change: woken as soon as entries are applied, not on their next check.
  const waiters = new Set<() => void>();
  const wakeWaiters = () => {
    for (const wake of waiters) wake();
  };
  let resolveReady!: () => void;
  let rejectReady!: (err: unknown) => void;
  const readyPromise = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  readyPromise.catch(() => undefined);

  const parseHash = (hash: Record<string, string>): Record<string, LiveEntry> => {
    const out: Record<string, LiveEntry> = {};
    for (const field in hash) {
      try {
        out[field] = JSON.parse(hash[field]!) as LiveEntry;
      } catch {
        // a field another writer garbled: left out, as the Redis reader does
      }
    }
    return out;
  };

  async function resync(reason: string): Promise<void> {
    const raw = await readRawBoard(sub, prefix, null);
    index.clear();
    for (const event of Object.values(raw.events)) index.setEvent(event);
    for (const [mk, hash] of raw.markets) index.setMarket(mk, parseHash(hash));
    stats.lastId = raw.cursor;
    stats.resyncs++;
    wakeWaiters();
    staleHorizon = now();
    resyncNeeded = false;
    log?.info(
      { reason, markets: index.marketCount, quotes: index.quoteCount },
      'live board built from Redis',
    );
  }

  /** Re-read markets and events from Redis (one pipelined round trip). */
  async function reread(markets: readonly string[], events: readonly string[]): Promise<void> {
    if (markets.length === 0 && events.length === 0) return;
    const pipe = sub.pipeline();
    for (const id of events) pipe.get(keys.eventInfo(id));
    for (const mk of markets) pipe.hgetall(keys.market(mk));
    const replies = (await pipe.exec()) ?? [];
    for (const [err] of replies) if (err) throw err;
    events.forEach((id, i) => {
      const info = replies[i]?.[1] as string | null;
      const event = info ? toBoardEvent(id, info) : null;
      if (event) index.setEvent(event);
    });
    markets.forEach((mk, i) => {
      index.setMarket(mk, parseHash((replies[events.length + i]?.[1] ?? {}) as Record<string, string>));
    });
    stats.marketsRead += markets.length;
  }

  async function applyEntries(entries: [string, string[]][]): Promise<void> {
    const changed = entries.flatMap(([, fields]) => readChangeEntry(fields));
    const markets = [...new Set(changed.map((c) => c.market).filter((m) => m !== ''))];
    const events = [...new Set(changed.map((c) => c.event).filter((m) => m !== ''))];
    await reread(markets, events);
    for (const c of changed) {
      if (!c.sum || !c.market || !c.provider || !c.poll) continue;
      const held = index.checksum(c.market, c.provider, c.poll);
      if (held === c.sum) continue;
      // Fewer of the poll's quotes than it wrote: a later poll overwrote some (its own entry follows).
      if (Number(held.split(':')[0]) < Number(c.sum.split(':')[0])) continue;
      stats.checksumMismatches++;
      resyncNeeded = true;
      log?.warn({ market: c.market, held, written: c.sum }, 'live board checksum mismatch: resynchronising');
    }
    stats.entriesApplied += entries.length;
    stats.lastId = entries[entries.length - 1]![0];
    wakeWaiters();
  }

  async function refreshExpiring(): Promise<void> {
    const horizon = now() + 2_000;
    const due = index.expiringBetween(staleHorizon, horizon);
    staleHorizon = horizon;
    await reread(due, []);
  }

  async function loop(): Promise<void> {
    let backoff = 100;
    while (!stopped) {
      try {
        if (resyncNeeded) {
          await resync(stats.resyncs === 0 ? 'start' : 'resynchronise');
          resolveReady();
        }
        const reply = await sub.xread(
          'COUNT',
          1000,
          'BLOCK',
          options.blockMs ?? 1000,
          'STREAMS',
          keys.changesStream,
          stats.lastId,
        );
        if (stopped) break;
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length && stats.lastId !== '0-0') {
          // Trimmed past our last id: entries between it and the oldest kept one may be lost.
          const first = await sub.xrange(keys.changesStream, '-', '+', 'COUNT', 1);
          if (first[0] && compareIds(first[0][0], stats.lastId) > 0) {
            stats.gaps++;
            resyncNeeded = true;
            continue;
          }
        }
        if (entries.length) await applyEntries(entries);
        if (!resyncNeeded) await refreshExpiring();
        backoff = 100;
      } catch (err) {
        if (stopped) break;
        if (stats.resyncs === 0 && !everReady) rejectReady(err);
        log?.warn({ err: String(err) }, 'live board: Redis error, resynchronising');
        resyncNeeded = true;
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(5_000, backoff * 2);
      }
    }
  }
  const running = loop();

  return {
    index,
    stats,
    ready: () => readyPromise,
    async stop() {
      stopped = true;
      wakeWaiters();
      sub.disconnect();
      await running;
    },

    async sweepView(consumer, { sports, maxQuoteAgeMs }) {
      await readyPromise;
      const asOfMs = now();
      const { epoch, version } = index;
      const last = consumers.get(consumer);
      const changed =
        last && asOfMs - last.fullAt < options.fullSweepEveryMs && asOfMs >= last.asOfMs
          ? index.changedSince(last.epoch, last.version)
          : null;
      let keysInView: Set<string> | null = null;
      if (changed && last) {
        keysInView = changed;
        for (const k of index.timeChanged(last.asOfMs, asOfMs, maxQuoteAgeMs)) keysInView.add(k);
      }
      const full = keysInView === null;
      return {
        board() {
          const board = index.board(asOfMs, keysInView, sports);
          board.snapshot.cursor = stats.lastId;
          return board;
        },
        full,
        markets: full ? index.marketCount : keysInView!.size,
        commit() {
          consumers.set(consumer, { epoch, version, asOfMs, fullAt: full ? asOfMs : last!.fullAt });
        },
      };
    },

    async read(filter = {}) {
      await readyPromise;
      const snapshot = index.snapshot(now(), null, filter.sports ?? null);
      snapshot.cursor = stats.lastId;
      return snapshot;
    },

    /** Resolves when this board has applied a change-stream entry after `since` (so a sweep will see it). */
    async waitForChange(since, timeoutMs, { onTick, signal } = {}) {
      await readyPromise;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const cursor = stats.lastId;
        if (since === null || compareIds(cursor, since) > 0) return { changed: since !== null, cursor };
        const left = deadline - Date.now();
        if (left <= 0 || signal?.aborted || stopped) return { changed: false, cursor };
        onTick?.();
        await new Promise<void>((r) => {
          const wake = () => {
            clearTimeout(timer);
            waiters.delete(wake);
            signal?.removeEventListener('abort', wake);
            r();
          };
          const timer = setTimeout(wake, Math.min(1_000, left));
          waiters.add(wake);
          signal?.addEventListener('abort', wake);
        });
      }
    },
  };
}
