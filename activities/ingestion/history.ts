import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
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
 * From this many change rows a poll's quotes go through COPY (a few more round trips, then about 3x the rows
 * per second); below it one statement is quicker. Measured by `npm run bench -- ingestion`.
 */
export const COPY_MIN_ROWS = 200;

/**
 * Write one poll exactly once: the odds_polls row, which marks the poll committed, and — only if that row
 * was new — its change rows and its rejects, in one transaction. A retried poll finds its row and writes
 * nothing; a concurrent attempt that lost the race waits on that row's key and writes nothing either.
 * Returns null when the poll was already committed. `copyMinRows` picks the writer (tests, the bench).
 */
export async function commitPoll(
  db: Pool,
  rec: PollRecord,
  copyMinRows = COPY_MIN_ROWS,
): Promise<{ changesWritten: number } | null> {
  await ensurePartitions(db, [rec.polledAt]);
  return rec.changes.length >= copyMinRows ? commitPollByCopy(db, rec) : commitPollInOneStatement(db, rec);
}

/** The columns pollParams fills, in its order. */
const POLL_COLUMNS_WRITTEN = `poll_id, provider, polled_at, sports, quotes_seen, changes_written, rejects,
                        quota_remaining, quota_used, event_ids, cursor, requests`;

const POLL_INSERT = `INSERT INTO odds_polls (${POLL_COLUMNS_WRITTEN})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (poll_id) DO NOTHING
       RETURNING poll_id`;

const pollParams = (rec: PollRecord) => [
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
];

/** The change rows from arrays, $1 poll id, $2 provider, $3 polled at, then eleven arrays from $`first`. */
function quotesInsert(first: number, onlyIf = ''): string {
  const a = Array.from({ length: 11 }, (_, i) => `$${first + i}`);
  return `INSERT INTO odds_quotes (event_id, market_type, period, line, outcome, point, provider, bookmaker, price,
                                observed_at, source_updated_at, change_type, poll_id, metadata)
       SELECT e, t, pe, l, o, pt, $2::text, b, pr, $3::timestamptz, u, ct, $1::text, m
         FROM unnest(${a[0]}::text[], ${a[1]}::text[], ${a[2]}::text[], ${a[3]}::numeric[], ${a[4]}::text[], ${a[5]}::numeric[], ${a[6]}::text[],
                     ${a[7]}::numeric[], ${a[8]}::timestamptz[], ${a[9]}::text[], ${a[10]}::jsonb[]) AS v(e, t, pe, l, o, pt, b, pr, u, ct, m)
        ${onlyIf}
       ON CONFLICT DO NOTHING
       RETURNING 1`;
}

const quoteParams = (rec: PollRecord) => {
  const c = changeColumns(rec.changes);
  return [
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
  ];
};

/** Small polls: ONE statement, so one transaction and one round trip. */
async function commitPollInOneStatement(
  db: Pool,
  rec: PollRecord,
): Promise<{ changesWritten: number } | null> {
  const r = rec.rejects;
  const { rows } = await db.query<{ committed: string; written: string }>(
    `WITH p AS (
       ${POLL_INSERT}
     ), q AS (
       ${quotesInsert(13, 'WHERE EXISTS (SELECT 1 FROM p)')}
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
      ...pollParams(rec),
      ...quoteParams(rec),
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

/**
 * Large polls: the odds_polls row, then the change rows through COPY straight into odds_quotes, in one
 * transaction started in one round trip (BEGIN, the row and the COPY sent as one simple query, so the row's
 * values go as literals). The row is a plain INSERT: its key serialises attempts of the same poll, and a poll
 * already committed is a unique violation of that key (nothing else of the query runs). COPY has no ON
 * CONFLICT: when a change row is already there (the same recording replayed under another poll id) the COPY
 * fails as a whole, the transaction is rolled back and the poll is written by the INSERT … ON CONFLICT DO
 * NOTHING instead, so what is written is the same either way (no savepoint: one round trip less on every
 * poll for a case that is rare).
 */
async function commitPollByCopy(db: Pool, rec: PollRecord): Promise<{ changesWritten: number } | null> {
  const client = await db.connect();
  let refused: 'committed' | 'duplicate' | null = null;
  try {
    try {
      await copyText(
        client,
        `BEGIN; ${pollInsertLiterals(client, rec)}; COPY odds_quotes (${QUOTE_COPY_COLUMNS}) FROM STDIN`,
        quoteCopyText(rec),
      );
    } catch (err) {
      const e = err as { code?: string; constraint?: string };
      if (e.code !== UNIQUE_VIOLATION) throw err;
      refused = e.constraint === POLL_KEY ? 'committed' : 'duplicate';
    }
    if (refused) {
      await client.query('ROLLBACK');
    } else {
      await insertRejects(client, rec.provider, rec.pollId, rec.rejects);
      await client.query('COMMIT');
    }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  if (refused === 'committed') return null;
  return refused === 'duplicate' ? commitPollInOneStatement(db, rec) : { changesWritten: rec.changes.length };
}

const UNIQUE_VIOLATION = '23505';
/** odds_polls' primary key (poll_id): its violation means the poll is committed already. */
const POLL_KEY = 'odds_polls_pkey';

/** The odds_polls row of POLL_INSERT as a plain INSERT with literal values (escaped by the client). */
function pollInsertLiterals(client: PoolClient, rec: PollRecord): string {
  const lit = (v: string | number | null | readonly string[]): string => {
    if (v === null) return 'NULL';
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new Error(`odds_polls: ${v} is not an integer`);
      return String(v);
    }
    if (typeof v === 'string') return client.escapeLiteral(v);
    return `ARRAY[${v.map((x) => client.escapeLiteral(x)).join(', ')}]::text[]`;
  };
  const values = pollParams(rec);
  return `INSERT INTO odds_polls (${POLL_COLUMNS_WRITTEN}) VALUES (${values.map(lit).join(', ')})`;
}

export const QUOTE_COPY_COLUMNS =
  'event_id, market_type, period, line, outcome, point, provider, bookmaker, price, observed_at, source_updated_at, change_type, poll_id, metadata';

/** The change rows as COPY text, written straight from the changes (no per-row arrays). */
function quoteCopyText(rec: PollRecord): string {
  const provider = copyValue(rec.provider);
  const polledAt = copyValue(rec.polledAt);
  const pollId = copyValue(rec.pollId);
  let text = '';
  for (const c of rec.changes) {
    const q = c.quote;
    text +=
      `${copyValue(q.eventId)}\t${copyValue(q.marketType)}\t${copyValue(q.period)}\t${copyValue(q.line)}\t` +
      `${copyValue(q.outcome)}\t${copyValue(q.point)}\t${provider}\t${copyValue(q.bookmaker)}\t${copyValue(q.price)}\t` +
      `${polledAt}\t${copyValue(q.sourceUpdatedAt)}\t${c.changeType}\t${pollId}\t${copyValue(metadataJson(q.original))}\n`;
  }
  return text;
}

/** Send `text` (COPY text format rows) through `COPY … FROM STDIN` on `client`. */
export async function copyText(client: PoolClient, sql: string, text: string): Promise<void> {
  await pipeline(Readable.from([text]), client.query(copyFrom(sql)));
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One value in COPY's text format: \N for NULL, backslash and control characters escaped. */
function copyValue(v: string | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  return COPY_SPECIAL.test(v) ? v.replace(/[\\\t\n\r]/g, (ch) => COPY_ESCAPES[ch]!) : v;
}

/** One row in COPY's text format: tab-separated values, newline-terminated. */
export function copyLine(values: readonly (string | null)[]): string {
  return `${values.map(copyValue).join('\t')}\n`;
}

// Quotes share the reader's frozen `original` objects (one per distinct price): serialise each once.
const metadataText = new WeakMap<object, string>();

function metadataJson(original: Record<string, string> | null): string | null {
  if (!original) return null;
  let text = metadataText.get(original);
  if (text === undefined) {
    text = JSON.stringify(original);
    metadataText.set(original, text);
  }
  return text;
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
    cols.meta.push(metadataJson(q.original));
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
