import { D, HUNDRED, ONE, parseDecimal, toSignificantString, type DecimalInput } from './decimal';
import { OddsError } from './errors';
import {
  decimalToExactFraction,
  decimalToFraction,
  fraction,
  fractionToDecimal,
  formatFraction,
  type Fraction,
} from './fraction';

export type OddsFormat = 'decimal' | 'american' | 'fractional';
export const ODDS_FORMATS: readonly OddsFormat[] = ['decimal', 'american', 'fractional'];

/**
 * Odds kept as the exact fraction of decimal odds, so -110 → 21/11 stays exact through every conversion
 * and the fractional form is "10/11", not a rounded approximation.
 */
export interface ExactOdds {
  readonly decimal: Fraction;
}

export interface OddsConversion {
  readonly decimal: D;
  readonly american: D;
  readonly fractional: string;
  readonly impliedProbability: D;
}

const AMERICAN = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const FRACTIONAL = /^(\d+(?:\.\d+)?|\.\d+)\s*[/-]\s*(\d+(?:\.\d+)?|\.\d+)$/;
const EVENS = /^(evens?|evs)$/i;

/** Decimal odds as a Decimal; must be greater than 1 (a winning bet returns more than the stake). */
export function parseDecimalOdds(value: DecimalInput, field = 'odds'): D {
  const odds = parseDecimal(value, field, OddsError);
  if (odds.lte(ONE)) throw new OddsError('decimal odds must be greater than 1', field, value);
  return odds;
}

/** American odds ("+150", "150", "-110"); values strictly between -100 and +100 do not exist. */
export function parseAmericanOdds(value: DecimalInput, field = 'odds'): D {
  const text = typeof value === 'string' ? value.trim() : value;
  if (typeof text === 'string' && !AMERICAN.test(text)) {
    throw new OddsError('American odds must be a number like +150 or -110', field, value);
  }
  const american = parseDecimal(text, field, OddsError);
  if (american.abs().lt(HUNDRED)) {
    throw new OddsError('American odds cannot lie between -100 and +100', field, value);
  }
  return american;
}

/** Fractional odds "3/2", "3-2" or "evens" as the exact profit fraction numerator/denominator. */
export function parseFractionalOdds(value: string, field = 'odds'): Fraction {
  const text = value.trim();
  if (EVENS.test(text)) return fraction(1n, 1n);
  const match = FRACTIONAL.exec(text);
  if (!match) {
    throw new OddsError('fractional odds need a positive numerator and denominator, like 3/2', field, value);
  }
  const num = decimalToExactFraction(new D(match[1]!));
  const den = decimalToExactFraction(new D(match[2]!));
  if (num.num === 0n || den.num === 0n) {
    throw new OddsError('fractional odds need a positive numerator and denominator', field, value);
  }
  return fraction(num.num * den.den, num.den * den.num);
}

/** Parse odds in any format into exact decimal odds. */
export function parseOdds(value: DecimalInput, format: OddsFormat, field = 'odds'): ExactOdds {
  switch (format) {
    case 'decimal':
      return { decimal: decimalToFraction(parseDecimalOdds(value, field)) };
    case 'american': {
      const american = decimalToExactFraction(parseAmericanOdds(value, field));
      // +a pays a/100 profit per unit; -a needs a to win 100, i.e. 100/a profit per unit.
      const profit =
        american.num > 0n
          ? fraction(american.num, american.den * 100n)
          : fraction(american.den * 100n, -american.num);
      return { decimal: fraction(profit.num + profit.den, profit.den) };
    }
    case 'fractional': {
      if (typeof value !== 'string') {
        throw new OddsError('fractional odds must be a string like 3/2', field, value);
      }
      const profit = parseFractionalOdds(value, field);
      return { decimal: fraction(profit.num + profit.den, profit.den) };
    }
  }
}

function profitFraction(odds: ExactOdds): Fraction {
  return fraction(odds.decimal.num - odds.decimal.den, odds.decimal.den);
}

export function exactToDecimal(odds: ExactOdds): D {
  return fractionToDecimal(odds.decimal);
}

export function exactToAmerican(odds: ExactOdds): D {
  const profit = profitFraction(odds);
  // Even money or better is quoted as the profit on 100; shorter prices as the stake needed to win 100.
  if (profit.num >= profit.den) return fractionToDecimal(fraction(profit.num * 100n, profit.den));
  return fractionToDecimal(fraction(-profit.den * 100n, profit.num));
}

export function exactToFractional(odds: ExactOdds): string {
  return formatFraction(profitFraction(odds));
}

export function exactImpliedProbability(odds: ExactOdds): D {
  return fractionToDecimal(fraction(odds.decimal.den, odds.decimal.num));
}

/** All four representations of one price. */
export function convertOdds(value: DecimalInput, from: OddsFormat, field = 'odds'): OddsConversion {
  const odds = parseOdds(value, from, field);
  return {
    decimal: exactToDecimal(odds),
    american: exactToAmerican(odds),
    fractional: exactToFractional(odds),
    impliedProbability: exactImpliedProbability(odds),
  };
}

export function americanToDecimal(american: DecimalInput): D {
  return exactToDecimal(parseOdds(american, 'american'));
}

export function decimalToAmerican(decimal: DecimalInput): D {
  return exactToAmerican(parseOdds(decimal, 'decimal'));
}

export function fractionalToDecimal(fractional: string): D {
  return exactToDecimal(parseOdds(fractional, 'fractional'));
}

export function decimalToFractional(decimal: DecimalInput): string {
  return exactToFractional(parseOdds(decimal, 'decimal'));
}

/** 1 / decimal odds. */
export function impliedProbability(decimal: DecimalInput): D {
  return ONE.div(parseDecimalOdds(decimal));
}

/** "+150" / "-110": American odds carry an explicit sign; `digits` significant digits for odd prices. */
export function formatAmerican(american: D, digits = 20): string {
  const text = toSignificantString(american, digits);
  return american.isPositive() ? `+${text}` : text;
}
