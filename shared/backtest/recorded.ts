import { D, toDecimalString } from '../math/decimal';
import { computeMetrics, metricsToJson, type MetricsBet, type MetricsJson } from './metrics';

/** A bet as recorded by paper or live trading (NUMERIC columns as text). */
export interface RecordedBetRow {
  status: string;
  stake: string;
  price: string;
  profit_loss: string | null;
  clv_sharp: string | null;
  fair_probability: string | null;
  settled_at: Date | string | null;
  start_time: Date | string;
}

// Pending legs have not passed the risk check yet (stake 0): not bets, only counted by status.
const OPEN = new Set(['placed', 'awaiting_confirmation', 'reserved']);
const SETTLED = new Set(['won', 'lost', 'push', 'voided']);

/**
 * Recorded bets as the backtest's metrics: settled ones in settlement order (the bankroll curve's order),
 * open ones counted as unsettled; skipped, rejected, expired and failed ones only in the status counts.
 */
export function betsToMetrics(
  rows: readonly RecordedBetRow[],
  bankroll: string,
): { metrics: MetricsJson; statuses: Record<string, number>; curve: [number, string, string][] } {
  const statuses: Record<string, number> = {};
  const bets: MetricsBet[] = [];
  let seq = 0;
  const settled = rows
    .filter((r) => SETTLED.has(r.status))
    .sort((a, b) => new Date(a.settled_at ?? 0).getTime() - new Date(b.settled_at ?? 0).getTime());
  for (const r of rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  for (const r of settled) {
    bets.push({
      settledSeq: seq++,
      status: r.status === 'voided' ? 'void' : (r.status as 'won' | 'lost' | 'push'),
      stake: new D(r.stake),
      profit: new D(r.profit_loss ?? 0),
      price: r.price,
      clv: r.clv_sharp === null ? null : new D(r.clv_sharp),
      probability: r.fair_probability === null ? null : new D(r.fair_probability),
      event: { startTime: new Date(r.start_time).toISOString() },
    });
  }
  for (const r of rows) {
    if (!OPEN.has(r.status)) continue;
    bets.push({
      settledSeq: null,
      status: 'unsettled',
      stake: new D(r.stake),
      profit: new D(0),
      price: r.price,
      clv: r.clv_sharp === null ? null : new D(r.clv_sharp),
      probability: null,
      event: { startTime: new Date(r.start_time).toISOString() },
    });
  }
  const computed = computeMetrics(bets, { bankroll });
  const curve = computed.curve.map((p): [number, string, string] => [p.n, p.at, toDecimalString(p.bankroll)]);
  return { metrics: metricsToJson(computed), statuses, curve };
}
