import type { Pool, PoolClient } from 'pg';
import type { ProviderQuota, RejectInput } from '../providers/types';
import type { Change } from './changes';

export interface PollRecord {
  pollId: string;
  provider: string;
  polledAt: string;
  sports: readonly string[];
  quotesSeen: number;
  changes: readonly Change[];
  rejects: readonly RejectInput[];
  quota: ProviderQuota | null;
  eventIds: readonly string[];
  cursor: string | null;
  requests: number;
}

export interface CommittedPoll {
  pollId: string;
  seq: string;
  polledAt: string;
  quotesSeen: number;
  changesWritten: number;
  rejects: number;
  quotaRemaining: number | null;
  quotaUsed: number | null;
  eventIds: string[];
  cursor: string | null;
  requests: number;
}

const ensuredMonths = new Set<string>();

/**
 * Monthly partitions for the months a batch touches, created ahead of the insert (outside its transaction:
 * a failure here only means the rows land in the default partition).
 */
export async function ensurePartitions(db: Pool, times: Iterable<string>): Promise<void> {
  const months = new Set<string>();
  for (const t of times) months.add(t.slice(0, 7));
  for (const month of months) {
    if (ensuredMonths.has(month)) continue;
    try {
      await db.query(`SELECT ensure_odds_partitions($1::date, 1)`, [`${month}-01`]);
    } catch {
      // Another process created it meanwhile, or the default partition already holds rows of that month.
    }
    ensuredMonths.add(month);
  }
}

/**
 * Write one poll in ONE statement (so one transaction and one round trip): the odds_polls row, which marks
 * the poll committed, and — only if that row was new — its change rows (multi-row INSERT from arrays,
 * ON CONFLICT DO NOTHING) and its rejects. A retried poll finds its row and writes nothing; a concurrent
 * attempt that lost the race writes nothing either. Returns null when the poll was already committed.
 */
export async function commitPoll(db: Pool, rec: PollRecord): Promise<{ changesWritten: number } | null> {
  await ensurePartitions(db, [rec.polledAt]);
  const c = changeColumns(rec.changes);
  const r = rec.rejects;
  const { rows } = await db.query<{ committed: string; written: string }>(
    `WITH p AS (
       INSERT INTO odds_polls (poll_id, provider, polled_at, sports, quotes_seen, changes_written, rejects,
                               quota_remaining, quota_used, event_ids, cursor, requests)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (poll_id) DO NOTHING
       RETURNING poll_id
     ), q AS (
       INSERT INTO odds_quotes (event_id, market_type, period, line, outcome, point, provider, bookmaker, price,
                                observed_at, source_updated_at, change_type, poll_id, metadata)
       SELECT e, t, pe, l, o, pt, $2::text, b, pr, $3::timestamptz, u, ct, $1::text, m
         FROM unnest($13::text[], $14::text[], $15::text[], $16::numeric[], $17::text[], $18::numeric[], $19::text[],
                     $20::numeric[], $21::timestamptz[], $22::text[], $23::jsonb[]) AS v(e, t, pe, l, o, pt, b, pr, u, ct, m)
        WHERE EXISTS (SELECT 1 FROM p)
       ON CONFLICT DO NOTHING
       RETURNING 1
     ), r AS (
       INSERT INTO ingest_rejects (provider, poll_id, reason, message, field, value, raw_excerpt)
       SELECT $2::text, $1::text, rr, msg, f, val, x
         FROM unnest($24::text[], $25::text[], $26::text[], $27::text[], $28::text[]) AS w(rr, msg, f, val, x)
        WHERE EXISTS (SELECT 1 FROM p)
       ON CONFLICT DO NOTHING
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM p) AS committed, (SELECT count(*) FROM q) AS written, (SELECT count(*) FROM r) AS rejected`,
    [
      rec.pollId,
      rec.provider,
      rec.polledAt,
      rec.sports,
      rec.quotesSeen,
      rec.changes.length,
      rec.rejects.length,
      rec.quota?.remaining ?? null,
      rec.quota?.used ?? null,
      rec.eventIds,
      rec.cursor,
      rec.requests,
      c.event,
      c.type,
      c.period,
      c.line,
      c.outcome,
      c.point,
      c.bookmaker,
      c.price,
      c.updated,
      c.change,
      c.meta,
      r.map((x) => x.reason),
      r.map((x) => x.message),
      r.map((x) => x.field),
      r.map((x) => x.value),
      r.map((x) => x.rawExcerpt),
    ],
  );
  if (rows[0]?.committed !== '1') return null;
  const written = Number(rows[0].written);
  if (written !== rec.changes.length) {
    // Some identical rows were already there (a recording replayed again under the same name): record what was written.
    await db.query(`UPDATE odds_polls SET changes_written = $2 WHERE poll_id = $1`, [rec.pollId, written]);
  }
  return { changesWritten: written };
}

function changeColumns(changes: readonly Change[]) {
  const cols = {
    event: [] as string[],
    type: [] as string[],
    period: [] as string[],
    line: [] as (string | null)[],
    outcome: [] as string[],
    point: [] as (string | null)[],
    bookmaker: [] as string[],
    price: [] as string[],
    updated: [] as (string | null)[],
    change: [] as string[],
    meta: [] as (string | null)[],
  };
  for (const c of changes) {
    const q = c.quote;
    cols.event.push(q.eventId);
    cols.type.push(q.marketType);
    cols.period.push(q.period);
    cols.line.push(q.line);
    cols.outcome.push(q.outcome);
    cols.point.push(q.point);
    cols.bookmaker.push(q.bookmaker);
    cols.price.push(q.price);
    cols.updated.push(q.sourceUpdatedAt);
    cols.change.push(c.changeType);
    cols.meta.push(q.original ? JSON.stringify(q.original) : null);
  }
  return cols;
}

export async function insertRejects(
  client: Pick<PoolClient, 'query'>,
  provider: string,
  pollId: string | null,
  rejects: readonly RejectInput[],
): Promise<void> {
  if (rejects.length === 0) return;
  await client.query(
    `INSERT INTO ingest_rejects (provider, poll_id, reason, message, field, value, raw_excerpt)
     SELECT $1::text, $2::text, r, msg, f, v, x FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(r, msg, f, v, x)
     ON CONFLICT DO NOTHING`,
    [
      provider,
      pollId,
      rejects.map((r) => r.reason),
      rejects.map((r) => r.message),
      rejects.map((r) => r.field),
      rejects.map((r) => r.value),
      rejects.map((r) => r.rawExcerpt),
    ],
  );
}

interface PollRow {
  poll_id: string;
  seq: string;
  polled_at: Date;
  quotes_seen: number;
  changes_written: number;
  rejects: number;
  quota_remaining: number | null;
  quota_used: number | null;
  event_ids: string[];
  cursor: string | null;
  requests: number;
}

const POLL_COLUMNS = `poll_id, seq, polled_at, quotes_seen, changes_written, rejects, quota_remaining, quota_used, event_ids, cursor, requests`;

function toCommitted(r: PollRow): CommittedPoll {
  return {
    pollId: r.poll_id,
    seq: String(r.seq),
    polledAt: r.polled_at.toISOString(),
    quotesSeen: r.quotes_seen,
    changesWritten: r.changes_written,
    rejects: r.rejects,
    quotaRemaining: r.quota_remaining,
    quotaUsed: r.quota_used,
    eventIds: r.event_ids,
    cursor: r.cursor,
    requests: r.requests,
  };
}

/** This poll if it was committed, and the provider's latest committed poll. */
export async function committedPolls(
  db: Pool,
  provider: string,
  pollId: string,
): Promise<{ self: CommittedPoll | null; latest: CommittedPoll | null }> {
  const { rows } = await db.query<PollRow & { which: string }>(
    `(SELECT 'self' AS which, ${POLL_COLUMNS} FROM odds_polls WHERE poll_id = $1)
     UNION ALL
     (SELECT 'latest' AS which, ${POLL_COLUMNS} FROM odds_polls WHERE provider = $2 ORDER BY seq DESC LIMIT 1)`,
    [pollId, provider],
  );
  const self = rows.find((r) => r.which === 'self');
  const latest = rows.find((r) => r.which === 'latest');
  return { self: self ? toCommitted(self) : null, latest: latest ? toCommitted(latest) : null };
}
