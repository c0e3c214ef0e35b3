import { D, HUNDRED, ONE, ZERO, parseDecimal, toDecimalString, type DecimalInput } from './decimal';
import { ArbitrageError } from './errors';
import { addFractions, decimalToExactFraction, fraction, subtractFractions } from './fraction';
import { planStakes } from './arbitrage-stakes';
import { parseDecimalOdds } from './odds';

// ---- quotes and legs ----

export interface Quote {
  readonly bookmaker: string;
  readonly outcome: string;
  /** Decimal odds as a decimal string (or Decimal / finite number). */
  readonly price: DecimalInput;
  /** Epoch milliseconds the price was seen; used for staleness. */
  readonly observedAt?: number;
}

export interface ArbitrageOptions {
  /** Total outlay to spread across the legs; no stake plan without it. */
  readonly totalStake?: DecimalInput;
  /** Stakes are whole multiples of this unit (e.g. 5, or 0.01); exact ideal stakes without it. */
  readonly unit?: DecimalInput;
  /** Per-bookmaker maximum stake. */
  readonly maxStakes?: Readonly<Record<string, DecimalInput>>;
  /** Per-bookmaker commission on net winnings (exchanges), e.g. 0.02. */
  readonly commission?: Readonly<Record<string, DecimalInput>>;
  /** Profit (fraction) above which an arbitrage is flagged suspect; default 0.10. */
  readonly profitCap?: DecimalInput;
  /** Current time in epoch ms; enables the staleness check. */
  readonly now?: number;
  /** Quotes older than this at `now` make the arbitrage suspect; default 60 000 ms. */
  readonly staleAfterMs?: number;
}

export interface ArbitrageLeg {
  readonly bookmaker: string;
  readonly outcome: string;
  readonly price: string;
  /** Price after commission: 1 + (o − 1)(1 − commission). */
  readonly effectivePrice: string;
  readonly observedAt?: number;
}

export interface SuspectReason {
  readonly code: 'profit-cap' | 'stale-quote' | 'unknown-age';
  readonly message: string;
}

export interface StakePlan {
  /** Per leg, in leg order. */
  readonly stakes: string[];
  /** What each leg returns (stake × effective price) if its outcome wins. */
  readonly payouts: string[];
  readonly totalStake: string;
  /** min(payouts) − totalStake: what the plan is guaranteed to make after rounding. */
  readonly guaranteedProfit: string;
  /** Bookmaker whose maximum stake limited the outlay, or null. */
  readonly limitedBy: string | null;
  /** False when the rounding search hit its iteration budget (only for margins below ~0.01%). */
  readonly roundingExhaustive: boolean;
}

export interface ArbitrageSolution {
  readonly marketKey?: string;
  readonly isArbitrage: boolean;
  readonly legs: ArbitrageLeg[];
  /** Σ 1/effective price. */
  readonly booksum: string;
  /** 1/booksum − 1 as a fraction (0.0373… = 3.73%), before rounding. */
  readonly profit: string;
  readonly plan: StakePlan | null;
  readonly suspect: boolean;
  readonly reasons: SuspectReason[];
}

/** One leg as supplied to the solver: an explicit price at a bookmaker. */
export interface LegInput {
  readonly bookmaker: string;
  readonly outcome?: string;
  readonly price: DecimalInput;
  readonly observedAt?: number;
}

export interface PricedLeg {
  readonly bookmaker: string;
  readonly outcome: string;
  readonly price: D;
  readonly effective: D;
  readonly commission: D;
  readonly observedAt?: number;
}

const DEFAULT_PROFIT_CAP = new D('0.10');
const DEFAULT_STALE_AFTER_MS = 60_000;

function parseCommission(raw: DecimalInput, field: string): D {
  const c = parseDecimal(raw, field, ArbitrageError);
  if (c.isNegative() || c.gte(ONE)) {
    throw new ArbitrageError('commission must be at least 0 and below 1', field, raw);
  }
  return c;
}

function commissionOf(options: ArbitrageOptions, bookmaker: string): D {
  const raw = options.commission?.[bookmaker];
  return raw === undefined ? ZERO : parseCommission(raw, `commission[${bookmaker}]`);
}

/** Exchange commission is charged on net winnings only: 1 + (o − 1)(1 − commission). */
function afterCommission(o: D, c: D): D {
  return c.isZero() ? o : ONE.plus(o.minus(ONE).mul(ONE.minus(c)));
}

/** The price after an exchange's commission on net winnings: 1 + (o − 1)(1 − commission). */
export function effectivePrice(price: DecimalInput, commission: DecimalInput = 0): D {
  return afterCommission(parseDecimalOdds(price, 'price'), parseCommission(commission, 'commission'));
}

function priceLeg(leg: LegInput, outcome: string, options: ArbitrageOptions, field: string): PricedLeg {
  const price = parseDecimalOdds(leg.price, field);
  const c = commissionOf(options, leg.bookmaker);
  const effective = afterCommission(price, c);
  return { bookmaker: leg.bookmaker, outcome, price, effective, commission: c, observedAt: leg.observedAt };
}

/**
 * Σ 1/e < 1, decided in exact rationals: 40-digit division would call 3 / 3 / 3 an arbitrage
 * (0.333…3 × 3 < 1). Prices converted from American odds are themselves rounded at 40 digits (−185 is
 * 1.540…541), so a fair −185/+185 pair would sum to 1 − 2e-40: a margin below ARBITRAGE_FLOOR is rounding,
 * not an arbitrage (any real one is many orders of magnitude above it).
 */
function beatsTheBook(legs: readonly PricedLeg[]): boolean {
  let sum = fraction(0n, 1n);
  for (const leg of legs) {
    const price = decimalToExactFraction(leg.price);
    const keep = subtractFractions(fraction(1n, 1n), decimalToExactFraction(leg.commission));
    // e = 1 + (o − 1)(1 − c), exactly.
    const profit = subtractFractions(price, fraction(1n, 1n));
    const effective = addFractions(fraction(1n, 1n), fraction(profit.num * keep.num, profit.den * keep.den));
    sum = addFractions(sum, fraction(effective.den, effective.num));
  }
  return sum.num * ARBITRAGE_FLOOR_SCALE < sum.den * (ARBITRAGE_FLOOR_SCALE - 1n);
}

const ARBITRAGE_FLOOR_SCALE = 10n ** 30n;

/**
 * Best effective price per outcome across bookmakers. Ties go to the fresher quote, then the earlier one.
 * With `outcomes` given, a market missing any of them returns null and an unknown outcome is an error.
 */
export function bestPrices(
  quotes: readonly Quote[],
  options: ArbitrageOptions = {},
  outcomes?: readonly string[],
): PricedLeg[] | null {
  // Pre-seeding the expected outcomes fixes the leg order and makes a missing outcome visible.
  const best = new Map<string, PricedLeg | undefined>(outcomes?.map((o) => [o, undefined]));
  quotes.forEach((q, i) => {
    if (outcomes && !best.has(q.outcome)) {
      throw new ArbitrageError(
        'quote names an outcome this market does not have',
        `quotes[${i}].outcome`,
        q.outcome,
      );
    }
    const leg = priceLeg(q, q.outcome, options, `quotes[${i}].price`);
    const current = best.get(q.outcome);
    if (
      current === undefined ||
      leg.effective.gt(current.effective) ||
      (leg.effective.eq(current.effective) &&
        (leg.observedAt ?? -Infinity) > (current.observedAt ?? -Infinity))
    ) {
      best.set(q.outcome, leg);
    }
  });
  const legs: PricedLeg[] = [];
  for (const leg of best.values()) {
    if (leg === undefined) return null;
    legs.push(leg);
  }
  if (legs.length < 2) return null;
  return legs;
}

/**
 * Solve one arbitrage over explicit legs (one per outcome): profit, suspect flags and, with `totalStake`,
 * a stake plan whose rounded stakes maximise the guaranteed (worst-outcome) profit.
 */
export function solveArbitrage(legs: readonly LegInput[], options: ArbitrageOptions = {}): ArbitrageSolution {
  if (legs.length < 2) throw new ArbitrageError('an arbitrage needs at least two legs', 'legs', legs.length);
  const priced = legs.map((l, i) => priceLeg(l, l.outcome ?? `leg${i + 1}`, options, `legs[${i}].price`));
  return solvePriced(priced, options);
}

/** The arbitrage in one market's quotes, or null when the best prices do not beat the book. */
export function findArbitrage(
  key: string,
  quotes: readonly Quote[],
  options: ArbitrageOptions & { readonly outcomes?: readonly string[] } = {},
): ArbitrageSolution | null {
  const legs = bestPrices(quotes, options, options.outcomes);
  if (!legs) return null;
  const solution = solvePriced(legs, options, key);
  return solution.isArbitrage ? solution : null;
}

/**
 * Every arbitrage across markets grouped by market key (Map or plain object). `outcomesFor` supplies each
 * market's full outcome list; without it the outcomes seen in the quotes are taken as complete.
 */
export function findArbitrages(
  markets: ReadonlyMap<string, readonly Quote[]> | Readonly<Record<string, readonly Quote[]>>,
  options: ArbitrageOptions & { readonly outcomesFor?: (key: string) => readonly string[] | undefined } = {},
): ArbitrageSolution[] {
  const entries = markets instanceof Map ? markets.entries() : Object.entries(markets);
  const found: ArbitrageSolution[] = [];
  for (const [key, quotes] of entries as Iterable<[string, readonly Quote[]]>) {
    const solution = findArbitrage(key, quotes, { ...options, outcomes: options.outcomesFor?.(key) });
    if (solution) found.push(solution);
  }
  return found;
}

function solvePriced(legs: readonly PricedLeg[], options: ArbitrageOptions, key?: string): ArbitrageSolution {
  const inverse = legs.map((l) => ONE.div(l.effective));
  let booksum = ZERO;
  for (const x of inverse) booksum = booksum.plus(x);
  const profit = ONE.div(booksum).minus(ONE);
  const isArbitrage = beatsTheBook(legs);
  const reasons = suspectReasons(legs, profit, options);
  const plan = options.totalStake === undefined ? null : planStakes(legs, inverse, booksum, options);
  return {
    ...(key === undefined ? {} : { marketKey: key }),
    isArbitrage,
    legs: legs.map((l) => ({
      bookmaker: l.bookmaker,
      outcome: l.outcome,
      price: toDecimalString(l.price),
      effectivePrice: toDecimalString(l.effective),
      ...(l.observedAt === undefined ? {} : { observedAt: l.observedAt }),
    })),
    booksum: toDecimalString(booksum),
    profit: toDecimalString(profit),
    plan,
    suspect: reasons.length > 0,
    reasons,
  };
}

export function suspectReasons(
  legs: readonly { bookmaker: string; outcome: string; observedAt?: number }[],
  profit: D,
  options: ArbitrageOptions,
): SuspectReason[] {
  const reasons: SuspectReason[] = [];
  const cap =
    options.profitCap === undefined
      ? DEFAULT_PROFIT_CAP
      : parseDecimal(options.profitCap, 'profitCap', ArbitrageError);
  if (profit.gt(cap)) {
    reasons.push({
      code: 'profit-cap',
      message: `profit ${toDecimalString(profit.mul(HUNDRED).toDecimalPlaces(4))}% exceeds the ${toDecimalString(cap.mul(HUNDRED))}% cap`,
    });
  }
  if (options.now !== undefined) reasons.push(...staleLegReasons(legs, options.now, options.staleAfterMs));
  return reasons;
}

/**
 * The legs whose quotes are too old at `now` (or of unknown age): the part of the suspect flags that
 * depends on time alone, so a caller that keeps the rest of a solution between sweeps can redo just this.
 */
export function staleLegReasons(
  legs: readonly { bookmaker: string; outcome: string; observedAt?: number }[],
  now: number,
  staleAfterMs = DEFAULT_STALE_AFTER_MS,
): SuspectReason[] {
  const reasons: SuspectReason[] = [];
  for (const leg of legs) {
    if (leg.observedAt === undefined) {
      reasons.push({
        code: 'unknown-age',
        message: `${leg.bookmaker} ${leg.outcome} quote has no observation time`,
      });
    } else if (now - leg.observedAt > staleAfterMs) {
      reasons.push({
        code: 'stale-quote',
        message: `${leg.bookmaker} ${leg.outcome} quote is ${now - leg.observedAt} ms old (limit ${staleAfterMs} ms)`,
      });
    }
  }
  return reasons;
}
