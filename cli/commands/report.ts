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
import type { MetricsJson } from '../../shared/backtest';
import { betsToMetrics, type RecordedBetRow } from '../../shared/backtest/recorded';
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
        WHERE b.paper_session_id IS NULL AND ($1::text IS NULL OR b.strategy_name = $1)
        ORDER BY b.created_at`,
      [strategy ?? null],
    );
    const { metrics, statuses } = betsToMetrics(rows as RecordedBetRow[], bankroll);
    return {
      source: `bets recorded in the database (paper and live; paper-trading sessions report on their own: alphabet paper report), ${strategy === undefined ? 'every strategy' : `strategy ${strategy}`}: settled bets as settled, open bets counted as unsettled; CLV as recorded at settlement`,
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
