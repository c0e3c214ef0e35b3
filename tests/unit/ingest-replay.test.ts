import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ReplayOptions } from '../../activities/providers/options';
import { ReplayProvider } from '../../activities/providers/replay';
import type { OddsBatch } from '../../activities/providers/types';

const dir = mkdtempSync(join(tmpdir(), 'alphabet-replay-'));
mkdirSync(join(dir, 'line-changes'));
const t = {
  t1: '2024-12-31T22:00:00Z',
  t2: '2025-01-01T01:00:00Z',
  t3: '2025-01-01T06:00:00Z',
  t4: '2025-01-01T13:00:00Z',
  t5: '2025-01-02T01:00:00Z',
};
writeFileSync(
  join(dir, 'line-changes', 'nfl_events.csv'),
  [
    'event_id,sport_key,sport_title,commence_time,home_team,away_team,first_snapshot_utc,last_snapshot_utc,n_snapshots,bookmakers',
    'E1,americanfootball_nfl,NFL,2025-01-02T00:00:00Z,Home One,Away One,x,x,1,a',
    'E2,americanfootball_nfl,NFL,2025-01-01T12:00:00Z,Home Two,Away Two,x,x,1,a',
  ].join('\n'),
);
writeFileSync(
  join(dir, 'line-changes', 'nfl_snapshots.csv'),
  ['snapshot_utc', ...Object.values(t)].join('\n'),
);
const rows = [
  'snapshot_utc,event_id,bookmaker,market,outcome,description,point,price_american,book_last_update,change_type',
  `${t.t1},E1,booka,h2h,Home One,,,-110,${t.t1},initial`,
  `${t.t1},E1,booka,h2h,Away One,,,-110,${t.t1},initial`,
  `${t.t2},E1,booka,h2h,Home One,,,-120,${t.t2},change`,
  `${t.t2},E2,booka,spreads,Home Two,,-3.5,-110,${t.t2},initial`,
  `${t.t2},E2,booka,spreads,Away Two,,3.5,-110,${t.t2},initial`,
  `${t.t3},E1,booka,h2h,Away One,,,abc,${t.t3},change`,
  `${t.t4},E1,bookb,totals,Over,,45.5,-105,${t.t4},initial`,
  `${t.t5},E1,bookb,totals,Over,,46.5,-105,${t.t5},change`,
];
writeFileSync(join(dir, 'line-changes', 'nfl_line_changes.csv.gz'), gzipSync(rows.join('\n')));

function provider(options: Record<string, unknown>, now: () => number = Date.now) {
  return new ReplayProvider({
    name: 'replay-test',
    options: ReplayOptions.parse({
      source: 'line-changes',
      from: '2025-01-01T00:00:00Z',
      to: '2025-01-02T00:00:00Z',
      ...options,
    }),
    dataDir: dir,
    sports: ['americanfootball_nfl'],
    now,
  });
}

const show = (b: OddsBatch) =>
  b.quotes
    .map(
      (q) =>
        `${q.providerEventId} ${q.bookmaker} ${q.marketType} ${q.outcome} ${q.point ?? ''} ${q.original?.american}`,
    )
    .sort();

describe('replay provider (line-change files)', () => {
  it('plays the book state at each recorded fetch, primed with the state before the window', async () => {
    const p = provider({});
    const b1 = await p.fetchOdds({ sports: ['americanfootball_nfl'], cursor: null });
    expect(b1.observedAt).toBe(new Date(t.t1).toISOString());
    expect(show(b1)).toEqual(['E1 booka h2h Away One  -110', 'E1 booka h2h Home One  -110']);

    const b2 = await p.fetchOdds({ sports: ['americanfootball_nfl'], cursor: b1.cursor });
    expect(b2.observedAt).toBe(new Date(t.t2).toISOString());
    expect(show(b2)).toEqual([
      'E1 booka h2h Away One  -110',
      'E1 booka h2h Home One  -120',
      'E2 booka spreads Away Two 3.5 -110',
      'E2 booka spreads Home Two -3.5 -110',
    ]);
    expect(b2.quotes.find((q) => q.outcome === 'Home One')!.sourceUpdatedAt).toBe(
      new Date(t.t2).toISOString(),
    );

    const b3 = await p.fetchOdds({ sports: ['americanfootball_nfl'], cursor: b2.cursor });
    expect(show(b3)).toEqual(show(b2));
    expect(b3.rejects.map((r) => [r.reason, r.value])).toEqual([['invalid_price', 'abc']]);

    // E2 started at noon: no longer offered.
    const b4 = await p.fetchOdds({ sports: ['americanfootball_nfl'], cursor: b3.cursor });
    expect(show(b4)).toEqual([
      'E1 booka h2h Away One  -110',
      'E1 booka h2h Home One  -120',
      'E1 bookb totals Over 45.5 -105',
    ]);
    expect(b4.events.map((e) => e.providerEventId)).toEqual(['E1']);

    const b5 = await p.fetchOdds({ sports: ['americanfootball_nfl'], cursor: b4.cursor });
    expect(b5).toMatchObject({ idle: true, exhausted: true, quotes: [] });

    // A restarted worker resumes from the stored cursor with the same state, and only the batch's own rejects.
    const again = await provider({}).fetchOdds({ sports: ['americanfootball_nfl'], cursor: b2.cursor });
    expect(show(again)).toEqual(show(b3));
    expect(again.rejects).toHaveLength(1);
  });

  it('without priming starts from an empty book at the window start', async () => {
    const p = provider({ prime: false });
    const b = await p.fetchOdds({ sports: ['americanfootball_nfl'], cursor: null });
    expect(b.observedAt).toBe(new Date(t.t2).toISOString());
    expect(show(b)).toEqual([
      'E1 booka h2h Home One  -120',
      'E2 booka spreads Away Two 3.5 -110',
      'E2 booka spreads Home Two -3.5 -110',
    ]);
  });

  it('keeps to the chosen speed: a recorded fetch is not served before its time', async () => {
    let wall = 1_000_000;
    const p = provider({ speed: 3600 }, () => wall);
    const b1 = await p.fetchOdds({ sports: ['americanfootball_nfl'], cursor: null });
    // t2 is three recorded hours after t1: three wall seconds at 3600×.
    wall += 2_000;
    const early = await p.fetchOdds({ sports: ['americanfootball_nfl'], cursor: b1.cursor });
    expect(early).toMatchObject({ idle: true, exhausted: false });
    wall += 1_000;
    const due = await p.fetchOdds({ sports: ['americanfootball_nfl'], cursor: b1.cursor });
    expect(due.observedAt).toBe(new Date(t.t2).toISOString());
  });
});
