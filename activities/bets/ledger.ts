import type { PoolClient } from 'pg';
import { inTransaction, type Pool } from '../infra/postgres';
import { D, toDecimalString } from '../../shared/math';

/**
 * The double-entry bankroll ledger. Every money movement is one transaction whose entries sum to zero
 * (PostgreSQL checks it at commit) and whose idempotency key is unique, so posting the same movement again
 * is a no-op. Buckets: external (the world), available, reserved (held by a risk check), at_risk (staked).
 */
export type Bucket = 'external' | 'available' | 'reserved' | 'at_risk';
export type LedgerKind =
  'deposit' | 'withdrawal' | 'reserve' | 'release' | 'place' | 'settle' | 'void' | 'adjust';

export interface Posting {
  account: string;
  kind: LedgerKind;
  betId: string | null;
  idempotencyKey: string;
  note: string | null;
  entries: Partial<Record<Bucket, string>>;
}

/** Post a transaction inside the caller's SQL transaction. False when its idempotency key was posted before. */
export async function post(client: PoolClient, p: Posting): Promise<boolean> {
  const { rows } = await client.query<{ txn_id: string }>(
    `INSERT INTO ledger_transactions (account, kind, bet_id, idempotency_key, note)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING txn_id`,
    [p.account, p.kind, p.betId, p.idempotencyKey, p.note],
  );
  const txn = rows[0]?.txn_id;
  if (txn === undefined) return false;
  const buckets = (Object.entries(p.entries) as [Bucket, string][]).filter(([, a]) => !new D(a).isZero());
  if (buckets.length > 0) {
    const values = buckets.map((_, i) => `($1, $2, $${3 + i * 2}, $${4 + i * 2})`).join(', ');
    await client.query(`INSERT INTO ledger_entries (txn_id, account, bucket, amount) VALUES ${values}`, [
      txn,
      p.account,
      ...buckets.flatMap(([b, a]) => [b, a]),
    ]);
  }
  return true;
}

export interface Balances {
  external: string;
  available: string;
  reserved: string;
  at_risk: string;
  /** available + reserved + at_risk */
  equity: string;
}

export async function balances(client: PoolClient | Pool, account: string): Promise<Balances> {
  const { rows } = await client.query<{ bucket: Bucket; balance: string }>(
    `SELECT bucket, COALESCE(SUM(amount), 0)::text AS balance FROM ledger_entries WHERE account = $1 GROUP BY bucket`,
    [account],
  );
  const b: Record<Bucket, D> = {
    external: new D(0),
    available: new D(0),
    reserved: new D(0),
    at_risk: new D(0),
  };
  for (const r of rows) b[r.bucket] = new D(r.balance);
  return {
    external: toDecimalString(b.external),
    available: toDecimalString(b.available),
    reserved: toDecimalString(b.reserved),
    at_risk: toDecimalString(b.at_risk),
    equity: toDecimalString(b.available.plus(b.reserved).plus(b.at_risk)),
  };
}

/** Accounts made sure of, per pool (creation and the opening deposit are idempotent anyway). */
const ensuredByPool = new WeakMap<Pool, Set<string>>();

/** Create the account with its opening deposit of the configured bankroll, once. */
export async function ensureAccount(
  db: Pool,
  account: string,
  kind: 'live' | 'paper',
  currency: string,
  bankroll: string,
): Promise<void> {
  const memo = `${account}|${currency}|${bankroll}`;
  const ensured = ensuredByPool.get(db) ?? new Set<string>();
  ensuredByPool.set(db, ensured);
  if (ensured.has(memo)) return;
  await inTransaction(db, async (client) => {
    await client.query(
      `INSERT INTO ledger_accounts (account, currency, kind) VALUES ($1, $2, $3) ON CONFLICT (account) DO NOTHING`,
      [account, currency, kind],
    );
    await post(client, {
      account,
      kind: 'deposit',
      betId: null,
      idempotencyKey: `deposit:opening:${account}`,
      note: 'opening bankroll (risk.bankroll)',
      entries: { external: toDecimalString(new D(bankroll).neg()), available: bankroll },
    });
  });
  ensured.add(memo);
}

/** The account's row, locked: risk checks and settlements on one account run one after another. */
export async function lockAccount(client: PoolClient, account: string): Promise<void> {
  await client.query(`SELECT 1 FROM ledger_accounts WHERE account = $1 FOR UPDATE`, [account]);
}
