import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dataKind, expandDataArgs } from '../../activities/backtest/files';
import { readLineChanges } from '../../activities/backtest/line-changes';
import {
  eventsFileFor,
  lineChangeReplay,
  parseLineChangeEvents,
  parseResultsCsv,
} from '../../shared/readers/line-changes';
import { canonicalNumeric, oddsHistoryReplay, type Queryable } from '../../activities/backtest/postgres';
import { fromDefinition, runBacktest, runBacktestAsync, type ReplayFrame } from '../../shared/backtest';
import { consensusStrategy } from '../../shared/strategies/consensus';
import { sharedData } from '../helpers/data';

const EVENTS = [
  'event_id,sport_key,sport_title,commence_time,home_team,away_team,first_snapshot_utc,last_snapshot_utc,n_snapshots,bookmakers',
  'g1,americanfootball_nfl,NFL,2025-09-12T00:15:00Z,Green Bay Packers,Washington Commanders,x,y,3,a;b',
].join('\n');

const CHANGES = [
  'snapshot_utc,event_id,bookmaker,market,outcome,description,point,price_american,book_last_update,change_type',
  '2025-09-10T05:36:59Z,g1,draftkings,h2h,Green Bay Packers,,,-180,2025-09-10T05:36:48Z,initial',
  '2025-09-10T05:36:59Z,g1,draftkings,h2h,Washington Commanders,,,150,2025-09-10T05:36:48Z,initial',
  '2025-09-10T05:36:59Z,g1,draftkings,spreads,Green Bay Packers,,-3.50,-105,2025-09-10T05:36:48Z,initial',
  '2025-09-10T05:36:59Z,g1,draftkings,spreads,Washington Commanders,,3.5,-115,2025-09-10T05:36:48Z,initial',
  '2025-09-10T05:53:55Z,g1,fanduel,totals,Over,,48.5,-110,2025-09-10T05:50:00Z,initial',
  // Out of order in the file (it happens): replayed at its own time.
  '2025-09-10T05:40:00Z,g1,fanduel,h2h,Green Bay Packers,,,-175,2025-09-10T05:39:00Z,initial',
  '2025-09-10T05:53:55Z,g1,fanduel,player_props,Someone,,,-110,2025-09-10T05:50:00Z,initial',
  '2025-09-10T05:53:55Z,zz,fanduel,h2h,Nobody,,,-110,2025-09-10T05:50:00Z,initial',
  '2025-09-10T05:53:55Z,g1,fanduel,h2h,Washington Commanders,,,50,2025-09-10T05:50:00Z,change',
].join('\n');

describe('The Odds API line-change importer', () => {
  it('replays rows in snapshot order with exact decimal prices and line-aware markets', () => {
    const events = parseLineChangeEvents(EVENTS);
    expect(events.get('g1')!.startTime).toBe('2025-09-12T00:15:00.000Z');
    const replay = lineChangeReplay(CHANGES, events);
    expect(replay.skipped).toEqual({
      'market player_props not replayed': 1,
      'event not in the events file': 1,
      'invalid American price': 1,
    });
    const frames = [...replay.frames];
    expect(frames.map((f) => f.at)).toEqual([
      '2025-09-10T05:36:59.000Z',
      '2025-09-10T05:40:00.000Z',
      '2025-09-10T05:53:55.000Z',
    ]);
    expect(replay.frameCount).toBe(3);
    expect(frames[0]!.events!.map((e) => e.id)).toEqual(['g1']);
    expect(frames[1]!.events).toEqual([]);
    const q = frames[0]!.quotes!;
    // -180 → 1 + 100/180 = 1.5555…; +150 → 2.5.
    expect(q[0]!.price).toBe('1.555555555555555555555555555555555555556');
    expect(q[1]!.price).toBe('2.5');
    expect(q[2]).toMatchObject({ point: '-3.5', market: { marketType: 'spreads', line: '3.5' } });
    expect(q[3]!.market).toBe(q[2]!.market);
    expect(frames[2]!.quotes![0]).toMatchObject({ outcome: 'Over', point: '48.5', market: { line: '48.5' } });
    expect(q[0]!.sourceUpdatedAt).toBe('2025-09-10T05:36:48.000Z');
  });

  it('takes results from a separate CSV; without one, bets stay unsettled but CLV is measured', () => {
    const events = parseLineChangeEvents(EVENTS);
    const results = parseResultsCsv('event_id,home_score,away_score\ng1,27,18\n', events);
    expect(results.get('g1')).toEqual({
      status: 'completed',
      scores: { 'Green Bay Packers': '27', 'Washington Commanders': '18' },
    });
    expect(() => parseResultsCsv('event_id,home_score,away_score\ng1,x,1\n', events)).toThrow(/numbers/);
    const replay = lineChangeReplay(CHANGES, events, results);
    expect(replay.results).toBe(1);
    expect([...replay.frames][0]!.results).toEqual([{ eventId: 'g1', result: results.get('g1') }]);
  });

  it('finds the events file beside a line-change file, gzip or not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alphabet-lc-'));
    writeFileSync(join(dir, 'nfl_events.csv'), EVENTS);
    writeFileSync(join(dir, 'nfl_line_changes.csv.gz'), gzipSync(CHANGES));
    expect(eventsFileFor(join(dir, 'nfl_line_changes.csv.gz'))).toBe(join(dir, 'nfl_events.csv'));
    expect(readLineChanges(join(dir, 'nfl_line_changes.csv.gz')).rows).toBe(6);
    writeFileSync(join(dir, 'wnba_line_changes.csv'), CHANGES);
    expect(() => readLineChanges(join(dir, 'wnba_line_changes.csv'))).toThrow(/events file/);
  });
});

const lineChanges = sharedData('the-odds-api', 'line-changes', 'wnba_line_changes.csv.gz');

describe.skipIf(lineChanges === null)('line changes: the real WNBA season', () => {
  it('replays every row (one is out of order in the file) through consensus on the books', () => {
    const replay = readLineChanges(lineChanges!);
    expect(replay.rows).toBe(67_103);
    expect(replay.eventsQuoted).toBe(64);
    const run = runBacktest(
      replay.frames,
      [fromDefinition(consensusStrategy, { maxQuoteAgeMs: 7 * 86_400_000 }, 'consensus')],
      { clvBookmaker: 'lowvig' },
    );
    expect(run.events).toBe(64);
    expect(run.bets.length).toBeGreaterThan(0);
    expect(run.bets.every((b) => b.status === 'unsettled')).toBe(true);
    expect(run.bets.some((b) => b.clv !== null)).toBe(true);
  });
});

/** A stand-in for pg: answers the three queries the importer makes from in-memory rows. */
function fakeDb(
  rows: Record<string, unknown>[],
  events: Record<string, unknown>[],
): Queryable & { sql: string[] } {
  const sql: string[] = [];
  return {
    sql,
    query(text: string, values: unknown[] = []) {
      sql.push(text);
      if (text.includes('min(q.observed_at)')) {
        const times = rows.map((r) => (r.observed_at as Date).getTime());
        return Promise.resolve({
          rows: [
            {
              first: new Date(Math.min(...times)),
              last: new Date(Math.max(...times)),
              rows: String(rows.length),
            },
          ],
        });
      }
      if (text.includes('FROM events e\n')) return Promise.resolve({ rows: events });
      const [from, to] = values as [Date, Date];
      return Promise.resolve({
        rows: rows
          .filter((r) => (r.observed_at as Date) >= from && (r.observed_at as Date) < to)
          .sort((a, b) => (a.observed_at as Date).getTime() - (b.observed_at as Date).getTime()),
      });
    },
  };
}

describe('PostgreSQL odds history importer', () => {
  const row = (minutes: number, bookmaker: string, outcome: string, price: string) => ({
    event_id: 'ev1',
    market_type: 'h2h',
    period: 'full',
    line: null,
    outcome,
    point: null,
    provider: 'sim',
    bookmaker,
    price,
    observed_at: new Date(Date.parse('2024-05-01T10:00:00Z') + minutes * 60_000),
    source_updated_at: null,
  });
  const event = {
    event_id: 'ev1',
    sport: 'soccer_epl',
    league: 'EPL',
    start_time: new Date('2024-05-03T15:00:00Z'),
    status: 'completed',
    participants: [
      { id: 'ars', name: 'Arsenal', role: 'home' },
      { id: 'che', name: 'Chelsea', role: 'away' },
    ],
    result: {
      scores: [
        { name: 'Arsenal', score: '3' },
        { name: 'Chelsea', score: '1' },
      ],
    },
  };

  it('reads odds_quotes in time order, a day at a time, as frames with events and results', async () => {
    const rows = [
      ...['a', 'b', 'c', 'd'].flatMap((book, i) => [
        row(0, book, 'Arsenal', ['2.00', '2.1', '1.95', '2.05'][i]!),
        row(0, book, 'Draw', '3.4'),
        row(0, book, 'Chelsea', '3.8'),
      ]),
      row(60 * 30, 'd', 'Arsenal', '2.400'),
    ];
    const db = fakeDb(rows, [event]);
    const replay = await oddsHistoryReplay(db, { windowMs: 86_400_000 });
    expect([replay.rows, replay.events, replay.results]).toEqual([13, 1, 1]);
    const frames: ReplayFrame[] = [];
    for await (const f of replay.frames) frames.push(f);
    expect(frames.map((f) => f.at)).toEqual(['2024-05-01T10:00:00.000Z', '2024-05-02T16:00:00.000Z']);
    expect(frames[0]!.events![0]!.participants.map((p) => p.name)).toEqual(['Arsenal', 'Chelsea']);
    expect(frames[0]!.results).toEqual([
      { eventId: 'ev1', result: { status: 'completed', scores: { Arsenal: '3', Chelsea: '1' } } },
    ]);
    expect(frames[1]!.quotes![0]!.price).toBe('2.4');
    // Two windows of a day: two quote queries after the range and events queries.
    expect(db.sql.filter((s) => s.includes('ORDER BY q.observed_at'))).toHaveLength(2);

    const run = await runBacktestAsync((await oddsHistoryReplay(db)).frames, [
      fromDefinition(consensusStrategy, { maxQuoteAgeMs: 7 * 86_400_000 }, 'consensus'),
    ]);
    // d moves to 2.4 on Arsenal: average (2 + 2.1 + 1.95 + 2.4)/4 = 2.1125, threshold ≈ 2.3689 < 2.4.
    expect(run.bets.map((b) => [b.bookmaker, b.outcome, b.price, b.status, b.profit.toString()])).toEqual([
      ['d', 'Arsenal', '2.4', 'won', '1.4'],
    ]);
  });

  it('canonical NUMERIC text', () => {
    expect(canonicalNumeric('2.5000')).toBe('2.5');
    expect(canonicalNumeric('3')).toBe('3');
    expect(canonicalNumeric('-0.0')).toBe('0');
    expect(canonicalNumeric('10.0')).toBe('10');
  });
});

describe('--data arguments', () => {
  it('expands files, directories and quoted globs; reports what matches nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alphabet-data-'));
    mkdirSync(join(dir, 'fd'));
    for (const n of ['E0_056.csv', 'E0_067.csv', 'D1_056.csv', 'notes.txt'])
      writeFileSync(join(dir, 'fd', n), 'x');
    mkdirSync(join(dir, 'fd', 'deep'));
    writeFileSync(join(dir, 'fd', 'deep', 'I1_056.csv'), 'x');
    const { files, unmatched } = expandDataArgs(
      ['fd/E0_*.csv', 'fd', 'fd/**/I1_*.csv', 'missing/*.csv', 'nope.csv'],
      dir,
    );
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      'fd/E0_056.csv',
      'fd/E0_067.csv',
      'fd/D1_056.csv',
      'fd/deep/I1_056.csv',
    ]);
    expect(unmatched).toEqual(['missing/*.csv', 'nope.csv']);
    expect(expandDataArgs(['fd/[DE]?_056.csv'], dir).files.map((f) => f.slice(dir.length + 1))).toEqual([
      'fd/D1_056.csv',
      'fd/E0_056.csv',
    ]);
    // A line-change folder: the events and snapshots files beside the changes are read with them.
    mkdirSync(join(dir, 'lc'));
    for (const n of ['nfl_line_changes.csv.gz', 'nfl_events.csv', 'nfl_snapshots.csv', 'mlb_events.csv'])
      writeFileSync(join(dir, 'lc', n), 'x');
    expect(expandDataArgs(['lc'], dir).files.map((f) => f.slice(dir.length + 1))).toEqual([
      'lc/mlb_events.csv',
      'lc/nfl_line_changes.csv.gz',
    ]);
    expect([dataKind('x/nfl_line_changes.csv.gz'), dataKind('E0_056.csv'), dataKind('a.json')]).toEqual([
      'line-changes',
      'football-data',
      'unknown',
    ]);
  });
});
