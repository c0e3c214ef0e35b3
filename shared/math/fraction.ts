import { D, PRECISION } from './decimal';

/** An exact positive-or-zero rational, always reduced, with a positive denominator. */
export interface Fraction {
  readonly num: bigint;
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export function fraction(num: bigint, den: bigint): Fraction {
  if (den === 0n) throw new RangeError('fraction denominator is zero');
  const sign = den < 0n ? -1n : 1n;
  const g = gcd(num, den) || 1n;
  return { num: (sign * num) / g, den: (sign * den) / g };
}

export function addFractions(a: Fraction, b: Fraction): Fraction {
  return fraction(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function subtractFractions(a: Fraction, b: Fraction): Fraction {
  return fraction(a.num * b.den - b.num * a.den, a.den * b.den);
}

export function invertFraction(a: Fraction): Fraction {
  return fraction(a.den, a.num);
}

export function compareFractions(a: Fraction, b: Fraction): number {
  const d = a.num * b.den - b.num * a.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/**
 * Σ 1/x over the values, exactly: one reduction per term instead of addFractions' two (it runs on every
 * arbitrage candidate of a sweep).
 */
export function inverseSum(values: readonly Fraction[]): Fraction {
  let num = 0n;
  let den = 1n;
  for (const x of values) {
    // + x.den / x.num
    num = num * x.num + x.den * den;
    den = den * x.num;
    const g = gcd(num, den);
    if (g > 1n) {
      num /= g;
      den /= g;
    }
  }
  return fraction(num, den);
}

export function fractionToDecimal(a: Fraction): D {
  return new D(a.num.toString()).div(a.den.toString());
}

export function formatFraction(a: Fraction): string {
  return `${a.num}/${a.den}`;
}

/** The exact value of a (finite) Decimal as a reduced fraction. */
export function decimalToExactFraction(value: D): Fraction {
  const [whole = '0', frac = ''] = value.abs().toFixed().split('.');
  const num = BigInt(whole + frac) * (value.isNegative() ? -1n : 1n);
  return fraction(num, 10n ** BigInt(frac.length));
}

// Denominators up to this are "simple": every bookmaker price and every quotient of two of them qualifies.
const SIMPLE_DENOMINATOR = 10n ** 15n;

/**
 * The fraction a Decimal stands for. Short decimals convert exactly. A value with a huge denominator is
 * presumably a rounded quotient (1.909090… from -110), so we look for a simple fraction within half a unit
 * in the 40th significant digit: that recovers 21/11 instead of a 40-digit monster. A genuinely long decimal
 * has no such neighbour and converts exactly.
 */
export function decimalToFraction(value: D): Fraction {
  const exact = decimalToExactFraction(value);
  if (exact.den <= SIMPLE_DENOMINATOR || value.e >= PRECISION - 1) return exact;
  const halfUlp = fraction(5n, 10n ** BigInt(PRECISION - value.e));
  const abs = exact.num < 0n ? fraction(-exact.num, exact.den) : exact;
  const simplest = simplestBetween(subtractFractions(abs, halfUlp), addFractions(abs, halfUlp));
  if (simplest.den > SIMPLE_DENOMINATOR) return exact;
  return exact.num < 0n ? fraction(-simplest.num, simplest.den) : simplest;
}

/** Simplest rational (smallest denominator) in the closed interval [lo, hi], 0 <= lo <= hi (continued fractions). */
export function simplestBetween(lo: Fraction, hi: Fraction): Fraction {
  const floor = lo.num / lo.den;
  if (floor * lo.den === lo.num) return fraction(floor, 1n);
  if (compareFractions(fraction(floor + 1n, 1n), hi) <= 0) return fraction(floor + 1n, 1n);
  // lo and hi share the integer part: recurse on the reciprocals of the fractional parts (order flips).
  const whole = fraction(floor, 1n);
  const inner = simplestBetween(
    invertFraction(subtractFractions(hi, whole)),
    invertFraction(subtractFractions(lo, whole)),
  );
  return addFractions(whole, invertFraction(inner));
}
