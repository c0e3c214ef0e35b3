import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { runner } from 'node-pg-migrate';
import { migrate, MIGRATIONS_DIR } from '../../activities/infra/postgres';
import { dropDatabase, recreateDatabase } from '../helpers/scratch';

/** A scratch database per run: migrations are tested from empty, not on the shared test database. */
const SCRATCH = `alphabet_migrate_${process.pid}`;

describe('migrations', () => {
  let url: string;
  let db: pg.Client;

  beforeAll(async () => {
    url = await recreateDatabase(inject('databaseUrl'), SCRATCH);
  });

  afterAll(async () => {
    await db?.end();
    await dropDatabase(inject('databaseUrl'), SCRATCH);
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

/**
 * NaN in NUMERIC sorts above every number, so `CHECK (price > 1)` let it in; 1764140000000_money-checks adds a
 * NaN refusal to every NUMERIC column and ties each ledger entry's account to its transaction's. Each write
 * below is tried on the schema just before that migration (where it passes) and after it (where it fails).
 */
describe('money checks (1764140000000_money-checks)', () => {
  const DB = `alphabet_money_${process.pid}`;
  const MIGRATION = '1764140000000_money-checks';
  let url: string;
  let db: pg.Client;

  const migrateTo = (count: number) =>
    runner({
      databaseUrl: url,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      count,
      singleTransaction: true,
      checkOrder: true,
      log: () => undefined,
      verbose: false,
    });

  /** Run one write in a transaction that is rolled back: its error, or null when PostgreSQL took it. */
  async function attempt(sql: string): Promise<string | null> {
    await db.query('BEGIN');
    try {
      await db.query(sql);
      return null;
    } catch (err) {
      return (err as Error).message;
    } finally {
      await db.query('ROLLBACK');
    }
  }

  const nanWrites: Record<string, string> = {
    'odds_quotes.price': `INSERT INTO odds_quotes (event_id, market_type, outcome, provider, bookmaker, price, observed_at, change_type, poll_id)
                          VALUES ('e1', 'h2h', 'A', 'sim', 'book', 'NaN', now(), 'initial', 'p1')`,
    'odds_quotes.line': `INSERT INTO odds_quotes (event_id, market_type, line, outcome, provider, bookmaker, price, observed_at, change_type, poll_id)
                         VALUES ('e1', 'totals', 'NaN', 'Over', 'sim', 'book', 2, now(), 'initial', 'p1')`,
    'odds_quotes.point': `INSERT INTO odds_quotes (event_id, market_type, outcome, point, provider, bookmaker, price, observed_at, change_type, poll_id)
                          VALUES ('e1', 'spreads', 'A', 'NaN', 'sim', 'book', 2, now(), 'initial', 'p1')`,
    'opportunities.line': `UPDATE opportunities SET line = 'NaN'`,
    'opportunities.edge': `UPDATE opportunities SET edge = 'NaN'`,
    ...Object.fromEntries(
      [
        'line',
        'point',
        'stake',
        'price',
        'expected_value',
        'profit_loss',
        'closing_price_book',
        'closing_fair_sharp',
        'clv_sharp',
        'clv_book',
        'detected_price',
      ].map((c) => [`bets.${c}`, `UPDATE bets SET ${c} = 'NaN'`]),
    ),
    'ledger_entries.amount': `INSERT INTO ledger_entries (txn_id, account, bucket, amount) VALUES (1, 'main', 'available', 'NaN')`,
    'paper_sessions.bankroll': `UPDATE paper_sessions SET bankroll = 'NaN'`,
  };
  /** Columns with an upper bound (`<= 1`) refused NaN before the migration already. */
  const boundedWrites = [
    `UPDATE strategies SET stake_multiplier = 'NaN'`,
    `UPDATE bets SET fair_probability = 'NaN'`,
    `UPDATE paper_sessions SET stake_multiplier = 'NaN'`,
  ];
  const mismatchedEntry = `INSERT INTO ledger_entries (txn_id, account, bucket, amount) VALUES (1, 'other', 'available', 10)`;

  beforeAll(async () => {
    url = await recreateDatabase(inject('databaseUrl'), DB);
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    const before = files.indexOf(`${MIGRATION}.sql`);
    expect(before).toBeGreaterThan(0);
    await migrateTo(before);
    db = new pg.Client({ connectionString: url });
    await db.connect();
    await db.query(`
      INSERT INTO events (event_id, sport, start_time, status, participants)
        VALUES ('e1', 'soccer', now(), 'scheduled', '[{"name":"A","role":"home"}]');
      INSERT INTO strategies (name, type) VALUES ('s1', 'value');
      INSERT INTO opportunities (opportunity_id, strategy_name, kind, event_id, sport, market_type, legs, edge, rule, detected_at)
        VALUES ('o1', 's1', 'value', 'e1', 'soccer', 'h2h', '[]', 0.05, 'r', now());
      INSERT INTO ledger_accounts (account, currency) VALUES ('main', 'USD'), ('other', 'USD');
      INSERT INTO bets (bet_id, opportunity_id, idempotency_key, strategy_name, event_id, sport, market_type, outcome,
                        bookmaker, mode, stake, price, status, account)
        VALUES ('b1', 'o1', 'k1', 's1', 'e1', 'soccer', 'h2h', 'A', 'book', 'paper', 10, 2, 'pending', 'main');
      INSERT INTO paper_sessions (session_id, first_run_id, strategy_name, strategy_type, parameters, account, bankroll,
                                  stake_multiplier, max_bets, gate, started_by)
        VALUES ('ps1', 'r1', 's1', 'value', '{}', 'main', 1000, 1, 5, '{}', 'test');
      INSERT INTO ledger_transactions (account, kind, idempotency_key) VALUES ('main', 'adjust', 'adj-1');`);
  });

  afterAll(async () => {
    await db?.end();
    await dropDatabase(inject('databaseUrl'), DB);
  });

  it('before the migration NaN and a mismatched entry account were accepted; after it each is refused', async () => {
    for (const [column, sql] of Object.entries(nanWrites))
      expect({ column, error: await attempt(sql) }).toEqual({ column, error: null });
    expect(await attempt(mismatchedEntry)).toBeNull();

    await migrateTo(Infinity);

    for (const [column, sql] of Object.entries(nanWrites)) {
      const name = `${column.replace('.', '_')}_not_nan`;
      expect({ column, error: await attempt(sql) }).toEqual({
        column,
        error: expect.stringContaining(name) as unknown,
      });
    }
    for (const sql of boundedWrites) expect(await attempt(sql)).toMatch(/violates check constraint/);
    expect(await attempt(mismatchedEntry)).toMatch(/ledger_entries_txn_account_fkey/);
    // A matching entry is still fine.
    expect(
      await attempt(
        `INSERT INTO ledger_entries (txn_id, account, bucket, amount) VALUES (1, 'main', 'available', 10)`,
      ),
    ).toBeNull();
  });
});
