import type { Command } from 'commander';
import { Option } from 'commander';
import {
  TuneSpecError,
  chooseBest,
  configurations,
  multipleTestingCaution,
  parseParamAxes,
  type Configuration,
  type Trial,
} from '../../shared/backtest/tune';
import { expandDataArgs, unmatchedMessage } from '../../activities/backtest/files';
import { runBacktestCommand, type BacktestCliResult } from './backtest';
import { collectParam } from './backtest-strategy';
import { emit, UsageError, type OutputOptions } from '../output';

// `alphabet tune`: walk-forward tuning. Every configuration runs through `alphabet backtest`'s own code
// (runBacktestCommand), so a tuned figure is the figure the backtest prints for the same inputs.

type Objective = 'clv' | 'yield';

export interface TuneOptions extends OutputOptions {
  strategy: string;
  param: string[];
  train: string[];
  test: string[];
  objective: Objective;
  seed: string;
  maxConfigs: string;
  minBets: string;
  clvBook: string;
  maxQuoteAge?: string;
}

interface RunFigures {
  bets: number;
  score: string | null;
  clv: { bets: number; mean: string | null; standardError: string | null };
  yield: string | null;
}

export interface TuneResult {
  strategy: string;
  objective: Objective;
  seed: number;
  minBets: number;
  configurations: { grid: number; tried: number; sampled: boolean; eligible: number };
  train: {
    data: string[];
    chosen: { parameters: Configuration } & RunFigures;
    /** The best five on the training data (the chosen one first). */
    top: ({ parameters: Configuration } & RunFigures)[];
  };
  test: { data: string[] } & RunFigures;
  /** Every parameter of the chosen strategy, defaults included. */
  parameters: Record<string, unknown>;
  caution: { drop: string | null; selectionAllowance: string | null; text: string };
}

function whole(text: string, option: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min)
    throw new UsageError(`${option}: expected a whole number ≥ ${min}, got "${text}"`);
  return Number(text);
}

/** One backtest with a configuration, exactly as `alphabet backtest --strategy … --param k=v …` runs it. */
export function backtestWith(
  options: Pick<TuneOptions, 'strategy' | 'clvBook' | 'maxQuoteAge'>,
  configuration: Configuration,
  data: string[],
): Promise<BacktestCliResult> {
  return runBacktestCommand({
    strategy: options.strategy,
    param: Object.entries(configuration).map(([k, v]) => `${k}=${v}`),
    data,
    maxQuoteAge: options.maxQuoteAge,
    bankroll: '100',
    clvBook: options.clvBook,
    unit: '0.01',
    snapshots: 'changed',
    groups: false,
    out: '',
    progress: false,
  });
}

function figures(result: BacktestCliResult, objective: Objective): RunFigures {
  const s = result.summary;
  const clv = { bets: s.clv.bets, mean: s.clv.mean, standardError: s.clv.standardError };
  return { bets: s.bets, score: objective === 'clv' ? clv.mean : s.yield, clv, yield: s.yield };
}

/** Everything `alphabet tune` does short of printing (exported for tests). */
export async function runTuneCommand(options: TuneOptions): Promise<TuneResult> {
  if (options.objective !== 'clv' && options.objective !== 'yield')
    throw new UsageError(`--objective: expected clv or yield, got "${String(options.objective)}"`);
  if (options.train.length === 0) throw new UsageError('--train <files…>: the data to choose parameters on');
  if (options.test.length === 0) throw new UsageError('--test <files…>: the data to report the choice on');
  const seed = whole(options.seed, '--seed', 0);
  const maxConfigs = whole(options.maxConfigs, '--max-configs', 1);
  const minBets = whole(options.minBets, '--min-bets', 1);
  let axes;
  try {
    axes = parseParamAxes(options.param);
  } catch (err) {
    if (err instanceof TuneSpecError) throw new UsageError(err.message);
    throw err;
  }
  if (axes.length === 0) throw new UsageError('--param name=a..b[:step] or name=v1,v2: give at least one');
  const grid = configurations(axes, maxConfigs, seed);
  // Say a mistyped file now, not after the whole grid has run on the training data.
  for (const [flag, args] of [
    ['--train', options.train],
    ['--test', options.test],
  ] as const) {
    const { unmatched } = expandDataArgs(args);
    if (unmatched.length > 0) throw new UsageError(unmatchedMessage(flag, unmatched));
  }

  // Train: every configuration on the training data only; the test data is not read until one is chosen.
  const trials: (Trial & { figures: RunFigures })[] = [];
  for (const configuration of grid.configurations) {
    const f = figures(await backtestWith(options, configuration, options.train), options.objective);
    trials.push({ configuration, bets: f.bets, score: f.score, figures: f });
  }
  const best = chooseBest(trials, minBets) as (Trial & { figures: RunFigures }) | null;
  if (best === null) {
    throw new UsageError(
      `no configuration of the ${grid.configurations.length} tried has a ${options.objective} over at least ` +
        `${minBets} bets on the training data (--min-bets ${minBets}; for CLV, --clv-book must be a book the data quotes)`,
    );
  }
  const eligible = trials.filter((t) => t.score !== null && t.bets >= minBets);
  const ranked = [...eligible].sort((a, b) =>
    a === best ? -1 : b === best ? 1 : Number(b.score) - Number(a.score) || b.bets - a.bets,
  );
  const tested = await backtestWith(options, best.configuration, options.test);
  const test = figures(tested, options.objective);
  return {
    strategy: options.strategy,
    objective: options.objective,
    seed,
    minBets,
    configurations: {
      grid: grid.gridSize,
      tried: grid.configurations.length,
      sampled: grid.sampled,
      eligible: eligible.length,
    },
    train: {
      data: options.train,
      chosen: { parameters: best.configuration, ...best.figures },
      top: ranked.slice(0, 5).map((t) => ({ parameters: t.configuration, ...t.figures })),
    },
    test: { data: options.test, ...test },
    parameters: tested.parameters,
    caution: multipleTestingCaution({
      tried: grid.configurations.length,
      objective: options.objective,
      train: best.score!,
      test: test.score,
      standardError: options.objective === 'clv' ? best.figures.clv.standardError : null,
    }),
  };
}

function human(r: TuneResult): string {
  const pct = (v: string | null): string => (v === null ? 'n/a' : `${(Number(v) * 100).toFixed(2)}%`);
  const params = (c: Configuration): string =>
    Object.entries(c)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  const line = (f: RunFigures): string =>
    `${f.bets} bets, ${r.objective} ${pct(f.score)} (CLV ${pct(f.clv.mean)} ± ${pct(f.clv.standardError)} over ${f.clv.bets}, yield ${pct(f.yield)})`;
  return [
    `${r.strategy}: ${r.configurations.tried} configurations tried` +
      (r.configurations.sampled
        ? ` (a seeded sample of the ${r.configurations.grid} in the grid, seed ${r.seed})`
        : '') +
      `, ${r.configurations.eligible} with at least ${r.minBets} bets`,
    `chosen on train: ${params(r.train.chosen.parameters)}`,
    `  train: ${line(r.train.chosen)}`,
    `  test:  ${line(r.test)}`,
    `caution: ${r.caution.text}`,
  ].join('\n');
}

export function registerTune(program: Command): void {
  program
    .command('tune')
    .description('walk-forward tuning: choose strategy parameters on training data, report them on test data')
    .requiredOption('--strategy <type>', 'strategy type: consensus, arbitrage, value, steam')
    .option(
      '--param <name=range>',
      'a parameter to tune (repeatable): name=a..b[:step] or name=v1,v2,v3 (or one fixed value)',
      collectParam,
      [],
    )
    .requiredOption('--train <files...>', 'the data parameters are chosen on (as backtest --data takes)')
    .requiredOption('--test <files...>', 'the data the chosen parameters are reported on, never chosen on')
    .addOption(
      new Option('--objective <which>', 'what is maximised on the training data')
        .choices(['clv', 'yield'])
        .default('clv'),
    )
    .option('--seed <n>', 'seed of the sample drawn when the grid exceeds --max-configs', '1')
    .option('--max-configs <n>', 'configurations to try at most (a seeded sample beyond)', '100')
    .option('--min-bets <n>', 'a configuration needs this many training bets to be chosen', '10')
    .option('--clv-book <book>', 'CLV reference, as backtest --clv-book', 'pinnacle')
    .option('--max-quote-age <duration>', 'staleness limit of the strategy, as backtest --max-quote-age')
    .option('--json', 'print JSON (figures as exact decimal strings)')
    .addHelpText(
      'after',
      [
        '',
        'Example:',
        '  alphabet tune --strategy steam --param moveThreshold=0.01..0.03:0.005 --param minAgreeingBooks=2,3 \\',
        '    --train ../shared/data/the-odds-api/line-changes/nfl_line_changes.csv.gz \\',
        '    --test ../shared/data/the-odds-api/line-changes/wnba_line_changes.csv.gz --clv-book lowvig',
      ].join('\n'),
    )
    .action(async (options: TuneOptions) => {
      emit(await runTuneCommand(options), options, human);
    });
}
