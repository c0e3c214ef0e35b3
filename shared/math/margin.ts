import { ONE, ZERO, type D, type DecimalInput } from './decimal';
import { OddsError } from './errors';
import { parseDecimalOdds } from './odds';

export interface Margin {
  /** Σ 1/o: the implied probabilities' total. */
  readonly booksum: D;
  /** booksum − 1: the bookmaker's margin as usually quoted. */
  readonly overround: D;
  /** 1 − 1/booksum: the share of a balanced book the bookmaker keeps. */
  readonly hold: D;
}

/** Decimal odds of one market's outcomes, validated (at least two, each greater than 1). */
export function parseMarketOdds(odds: readonly DecimalInput[], field = 'odds'): D[] {
  if (odds.length < 2) throw new OddsError('a market needs at least two outcomes', field, odds.length);
  return odds.map((o, i) => parseDecimalOdds(o, `${field}[${i}]`));
}

export function booksum(odds: readonly DecimalInput[]): D {
  let total = ZERO;
  for (const o of parseMarketOdds(odds)) total = total.plus(ONE.div(o));
  return total;
}

export function marketMargin(odds: readonly DecimalInput[]): Margin {
  const sum = booksum(odds);
  return { booksum: sum, overround: sum.minus(ONE), hold: ONE.minus(ONE.div(sum)) };
}
