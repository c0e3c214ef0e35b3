import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import type { Client } from '@temporalio/client';
import { startWorkers, testClient, testConfig, testStores, stopTestPlatform } from '../helpers/platform';
import { sharedData } from '../helpers/data';
import type { LoadedConfig } from '../../config/load';
import { ProviderConfig } from '../../config/schema';
import { startPollingWorkflows } from '../../workflows/ingestion/client';
import { pollingWorkflowId, statusQuery, type PollStatus } from '../../workflows/ingestion/messages';

const lineChanges = sharedData('the-odds-api', 'line-changes');
const FROM = '2025-11-16T00:00:00Z';
const TO = '2025-11-17T00:00:00Z';
const NAME = `replay-${Math.random().toString(36).slice(2, 7)}`;

/** The file's rows, read here without the code under test (the data has no quoted fields). */
function fileRows(dir: string) {
  const lines = gunzipSync(readFileSync(join(dir, 'nfl_line_changes.csv.gz')))
    .toString('utf8')
    .trim()
    .split(/\r?\n/);
  const header = lines[0]!.split(',');
  expect(header).toEqual([
    'snapshot_utc',
    'event_id',
    'bookmaker',
    'market',
    'outcome',
    'description',
    'point',
    'price_american',
    'book_last_update',
    'change_type',
  ]);
  return lines.slice(1).map((l) => {
    const f = l.split(',');
    expect(f).toHaveLength(10);
    return {
      at: Date.parse(f[0]!),
      event: f[1]!,
      book: f[2]!,
      market: f[3]!,
      outcome: f[4]!,
      point: f[6]!,
      american: f[7]!,
      change: f[9]!,
    };
  });
}

const pointKey = (p: string | null) => (p === null || p === '' ? '' : new Decimal(p).toFixed());
const key = (r: {
  at: number;
  event: string;
  book: string;
  market: string;
  outcome: string;
  point: string | null;
  american: string;
  change: string;
}) =>
  `${new Date(r.at).toISOString()}|${r.event}|${r.book}|${r.market}|${r.outcome}|${pointKey(r.point)}|${Number(r.american)}|${r.change}`;

describe.skipIf(!lineChanges)('replaying a day of NFL line changes through the polling workflow', () => {
  let loaded: LoadedConfig;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let client: Client;
  const stores = testStores();

  beforeAll(async () => {
    loaded = testConfig();
    loaded.config.providers = [
      ProviderConfig.parse({
        name: NAME,
        type: 'replay',
        enabled: true,
        pollIntervalSeconds: 0.01,
        sports: ['americanfootball_nfl'],
        options: { source: 'line-changes', from: FROM, to: TO, speed: null, prime: true },
      }),
    ];
    workers = await startWorkers(loaded, ['ingestion']);
    client = await testClient();
  });

  afterAll(async () => {
    await stopTestPlatform({ workers, client, stores, workflowIds: [pollingWorkflowId(NAME)] });
  });

  it('reproduces exactly the changes in the file, row for row and per book', async () => {
    await startPollingWorkflows(client, loaded, { providers: [NAME], chunkSeconds: 30 });
    const handle = client.workflow.getHandle(pollingWorkflowId(NAME));
    const deadline = Date.now() + 280_000;
    let status: PollStatus = await handle.query(statusQuery);
    while (status.state !== 'exhausted') {
      if (Date.now() > deadline) throw new Error(`replay did not finish: ${JSON.stringify(status)}`);
      await new Promise((r) => setTimeout(r, 500));
      status = await handle.query(statusQuery);
    }

    const from = Date.parse(FROM);
    const to = Date.parse(TO);
    const all = fileRows(lineChanges!);
    const expected = all.filter((r) => r.at >= from && r.at < to);
    expect(expected.length).toBeGreaterThan(1000);

    const { rows } = await stores.db.query<{
      observed_at: Date;
      provider_event_id: string;
      bookmaker: string;
      market_type: string;
      outcome: string;
      point: string | null;
      american: string;
      change_type: string;
    }>(
      `SELECT q.observed_at, m.provider_event_id, q.bookmaker, q.market_type, q.outcome, q.point::text AS point, q.metadata->>'american' AS american, q.change_type
         FROM odds_quotes q JOIN event_provider_ids m ON m.event_id = q.event_id AND m.provider = q.provider
        WHERE q.provider = $1 AND q.observed_at >= $2 AND q.observed_at < $3`,
      [NAME, FROM, TO],
    );
    const got = rows.map((r) => ({
      at: r.observed_at.getTime(),
      event: r.provider_event_id,
      book: r.bookmaker,
      market: r.market_type,
      outcome: r.outcome,
      point: r.point,
      american: r.american,
      change: r.change_type,
    }));

    const perBook = (xs: { book: string }[]) =>
      xs.reduce<Record<string, number>>((acc, x) => ((acc[x.book] = (acc[x.book] ?? 0) + 1), acc), {});
    expect(perBook(got)).toEqual(perBook(expected));
    expect(got.map(key).sort()).toEqual(expected.map(key).sort());

    // The poller's own figures agree: one poll per recorded fetch of the day, plus the priming one.
    const { rows: polls } = await stores.db.query<{ n: string; in_window: string; changes: string }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE polled_at >= $2) AS in_window, sum(changes_written) AS changes FROM odds_polls WHERE provider = $1`,
      [NAME, FROM],
    );
    const snapshots = readFileSync(join(lineChanges!, 'nfl_snapshots.csv'), 'utf8')
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((s) => Date.parse(s));
    const fetches = new Set([...snapshots, ...all.map((r) => r.at)].filter((t) => t >= from && t < to));
    expect(Number(polls[0]!.in_window)).toBe(fetches.size);
    expect(Number(polls[0]!.n)).toBe(fetches.size + 1);
    expect(status.totals.polls).toBe(Number(polls[0]!.n));
    expect(status.totals.changesWritten).toBe(Number(polls[0]!.changes));
    expect(status.totals.rejects).toBe(0);
  }, 300_000);
});
