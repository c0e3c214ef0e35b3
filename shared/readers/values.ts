import { D, toDecimalString } from '../math/decimal';
import { americanToDecimal } from '../math/odds';
import type { MarketType } from '../entities';

/**
 * Wire values as every reader reads them: exact decimal strings for prices and points (never a float),
 * line-aware market lines, ISO times, and the excerpts that rejects carry.
 */

const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Bounded memo for the wire values every payload repeats (prices, points, times): a payload of thousands of
 * quotes holds a few hundred distinct values, so each is parsed once. Results are frozen and shared.
 */
function memo<K, V>(limit: number, compute: (key: K) => V): (key: K) => V {
  const cache = new Map<K, V>();
  return (key) => {
    let v = cache.get(key);
    if (v === undefined) {
      v = compute(key);
      if (cache.size >= limit) cache.clear();
      cache.set(key, v);
    }
    return v;
  };
}

const decimalFromNumber = memo(50_000, (value: number): Parsed<string> => {
  if (!Number.isFinite(value)) return Object.freeze({ ok: false, message: 'not a finite number' });
  // The shortest round-trip text of a JSON number is the literal the provider wrote (≤ 15 digits).
  return Object.freeze({ ok: true, value: toDecimalString(new D(String(value))) });
});

/** A JSON number or decimal string as an exact canonical decimal string ("-3.50" → "-3.5"). */
export function parseDecimalValue(value: unknown): Parsed<string> {
  if (typeof value === 'number') return decimalFromNumber(value);
  if (typeof value === 'string') {
    const text = value.trim();
    if (!DECIMAL_TEXT.test(text)) return { ok: false, message: 'not a decimal number' };
    return { ok: true, value: toDecimalString(new D(text)) };
  }
  return {
    ok: false,
    message: value === undefined || value === null ? 'missing' : `a ${typeof value}, not a number`,
  };
}

type ParsedPrice = Parsed<{ price: string; original: Record<string, string> | null }>;

/** American odds (canonical decimal text) as exact decimal odds, or why they are not odds. */
const americanPrice = memo(50_000, (american: string): ParsedPrice => {
  if (new D(american).abs().lt(100)) {
    return Object.freeze({
      ok: false,
      message: `American odds cannot lie between -100 and +100, got ${american}`,
    });
  }
  const price = toDecimalString(americanToDecimal(american));
  return Object.freeze({ ok: true, value: Object.freeze({ price, original: Object.freeze({ american }) }) });
});

const decimalPrice = memo(50_000, (decimal: string): ParsedPrice =>
  new D(decimal).gt(1)
    ? Object.freeze({ ok: true, value: Object.freeze({ price: decimal, original: null }) })
    : Object.freeze({ ok: false, message: `decimal odds must be greater than 1, got ${decimal}` }),
);

/**
 * A price in the provider's format as exact decimal odds (> 1). American odds convert exactly
 * (+150 → 2.5, -110 → 1.9090…, 40 significant digits), decimal odds are kept as written.
 */
export function parsePrice(value: unknown, format: 'american' | 'decimal'): ParsedPrice {
  const dec = parseDecimalValue(value);
  if (!dec.ok) return { ok: false, message: `price is ${dec.message}` };
  return format === 'decimal' ? decimalPrice(dec.value) : americanPrice(dec.value);
}

const spreadLine = memo(10_000, (point: string) => toDecimalString(new D(point).abs()));

/** The market's line from an outcome's signed point: |point| for spreads, the total for totals, null for h2h. */
export function marketLine(marketType: MarketType, point: string | null): string | null {
  if (marketType === 'h2h' || point === null) return null;
  return marketType === 'spreads' ? spreadLine(point) : point;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const isoTime = memo(10_000, (value: string): Parsed<string> => {
  if (!ISO_TIME.test(value.trim())) {
    return Object.freeze({ ok: false, message: `not an ISO-8601 time with a zone: ${value}` });
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return Object.freeze({ ok: false, message: `not a valid time: ${value}` });
  return Object.freeze({ ok: true, value: new Date(ms).toISOString() });
});

/** An ISO-8601 time with a zone, normalized to UTC milliseconds ("…Z"). */
export function parseIsoTime(value: unknown): Parsed<string> {
  if (typeof value !== 'string' || value.trim() === '') {
    return { ok: false, message: value === undefined || value === null ? 'missing' : 'not a string' };
  }
  return isoTime(value);
}

/** A short raw excerpt for the rejects table: JSON text, cut in the middle when long. */
export function excerpt(value: unknown, max = 400): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  if (text.length <= max) return text;
  const head = Math.floor(max * 0.6);
  return `${text.slice(0, head)} … [${text.length - max} chars] … ${text.slice(text.length - (max - head))}`;
}

/** A value shown in a reject row's `value` column. */
export function showValue(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value === 'string') return value.length > 200 ? `${value.slice(0, 200)}…` : value;
  return excerpt(value, 200);
}

/** "Over"/"over"/"OVER" → "Over"; other names trimmed. */
export function normalizeOutcomeName(marketType: MarketType, name: string): string {
  const trimmed = name.trim();
  if (marketType === 'totals') {
    const lower = trimmed.toLowerCase();
    if (lower === 'over') return 'Over';
    if (lower === 'under') return 'Under';
  }
  if (trimmed.toLowerCase() === 'draw') return 'Draw';
  return trimmed;
}
