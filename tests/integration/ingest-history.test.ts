import { afterAll, describe, expect, it } from 'vitest';
import type { PoolClient } from 'pg';
import { testStores } from '../helpers/platform';
import { COPY_MIN_ROWS, commitPoll, type PollRecord } from '../../activities/ingestion/history';
import { canonicalQuote, type Change } from '../../activities/ingestion/changes';

const rand = () => Math.random().toString(36).slice(2, 8);

/** `n` spread quotes of one event; metadata holds the characters COPY's text format must escape. */
function changes(eventId: string, n: number, from = 0): Change[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      changeType: i % 2 ? 'change' : 'initial',
      previous: null,
      quote: canonicalQuote(
        {
          providerEventId: `p-${eventId}`,
          marketType: i % 3 ? 'spreads' : 'h2h',
          period: 'full',
          line: i % 3 ? `${i}.5` : null,
          outcome: i % 2 ? 'home' : 'away',
          point: i % 3 ? `-${i}.5` : null,
          bookmaker: `book${i}`,
          price: '1.952380952380952380952381',
          sourceUpdatedAt: i % 4 ? null : '2026-02-01T11:59:00.000Z',
          original: i % 5 ? null : { american: '-105', note: 'tab\there\\back\nline\r"q" é' },
          path: `x[${i}]`,
        },
        eventId,
        'americanfootball_nfl',
      ),
    };
  });
}

function poll(pollId: string, provider: string, rows: Change[]): PollRecord {
  return {
    pollId,
    provider,
    polledAt: '2026-02-01T12:00:00.000Z',
    sports: ['americanfootball_nfl'],
    quotesSeen: rows.length,
    changes: rows,
    rejects: [
      { reason: 'invalid_price', message: 'bad', field: 'x[0].price', value: '0', rawExcerpt: '{"p":0}' },
    ],
    quota: null,
    eventIds: [rows[0]!.quote.eventId],
    cursor: null,
    requests: 1,
  };
}

describe('odds history writer', () => {
  const stores = testStores();
  const { db } = stores;
  /** Every statement the pool's connections run (the database stays real; this only listens). */
  const statements: string[] = [];
  db.on('connect', (client: PoolClient) => {
    const query = client.query.bind(client) as (...a: unknown[]) => unknown;
    (client as unknown as { query: typeof query }).query = (...a: unknown[]) => {
      const q = a[0] as string | { text?: string };
      statements.push(typeof q === 'string' ? q : (q.text ?? ''));
      return query(...a);
    };
  });
  afterAll(() => stores.close());

  const count = async (pollId: string) =>
    Number(
      (await db.query<{ n: string }>(`SELECT count(*) AS n FROM odds_quotes WHERE poll_id = $1`, [pollId]))
        .rows[0]!.n,
    );

  it('writes a large poll through COPY exactly once, under a concurrent attempt and a retry, values intact', async () => {
    const provider = `hist-${rand()}`;
    const rows = changes(`ev-${rand()}`, COPY_MIN_ROWS + 50);
    const rec = poll(`${provider}:1`, provider, rows);
    statements.length = 0;

    const results = await Promise.all([commitPoll(db, rec), commitPoll(db, rec)]);
    expect(results.filter((r) => r === null)).toHaveLength(1);
    expect(results.find((r) => r !== null)).toEqual({ changesWritten: rows.length });
    expect(await commitPoll(db, rec)).toBeNull();
    expect(statements.some((s) => /COPY odds_quotes \(.*\) FROM STDIN/.test(s))).toBe(true);

    expect(await count(rec.pollId)).toBe(rows.length);
    const { rows: stored } = await db.query<{
      bookmaker: string;
      line: string | null;
      point: string | null;
      price: string;
      source_updated_at: Date | null;
      change_type: string;
      metadata: Record<string, string> | null;
    }>(
      `SELECT bookmaker, line::text, point::text, price::text, source_updated_at, change_type, metadata
         FROM odds_quotes WHERE poll_id = $1`,
      [rec.pollId],
    );
    const byBook = new Map(stored.map((r) => [r.bookmaker, r]));
    for (const c of rows) {
      const r = byBook.get(c.quote.bookmaker)!;
      expect(r.price).toBe(c.quote.price);
      expect(r.line).toBe(c.quote.line);
      expect(r.point).toBe(c.quote.point);
      expect(r.source_updated_at?.toISOString() ?? null).toBe(c.quote.sourceUpdatedAt);
      expect(r.change_type).toBe(c.changeType);
      expect(r.metadata).toEqual(c.quote.original);
    }
    const { rows: polls } = await db.query<{ changes_written: number }>(
      `SELECT changes_written FROM odds_polls WHERE poll_id = $1`,
      [rec.pollId],
    );
    expect(polls).toEqual([{ changes_written: rows.length }]);
    const { rows: rejects } = await db.query(`SELECT 1 FROM ingest_rejects WHERE poll_id = $1`, [rec.pollId]);
    expect(rejects).toHaveLength(1);
  });

  it('writes only the new rows when a large poll repeats rows already stored under another poll id', async () => {
    const provider = `hist-${rand()}`;
    const eventId = `ev-${rand()}`;
    const first = poll(`${provider}:1`, provider, changes(eventId, COPY_MIN_ROWS));
    expect(await commitPoll(db, first)).toEqual({ changesWritten: COPY_MIN_ROWS });

    // The same recording replayed under a new poll id, plus 7 rows never seen: COPY meets the unique key.
    const again = poll(`${provider}:2`, provider, changes(eventId, COPY_MIN_ROWS + 7));
    expect(await commitPoll(db, again)).toEqual({ changesWritten: 7 });
    expect(await count(again.pollId)).toBe(7);
    const { rows } = await db.query<{ changes_written: number }>(
      `SELECT changes_written FROM odds_polls WHERE poll_id = $1`,
      [again.pollId],
    );
    expect(rows).toEqual([{ changes_written: 7 }]);
  });
});
