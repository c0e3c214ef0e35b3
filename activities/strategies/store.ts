import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../infra/postgres';
import { D } from '../../shared/math';
import type { StrategyMode } from '../../shared/entities';
import {
  StrategyParameterError,
  StrategyRecord,
  applyParameterChanges,
  checkStrategyRowFields,
  formatIssues,
  parseStrategyParameters,
} from '../../shared/strategies';

/** A strategies row, parameters as stored (validated by the type's schema on the way in). */
export interface StrategyRow {
  name: string;
  type: string;
  enabled: boolean;
  mode: StrategyMode;
  stakeMultiplier: string;
  parameters: Record<string, unknown>;
  updatedAt: string;
}

interface DbRow {
  name: string;
  type: string;
  enabled: boolean;
  mode: StrategyMode;
  stake_multiplier: string;
  parameters: Record<string, unknown>;
  updated_at: Date;
}

const COLUMNS = 'name, type, enabled, mode, stake_multiplier, parameters, updated_at';

function toRow(r: DbRow): StrategyRow {
  return {
    name: r.name,
    type: r.type,
    enabled: r.enabled,
    mode: r.mode,
    stakeMultiplier: new D(r.stake_multiplier).toFixed(),
    parameters: r.parameters,
    updatedAt: r.updated_at.toISOString(),
  };
}

export class UnknownStrategyError extends Error {
  override readonly name = 'UnknownStrategyError';
  constructor(readonly strategy: string) {
    super(
      `unknown strategy "${strategy}" (not in the strategies table; seed it from config with \`alphabet strategy start\`)`,
    );
  }
}

/**
 * Seed the strategies table from config: strategies not yet in the table are inserted (their parameters
 * validated and defaults filled), each with a "created" change by `by`. Existing rows are left alone —
 * after the first start the table, not the file, is the source of truth.
 */
export async function seedStrategies(
  db: Pool,
  records: readonly unknown[],
  by = 'config',
): Promise<{ inserted: string[]; existing: string[] }> {
  const inserted: string[] = [];
  const existing: string[] = [];
  await inTransaction(db, async (client) => {
    for (const [i, raw] of records.entries()) {
      const parsed = StrategyRecord.safeParse(raw);
      if (!parsed.success)
        throw new StrategyParameterError(`strategies.${i}: ${formatIssues(parsed.error)}`, []);
      const s = parsed.data;
      const parameters = parseStrategyParameters(s.type, s.parameters);
      const { rows } = await client.query<{ name: string }>(
        `INSERT INTO strategies (name, type, enabled, mode, stake_multiplier, parameters)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING RETURNING name`,
        [s.name, s.type, s.enabled, s.mode, s.stakeMultiplier, JSON.stringify(parameters)],
      );
      if (rows.length === 0) {
        existing.push(s.name);
        continue;
      }
      inserted.push(s.name);
      await client.query(
        `INSERT INTO strategy_changes (strategy_name, changed_by, field, old_value, new_value) VALUES ($1, $2, 'created', NULL, $3)`,
        [
          s.name,
          by,
          JSON.stringify({
            type: s.type,
            enabled: s.enabled,
            mode: s.mode,
            stakeMultiplier: s.stakeMultiplier,
            parameters,
          }),
        ],
      );
    }
  });
  return { inserted, existing };
}

export async function getStrategy(db: Pool | PoolClient, name: string): Promise<StrategyRow | null> {
  const { rows } = await db.query<DbRow>(`SELECT ${COLUMNS} FROM strategies WHERE name = $1`, [name]);
  return rows[0] ? toRow(rows[0]) : null;
}

export async function listStrategies(db: Pool): Promise<StrategyRow[]> {
  const { rows } = await db.query<DbRow>(`SELECT ${COLUMNS} FROM strategies ORDER BY name`);
  return rows.map(toRow);
}

export interface StrategyChangeRequest {
  /** Parameter changes, merged into the current set and validated by the type's schema. */
  parameters?: Record<string, unknown>;
  mode?: StrategyMode;
  stakeMultiplier?: string;
  enabled?: boolean;
  /** Who: an operator ($USER or --by), "rollout", "config"… */
  by: string;
}

export interface StrategyChange {
  field: string;
  oldValue: unknown;
  newValue: unknown;
}

/**
 * Change a strategy: one transaction locks the row, validates the merged parameters with the type's schema,
 * writes the row and one strategy_changes row per field that actually changed (who, when, old, new).
 * Re-applying the same change (an activity retry) changes nothing and records nothing.
 */
export async function updateStrategy(
  db: Pool,
  name: string,
  request: StrategyChangeRequest,
): Promise<{ strategy: StrategyRow; changes: StrategyChange[] }> {
  checkStrategyRowFields(request);
  const by = request.by.trim();
  if (!by) throw new StrategyParameterError('by: say who is making the change', ['by']);
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<DbRow>(
      `SELECT ${COLUMNS} FROM strategies WHERE name = $1 FOR UPDATE`,
      [name],
    );
    if (!rows[0]) throw new UnknownStrategyError(name);
    const before = toRow(rows[0]);
    const changes: StrategyChange[] = [];
    let parameters = before.parameters;
    if (request.parameters && Object.keys(request.parameters).length > 0) {
      const applied = applyParameterChanges(before.type, before.parameters, request.parameters);
      parameters = applied.parameters;
      for (const c of applied.changed)
        changes.push({ field: `parameters.${c.field}`, oldValue: c.oldValue, newValue: c.newValue });
    }
    const mode = request.mode ?? before.mode;
    if (mode !== before.mode) changes.push({ field: 'mode', oldValue: before.mode, newValue: mode });
    const stakeMultiplier =
      request.stakeMultiplier === undefined
        ? before.stakeMultiplier
        : new D(request.stakeMultiplier).toFixed();
    if (!new D(stakeMultiplier).eq(before.stakeMultiplier)) {
      changes.push({ field: 'stakeMultiplier', oldValue: before.stakeMultiplier, newValue: stakeMultiplier });
    }
    const enabled = request.enabled ?? before.enabled;
    if (enabled !== before.enabled)
      changes.push({ field: 'enabled', oldValue: before.enabled, newValue: enabled });
    if (changes.length === 0) {
      await client.query('ROLLBACK');
      return { strategy: before, changes };
    }
    const { rows: updated } = await client.query<DbRow>(
      `UPDATE strategies SET parameters = $2, mode = $3, stake_multiplier = $4, enabled = $5, updated_at = now()
       WHERE name = $1 RETURNING ${COLUMNS}`,
      [name, JSON.stringify(parameters), mode, stakeMultiplier, enabled],
    );
    for (const c of changes) {
      await client.query(
        `INSERT INTO strategy_changes (strategy_name, changed_by, field, old_value, new_value) VALUES ($1, $2, $3, $4, $5)`,
        [name, by, c.field, JSON.stringify(c.oldValue ?? null), JSON.stringify(c.newValue ?? null)],
      );
    }
    await client.query('COMMIT');
    return { strategy: toRow(updated[0]!), changes };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Record an operational change that is not a field of the row (pause, resume) in the change log. */
export async function recordStrategyEvent(
  db: Pool,
  name: string,
  field: string,
  value: unknown,
  by: string,
): Promise<void> {
  await db.query(
    `INSERT INTO strategy_changes (strategy_name, changed_by, field, old_value, new_value) VALUES ($1, $2, $3, NULL, $4)`,
    [name, by, field, JSON.stringify(value)],
  );
}

export async function strategyChanges(
  db: Pool,
  name: string,
  limit = 50,
): Promise<{ changedBy: string; changedAt: string; field: string; oldValue: unknown; newValue: unknown }[]> {
  const { rows } = await db.query<{
    changed_by: string;
    changed_at: Date;
    field: string;
    old_value: unknown;
    new_value: unknown;
  }>(
    `SELECT changed_by, changed_at, field, old_value, new_value FROM strategy_changes
     WHERE strategy_name = $1 ORDER BY changed_at DESC, change_id DESC LIMIT $2`,
    [name, limit],
  );
  return rows.map((r) => ({
    changedBy: r.changed_by,
    changedAt: r.changed_at.toISOString(),
    field: r.field,
    oldValue: r.old_value,
    newValue: r.new_value,
  }));
}
