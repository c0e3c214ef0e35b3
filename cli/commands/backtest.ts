import { type Command, Option } from 'commander';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../../config/paths';
import {
  dataKind,
  expandDataArgs,
  unmatchedMessage,
  unsupportedMessage,
} from '../../activities/backtest/files';
import { readFootballDataFiles } from '../../activities/backtest/football-data';
import { NO_CLOSING_COLUMNS, footballDataReplay } from '../../shared/readers/football-data-replay';
import { readLineChanges } from '../../activities/backtest/line-changes';
import { ProgressBar, withProgress, withProgressAsync } from '../../activities/backtest/progress';
import {
  RESULTS_FORMAT,
  clvBetsText,
  writeReport,
  type BacktestResultsFile,
  type ReportFormat,
} from '../../activities/backtest/report';
import {
  mergeFrames,
  runBacktest,
  runBacktestAsync,
  summarize,
  type BacktestRun,
  type BacktestSummary,
  type ReplayFrame,
  type SourceInfo,
} from '../../shared/backtest';
import { backtestStrategy, collectParam, type StrategyOptions } from './backtest-strategy';
import { emit, UsageError, type OutputOptions } from '../output';
import { CONSENSUS_CLV, evaluationLines, evaluationOf, type EvaluationOptions } from './backtest-evaluation';

export interface BacktestCommandOptions extends OutputOptions, StrategyOptions, EvaluationOptions {
  data?: string[];
  db?: boolean;
  from?: string;
  to?: string;
  sport?: string;
  provider?: string;
  results?: string;
  closing?: boolean;
  books?: boolean;
  bankroll: string;
  unit: string;
  snapshots: 'changed' | 'board';
  groups: boolean;
  report?: ReportFormat | true;
  out: string;
  progress: boolean;
}

export interface BacktestCliResult {
  summary: BacktestSummary;
  data: Record<string, unknown>;
  parameters: Record<string, unknown>;
  curve: [number, string, string][];
  run: BacktestRun;
}

/** Everything `alphabet backtest` does short of printing: exported for tests and the report command. */
export async function runBacktestCommand(options: BacktestCommandOptions): Promise<BacktestCliResult> {
  const type = options.strategy;
  const name = options.name ?? type;
  const strategy = backtestStrategy(options);
  if (!/^\d+(\.\d+)?$/.test(options.bankroll))
    throw new UsageError(`--bankroll: expected an amount, got "${options.bankroll}"`);
  if (!/^\d+(\.\d+)?$/.test(options.unit) || Number(options.unit) <= 0) {
    throw new UsageError(`--unit: expected a positive amount such as 0.01, got "${options.unit}"`);
  }
  const evaluation = evaluationOf(options);
  const engineOptions = { ...evaluation, unit: options.unit, snapshots: options.snapshots } as const;

  let run: BacktestRun;
  let source: SourceInfo;
  const data: Record<string, unknown> = {};
  if (options.db === true) {
    if (options.data !== undefined) throw new UsageError('--db and --data are alternatives: give one');
    if (options.closing === true) throw new UsageError('--closing applies to football-data files only');
    for (const [flag, value] of [
      ['--from', options.from],
      ['--to', options.to],
    ] as const) {
      if (value !== undefined && !Number.isFinite(Date.parse(value))) {
        throw new UsageError(`${flag}: "${value}" is not a time (example: 2025-09-01T00:00:00Z)`);
      }
    }
    const { loadConfig } = await import('../../config/load');
    const { createPool } = await import('../../activities/infra/postgres');
    const { oddsHistoryReplay } = await import('../../activities/backtest/postgres');
    const pool = createPool(loadConfig().config.database.url, 2);
    try {
      const replay = await oddsHistoryReplay(pool, {
        from: options.from,
        to: options.to,
        sport: options.sport,
        provider: options.provider,
      });
      const bar = new ProgressBar('replay', replay.rows, process.stderr, { force: false });
      const frames = options.progress ? withProgressAsync(replay.frames, bar) : replay.frames;
      run = await runBacktestAsync(frames, [strategy], engineOptions);
      Object.assign(data, {
        source: 'PostgreSQL odds history (odds_quotes, events)',
        rows: replay.rows,
        from: replay.from,
        to: replay.to,
        events: replay.events,
        eventsWithResults: replay.results,
        rowsSkipped: replay.skipped,
      });
      source = { kind: 'postgres', matches: replay.events, skipped: {} };
    } finally {
      await pool.end();
    }
  } else {
    if (options.data === undefined || options.data.length === 0) {
      throw new UsageError('--data <files…> or --db: say what to replay');
    }
    const { files, unmatched } = expandDataArgs(options.data);
    if (unmatched.length > 0) throw new UsageError(unmatchedMessage('--data', unmatched));
    const kinds = new Set(files.map(dataKind));
    const unsupported = files.filter((f) => dataKind(f) === 'unknown');
    if (unsupported.length > 0) throw new UsageError(unsupportedMessage('--data', unsupported));
    if (kinds.size > 1)
      throw new UsageError('--data: football-data files and line-change files cannot be mixed in one run');
    if (kinds.has('line-changes')) {
      if (options.closing === true) throw new UsageError('--closing applies to football-data files only');
      const replays = files.map((f) => {
        try {
          return readLineChanges(f, options.results);
        } catch (err) {
          throw new UsageError(`--data: ${(err as Error).message}`);
        }
      });
      const total = replays.reduce((n, r) => n + r.frameCount, 0);
      const merged = mergeFrames(replays.map((r) => r.frames));
      const frames: Iterable<ReplayFrame> = options.progress
        ? withProgress(merged, new ProgressBar('replay', total))
        : merged;
      run = runBacktest(frames, [strategy], engineOptions);
      const skipped: Record<string, number> = {};
      for (const r of replays)
        for (const [k, v] of Object.entries(r.skipped)) skipped[k] = (skipped[k] ?? 0) + v;
      Object.assign(data, {
        source: 'The Odds API line changes',
        files: files.map((f) => f.replace(`${resolve(PROJECT_ROOT, '..')}/`, '../')),
        rows: replays.reduce((n, r) => n + r.rows, 0),
        rowsSkipped: skipped,
        eventsWithResults: replays.reduce((n, r) => n + r.results, 0),
        results:
          options.results ??
          'none: the line-change files hold no scores, bets stay unsettled (CLV is still measured)',
      });
      source = {
        kind: 'line-changes',
        matches: replays.reduce((n, r) => n + r.eventsQuoted, 0),
        skipped: {},
      };
    } else {
      if (options.results !== undefined)
        throw new UsageError(
          '--results applies to line-change files (football-data files carry their results)',
        );
      const books = options.books ?? type !== 'consensus';
      // The consensus close is the books' own closing columns (B365C, PSC…): read them even when not betting them.
      const consensusClv = evaluation.clvReference.kind === 'consensus';
      const parsed = readFootballDataFiles(files, {
        books: books || consensusClv,
        closing: options.closing === true || consensusClv,
      });
      const replay = footballDataReplay(parsed, {
        prices: options.closing === true ? 'closing' : 'opening',
        books,
      });
      const frames = options.progress
        ? withProgress(replay.frames, new ProgressBar('replay', replay.frameCount))
        : replay.frames;
      run = runBacktest(frames, [strategy], engineOptions);
      const withoutClosing = parsed.filter((p) => !p.summary.hasClosing).map((p) => p.summary.file);
      const warnings = parsed.flatMap((p) => p.summary.warnings.map((w) => `${p.summary.file}: ${w}`));
      // Extra-league files carry a league and season per match; main-league files one per file.
      const seasons = new Set<string>();
      const leagues = new Set<string>();
      for (const p of parsed) {
        for (const m of p.matches) {
          if (m.season !== null) seasons.add(m.season);
          leagues.add(m.div);
        }
      }
      const withoutCount = parsed.filter((p) => !p.summary.hasBookCount).length;
      Object.assign(data, {
        source: 'football-data.co.uk match files',
        files: parsed.length,
        prices:
          replay.prices === 'closing'
            ? 'closing (AvgC/MaxC average/best; book closing columns)'
            : 'pre-match (BbAv/BbMx average/best to 2018/19, Avg/Max from 2019/20 and in extra-league files)',
        bookQuotes: books,
        seasons: [...seasons].sort(),
        leagues: [...leagues].sort(),
        blankRowsSkipped: parsed.reduce((n, p) => n + p.summary.blankRows, 0),
        filesWithoutBookCount: withoutCount,
        ...(type === 'consensus'
          ? { minBooksRule: minBooksRule(strategy.parameters, parsed.length, withoutCount) }
          : {}),
        ...(options.closing === true ? { filesWithoutClosingColumns: withoutClosing.length } : {}),
        ...(warnings.length > 0 ? { warnings } : {}),
      });
      source = { kind: 'football-data', matches: replay.matches, skipped: replay.skipped };
    }
  }
  const { summary, curve } = summarize(run, name, source, {
    bankroll: options.bankroll,
    groups: options.groups,
    baselineSeed: evaluation.baseline?.seed,
  });
  return { summary, data, parameters: strategy.parameters as Record<string, unknown>, curve, run };
}

/**
 * Whether consensus's minBooks skip could apply: it needs the number of books (Bb1X2), which extra-league
 * files and the 2019/20 main-league files do not have; their matches are never skipped for it.
 */
function minBooksRule(parameters: unknown, files: number, withoutCount: number): string {
  const minBooks = (parameters as { minBooks?: number }).minBooks;
  if (withoutCount === 0) return `applied (minBooks ${minBooks}): every file has a book count (Bb1X2)`;
  if (withoutCount === files) return 'not applied: no file has a book count (Bb1X2), e.g. extra-league files';
  return (
    `applied (minBooks ${minBooks}) to the ${files - withoutCount} files with a book count (Bb1X2), ` +
    `not to the ${withoutCount} without (2019/20 and extra-league files)`
  );
}

function ordered(summary: BacktestSummary, data: Record<string, unknown>): Record<string, unknown> {
  const { matches, bets, wins, hitRate, profit, yield: y, ...rest } = summary;
  return { matches, bets, wins, hitRate, profit, yield: y, ...rest, data };
}

function human(result: BacktestCliResult, written: { report: string; results: string } | null): string {
  const s = result.summary;
  const pct = (v: string | null): string => (v === null ? 'n/a' : `${(Number(v) * 100).toFixed(2)}%`);
  const lines = [
    `${s.strategy}: ${s.matches} matches, ${s.evaluated} replayed, ${s.bets} bets, ${s.wins} won (hit rate ${pct(s.hitRate)})`,
    `profit ${s.profit} on turnover ${s.turnover}: yield ${pct(s.yield)}; bankroll ${s.bankroll.initial} → ${s.bankroll.final} (ROI ${pct(s.bankroll.roi)}), max drawdown ${s.bankroll.maxDrawdown}`,
    s.clv.mean === null
      ? `CLV: no bet has a ${s.clvReference}`
      : `CLV vs ${s.clvReference}: mean ${pct(s.clv.mean)} ± ${pct(s.clv.standardError)} over ${clvBetsText(s)}`,
  ];
  if (s.unsettled > 0) lines.push(`${s.unsettled} bets unsettled: no result in the data`);
  if (typeof result.data.minBooksRule === 'string') lines.push(`minBooks: ${result.data.minBooksRule}`);
  for (const [reason, n] of Object.entries(s.skipped)) lines.push(`  not bet: ${n} × ${reason}`);
  if (s.skipped[NO_CLOSING_COLUMNS] !== undefined) {
    lines.push(
      `  (--closing: ${s.skipped[NO_CLOSING_COLUMNS]} matches are in files without closing columns and were not replayed)`,
    );
  }
  lines.push(...evaluationLines(s));
  if (written !== null) lines.push(`report: ${written.report}`, `results: ${written.results}`);
  return lines.join('\n');
}

export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description(
      'replay history through a strategy (the live evaluation code), settle from results and measure',
    )
    .requiredOption('--strategy <type>', 'strategy type: consensus, arbitrage, value, steam')
    .option('--name <name>', 'name for the strategy in results and opportunity ids (default: the type)')
    .option(
      '--data <files...>',
      'football-data CSVs or The Odds API *_line_changes.csv.gz files, directories or globs',
    )
    .option('--db', 'replay the PostgreSQL odds history (database.url) instead of files')
    .option('--from <iso>', '--db: first observation time')
    .option('--to <iso>', '--db: end of the range (exclusive)')
    .option('--sport <key>', '--db: only this sport')
    .option('--provider <name>', '--db: only this provider')
    .option('--results <csv>', 'line-change replays: results file (event_id,home_score,away_score)')
    .option('--alpha <a>', 'consensus: margin below the consensus probability (default 0.05)')
    .option('--min-books <n>', 'consensus: skip matches quoted by this many books or fewer (default 3)')
    .option('--closing', 'football-data: bet the closing prices (AvgC/MaxC, 2019/20 files only)')
    .option(
      '--param <key=value>',
      'any strategy parameter (repeatable), e.g. --param minEdge=0.03',
      collectParam,
      [],
    )
    .option(
      '--max-quote-age <duration>',
      'staleness limit of the strategy (replays sampled every few minutes need more than live)',
    )
    .option(
      '--books',
      "football-data: put every book's own 1X2 quotes on the board (default: on, off for consensus)",
    )
    .option('--no-books', 'football-data: only the published average/best on the board')
    .option('--bankroll <amount>', 'starting bankroll for ROI and drawdown', '100')
    .option(
      '--clv-book <book>',
      `CLV reference: this book's closing line, devigged, or "${CONSENSUS_CLV}" (the devigged closes of the books quoting the same line, averaged)`,
      'pinnacle',
    )
    .option('--clv-min-books <n>', '--clv-book consensus: books with a full closing line needed (default 3)')
    .addOption(
      new Option('--baseline <kind>', 'also bet randomly chosen prices, measured the same way').choices([
        'random',
      ]),
    )
    .option('--seed <n>', '--baseline: seed of the random choices (default 1)')
    .option('--unit <amount>', 'currency unit payouts are rounded down to (live settlement rule)', '0.01')
    .addOption(
      new Option(
        '--snapshots <which>',
        'what each step shows the strategy: changed events or the whole board',
      )
        .choices(['changed', 'board'])
        .default('changed'),
    )
    .option('--no-groups', 'leave out the per-league and per-season lines')
    .addOption(new Option('--report [format]', 'write results and a report to --out').choices(['md', 'html']))
    .option('--out <dir>', 'directory for --report', resolve(PROJECT_ROOT, 'reports'))
    .option('--no-progress', 'no progress bar (it is only drawn when stderr is a terminal)')
    .option('--json', 'print JSON (money as exact decimal strings)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  alphabet backtest --strategy consensus --data ../shared/data/football-data/*.csv --json',
        '  alphabet backtest --strategy consensus --data ../shared/data/football-data --closing --report md',
        '  alphabet backtest --strategy arbitrage --data ../shared/data/the-odds-api/line-changes/nfl_line_changes.csv.gz --max-quote-age 30m',
        '  alphabet backtest --strategy steam --data ../shared/data/the-odds-api/line-changes/nfl_line_changes.csv.gz --clv-book consensus --baseline random --seed 1 --json',
      ].join('\n'),
    )
    .action(async (options: BacktestCommandOptions) => {
      const result = await runBacktestCommand(options);
      let written: { report: string; results: string } | null = null;
      if (options.report !== undefined) {
        const file: BacktestResultsFile = {
          format: RESULTS_FORMAT,
          createdAt: new Date().toISOString(),
          command: ['alphabet', ...process.argv.slice(2)].join(' '),
          data: result.data,
          parameters: result.parameters,
          summary: result.summary,
          curve: result.curve,
        };
        const w = writeReport(file, options.out, options.report === true ? 'md' : options.report);
        written = { report: w.report, results: w.results };
      }
      emit(
        written === null
          ? ordered(result.summary, result.data)
          : { ...ordered(result.summary, result.data), written },
        options,
        () => human(result, written),
      );
    });
}
