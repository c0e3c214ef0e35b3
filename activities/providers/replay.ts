import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MarketType } from '../../shared/entities';
import { csvObjects, csvTable } from '../../shared/readers/csv';
import { lineChangeEvent, lineChangeQuote, type LineChangeEvent } from '../../shared/readers/line-changes';
import { parseOddsResponse } from '../../shared/readers/the-odds-api';
import { readDataText } from '../backtest/files';
import { configFailure } from './errors';
import type { ReplayOptions } from './options';
import type {
  FetchOddsRequest,
  OddsBatch,
  OddsProvider,
  ProviderCapabilities,
  ProviderEvent,
  ProviderQuote,
  RejectInput,
} from './types';

/**
 * Plays recorded data back as if it were polled live, at a chosen speed:
 *
 * - `line-changes`: the `<sport>_line_changes.csv.gz` files. Each recorded fetch time (`<sport>_snapshots.csv`)
 *   becomes one batch holding every (event, book, market, outcome) price known at that time for events not yet
 *   started — the book state as the fetcher saw it — so change detection writes back exactly the file's rows.
 * - `snapshots`: recorded `/v4/sports/{sport}/odds` responses, parsed by the same code as the live adapter.
 *
 * Prices are observed at the recorded time. The position (cursor) is stored with each committed poll, so a
 * restarted worker carries on where the last committed batch ended; `speed` recorded seconds pass per wall
 * second (null: one recorded fetch per poll, as fast as the poller asks).
 */

const SPORT_PREFIXES: Record<string, string> = {
  nfl: 'americanfootball_nfl',
  ncaaf: 'americanfootball_ncaaf',
  mlb: 'baseball_mlb',
  nba: 'basketball_nba',
  wnba: 'basketball_wnba',
  nhl: 'icehockey_nhl',
};

interface Cursor {
  v: 1;
  source: string;
  from: string | null;
  /** Recorded ms of the last batch served. */
  at: number;
  /** Whether playback began with the book state recorded before `from`. */
  primed: boolean;
  /** Wall ms when playback started and the recorded ms it started at (speed control). */
  wall0: number;
  rec0: number;
}

interface LcRow {
  ms: number;
  slot: string;
  eventId: string;
  quote: ProviderQuote | null;
  reject: RejectInput | null;
}

interface Tape {
  /** Sorted recorded fetch times (ms). */
  times: number[];
  /** The batch at recorded time `target`; `floor`: the earliest recorded time the book state includes. */
  batchAt(
    target: number,
    previous: number | null,
    floor: number | null,
  ): { events: ProviderEvent[]; quotes: ProviderQuote[]; rejects: RejectInput[] };
}

export interface ReplaySettings {
  name: string;
  options: ReplayOptions;
  /** Folder with line-changes/ and snapshots/. */
  dataDir: string;
  sports: readonly string[];
  now?: () => number;
}

export class ReplayProvider implements OddsProvider {
  readonly name: string;
  readonly type = 'replay' as const;
  readonly capabilities: ProviderCapabilities = {
    odds: true,
    results: false,
    placement: false,
    markets: MarketType.options,
    sports: null,
    recorded: true,
  };
  private tape: Tape | null = null;
  private tapeSports = '';
  private readonly now: () => number;

  constructor(private readonly s: ReplaySettings) {
    this.name = s.name;
    this.now = s.now ?? Date.now;
  }

  private load(sports: readonly string[]): Tape {
    const key = [...sports].sort().join(',');
    if (this.tape && this.tapeSports === key) return this.tape;
    const o = this.s.options;
    this.tape =
      o.source === 'snapshots'
        ? loadSnapshotTape(this.s.dataDir, sports, o.files)
        : loadLineChangeTape(this.s.name, this.s.dataDir, sports, o.files, {
            fromMs: o.from ? Date.parse(o.from) : null,
            toMs: o.to ? Date.parse(o.to) : null,
            prime: o.prime,
          });
    this.tapeSports = key;
    return this.tape;
  }

  fetchOdds(request: FetchOddsRequest): Promise<OddsBatch> {
    return Promise.resolve(this.fetchSync(request));
  }

  private fetchSync(request: FetchOddsRequest): OddsBatch {
    const o = this.s.options;
    const tape = this.load(request.sports);
    const fromMs = o.from ? Date.parse(o.from) : null;
    const toMs = o.to ? Date.parse(o.to) : Infinity;
    const prev = parseCursor(request.cursor);
    const fresh = !prev || prev.source !== o.source || prev.from !== (o.from ?? null);
    const inWindow = (t: number) => (fromMs === null || t >= fromMs) && t < toMs;

    let target: number | null = null;
    let priming = false;
    let previous: number | null = null;
    if (fresh) {
      if (o.prime && fromMs !== null) {
        target = lastBefore(tape.times, fromMs);
        priming = target !== null;
      }
      if (!priming) target = tape.times.find(inWindow) ?? null;
    } else {
      previous = prev.at;
      target = tape.times.find((t) => t > prev.at && inWindow(t)) ?? null;
    }

    const empty = (exhausted: boolean): OddsBatch => ({
      observedAt: new Date(previous ?? fromMs ?? 0).toISOString(),
      events: [],
      quotes: [],
      rejects: [],
      quota: null,
      cursor: request.cursor,
      idle: true,
      exhausted,
      requests: 0,
    });
    if (target === null) return empty(true);

    const wallNow = this.now();
    const wall0 = fresh || priming || prev.rec0 > target ? wallNow : prev.wall0;
    const rec0 = fresh || priming ? target : prev.rec0;
    if (o.speed !== null && !fresh && (target - rec0) / o.speed > wallNow - wall0) return empty(false);

    const primed = fresh ? priming : prev.primed;
    const batch = tape.batchAt(target, previous, primed ? null : fromMs);
    const cursor: Cursor = { v: 1, source: o.source, from: o.from ?? null, at: target, primed, wall0, rec0 };
    return {
      observedAt: new Date(target).toISOString(),
      events: batch.events,
      quotes: batch.quotes,
      rejects: batch.rejects,
      quota: null,
      cursor: JSON.stringify(cursor),
      idle: false,
      exhausted: false,
      requests: 0,
    };
  }
}

function parseCursor(text: string | null): Cursor | null {
  if (!text) return null;
  try {
    const c = JSON.parse(text) as Partial<Cursor>;
    if (c.v !== 1 || typeof c.at !== 'number' || typeof c.source !== 'string') return null;
    return {
      v: 1,
      source: c.source,
      from: c.from ?? null,
      at: c.at,
      primed: c.primed ?? false,
      wall0: c.wall0 ?? 0,
      rec0: c.rec0 ?? c.at,
    };
  } catch {
    return null;
  }
}

function lastBefore(times: readonly number[], t: number): number | null {
  let found: number | null = null;
  for (const x of times) {
    if (x < t) found = x;
    else break;
  }
  return found;
}

/** The sport key a recorded file's prefix stands for (`nfl` → `americanfootball_nfl`). */
export function sportOfPrefix(prefix: string): string {
  return SPORT_PREFIXES[prefix] ?? prefix;
}

/**
 * The line-change files of the requested sports (or the named prefixes). With a window, only the rows that can
 * matter are converted: recorded before its end, for events that start after the first batch.
 */
export function loadLineChangeTape(
  provider: string,
  dataDir: string,
  sports: readonly string[],
  files?: readonly string[],
  window: { fromMs: number | null; toMs: number | null; prime: boolean } = {
    fromMs: null,
    toMs: null,
    prime: false,
  },
): Tape {
  const dir = join(dataDir, 'line-changes');
  if (!existsSync(dir))
    throw configFailure(provider, `replay data folder ${dir} does not exist (providers[].options.dataDir)`);
  const prefixes = (
    files ??
    readdirSync(dir)
      .filter((f) => f.endsWith('_line_changes.csv.gz'))
      .map((f) => f.replace(/_line_changes\.csv\.gz$/, ''))
  ).filter((p) => files !== undefined || sports.includes(sportOfPrefix(p)));
  if (prefixes.length === 0)
    throw configFailure(provider, `no line-change files in ${dir} for sports ${sports.join(', ')}`);

  const events = new Map<string, LineChangeEvent>();
  const timesSet = new Set<number>();
  const raw: { prefix: string; header: string[]; rows: string[][]; ms: number[] }[] = [];
  for (const prefix of prefixes) {
    for (const row of csvObjects(readDataText(join(dir, `${prefix}_events.csv`)))) {
      const e = lineChangeEvent(row, sportOfPrefix(prefix));
      if (e !== null) events.set(e.id, e);
    }
    const snapFile = join(dir, `${prefix}_snapshots.csv`);
    if (existsSync(snapFile)) {
      for (const s of csvObjects(readDataText(snapFile))) {
        const ms = Date.parse(s.snapshot_utc ?? '');
        if (!Number.isNaN(ms)) timesSet.add(ms);
      }
    }
    const { header, rows } = csvTable(readDataText(join(dir, `${prefix}_line_changes.csv.gz`)));
    const at = header.indexOf('snapshot_utc');
    const ms = rows.map((r) => Date.parse(r[at] ?? ''));
    for (const t of ms) if (!Number.isNaN(t)) timesSet.add(t);
    raw.push({ prefix, header, rows, ms });
  }
  const allTimes = [...timesSet].sort((a, b) => a - b);
  const toMs = window.toMs ?? Infinity;
  const firstBatch =
    window.fromMs === null
      ? null
      : window.prime
        ? (lastBefore(allTimes, window.fromMs) ?? window.fromMs)
        : window.fromMs;

  const rowsAt = new Map<number, LcRow[]>();
  for (const { prefix, header, rows, ms } of raw) {
    const eventCol = header.indexOf('event_id');
    rows.forEach((cells, i) => {
      const t = ms[i]!;
      if (Number.isNaN(t) || t >= toMs) return;
      const ev = events.get(cells[eventCol] ?? '');
      if (ev && firstBatch !== null && ev.commenceMs <= firstBatch) return;
      const r = Object.fromEntries(header.map((h, k) => [h, cells[k] ?? '']));
      const row = { ...lineChangeQuote(r, `${prefix}_line_changes.csv.gz:${i + 2}`, events), ms: t };
      const list = rowsAt.get(t);
      if (list) list.push(row);
      else rowsAt.set(t, [row]);
    });
  }
  const times = [...timesSet].sort((a, b) => a - b);

  // Incremental state: the last batch's state is advanced when the next batch follows it.
  let state = new Map<string, ProviderQuote>();
  let stateAt: number | null = null;
  let stateFloor: number | null = null;
  const advance = (after: number | null, floor: number | null, to: number, rejects: RejectInput[] | null) => {
    for (const t of times) {
      if ((after !== null && t <= after) || (floor !== null && t < floor)) continue;
      if (t > to) break;
      for (const row of rowsAt.get(t) ?? []) {
        if (row.quote) state.set(row.slot, row.quote);
        else if (row.reject && rejects) rejects.push(row.reject);
      }
    }
  };

  return {
    times,
    batchAt(target, previous, floor) {
      const rejects: RejectInput[] = [];
      if (
        stateAt !== null &&
        previous !== null &&
        stateAt === previous &&
        stateFloor === floor &&
        target > previous
      ) {
        advance(previous, floor, target, rejects);
      } else {
        // Rebuild (first batch, or a worker that restarted mid-replay): the state up to the previous batch
        // without its rejects (already recorded), then this batch with its own.
        state = new Map();
        if (previous !== null) advance(null, floor, previous, null);
        advance(previous, floor, target, rejects);
      }
      stateFloor = floor;
      stateAt = target;
      const quotes: ProviderQuote[] = [];
      const open = new Set<string>();
      for (const q of state.values()) {
        const ev = events.get(q.providerEventId);
        if (!ev || ev.commenceMs <= target) continue;
        quotes.push(q);
        open.add(ev.id);
      }
      const evs: ProviderEvent[] = [...open].map((id) => {
        const ev = events.get(id)!;
        return {
          providerEventId: ev.id,
          sport: ev.sport,
          league: ev.title || null,
          startTime: ev.commence,
          participants: [
            { name: ev.home, role: 'home' },
            { name: ev.away, role: 'away' },
          ],
          status: 'scheduled',
        };
      });
      return { events: evs, quotes, rejects };
    },
  };
}

/** Recorded `/odds` responses, one batch per recorded fetch time. */
export function loadSnapshotTape(
  dataDir: string,
  sports: readonly string[],
  files?: readonly string[],
): Tape {
  const dir = join(dataDir, 'snapshots');
  const names = files ?? (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : []);
  const groups = new Map<number, { file: string; sport: string }[]>();
  for (const file of names) {
    const m = /^([a-z0-9]+)_(\d{8}T\d{6}Z)\.json$/.exec(file);
    if (!m) continue;
    const [, prefix, stamp] = m;
    const sport = sportOfPrefix(prefix!);
    if (files === undefined && !sports.includes(sport)) continue;
    const iso = `${stamp!.slice(0, 4)}-${stamp!.slice(4, 6)}-${stamp!.slice(6, 8)}T${stamp!.slice(9, 11)}:${stamp!.slice(11, 13)}:${stamp!.slice(13, 15)}Z`;
    const ms = Date.parse(iso);
    const list = groups.get(ms) ?? [];
    list.push({ file, sport });
    groups.set(ms, list);
  }
  const times = [...groups.keys()].sort((a, b) => a - b);
  return {
    times,
    batchAt(target) {
      const out = {
        events: [] as ProviderEvent[],
        quotes: [] as ProviderQuote[],
        rejects: [] as RejectInput[],
      };
      for (const { file, sport } of groups.get(target) ?? []) {
        const parsed = parseOddsResponse(readDataText(join(dir, file)), {
          sport,
          oddsFormat: 'american',
          observedAt: new Date(target).toISOString(),
        });
        out.events.push(...parsed.events);
        out.quotes.push(...parsed.quotes);
        out.rejects.push(...parsed.rejects);
      }
      return out;
    },
  };
}
