import { inTransaction, type Pool } from '../infra/postgres';
import type { RecordedBetRow } from '../../shared/backtest/recorded';
import type { MetricsJson } from '../../shared/backtest/metrics';
import type { PaperVerdict } from '../../shared/paper';
import type { RolloutGate } from '../../shared/rollout';

/** A session's row as the activities read it (amounts as exact decimal text). */
export interface PaperSessionRow {
  session_id: string;
  first_run_id: string;
  strategy_name: string;
  strategy_type: string;
  parameters: Record<string, unknown>;
  account: string;
  bankroll: string;
  stake_multiplier: string;
  duration_ms: string | null;
  max_bets: number | null;
  gate: RolloutGate;
  started_by: string;
  status: 'running' | 'settling' | 'completed';
  started_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
  verdict: PaperVerdict | null;
  metrics: MetricsJson | null;
  report_path: string | null;
}

const SESSION_COLUMNS = `session_id, first_run_id, strategy_name, strategy_type, parameters, account, bankroll::text AS bankroll,
  stake_multiplier::text AS stake_multiplier, duration_ms::text AS duration_ms, max_bets, gate, started_by, status,
  started_at, ended_at, end_reason, verdict, metrics, report_path`;

export async function getPaperSession(db: Pool, sessionId: string): Promise<PaperSessionRow | null> {
  const { rows } = await db.query<PaperSessionRow>(
    `SELECT ${SESSION_COLUMNS} FROM paper_sessions WHERE session_id = $1`,
    [sessionId],
  );
  return rows[0] ?? null;
}

export interface NewPaperSession {
  sessionId: string;
  firstRunId: string;
  strategyName: string;
  strategyType: string;
  parameters: Record<string, unknown>;
  account: string;
  bankroll: string;
  stakeMultiplier: string;
  durationMs: number | null;
  maxBets: number | null;
  gate: RolloutGate;
  by: string;
}

/** Record a session; a session id recorded before keeps its first row (the caller reads it back). */
export async function insertPaperSession(db: Pool, s: NewPaperSession): Promise<void> {
  await inTransaction(db, async (client) => {
    await client.query(
      `INSERT INTO paper_sessions (session_id, strategy_name, strategy_type, parameters, account, bankroll,
                                   stake_multiplier, duration_ms, max_bets, gate, started_by, first_run_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (session_id) DO NOTHING`,
      [
        s.sessionId,
        s.strategyName,
        s.strategyType,
        JSON.stringify(s.parameters),
        s.account,
        s.bankroll,
        s.stakeMultiplier,
        s.durationMs,
        s.maxBets,
        JSON.stringify(s.gate),
        s.by,
        s.firstRunId,
      ],
    );
  });
}

export interface SessionBetOutcome {
  status: string;
  stake: string;
  profit_loss: string | null;
  clv_sharp: string | null;
}

export interface SessionOpportunityCounts {
  recorded: number;
  handed_off: number;
  placed: number;
  skipped: number;
  in_flight: number;
}

/** The session's bets (settled first, in settlement order) and its opportunities counted by decision. */
export async function sessionProgressRows(
  db: Pool,
  sessionId: string,
): Promise<{ bets: SessionBetOutcome[]; opportunities: SessionOpportunityCounts }> {
  const [bets, opportunities] = await Promise.all([
    db.query<SessionBetOutcome>(
      `SELECT status, stake::text AS stake, profit_loss::text AS profit_loss, clv_sharp::text AS clv_sharp
         FROM bets WHERE paper_session_id = $1 ORDER BY settled_at NULLS LAST, created_at`,
      [sessionId],
    ),
    db.query<SessionOpportunityCounts>(
      `SELECT count(*)::int AS recorded,
              count(*) FILTER (WHERE handed_off_at IS NOT NULL)::int AS handed_off,
              count(*) FILTER (WHERE decision = 'placed')::int AS placed,
              count(*) FILTER (WHERE decision = 'skipped')::int AS skipped,
              count(*) FILTER (WHERE decision = 'pending' AND handed_off_at IS NOT NULL)::int AS in_flight
         FROM opportunities WHERE paper_session_id = $1`,
      [sessionId],
    ),
  ]);
  return { bets: bets.rows, opportunities: opportunities.rows[0]! };
}

/**
 * The session stops trading: the row says why and when (first call wins), and what it found but never
 * handed to a bet lifecycle is recorded as skipped. Returns how many opportunities were skipped.
 */
export async function endPaperSessionRows(db: Pool, sessionId: string, reason: string): Promise<number> {
  return inTransaction(db, async (client) => {
    await client.query(
      `UPDATE paper_sessions SET status = 'settling', ended_at = now(), end_reason = $2
        WHERE session_id = $1 AND status = 'running'`,
      [sessionId, reason],
    );
    const skipped = await client.query(
      `UPDATE opportunities SET decision = 'skipped', decision_reason = $2, decided_at = now(), handed_off_at = now()
        WHERE paper_session_id = $1 AND decision = 'pending' AND handed_off_at IS NULL`,
      [sessionId, `paperSessionEnded: ${reason}`],
    );
    return skipped.rowCount ?? 0;
  });
}

/** The session's bets as the backtest metrics read them, and its decisions by reason (the report's input). */
export async function sessionReportRows(
  db: Pool,
  sessionId: string,
): Promise<{ bets: RecordedBetRow[]; decisions: { decision: string; reason: string; n: number }[] }> {
  const { rows: bets } = await db.query<RecordedBetRow>(
    `SELECT b.status, b.stake::text AS stake, b.price::text AS price, b.profit_loss::text AS profit_loss,
            b.clv_sharp::text AS clv_sharp, b.fair_probability::text AS fair_probability, b.settled_at,
            e.start_time
       FROM bets b JOIN events e ON e.event_id = b.event_id
      WHERE b.paper_session_id = $1 ORDER BY b.created_at`,
    [sessionId],
  );
  const { rows: decisions } = await db.query<{ decision: string; reason: string; n: number }>(
    `SELECT decision, COALESCE(split_part(decision_reason, ':', 1), '') AS reason, count(*)::int AS n
       FROM opportunities WHERE paper_session_id = $1 GROUP BY 1, 2 ORDER BY 1, 3 DESC`,
    [sessionId],
  );
  return { bets, decisions };
}

export interface CompletedPaperSession {
  sessionId: string;
  verdict: PaperVerdict;
  verdictReasons: string[];
  metrics: MetricsJson;
  curve: [number, string, string][];
  markdown: string;
  reportPath: string | null;
}

export async function completePaperSession(db: Pool, c: CompletedPaperSession): Promise<void> {
  await db.query(
    `UPDATE paper_sessions SET status = 'completed', completed_at = now(), ended_at = COALESCE(ended_at, now()),
            verdict = $2, verdict_reasons = $3, metrics = $4, curve = $5, report_markdown = $6, report_path = $7
      WHERE session_id = $1`,
    [
      c.sessionId,
      c.verdict,
      c.verdictReasons,
      JSON.stringify(c.metrics),
      JSON.stringify(c.curve),
      c.markdown,
      c.reportPath,
    ],
  );
}

/** A session as the CLI shows it: the stored results, the curve and the report once completed. */
export interface PaperSessionRecord {
  session_id: string;
  strategy_name: string;
  bankroll: string;
  status: string;
  started_by: string;
  started_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
  verdict: string | null;
  verdict_reasons: string[] | null;
  metrics: { bets: number; profit: string; yield: string | null; clv: { mean: string | null } } | null;
  curve: [number, string, string][] | null;
  report_markdown: string | null;
  report_path: string | null;
}

export async function paperSessionRecord(db: Pool, sessionId: string): Promise<PaperSessionRecord | null> {
  const { rows } = await db.query<PaperSessionRecord>(
    `SELECT session_id, strategy_name, bankroll::text AS bankroll, status, started_by, started_at, ended_at,
            end_reason, verdict, verdict_reasons, metrics, curve, report_markdown, report_path
       FROM paper_sessions WHERE session_id = $1`,
    [sessionId],
  );
  return rows[0] ?? null;
}

/** The latest 20 sessions (of one strategy, or all), without their curves and reports. */
export async function listPaperSessions(db: Pool, strategy: string | null): Promise<PaperSessionRecord[]> {
  const { rows } = await db.query<PaperSessionRecord>(
    `SELECT session_id, strategy_name, bankroll::text AS bankroll, status, started_by, started_at, ended_at,
            end_reason, verdict, verdict_reasons, metrics, NULL AS curve, NULL AS report_markdown, report_path
       FROM paper_sessions WHERE $1::text IS NULL OR strategy_name = $1
      ORDER BY started_at DESC LIMIT 20`,
    [strategy],
  );
  return rows;
}
