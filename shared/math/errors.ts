/**
 * Typed errors for the odds math. Every message names the offending field and quotes its value, so a CLI
 * can print it verbatim and a caller can branch on `field` without parsing text.
 */
export class MathError extends Error {
  override name = 'MathError';

  constructor(
    message: string,
    readonly field: string,
    readonly value: unknown,
  ) {
    super(`${message} (${field}: ${JSON.stringify(showValue(value))})`);
  }
}

/** A number that is not a usable decimal (empty, NaN, Infinity, garbage). */
export class InputError extends MathError {
  override name = 'InputError';
}

export class OddsError extends MathError {
  override name = 'OddsError';
}

export class DevigError extends MathError {
  override name = 'DevigError';
}

/** A root finder that could not bracket or did not converge: reported instead of looping. */
export class RootFindError extends MathError {
  override name = 'RootFindError';
}

export class ArbitrageError extends MathError {
  override name = 'ArbitrageError';
}

export class KellyError extends MathError {
  override name = 'KellyError';
}

export class SizingError extends MathError {
  override name = 'SizingError';
}

export type MathErrorClass = new (message: string, field: string, value: unknown) => MathError;

// Decimal instances print in normal notation via toFixed(); everything else via String().
function showValue(value: unknown): string {
  if (
    typeof value === 'object' &&
    value !== null &&
    'toFixed' in value &&
    typeof value.toFixed === 'function'
  ) {
    return String((value as { toFixed: () => string }).toFixed());
  }
  return String(value);
}
