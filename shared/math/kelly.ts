import { ONE, ZERO, parseDecimal, type D, type DecimalInput } from './decimal';
import { KellyError } from './errors';
import { parseDecimalOdds } from './odds';

function probability(value: DecimalInput, field: string): D {
  const p = parseDecimal(value, field, KellyError);
  if (p.isNegative() || p.gt(ONE)) throw new KellyError('probability must lie between 0 and 1', field, value);
  return p;
}

/** Fractional-Kelly multiplier in (0, 1]: betting more than full Kelly only adds risk. */
export function parseKellyFraction(value: DecimalInput, field = 'fraction'): D {
  const f = parseDecimal(value, field, KellyError);
  if (f.lte(ZERO) || f.gt(ONE))
    throw new KellyError('Kelly fraction must be greater than 0 and at most 1', field, value);
  return f;
}

/** Full Kelly for a single bet: (p·o − 1)/(o − 1), floored at 0 (no bet without an edge). */
export function kellyFraction(probabilityValue: DecimalInput, odds: DecimalInput): D {
  const p = probability(probabilityValue, 'probability');
  const o = parseDecimalOdds(odds);
  const f = p.mul(o).minus(ONE).div(o.minus(ONE));
  return f.isNegative() ? ZERO : f;
}

/** `fraction` × Kelly (e.g. 0.25 for quarter Kelly). */
export function fractionalKelly(
  probabilityValue: DecimalInput,
  odds: DecimalInput,
  fraction: DecimalInput,
): D {
  return kellyFraction(probabilityValue, odds).mul(parseKellyFraction(fraction));
}

export interface ExclusiveKelly {
  /** Bankroll fraction per outcome, in input order (0 for outcomes not bet). */
  readonly fractions: D[];
  /** Share of the bankroll deliberately kept back: R = (1 − Σp)/(1 − Σ1/o) over the outcomes bet. */
  readonly reserveRate: D;
  /** Input indices of the outcomes bet, best expected return first. */
  readonly selected: number[];
}

/**
 * Kelly for mutually exclusive outcomes of one event (Smoczynski & Tomkins 2010, closed form): take outcomes
 * by expected return p·o, highest first, while p·o exceeds the reserve rate R of those already taken; then
 * f_i = p_i − R/o_i for the taken outcomes. Probabilities must not sum to more than 1.
 */
export function kellyExclusive(
  probabilities: readonly DecimalInput[],
  odds: readonly DecimalInput[],
): ExclusiveKelly {
  if (probabilities.length === 0) throw new KellyError('at least one outcome is needed', 'probabilities', 0);
  if (probabilities.length !== odds.length) {
    throw new KellyError(
      `${probabilities.length} probabilities but ${odds.length} odds`,
      'odds',
      odds.length,
    );
  }
  const p = probabilities.map((v, i) => probability(v, `probabilities[${i}]`));
  const o = odds.map((v, i) => parseDecimalOdds(v, `odds[${i}]`));
  let total = ZERO;
  for (const x of p) total = total.plus(x);
  if (total.gt(ONE))
    throw new KellyError(
      'probabilities of exclusive outcomes cannot sum to more than 1',
      'probabilities',
      total.toFixed(),
    );

  const revenue = p.map((x, i) => x.mul(o[i]!));
  const order = revenue.map((_, i) => i).sort((a, b) => revenue[b]!.cmp(revenue[a]!) || a - b);
  let reserve = ONE;
  let pTaken = ZERO;
  let invTaken = ZERO;
  const selected: number[] = [];
  for (const i of order) {
    if (!revenue[i]!.gt(reserve)) break;
    const nextP = pTaken.plus(p[i]!);
    const nextInv = invTaken.plus(ONE.div(o[i]!));
    const denominator = ONE.minus(nextInv);
    // Σ1/o reaching 1 with Σp < 1 cannot happen for valid inputs (see the paper); stop rather than divide by it.
    if (denominator.lte(ZERO) && !nextP.eq(ONE)) break;
    pTaken = nextP;
    invTaken = nextInv;
    selected.push(i);
    reserve = denominator.lte(ZERO) ? ZERO : ONE.minus(pTaken).div(denominator);
  }
  const fractions = p.map(() => ZERO);
  for (const i of selected) {
    const f = p[i]!.minus(reserve.div(o[i]!));
    fractions[i] = f.isNegative() ? ZERO : f;
  }
  return { fractions, reserveRate: selected.length === 0 ? ONE : reserve, selected };
}
