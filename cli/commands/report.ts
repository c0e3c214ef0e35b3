import { type Command, Option } from 'commander';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../../config/paths';
import {
  listResults,
  readResults,
  writeReportOnly,
  type BacktestResultsFile,
  type ReportFormat,
} from '../../activities/backtest/report';
import { computeMetrics, metricsToJson, type MetricsBet, type MetricsJson } from '../../shared/backtest';
import { D } from '../../shared/math/decimal';
import { emit, UsageError, type OutputOptions } from '../output';

interface ReportOptions extends OutputOptions {
  strategy?: string;
  file?: string;
  dir: string;
  format: ReportFormat;
  db?: boolean;
  bankroll: string;
}

export interface BetsReport {
  /** Exactly what the figures are computed from. */
  source: string;
  strategy: string | null;
  /** Bets by status as recorded, including those never placed (skipped, rejected, expired, failed). */
  statuses: Record<string, number>;
  metrics: MetricsJson;
}

interface BetRow {
  status: string;
  stake: string;
  price: string;
  profit_loss: string | null;
  clv_sharp: string | null;
  fair_probability: string | null;
  settled_at: Date | string | null;
  start_time: Date | string;
}

const PLACED = new Set(['placed', 'awaiting_confirmation', 'reserved', 'pending']);

/** Recorded paper/live bets of a strategy as metrics (settled ones in settlement order). */
export function betsToMetrics(
  rows: readonly BetRow[],
  bankroll: string,
): { metrics: MetricsJson; statuses: Record<string, number> } {
  const statuses: Record<string, number> = {};
  const bets: MetricsBet[] = [];
  let seq = 0;
  const settled = [...rows]
    .filter((r) => ['won', 'lost', 'push', 'voided'].includes(r.status))
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
    if (!PLACED.has(r.status)) continue;
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
  return { metrics: metricsToJson(computeMetrics(bets, { bankroll })), statuses };
}

async function dbReport(strategy: string | undefined, bankroll: string): Promise<BetsReport> {
  const { loadConfig } = await import('../../config/load');
  const { createPool } = await import('../../activities/infra/postgres');
  const pool = createPool(loadConfig().config.database.url, 1);
  try {
    const { rows } = await pool.query(
      `SELECT b.status, b.stake::text AS stake, b.price::text AS price, b.profit_loss::text AS profit_loss,
              b.clv_sharp::text AS clv_sharp, b.fair_probability::text AS fair_probability, b.settled_at,
              e.start_time
         FROM bets b JOIN events e ON e.event_id = b.event_id
        WHERE $1::text IS NULL OR b.strategy_name = $1
        ORDER BY b.created_at`,
      [strategy ?? null],
    );
    const { metrics, statuses } = betsToMetrics(rows as BetRow[], bankroll);
    return {
      source: `bets recorded in the database (paper and live), ${strategy === undefined ? 'every strategy' : `strategy ${strategy}`}: settled bets as settled, open bets counted as unsettled; CLV as recorded at settlement`,
      strategy: strategy ?? null,
      statuses,
      metrics,
    };
  } finally {
    await pool.end();
  }
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'performance report: from saved backtest results (reports/*.json) or, with --db, from recorded bets',
    )
    .option('--strategy <name>', 'only this strategy (default: the newest results of any)')
    .option('--file <results.json>', 'this backtest results file')
    .option(
      '--dir <dir>',
      'where backtest results are saved and reports written',
      resolve(PROJECT_ROOT, 'reports'),
    )
    .addOption(new Option('--format <format>', 'report format').choices(['md', 'html']).default('md'))
    .option('--db', 'report on the bets recorded in PostgreSQL (paper/live) instead of a backtest')
    .option('--bankroll <amount>', '--db: starting bankroll for ROI and drawdown', '100')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nBacktest results are saved by `alphabet backtest … --report`.\nExamples:\n  alphabet report --strategy consensus\n  alphabet report --db --strategy consensus --json',
    )
    .action(async (options: ReportOptions) => {
      if (options.db === true) {
        if (options.file !== undefined) throw new UsageError('--db and --file are alternatives: give one');
        const report = await dbReport(options.strategy, options.bankroll);
        emit(report, options, (r) =>
          [
            r.source,
            `statuses: ${
              Object.entries(r.statuses)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ') || 'no bets'
            }`,
            `${r.metrics.bets} bets, ${r.metrics.wins} won, hit rate ${r.metrics.hitRate ?? 'n/a'}, profit ${r.metrics.profit} on turnover ${r.metrics.turnover}, yield ${r.metrics.yield ?? 'n/a'}`,
            `max drawdown ${r.metrics.bankroll.maxDrawdown}; mean CLV ${r.metrics.clv.mean ?? 'n/a'} ± ${r.metrics.clv.standardError ?? 'n/a'} (${r.metrics.clv.bets} bets)`,
          ].join('\n'),
        );
        return;
      }
      let path: string;
      let results: BacktestResultsFile;
      if (options.file !== undefined) {
        path = resolve(options.file);
        try {
          results = readResults(path);
        } catch (err) {
          throw new UsageError(`--file: ${(err as Error).message}`);
        }
        if (options.strategy !== undefined && results.summary.strategy !== options.strategy) {
          throw new UsageError(
            `--file: ${path} holds strategy ${results.summary.strategy}, not ${options.strategy}`,
          );
        }
      } else {
        const found = listResults(options.dir, options.strategy)[0];
        if (found === undefined) {
          throw new UsageError(
            `no backtest results${options.strategy === undefined ? '' : ` for ${options.strategy}`} in ${options.dir}: run alphabet backtest … --report first (or use --db for recorded bets)`,
          );
        }
        ({ path, results } = found);
      }
      const written = writeReportOnly(results, options.dir, options.format, stemOf(path));
      const s = results.summary;
      emit(
        {
          source: `backtest results ${path} (created ${results.createdAt} by \`${results.command}\`)`,
          report: written.report,
          chart: written.chart,
          summary: s,
        },
        options,
        (r) =>
          [
            `from ${r.source}`,
            `${s.strategy}: ${s.matches} matches, ${s.bets} bets, ${s.wins} won, profit ${s.profit}, yield ${s.yield ?? 'n/a'}`,
            `report: ${r.report}`,
          ].join('\n'),
      );
    });
}

function stemOf(path: string): string {
  return path.replace(/^.*\//, '').replace(/\.json$/, '');
}
