import { z } from 'zod';
import {
  MarketType,
  marketKeyString,
  type MarketKey,
  type Opportunity,
  type OpportunityKind,
} from '../entities';
import {
  D,
  DEVIG_METHODS,
  DevigError,
  RootFindError,
  devig,
  devigFloatInto,
  devigWorstCase,
  toDecimalString,
} from '../math';
import { sha256Hex } from './hash';
import { Memo } from './memo';
import type { BetMarket, IndexedBoard } from './board';

// ---- parameter schema pieces (every type's schema is built from these) ----

const DECIMAL_RE = /^-?\d+(\.\d+)?$/;

/** A decimal written as a string ("0.02"), optionally bounded; messages say what was expected. */
export function decimalParam(
  bounds: { min?: string; minExclusive?: string; max?: string; maxExclusive?: string } = {},
) {
  const parts: string[] = [];
  if (bounds.min !== undefined) parts.push(`at least ${bounds.min}`);
  if (bounds.minExclusive !== undefined) parts.push(`greater than ${bounds.minExclusive}`);
  if (bounds.max !== undefined) parts.push(`at most ${bounds.max}`);
  if (bounds.maxExclusive !== undefined) parts.push(`below ${bounds.maxExclusive}`);
  const expected = `a decimal written as a string${parts.length ? ` ${parts.join(' and ')}` : ''}, e.g. "0.02"`;
  return z
    .string({ message: `expected ${expected}` })
    .regex(DECIMAL_RE, { message: `expected ${expected}` })
    .refine(
      (s) => {
        if (!DECIMAL_RE.test(s)) return true; // already reported by the regex
        const v = new D(s);
        return (
          (bounds.min === undefined || v.gte(bounds.min)) &&
          (bounds.minExclusive === undefined || v.gt(bounds.minExclusive)) &&
          (bounds.max === undefined || v.lte(bounds.max)) &&
          (bounds.maxExclusive === undefined || v.lt(bounds.maxExclusive))
        );
      },
      { message: `expected ${expected}` },
    );
}

export const DEVIG_CHOICES = [...DEVIG_METHODS, 'worst-case'] as const;
export type DevigChoice = (typeof DEVIG_CHOICES)[number];
export const DevigChoiceSchema = z.enum(DEVIG_CHOICES);

const BookName = z.string().min(1, { message: 'expected a bookmaker key, e.g. "pinnacle"' });

/** Staleness limit: quotes older than this (since the book last updated them) are not used. */
export function quoteAgeParam(defaultMs: number) {
  return z.number().int().positive().default(defaultMs);
}

/** Parameters every strategy type has. */
export const commonParameters = {
  /** Sports to read from the board (null: all). */
  sports: z.array(z.string().min(1)).min(1).nullable().default(null),
  marketTypes: z.array(MarketType).min(1).default(['h2h', 'spreads', 'totals']),
  /** Books we may bet at (null: all). */
  books: z.array(BookName).min(1).nullable().default(null),
  /** In-play events are excluded unless this is on. */
  includeInPlay: z.boolean().default(false),
  maxQuoteAgeMs: quoteAgeParam(60_000),
  /** The workflow sweeps on every board change, and at least this often. */
  fallbackIntervalMs: z.number().int().min(100).max(3_600_000).default(30_000),
};

export type CommonParameters = z.infer<z.ZodObject<typeof commonParameters>>;

/** "minEdge: expected …" — one line per issue, naming the parameter. */
export function formatIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      if (issue.code === 'unrecognized_keys') {
        return `${[path, issue.keys[0]].filter(Boolean).join('.')}: unknown parameter`;
      }
      return `${path || '(parameters)'}: ${issue.message}`;
    })
    .join('; ');
}

// ---- fair lines ----

const FLOAT_OPTIONS = { tolerance: 1e-13 };
// Scratch for the implied probabilities (evaluation is synchronous, so one buffer serves every call).
const SCRATCH = new Float64Array(64);
const WORST_TMP = new Float64Array(64);

/** Float fair probabilities of one line (screening); null when the method cannot price it. */
export function devigFloat(prices: readonly number[], method: DevigChoice): Float64Array | null {
  const n = prices.length;
  const out = new Float64Array(n);
  if (method === 'multiplicative') {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += 1 / prices[i]!;
    for (let i = 0; i < n; i++) out[i] = 1 / prices[i]! / sum;
    return out;
  }
  const pi = n <= SCRATCH.length ? SCRATCH.subarray(0, n) : new Float64Array(n);
  for (let i = 0; i < n; i++) pi[i] = 1 / prices[i]!;
  if (method !== 'worst-case') {
    devigFloatInto(method, pi, n, out, FLOAT_OPTIONS);
    return Number.isNaN(out[0]) ? null : out;
  }
  out.fill(Infinity);
  const tmp = n <= WORST_TMP.length ? WORST_TMP : new Float64Array(n);
  let any = false;
  for (const m of DEVIG_METHODS) {
    devigFloatInto(m, pi, n, tmp, FLOAT_OPTIONS);
    if (Number.isNaN(tmp[0])) continue;
    any = true;
    for (let i = 0; i < n; i++) if (tmp[i]! < out[i]!) out[i] = tmp[i]!;
  }
  return any ? out : null;
}

export interface ExactFair {
  probabilities: D[];
  /** The method per outcome (worst-case picks the most pessimistic one for each). */
  methods: string[];
  margin: D;
}

/** Exact (Decimal) fair probabilities of one line; null when the method cannot price it. */
export function devigExact(prices: readonly string[], method: DevigChoice): ExactFair | null {
  try {
    if (method === 'worst-case') {
      const r = devigWorstCase(prices);
      return { probabilities: r.probabilities, methods: r.methods, margin: r.margin };
    }
    const r = devig(prices, method);
    return { probabilities: r.probabilities, methods: prices.map(() => method), margin: r.margin };
  } catch (err) {
    if (err instanceof DevigError || err instanceof RootFindError) return null;
    throw err;
  }
}

// ---- quote filters ----

/** Books we may bet at, per book id of the board (1 = allowed): one typed-array read per quote. */
export function allowedBooks(board: IndexedBoard, books: readonly string[] | null): Uint8Array {
  const out = new Uint8Array(board.books.length);
  if (!books) return out.fill(1);
  const set = new Set(books);
  board.books.forEach((b, i) => (out[i] = set.has(b) ? 1 : 0));
  return out;
}

/** Books we may bet at, as a predicate. */
export function bookFilter(books: readonly string[] | null): (bookmaker: string) => boolean {
  if (!books) return () => true;
  const set = new Set(books);
  return (b) => set.has(b);
}

/**
 * The checks every bettable leg of an opportunity must still pass when it is validated: an allowed book,
 * odds within maxOdds (for strategies that have one), quotes younger than maxQuoteAgeMs (aged by the time
 * since detection), and not in play unless allowed.
 */
export function legViolations(
  opportunity: Opportunity,
  params: {
    books: readonly string[] | null;
    maxOdds?: string;
    maxQuoteAgeMs: number;
    includeInPlay: boolean;
  },
  elapsedMs: number,
): string[] {
  const violations: string[] = [];
  const allowed = bookFilter(params.books);
  for (const leg of opportunity.legs) {
    if (!allowed(leg.bookmaker)) violations.push(`${leg.bookmaker} is not an allowed book`);
    if (params.maxOdds !== undefined && new D(leg.price).gt(params.maxOdds))
      violations.push(`price ${leg.price} exceeds maxOdds ${params.maxOdds}`);
    if (leg.quoteAgeMs + elapsedMs > params.maxQuoteAgeMs) {
      violations.push(
        `${leg.bookmaker} ${leg.outcome} quote is ${leg.quoteAgeMs + elapsedMs} ms old (limit ${params.maxQuoteAgeMs})`,
      );
    }
  }
  if (opportunity.context.phase === 'in-play' && !params.includeInPlay) violations.push('event is in play');
  return violations;
}

/** Markets a strategy looks at: the right type and sport, and an event phase it accepts. */
export function marketFilter(
  board: IndexedBoard,
  params: Pick<CommonParameters, 'sports' | 'marketTypes' | 'includeInPlay'>,
): (bet: BetMarket) => boolean {
  const types = new Set(params.marketTypes);
  const sports = params.sports ? new Set(params.sports) : null;
  return (bet) => {
    if (!types.has(bet.market.marketType)) return false;
    const event = board.snapshot.events[bet.eventId];
    if (!event) return false;
    if (sports && !sports.has(event.sport)) return false;
    const phase = board.phase(bet.eventId);
    return phase === 'pre-match' || (phase === 'in-play' && params.includeInPlay);
  };
}

// ---- opportunities ----

export interface LegIdentity {
  bookmaker: string;
  outcome: string;
  point: string | null;
  price: string;
}

function canonicalDecimal(value: string | null): string | null {
  return value === null ? null : toDecimalString(new D(value));
}

interface OpportunityIdParts {
  strategy: string;
  kind: OpportunityKind;
  market: MarketKey;
  legs: readonly LegIdentity[];
  discriminator?: string | null;
}

// A standing opportunity asks for its id on every sweep: the id is remembered by its parts as given, which
// saves the canonical decimals and the SHA-256 (done in plain TypeScript) each time.
const ids = new Memo<string>(20_000);

/**
 * Deterministic opportunity id: SHA-256 of the strategy, kind, market and legs with exact prices (plus a
 * discriminator, e.g. the steam move it belongs to). The same opportunity seen on every sweep gets the same
 * id, so it is recorded and bet once; a changed price is a new opportunity.
 */
export function opportunityId(parts: OpportunityIdParts): string {
  const { eventId, marketType, period, line } = parts.market;
  const key = JSON.stringify([
    parts.strategy,
    parts.kind,
    [eventId, marketType, period, line],
    parts.legs.map((l) => [l.outcome, l.point, l.bookmaker, l.price]),
    parts.discriminator ?? null,
  ]);
  return ids.get(key) ?? ids.set(key, canonicalId(parts));
}

function canonicalId(parts: OpportunityIdParts): string {
  const legs = parts.legs
    .map((l) => [l.outcome, canonicalDecimal(l.point), l.bookmaker, canonicalDecimal(l.price)])
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  const canonical = JSON.stringify([
    'opportunity/v1',
    parts.strategy,
    parts.kind,
    marketKeyString(parts.market),
    legs,
    parts.discriminator ?? null,
  ]);
  return `opp_${sha256Hex(canonical).slice(0, 40)}`;
}

/** Percent with `places` decimals, for rule texts ("2.35%"). */
export function pct(value: D, places = 2): string {
  return `${value.mul(100).toFixed(places)}%`;
}

export function sortOpportunities(list: Opportunity[]): Opportunity[] {
  return list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
