import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import pg from 'pg';
import { migrate } from '../../activities/infra/postgres';

/** A scratch database per run: migrations are tested from empty, not on the shared test database. */
const SCRATCH = `alphabet_migrate_${process.pid}`;

describe('migrations', () => {
  let url: string;
  let db: pg.Client;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${SCRATCH} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${SCRATCH}`);
    await admin.end();
    const u = new URL(inject('databaseUrl'));
    u.pathname = `/${SCRATCH}`;
    url = u.toString();
  });

  afterAll(async () => {
    await db?.end();
    const admin = new pg.Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${SCRATCH} WITH (FORCE)`);
    await admin.end();
  });

  it('apply to an empty database, and a second run is a no-op', async () => {
    const first = await migrate(url);
    expect(first.length).toBeGreaterThan(0);
    expect(await migrate(url)).toEqual([]);
    db = new pg.Client({ connectionString: url });
    await db.connect();
    const { rows } = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    const tables = rows.map((r) => r.table_name);
    for (const t of [
      'events',
      'odds_quotes',
      'bets',
      'strategies',
      'opportunities',
      'ledger_entries',
      'odds_polls',
      'ingest_rejects',
    ]) {
      expect(tables).toContain(t);
    }
  });

  it('keeps events sport-agnostic: no home/away columns anywhere', async () => {
    const { rows } = await db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name ~ '(home|away)'`,
    );
    expect(rows).toEqual([]);
  });

  it('partitions the odds history by time and refuses to rewrite it', async () => {
    const { rows: parts } = await db.query<{ child: string }>(
      `SELECT c.relname AS child FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'odds_quotes'`,
    );
    expect(parts.map((p) => p.child)).toContain('odds_quotes_default');
    expect(parts.some((p) => /^odds_quotes_\d{6}$/.test(p.child))).toBe(true);

    await db.query(`INSERT INTO events (event_id, sport, start_time, status, participants)
                    VALUES ('e1', 'soccer', now(), 'scheduled', '[{"id":"a","name":"A","role":"home"}]')`);
    const insert = `INSERT INTO odds_quotes (event_id, market_type, outcome, provider, bookmaker, price, observed_at, change_type, poll_id)
                    VALUES ('e1', 'h2h', 'A', 'sim', 'book', 2.5, '2026-11-25T10:00:00Z', 'initial', 'p1')
                    ON CONFLICT DO NOTHING`;
    await db.query(insert);
    await db.query(insert); // a retried poll: no duplicate
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM odds_quotes`);
    expect(rows[0]!.n).toBe('1');
    await expect(db.query(`UPDATE odds_quotes SET price = 3`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM odds_quotes`)).rejects.toThrow(/append-only/);
  });

  it('refuses a ledger transaction whose entries do not sum to zero', async () => {
    await db.query(`INSERT INTO ledger_accounts (account, currency) VALUES ('main', 'USD')`);
    await db.query('BEGIN');
    const { rows } = await db.query<{ txn_id: string }>(
      `INSERT INTO ledger_transactions (account, kind, idempotency_key) VALUES ('main', 'deposit', 'dep-1') RETURNING txn_id`,
    );
    await db.query(
      `INSERT INTO ledger_entries (txn_id, account, bucket, amount) VALUES ($1, 'main', 'external', -1000), ($1, 'main', 'available', 1000)`,
      [rows[0]!.txn_id],
    );
    await db.query('COMMIT');

    await db.query('BEGIN');
    const bad = await db.query<{ txn_id: string }>(
      `INSERT INTO ledger_transactions (account, kind, idempotency_key) VALUES ('main', 'deposit', 'dep-2') RETURNING txn_id`,
    );
    await db.query(
      `INSERT INTO ledger_entries (txn_id, account, bucket, amount) VALUES ($1, 'main', 'available', 0.01)`,
      [bad.rows[0]!.txn_id],
    );
    await expect(db.query('COMMIT')).rejects.toThrow(/does not balance/);

    const balances = await db.query<{ bucket: string; balance: string }>(
      `SELECT bucket, balance FROM ledger_balances ORDER BY bucket`,
    );
    expect(balances.rows).toEqual([
      { bucket: 'available', balance: '1000' },
      { bucket: 'external', balance: '-1000' },
    ]);
  });
});
