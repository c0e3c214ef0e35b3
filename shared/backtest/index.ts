// Public API of the backtest engine. Pure and deterministic: no I/O (the importers live in activities/backtest).
export { fromDefinition } from './adapter';
export { BASELINE_KINDS, type BaselineBets, type BaselineKind, type BaselineOptions } from './baseline';
export { EDGE_CONCENTRATION, concentrationWarnings } from './books';
export { COVERAGE, backtestWarnings } from './warnings';
export { clvReferenceLabel, type ClvReference } from './grading';
export { BacktestEngine } from './engine';
export { runBacktest, runBacktestAsync } from './run';
export { mergeFrames } from './frames';
export type { BacktestBet, BacktestOptions, BacktestRun, BetOutcome } from './run';
export {
  RATIO_DIGITS,
  calibrationTable,
  computeMetrics,
  maxDrawdown,
  meanAndStandardError,
  metricsToJson,
  type BacktestMetrics,
  type CalibrationRow,
  type ClvSummary,
  type CurvePoint,
  type Drawdown,
  type EdgeGauge,
  type MetricsBet,
  type MetricsJson,
  type MetricsOptions,
  type SampleSizeGauge,
} from './metrics';
export {
  BASELINE_DESCRIPTIONS,
  summarize,
  type BacktestSummary,
  type BaselineLine,
  type BaselineSummary,
  type GroupLine,
  type SourceInfo,
  type SummaryOptions,
} from './summary';
export type {
  AggregateOutcome,
  BacktestStrategy,
  EventResult,
  MarketAggregate,
  ReplayBoard,
  ReplayFrame,
  ReplaySnapshot,
  SkipNote,
  SourceSkips,
  StrategyEvaluation,
} from './types';
