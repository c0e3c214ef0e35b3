import { ONE, ZERO, parseDecimal, type D, type DecimalInput } from './decimal';
import { DevigError, InputError } from './errors';
import { devig, devigWorstCase, type DevigMethod } from './devig';
import { parseDecimalOdds } from './odds';

/** A probability in [0, 1]. */
export function parseProbability(value: DecimalInput, field = 'probability'): D {
  const p = parseDecimal(value, field);
  if (p.isNegative() || p.gt(ONE)) throw new InputError('probability must lie between 0 and 1', field, value);
  return p;
}

/** Edge per unit staked: p·o − 1 (0.05 = +5% expected return). */
export function edge(probability: DecimalInput, odds: DecimalInput): D {
  return parseProbability(probability).mul(parseDecimalOdds(odds)).minus(ONE);
}

/** Expected profit of `stake` at decimal odds o with win probability p: stake·(p·o − 1). */
export function expectedValue(probability: DecimalInput, odds: DecimalInput, stake: DecimalInput = 1): D {
  const amount = parseDecimal(stake, 'stake');
  if (amount.isNegative()) throw new InputError('stake cannot be negative', 'stake', stake);
  return amount.mul(edge(probability, odds));
}

/** Closing-line value against the same book's closing price: o_taken / o_close − 1. */
export function clvAgainstClose(taken: DecimalInput, close: DecimalInput): D {
  return parseDecimalOdds(taken, 'taken').div(parseDecimalOdds(close, 'close')).minus(ONE);
}

export interface FairClv {
  /** o_taken / o_close_fair − 1, with o_close_fair = 1 / p_fair. */
  readonly clv: D;
  readonly fairProbability: D;
  readonly fairOdds: D;
}

/**
 * Closing-line value against a devigged sharp close: the sharp book's closing odds for every outcome of the
 * market are devigged with `method` and the taken price is compared with the fair price of `outcome`.
 */
export function clvAgainstFairClose(
  taken: DecimalInput,
  sharpClose: readonly DecimalInput[],
  outcome: number,
  method: DevigMethod | 'worst-case' = 'multiplicative',
): FairClv {
  const price = parseDecimalOdds(taken, 'taken');
  if (!Number.isInteger(outcome) || outcome < 0 || outcome >= sharpClose.length) {
    throw new InputError(
      `outcome must index one of the ${sharpClose.length} closing prices`,
      'outcome',
      outcome,
    );
  }
  const fair = method === 'worst-case' ? devigWorstCase(sharpClose) : devig(sharpClose, method);
  const p = fair.probabilities[outcome]!;
  if (p.isZero())
    throw new DevigError('fair probability is zero, so the fair price is unbounded', 'outcome', outcome);
  // taken·p − 1 equals taken / (1/p) − 1 without the extra division's rounding.
  return { clv: price.mul(p).minus(ONE), fairProbability: p, fairOdds: ONE.div(p) };
}

/**
 * Bets needed before an edge stands out from noise at about two standard errors: n ≈ (2·√(o−1) / edge)².
 */
export function sampleSizeForEdge(odds: DecimalInput, edgeValue: DecimalInput): D {
  const o = parseDecimalOdds(odds);
  const e = parseDecimal(edgeValue, 'edge');
  if (e.lte(ZERO)) throw new InputError('edge must be greater than 0', 'edge', edgeValue);
  return o.minus(ONE).sqrt().mul(2).div(e).pow(2);
}
