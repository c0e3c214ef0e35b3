import { parseMarketKeyString, type MarketKey } from '../entities';
import type { BoardEvent, BoardQuote, BoardSnapshot } from './board';

/**
 * The board a strategy worker keeps in memory (issue 14): every market's quotes packed in typed arrays
 * (about a hundred bytes per quote instead of a BoardQuote object with its strings), a version per market
 * so a sweep can take only the markets changed since its last one, and the per-market checksum ingestion
 * writes in the change stream. Pure: the Redis-following loop is activities/strategies/live-board.ts.
 */

/** One quote as ingestion stores it in a market hash (the BoardEntry fields the board needs). */
export interface LiveEntry {
  price: string;
  point: string | null;
  provider: string;
  observedAt: string;
  sourceUpdatedAt: string | null;
  seenAt?: number;
  staleAt?: number;
  pollId?: string;
}

// Packed layout, per quote: ints [book, outcome, point (-1: null), price, provider, poll, hasSource],
// floats [atMs, seenAt, staleAt].
const NI = 7;
const NF = 3;

interface PackedMarket {
  key: string;
  market: MarketKey;
  version: number;
  ints: Int32Array;
  floats: Float64Array;
  /** Earliest staleAt of its quotes (the follower re-reads the market from Redis before then). */
  minStaleAt: number;
}

/** FNV-1a, 32 bits: cheap and good enough to catch a quote the board holds differently from Redis. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Checksum of the quotes one poll wrote to a market: "<count>:<hex>", the XOR of one hash per board hash
 * field and price, so the order of the fields does not matter. Ingestion puts it in the change-stream entry
 * (`sum`); the live board recomputes it over the quotes it holds from that provider and poll.
 */
export function marketChecksum(quotes: Iterable<{ field: string; price: string }>): string {
  let x = 0;
  let n = 0;
  for (const q of quotes) {
    x = (x ^ fnv1a(`${q.field}\u0000${q.price}`)) >>> 0;
    n++;
  }
  return `${n}:${x.toString(16)}`;
}

export class LiveBoardIndex {
  private readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly markets = new Map<string, PackedMarket>();
  private readonly events = new Map<string, BoardEvent>();
  private readonly marketsOfEvent = new Map<string, Set<string>>();
  /** Change log: market keys in version order (versions log[i] = logBase + i + 1). */
  private log: string[] = [];
  private logBase = 0;
  private quotes = 0;
  /** Bumped on every change; a consumer remembers the version it swept. */
  version = 0;
  /** Bumped on every rebuild: a consumer's version from another epoch means "sweep everything". */
  epoch = 0;

  get quoteCount(): number {
    return this.quotes;
  }
  get marketCount(): number {
    return this.markets.size;
  }

  /** Start over (a resync): every consumer's next sweep is a full one. */
  clear(): void {
    this.markets.clear();
    this.events.clear();
    this.marketsOfEvent.clear();
    this.log = [];
    this.logBase = this.version;
    this.quotes = 0;
    this.epoch++;
  }

  private intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  private touch(key: string): void {
    this.version++;
    this.log.push(key);
    // Keep the log about as long as the board: older consumers fall back to a full sweep.
    if (this.log.length > Math.max(1024, 2 * this.markets.size)) {
      const drop = this.log.length >> 1;
      this.log = this.log.slice(drop);
      this.logBase += drop;
    }
  }

  setEvent(event: BoardEvent): void {
    const old = this.events.get(event.id);
    this.events.set(event.id, event);
    if (old && JSON.stringify(old) === JSON.stringify(event)) return;
    for (const key of this.marketsOfEvent.get(event.id) ?? []) this.touch(key);
  }

  event(id: string): BoardEvent | undefined {
    return this.events.get(id);
  }

  /**
   * Replace a market with the fields of its Redis hash ("<bookmaker>|<outcome>|<point or ->" → entry).
   * An empty hash removes the market. Unparseable fields are left out, as the Redis reader does.
   */
  setMarket(key: string, hash: Record<string, LiveEntry>): void {
    const old = this.markets.get(key);
    let market: MarketKey;
    try {
      market = old?.market ?? parseMarketKeyString(key);
    } catch {
      return;
    }
    const fields = Object.keys(hash);
    const ints = new Int32Array(fields.length * NI);
    const floats = new Float64Array(fields.length * NF);
    let n = 0;
    let minStaleAt = Infinity;
    for (const field of fields) {
      const e = hash[field]!;
      const first = field.indexOf('|');
      const last = field.lastIndexOf('|');
      if (first < 0 || last <= first || typeof e.price !== 'string') continue;
      const seenAt = typeof e.seenAt === 'number' ? e.seenAt : Date.parse(e.observedAt);
      const bookAge = e.sourceUpdatedAt
        ? Math.max(0, Date.parse(e.observedAt) - Date.parse(e.sourceUpdatedAt))
        : 0;
      const staleAt = typeof e.staleAt === 'number' ? e.staleAt : Infinity;
      const i = n * NI;
      ints[i] = this.intern(field.slice(0, first));
      ints[i + 1] = this.intern(field.slice(first + 1, last));
      ints[i + 2] = e.point === null ? -1 : this.intern(e.point);
      ints[i + 3] = this.intern(e.price);
      ints[i + 4] = this.intern(e.provider);
      ints[i + 5] = this.intern(e.pollId ?? '');
      ints[i + 6] = e.sourceUpdatedAt ? 1 : 0;
      const f = n * NF;
      floats[f] = seenAt - bookAge;
      floats[f + 1] = seenAt;
      floats[f + 2] = staleAt;
      if (staleAt < minStaleAt) minStaleAt = staleAt;
      n++;
    }
    this.quotes -= old ? old.ints.length / NI : 0;
    if (n === 0) {
      if (!old) return;
      this.markets.delete(key);
      this.marketsOfEvent.get(market.eventId)?.delete(key);
      this.touch(key);
      return;
    }
    this.quotes += n;
    this.markets.set(key, {
      key,
      market,
      version: this.version + 1,
      ints: n === fields.length ? ints : ints.slice(0, n * NI),
      floats: n === fields.length ? floats : floats.slice(0, n * NF),
      minStaleAt,
    });
    let set = this.marketsOfEvent.get(market.eventId);
    if (!set) this.marketsOfEvent.set(market.eventId, (set = new Set()));
    set.add(key);
    this.touch(key);
  }

  /** Markets changed after `version` of this epoch, or null when the log no longer reaches back that far. */
  changedSince(epoch: number, version: number): Set<string> | null {
    if (epoch !== this.epoch || version < this.logBase) return null;
    return new Set(this.log.slice(version - this.logBase));
  }

  /**
   * Markets whose inputs change with time alone between two sweeps: a quote crossing `maxAgeMs` or its
   * staleAt, an event starting (its phase turns in-play). A full sweep sees these; an incremental one must
   * take them too, or it would miss what ageing alone makes (or unmakes).
   */
  timeChanged(fromMs: number, toMs: number, maxAgeMs: number | null): Set<string> {
    const out = new Set<string>();
    for (const m of this.markets.values()) {
      const f = m.floats;
      for (let i = 0; i < f.length; i += NF) {
        const aged = maxAgeMs !== null && f[i]! + maxAgeMs >= fromMs && f[i]! + maxAgeMs < toMs;
        const stale = f[i + 2]! > fromMs && f[i + 2]! <= toMs;
        if (aged || stale) {
          out.add(m.key);
          break;
        }
      }
    }
    for (const [id, e] of this.events) {
      const start = Date.parse(e.startTime);
      if (start > fromMs && start <= toMs) for (const k of this.marketsOfEvent.get(id) ?? []) out.add(k);
    }
    return out;
  }

  /**
   * Markets whose first quote goes stale in (fromMs, toMs]: the follower re-reads them, since ingestion
   * refreshes unchanged quotes in Redis without a change-stream entry.
   */
  expiringBetween(fromMs: number, toMs: number): string[] {
    const out: string[] = [];
    for (const m of this.markets.values()) if (m.minStaleAt > fromMs && m.minStaleAt <= toMs) out.push(m.key);
    return out;
  }

  /** The checksum of the quotes one provider's poll wrote to a market, as the board holds them. */
  checksum(key: string, provider: string, pollId: string): string {
    const m = this.markets.get(key);
    const p = this.ids.get(provider);
    const poll = this.ids.get(pollId);
    const picked: { field: string; price: string }[] = [];
    if (m && p !== undefined && poll !== undefined) {
      const s = this.strings;
      for (let i = 0; i < m.ints.length; i += NI) {
        if (m.ints[i + 4] !== p || m.ints[i + 5] !== poll) continue;
        const point = m.ints[i + 2]! < 0 ? '-' : s[m.ints[i + 2]!]!;
        picked.push({ field: `${s[m.ints[i]!]}|${s[m.ints[i + 1]!]}|${point}`, price: s[m.ints[i + 3]!]! });
      }
    }
    return marketChecksum(picked);
  }

  /**
   * The board at `asOfMs` as strategies take it: every market (keys null) or the given ones, only events
   * of `sports` when given, entries past their staleAt left out (the Redis reader's rules).
   */
  snapshot(asOfMs: number, keys: Iterable<string> | null, sports: readonly string[] | null): BoardSnapshot {
    const sportSet = sports ? new Set(sports) : null;
    const events: Record<string, BoardEvent> = {};
    const quotes: BoardQuote[] = [];
    const s = this.strings;
    const iso = new Map<number, string>();
    const text = (t: number) => {
      let v = iso.get(t);
      if (v === undefined) iso.set(t, (v = new Date(t).toISOString()));
      return v;
    };
    const take = (m: PackedMarket | undefined) => {
      if (!m) return;
      const event = this.events.get(m.market.eventId);
      if (!event || (sportSet && !sportSet.has(event.sport))) return;
      const { ints, floats } = m;
      let any = false;
      for (let i = 0, f = 0; i < ints.length; i += NI, f += NF) {
        if (floats[f + 2]! <= asOfMs) continue;
        const atMs = floats[f]!;
        quotes.push({
          market: m.market,
          outcome: s[ints[i + 1]!]!,
          point: ints[i + 2]! < 0 ? null : s[ints[i + 2]!]!,
          provider: s[ints[i + 4]!]!,
          bookmaker: s[ints[i]!]!,
          price: s[ints[i + 3]!]!,
          observedAt: text(floats[f + 1]!),
          sourceUpdatedAt: ints[i + 6] ? text(atMs) : null,
          atMs,
        });
        any = true;
      }
      if (any) events[event.id] = event;
    };
    if (keys === null) for (const m of this.markets.values()) take(m);
    else for (const k of keys) take(this.markets.get(k));
    return { asOf: new Date(asOfMs).toISOString(), cursor: null, events, quotes };
  }
}
