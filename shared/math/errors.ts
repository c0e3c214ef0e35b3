/**
 * Typed errors for the odds math. Every message names the offending field and quotes its value, so a CLI
 * can print it verbatim and a caller can branch on `field` without parsing text.
 */
export class MathError extends Error {
  constructor(
    message: string,
    readonly field: string,
    readonly value: unknown,
  ) {
    super(`${message} (${field}: ${JSON.stringify(showValue(value))})`);
    // Every error is named after its class (OddsError, KellyError, …), so subclasses need no body.
    this.name = new.target.name;
  }
}

/** A number that is not a usable decimal (empty, NaN, Infinity, garbage). */
export class InputError extends MathError {}

export class OddsError extends MathError {}

export class DevigError extends MathError {}

/** A root finder that could not bracket or did not converge: reported instead of looping. */
export class RootFindError extends MathError {}

export class ArbitrageError extends MathError {}

export class KellyError extends MathError {}

export class SizingError extends MathError {}

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
