import { D, ONE, ZERO, parseDecimal, toDecimalString, type DecimalInput } from './decimal';
import { SizingError } from './errors';
import { parseKellyFraction } from './kelly';
import { parseDecimalOdds } from './odds';

/** The rule that set the stake. */
export type BoundBy =
  | 'kelly'
  | 'perBetCap'
  | 'bookMax'
  | 'eventCap'
  | 'sportCap'
  | 'bankroll'
  | 'zero-edge'
  | 'unit'
  | 'minStake';

export interface ExposureLimit {
  /** Already staked on this event / sport. */
  readonly exposure: DecimalInput;
  /** Most that may be staked on it in total. */
  readonly limit: DecimalInput;
}

export interface SizingInput {
  readonly bankroll: DecimalInput;
  readonly probability: DecimalInput;
  readonly odds: DecimalInput;
  /** Fractional Kelly in (0, 1], e.g. 0.25. Required: the choice is a risk decision, not a default. */
  readonly kellyFraction: DecimalInput;
  /** Further scaling (strategy confidence), ≥ 0; default 1. */
  readonly multiplier?: DecimalInput;
  /** Maximum stake per bet as a fraction of bankroll; default 0.02. */
  readonly perBetCap?: DecimalInput;
  /** The bookmaker's maximum stake for this selection. */
  readonly bookMax?: DecimalInput;
  readonly event?: ExposureLimit;
  readonly sport?: ExposureLimit;
  /** Cash available to bet with; default the bankroll. */
  readonly available?: DecimalInput;
  /** Stakes are whole multiples of this, rounded down; default 0.01. */
  readonly unit?: DecimalInput;
  /** The bookmaker's minimum stake: below it we do not bet. */
  readonly minStake?: DecimalInput;
}

export interface SizingResult {
  readonly stake: string;
  readonly boundBy: BoundBy;
  /** bankroll × full Kelly × kellyFraction × multiplier, before caps and rounding. */
  readonly kellyStake: string;
  /** p·o − 1. */
  readonly edge: string;
}

const DEFAULT_PER_BET_CAP = new D('0.02');
const DEFAULT_UNIT = new D('0.01');

function nonNegative(value: DecimalInput, field: string): D {
  const x = parseDecimal(value, field, SizingError);
  if (x.isNegative()) throw new SizingError(`${field} cannot be negative`, field, value);
  return x;
}

/**
 * Stake for one bet: fractional Kelly scaled by the multiplier, then held under every cap (per-bet share of
 * bankroll, book maximum, event and sport headroom, available cash) and rounded DOWN to the unit, so the
 * result never breaks a cap. `boundBy` names the rule that set it (ties go to the earlier rule).
 */
export function sizeStake(input: SizingInput): SizingResult {
  const bankroll = nonNegative(input.bankroll, 'bankroll');
  const p = parseDecimal(input.probability, 'probability', SizingError);
  if (p.isNegative() || p.gt(ONE))
    throw new SizingError('probability must lie between 0 and 1', 'probability', input.probability);
  const odds = parseDecimalOdds(input.odds);
  const fraction = parseKellyFraction(input.kellyFraction, 'kellyFraction');
  const multiplier = nonNegative(input.multiplier ?? 1, 'multiplier');
  const perBetCap = nonNegative(input.perBetCap ?? DEFAULT_PER_BET_CAP, 'perBetCap');
  const unit = input.unit === undefined ? DEFAULT_UNIT : parseDecimal(input.unit, 'unit', SizingError);
  if (unit.lte(ZERO)) throw new SizingError('unit must be greater than 0', 'unit', input.unit);

  const edge = p.mul(odds).minus(ONE);
  if (edge.lte(ZERO))
    return { stake: '0', boundBy: 'zero-edge', kellyStake: '0', edge: toDecimalString(edge) };
  // bankroll·(p·o − 1)·fraction·multiplier / (o − 1): one division, last, so a stake that is exactly a
  // whole number of units (3000 at 0.8 / 1.3 → 400) is not rounded to 399.99… and floored a unit short.
  const kellyStake = bankroll.mul(edge).mul(fraction).mul(multiplier).div(odds.minus(ONE));

  const limits: [BoundBy, D][] = [['perBetCap', bankroll.mul(perBetCap)]];
  if (input.bookMax !== undefined) limits.push(['bookMax', nonNegative(input.bookMax, 'bookMax')]);
  if (input.event) limits.push(['eventCap', headroom(input.event, 'event')]);
  if (input.sport) limits.push(['sportCap', headroom(input.sport, 'sport')]);
  limits.push([
    'bankroll',
    input.available === undefined ? bankroll : nonNegative(input.available, 'available'),
  ]);

  let boundBy: BoundBy = 'kelly';
  let amount = kellyStake;
  for (const [rule, limit] of limits) {
    if (limit.lt(amount)) {
      amount = limit;
      boundBy = rule;
    }
  }
  let stake = amount.div(unit).floor().mul(unit);
  if (stake.isZero() && amount.gt(ZERO)) boundBy = 'unit';
  if (input.minStake !== undefined && stake.gt(ZERO) && stake.lt(nonNegative(input.minStake, 'minStake'))) {
    stake = ZERO;
    boundBy = 'minStake';
  }
  return {
    stake: toDecimalString(stake),
    boundBy,
    kellyStake: toDecimalString(kellyStake),
    edge: toDecimalString(edge),
  };
}

function headroom(limit: ExposureLimit, name: 'event' | 'sport'): D {
  const exposure = nonNegative(limit.exposure, `${name}.exposure`);
  const cap = nonNegative(limit.limit, `${name}.limit`);
  return cap.gt(exposure) ? cap.minus(exposure) : ZERO;
}
