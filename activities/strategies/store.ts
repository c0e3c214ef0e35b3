import type { Pool, PoolClient } from 'pg';
import { D } from '../../shared/math';
import type { Opportunity, StrategyMode } from '../../shared/entities';
import {
  StrategyParameterError,
  StrategyRecord,
  applyParameterChanges,
  formatIssues,
  parseStrategyParameters,
  type BoardSnapshot,
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
  const client = await db.connect();
  try {
    await client.query('BEGIN');
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
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
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

/** Validate the non-parameter fields the same way the config seed does. */
export function checkTopLevel(change: Omit<StrategyChangeRequest, 'by' | 'parameters'>): void {
  if (change.mode !== undefined && !['backtest', 'paper', 'live'].includes(change.mode)) {
    throw new StrategyParameterError(
      `mode: expected one of backtest, paper, live, got ${JSON.stringify(change.mode)}`,
      ['mode'],
    );
  }
  if (change.stakeMultiplier !== undefined) {
    const text = change.stakeMultiplier;
    if (typeof text !== 'string' || !/^\d+(\.\d+)?$/.test(text) || new D(text).gt(1)) {
      throw new StrategyParameterError(
        `stakeMultiplier: expected a decimal string between 0 and 1, e.g. "0.25", got ${JSON.stringify(text)}`,
        ['stakeMultiplier'],
      );
    }
  }
  if (change.enabled !== undefined && typeof change.enabled !== 'boolean') {
    throw new StrategyParameterError(
      `enabled: expected true or false, got ${JSON.stringify(change.enabled)}`,
      ['enabled'],
    );
  }
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
  checkTopLevel(request);
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

// ---- opportunities ----

export type Decision = { decision: 'pending' } | { decision: 'skipped'; reason: string };

export interface RecordResult {
  /** Ids inserted now, by decision. */
  inserted: { id: string; decision: 'pending' | 'skipped' }[];
  /** Already recorded by an earlier sweep (same id): not recorded or handed off again. */
  duplicates: number;
  /** Event rows this call created because ingestion had not (yet). */
  eventsCreated: number;
}

/**
 * Record opportunities with their decision, in one transaction: the events they reference are upserted
 * from the board snapshot first (opportunities have a foreign key to events), then every opportunity is
 * inserted unless its id is already there. The id is deterministic, so a repeat sweep records nothing new.
 */
export async function recordOpportunities(
  db: Pool,
  board: Pick<BoardSnapshot, 'events'>,
  items: readonly { opportunity: Opportunity; decision: Decision }[],
  paperSession: string | null = null,
): Promise<RecordResult> {
  if (items.length === 0) return { inserted: [], duplicates: 0, eventsCreated: 0 };
  const eventIds = [...new Set(items.map((i) => i.opportunity.market.eventId))];
  const events = eventIds.flatMap((id) => {
    const e = board.events[id];
    if (!e) return [];
    return [
      {
        event_id: e.id,
        sport: e.sport,
        league: e.league,
        start_time: e.startTime,
        status: e.status,
        participants: e.participants.length ? e.participants : [{ id: e.id, name: e.id, role: 'event' }],
      },
    ];
  });
  const rows = items.map(({ opportunity: o, decision }) => ({
    opportunity_id: o.id,
    strategy_name: o.strategy,
    kind: o.kind,
    event_id: o.market.eventId,
    sport: o.sport,
    market_type: o.market.marketType,
    period: o.market.period,
    line: o.market.line,
    legs: o.legs,
    edge: o.edge,
    fair_method: o.fairMethod,
    rule: o.rule,
    suspect: o.suspect,
    suspect_reasons: o.suspectReasons,
    context: o.context,
    detected_at: o.detectedAt,
    decision: decision.decision,
    decision_reason: decision.decision === 'skipped' ? decision.reason : null,
    paper_session_id: paperSession,
  }));
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const created = await client.query(
      `INSERT INTO events (event_id, sport, league, start_time, status, participants)
       SELECT event_id, sport, league, start_time, status, participants
       FROM jsonb_to_recordset($1::jsonb) AS x(event_id text, sport text, league text, start_time timestamptz,
                                             status text, participants jsonb)
       ON CONFLICT (event_id) DO NOTHING`,
      [JSON.stringify(events)],
    );
    const { rows: inserted } = await client.query<{
      opportunity_id: string;
      decision: 'pending' | 'skipped';
    }>(
      `INSERT INTO opportunities (opportunity_id, strategy_name, kind, event_id, sport, market_type, period, line, legs,
                                  edge, fair_method, rule, suspect, suspect_reasons, context, detected_at, decision,
                                  decision_reason, decided_at, paper_session_id)
       SELECT opportunity_id, strategy_name, kind, event_id, sport, market_type, period, line, legs, edge, fair_method,
              rule, suspect, ARRAY(SELECT jsonb_array_elements_text(suspect_reasons)), context, detected_at, decision,
              decision_reason, CASE WHEN decision = 'skipped' THEN now() END, paper_session_id
       FROM jsonb_to_recordset($1::jsonb) AS x(opportunity_id text, strategy_name text, kind text, event_id text,
            sport text, market_type text, period text, line numeric, legs jsonb, edge numeric, fair_method text,
            rule text, suspect boolean, suspect_reasons jsonb, context jsonb, detected_at timestamptz,
            decision text, decision_reason text, paper_session_id text)
       ON CONFLICT (opportunity_id) DO NOTHING
       RETURNING opportunity_id, decision`,
      [JSON.stringify(rows)],
    );
    await client.query('COMMIT');
    return {
      inserted: inserted.map((r) => ({ id: r.opportunity_id, decision: r.decision })),
      duplicates: items.length - inserted.length,
      eventsCreated: created.rowCount ?? 0,
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export interface PendingOpportunity {
  id: string;
  kind: Opportunity['kind'];
  sport: string;
  edge: string;
  market: Opportunity['market'];
  legs: Opportunity['legs'];
}

/**
 * Pending opportunities of a strategy not yet handed to a bet lifecycle, oldest first: the strategy
 * workflow's own (paperSession null) or one paper-trading session's.
 */
export async function pendingOpportunities(
  db: Pool,
  strategy: string,
  limit: number,
  paperSession: string | null = null,
): Promise<PendingOpportunity[]> {
  const { rows } = await db.query<{
    opportunity_id: string;
    kind: Opportunity['kind'];
    sport: string;
    edge: string;
    event_id: string;
    market_type: Opportunity['market']['marketType'];
    period: string;
    line: string | null;
    legs: Opportunity['legs'];
  }>(
    `SELECT opportunity_id, kind, sport, edge, event_id, market_type, period, line, legs FROM opportunities
     WHERE strategy_name = $1 AND decision = 'pending' AND handed_off_at IS NULL
       AND paper_session_id IS NOT DISTINCT FROM $3
     ORDER BY detected_at, opportunity_id LIMIT $2`,
    [strategy, limit, paperSession],
  );
  return rows.map((r) => ({
    id: r.opportunity_id,
    kind: r.kind,
    sport: r.sport,
    edge: new D(r.edge).toFixed(),
    market: {
      eventId: r.event_id,
      marketType: r.market_type,
      period: r.period,
      line: r.line === null ? null : new D(r.line).toFixed(),
    },
    legs: r.legs,
  }));
}

/** Mark opportunities as handed to their bet lifecycle (the lifecycle then owns their decision). */
export async function markHandedOff(db: Pool, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db.query(
    `UPDATE opportunities SET handed_off_at = now() WHERE opportunity_id = ANY($1::text[]) AND handed_off_at IS NULL`,
    [ids],
  );
  return r.rowCount ?? 0;
}

/** Decide pending opportunities without a lifecycle (record-only hand-off): skipped, with the reason. */
export async function skipPending(db: Pool, ids: readonly string[], reason: string): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db.query(
    `UPDATE opportunities SET decision = 'skipped', decision_reason = $2, decided_at = now(), handed_off_at = now()
     WHERE opportunity_id = ANY($1::text[]) AND decision = 'pending'`,
    [ids, reason],
  );
  return r.rowCount ?? 0;
}
