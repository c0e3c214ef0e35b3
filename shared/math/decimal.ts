import Decimal from 'decimal.js';
import { InputError, type MathErrorClass } from './errors';

/** Significant digits carried by every computation; far beyond any price or stake we print. */
export const PRECISION = 40;

/**
 * The project's Decimal: 40 significant digits, half-even rounding, and exponent limits wide enough that
 * toString() never switches to exponent notation. Instances of any decimal.js clone interoperate.
 */
export const D = Decimal.clone({
  precision: PRECISION,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});
export type D = Decimal;

/** Anything a caller may hand us as a number: a decimal string, a finite JS number, a bigint or a Decimal. */
export type DecimalInput = Decimal.Value;

export const ZERO = new D(0);
export const ONE = new D(1);
export const HUNDRED = new D(100);

const DECIMAL_STRING = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parse a decimal string, finite number or Decimal strictly (no hex, no NaN/Infinity, no trailing text).
 * `field` names the input in the error message.
 */
export function parseDecimal(value: DecimalInput, field: string, ErrorClass: MathErrorClass = InputError): D {
  if (typeof value === 'string') {
    const text = value.trim();
    if (!DECIMAL_STRING.test(text)) throw new ErrorClass(`${field} must be a decimal number`, field, value);
    return new D(text);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ErrorClass(`${field} must be a finite number`, field, value);
    return new D(value);
  }
  if (typeof value === 'bigint') return new D(value.toString());
  if (value instanceof Decimal || isDecimalLike(value)) {
    if (!value.isFinite()) throw new ErrorClass(`${field} must be a finite number`, field, value);
    return new D(value);
  }
  throw new ErrorClass(`${field} must be a decimal number`, field, value);
}

function isDecimalLike(value: unknown): value is Decimal {
  return typeof value === 'object' && value !== null && Decimal.isDecimal(value);
}

/** Exact decimal string in normal notation (never "1e-7"); negative zero prints as "0". */
export function toDecimalString(value: D): string {
  const text = value.toFixed();
  return text === '-0' ? '0' : text;
}

/** Rounded to `digits` significant digits (half-even), normal notation, no trailing zeros. */
export function toSignificantString(value: D, digits = 20): string {
  return toDecimalString(value.toSignificantDigits(digits, Decimal.ROUND_HALF_EVEN));
}

/** Rounded to `places` decimal places (half-even) with trailing zeros trimmed. */
export function toPlacesString(value: D, places: number): string {
  return toDecimalString(value.toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN));
}

export function minDecimal(a: D, b: D): D {
  return a.lte(b) ? a : b;
}

export function maxDecimal(a: D, b: D): D {
  return a.gte(b) ? a : b;
}

export function sumDecimals(values: readonly D[]): D {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}
