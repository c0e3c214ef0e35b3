// Public API of the odds math. Pure and deterministic: safe to import from Temporal workflows.
export {
  D,
  HUNDRED,
  ONE,
  PRECISION,
  ZERO,
  maxDecimal,
  minDecimal,
  sumDecimals,
  parseDecimal,
  toDecimalString,
  toSignificantString,
  toPlacesString,
  type DecimalInput,
} from './decimal';
export {
  MathError,
  InputError,
  OddsError,
  DevigError,
  RootFindError,
  ArbitrageError,
  KellyError,
  SizingError,
} from './errors';
export {
  addFractions,
  compareFractions,
  decimalToExactFraction,
  decimalToFraction,
  formatFraction,
  fraction,
  fractionToDecimal,
  inverseSum,
  invertFraction,
  subtractFractions,
  type Fraction,
} from './fraction';
export {
  ODDS_FORMATS,
  americanToDecimal,
  convertOdds,
  decimalToAmerican,
  decimalToFractional,
  exactImpliedProbability,
  exactToAmerican,
  exactToDecimal,
  exactToFractional,
  formatAmerican,
  fractionalToDecimal,
  impliedProbability,
  parseAmericanOdds,
  parseDecimalOdds,
  parseFractionalOdds,
  parseOdds,
  type ExactOdds,
  type OddsConversion,
  type OddsFormat,
} from './odds';
export { booksum, marketMargin, parseMarketOdds, type Margin } from './margin';
export { brent, expandBracket, type Root, type RootOptions } from './rootfind';
export {
  DEVIG_METHODS,
  devig,
  devigFloatInto,
  devigWorstCase,
  type DevigMethod,
  type DevigOptions,
  type DevigResult,
  type WorstCaseResult,
} from './devig';
export {
  clvAgainstClose,
  clvAgainstFairClose,
  edge,
  expectedValue,
  parseProbability,
  sampleSizeForEdge,
  type FairClv,
} from './ev';
export {
  bestPrices,
  effectivePrice,
  findArbitrage,
  findArbitrages,
  solveArbitrage,
  staleLegReasons,
  type ArbitrageLeg,
  type ArbitrageOptions,
  type ArbitrageSolution,
  type LegInput,
  type Quote,
  type StakePlan,
  type SuspectReason,
} from './arbitrage';
export {
  MAX_OUTCOMES,
  indexQuotes,
  scanQuotes,
  type KeyedQuote,
  type QuoteIndex,
  type QuoteIndexOptions,
  type ScanOptions,
  type ScanResult,
} from './quote-index';
export {
  fractionalKelly,
  kellyExclusive,
  kellyFraction,
  parseKellyFraction,
  type ExclusiveKelly,
} from './kelly';
export { sizeStake, type BoundBy, type ExposureLimit, type SizingInput, type SizingResult } from './sizing';
