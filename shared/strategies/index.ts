// Public API of the strategies. Pure and deterministic: safe to import from Temporal workflows.
export {
  bookLines,
  eventPhase,
  hasDraw,
  indexBoard,
  parseTime,
  type BetMarket,
  type BoardEvent,
  type BoardQuote,
  type BoardSnapshot,
  type BookLine,
  type EventPhase,
  type IndexedBoard,
  type OutcomeSlot,
} from './board';
export {
  DEVIG_CHOICES,
  commonParameters,
  decimalParam,
  devigExact,
  devigFloat,
  formatIssues,
  opportunityId,
  type CommonParameters,
  type DevigChoice,
} from './common';
export { fairLine, type FairLine, type FairSource, type FairSpec } from './fair';
export { sha256Hex } from './hash';
export {
  ArbitrageParameters,
  arbitrageStrategy,
  scanArbitrages,
  type ArbitrageScan,
  type ArbitrageScanOptions,
  type ArbitrageSuspectReason,
  type LineArbitrage,
  type LineArbitrageLeg,
} from './arbitrage';
// Everything the consensus module exports is public.
export * from './consensus';
export { ValueParameters, evaluateValue, valueStrategy } from './value';
export { SteamParameters, evaluateSteam, initialSteamState, steamStrategy, type SteamState } from './steam';
export {
  STRATEGY_TYPES,
  StrategyParameterError,
  StrategyRecord,
  applyParameterChanges,
  checkStrategyRowFields,
  coerceParameter,
  parameterNames,
  parseStrategyParameters,
  strategyDefinition,
  type ParameterChange,
} from './registry';
export {
  asIndexed,
  type Evaluation,
  type StrategyContext,
  type StrategyDefinition,
  type Validation,
} from './types';
