// The history writer alone, for bench/ingestion.bench.ts (not a bench of its own: run.ts runs *.bench.ts).
import type { Pool } from '../activities/infra/postgres';
import { canonicalQuote, type Change } from '../activities/ingestion/changes';
import type { QuoteRow } from '../activities/backtest/postgres';
import {
  commitPoll,
  copyLine,
  copyText,
  QUOTE_COPY_COLUMNS,
  type PollRecord,
} from '../activities/ingestion/history';

export interface WriterFigures {
  rows: number;
  ms: number;
}

/**
 * The history writer alone on the change rows `ours` wrote, poll by poll as ingestion wrote them, each
 * under its own provider name: the multi-row INSERT, the COPY writer, and one raw COPY of all the rows
 * (no poll row, no exactly-once: the ceiling).
 */
export async function compareWriters(
  db: Pool,
  oursName: string,
  tag: string,
): Promise<Record<string, WriterFigures>> {
  const rows = await storedRows(db, oursName);
  const polls = new Map<string, { polledAt: string; changes: Change[] }>();
  for (const r of rows) {
    const p = polls.get(r.poll_id) ?? { polledAt: r.observed_at.toISOString(), changes: [] };
    polls.set(r.poll_id, p);
    p.changes.push({
      changeType: r.change_type,
      previous: null,
      quote: canonicalQuote(
        {
          providerEventId: r.event_id,
          marketType: r.market_type as Change['quote']['marketType'],
          period: r.period,
          line: r.line,
          outcome: r.outcome,
          point: r.point,
          bookmaker: r.bookmaker,
          price: r.price,
          sourceUpdatedAt: r.source_updated_at?.toISOString() ?? null,
          original: r.metadata,
          path: '',
        },
        r.event_id,
        '',
      ),
    });
  }
  const record = (
    provider: string,
    pollId: string,
    p: { polledAt: string; changes: Change[] },
  ): PollRecord => ({
    pollId: `${provider}:${pollId}`,
    provider,
    polledAt: p.polledAt,
    sports: [],
    quotesSeen: p.changes.length,
    changes: p.changes,
    rejects: [],
    quota: null,
    eventIds: [],
    cursor: null,
    requests: 1,
  });
  const out: Record<string, WriterFigures> = {};
  for (const [name, copyMinRows] of [
    ['INSERT', Infinity],
    ['COPY', 0],
  ] as const) {
    const provider = `${name.toLowerCase()}-${tag}`;
    const t = performance.now();
    let written = 0;
    for (const [pollId, p] of polls)
      written += (await commitPoll(db, record(provider, pollId, p), copyMinRows))!.changesWritten;
    out[name] = { rows: written, ms: performance.now() - t };
  }
  out['raw COPY'] = await rawCopy(db, rows, `raw-${tag}`);
  return out;
}

type StoredRow = Omit<QuoteRow, 'provider' | 'observed_at' | 'source_updated_at'> & {
  observed_at: Date;
  source_updated_at: Date | null;
  change_type: 'initial' | 'change';
  poll_id: string;
  metadata: Record<string, string> | null;
};

/** The history rows `provider` wrote, in poll order. */
export async function storedRows(db: Pool, provider: string): Promise<StoredRow[]> {
  const { rows } = await db.query<StoredRow>(
    `SELECT event_id, market_type, period, line::text, outcome, point::text, bookmaker, price::text, observed_at,
            source_updated_at, change_type, poll_id, metadata
       FROM odds_quotes WHERE provider = $1 ORDER BY poll_id`,
    [provider],
  );
  return rows;
}

/** One raw COPY of `rows` under the provider name `into` (no poll row, no exactly-once: the ceiling), timed. */
export async function rawCopy(db: Pool, rows: readonly StoredRow[], into: string): Promise<WriterFigures> {
  const client = await db.connect();
  try {
    const t = performance.now();
    const text = rows
      .map((r) =>
        copyLine([
          r.event_id,
          r.market_type,
          r.period,
          r.line,
          r.outcome,
          r.point,
          into,
          r.bookmaker,
          r.price,
          r.observed_at.toISOString(),
          r.source_updated_at?.toISOString() ?? null,
          r.change_type,
          r.poll_id,
          r.metadata ? JSON.stringify(r.metadata) : null,
        ]),
      )
      .join('');
    await copyText(client, `COPY odds_quotes (${QUOTE_COPY_COLUMNS}) FROM STDIN`, text);
    return { rows: rows.length, ms: performance.now() - t };
  } finally {
    client.release();
  }
}
