// Public API of the backtest engine. Pure and deterministic: no I/O (the importers live in activities/backtest).
export { fromDefinition } from './adapter';
export { BacktestEngine, runBacktest, runBacktestAsync } from './engine';
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
  summarize,
  type BacktestSummary,
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
