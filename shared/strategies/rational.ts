import { D, decimalToFraction, type Fraction } from '../math';

/**
 * Exact rational arithmetic for the one decision that must never be wrong: is Σ 1/price below 1?
 * Prices converted from American odds are recurring decimals (-185 → 1.5405405…) rounded in the 40th
 * digit; summed as Decimals, a -185/+185 pair at two books (exactly fair) can come out a hair under 1 and
 * look like an arbitrage. decimalToFraction recovers 57/37 from the rounded text, so the sum here is exact.
 */

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function reduce(num: bigint, den: bigint): Fraction {
  const g = gcd(num, den) || 1n;
  return den < 0n ? { num: -num / g, den: -den / g } : { num: num / g, den: den / g };
}

/** The exact price a decimal string stands for (21/11 for "1.909090…09"). */
export function priceFraction(price: string): Fraction {
  return decimalToFraction(new D(price));
}

/** Σ 1/price over the legs, exactly. */
export function inverseSum(prices: readonly Fraction[]): Fraction {
  let num = 0n;
  let den = 1n;
  for (const p of prices) {
    // + p.den / p.num
    num = num * p.num + p.den * den;
    den = den * p.num;
    const g = gcd(num, den);
    if (g > 1n) {
      num /= g;
      den /= g;
    }
  }
  return reduce(num, den);
}

/** 1/booksum − 1: the guaranteed profit fraction of a balanced book. */
export function profitOf(booksum: Fraction): Fraction {
  return reduce(booksum.den - booksum.num, booksum.num);
}

export function lessThanOne(f: Fraction): boolean {
  return f.num < f.den;
}

export function fractionToD(f: Fraction): D {
  return new D(f.num.toString()).div(f.den.toString());
}
