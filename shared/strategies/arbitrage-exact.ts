import {
  ArbitrageError,
  D,
  compareFractions,
  decimalToFraction,
  fraction,
  fractionToDecimal,
  inverseSum,
  invertFraction,
  solveArbitrage,
  subtractFractions,
  toDecimalString,
  type StakePlan,
} from '../math';
import type { ArbitrageSuspectReason } from './arbitrage';
import { pct } from './common';
import { Memo } from './memo';

/**
 * The exact part of an arbitrage that passed the float screen: the decision Σ 1/price < 1 on rationals,
 * booksum and profit, the stake plan and the profit-cap flag, and the rule text. All of it depends only on
 * the best legs (bookmaker, outcome, point, price) and on the scan's money options, never on the time; and a
 * live board presents the same best legs sweep after sweep until one of their markets changes. So each is
 * worked out once (decimal.js, BigInt rationals) and remembered by those inputs: a full sweep of an
 * unchanged board does float work only. What depends on the time (stale legs, in-play) is redone per sweep.
 */

/** One best leg, in its bet market's slot order. */
export interface ExactLeg {
  readonly bookmaker: string;
  readonly outcome: string;
  readonly point: string | null;
  readonly price: string;
}

/** The scan options the exact part depends on. */
export interface ExactOptions {
  readonly commission: Readonly<Record<string, string>>;
  readonly profitCap: string;
  readonly totalStake: string | undefined;
  readonly unit: string | undefined;
  readonly maxStakes: Readonly<Record<string, string>> | undefined;
  /** All of the above as text: part of every memo key. */
  readonly key: string;
}

export function exactOptions(options: Omit<ExactOptions, 'key'>): ExactOptions {
  const { commission, profitCap, totalStake, unit, maxStakes } = options;
  const key = JSON.stringify([commission, profitCap, totalStake ?? null, unit ?? null, maxStakes ?? null]);
  return { commission, profitCap, totalStake, unit, maxStakes, key };
}

export interface ExactArbitrage {
  /** The exact sum beats the book (with commission: the solver's decision on the effective prices). */
  readonly isArbitrage: boolean;
  /** Σ 1/price and 1/Σ − 1, exact (40 significant digits), as text and (profit) as a Decimal. */
  readonly booksum: string;
  readonly profit: string;
  readonly profitValue: D;
  /** Made on first use: only arbitrages at or above the scan's minProfit need it. */
  settled?: SettledArbitrage;
}

export interface SettledArbitrage {
  readonly plan: StakePlan | null;
  /** Why no stake plan was made (the outlay cannot be split into whole units…). */
  readonly planError: string | null;
  /** The cap tested on the exact profit (the solver's own test runs on its Decimal profit). */
  readonly profitCapReason: ArbitrageSuspectReason | null;
  /** The opportunity's rule: the best prices, booksum and profit in words. */
  readonly rule: string;
}

const ONE_FRACTION = fraction(1n, 1n);
// What a screened market that does not beat the book is remembered as (never settled).
const NOT_ARBITRAGE: ExactArbitrage = { isArbitrage: false, booksum: '', profit: '', profitValue: new D(0) };
// Distinct best-leg sets stay few (a board's arbitrages and near misses); the bound only stops a long-running
// worker from keeping every price it ever saw.
const decisions = new Memo<ExactArbitrage>(20_000);

/** The exact decision over one bet market's best legs (remembered by legs and options). */
export function exactArbitrage(legs: readonly ExactLeg[], options: ExactOptions): ExactArbitrage {
  const key = JSON.stringify([options.key, legs.map((l) => [l.bookmaker, l.outcome, l.point, l.price])]);
  return decisions.get(key) ?? decisions.set(key, decide(legs, options));
}

function decide(legs: readonly ExactLeg[], options: ExactOptions): ExactArbitrage {
  const { commission } = options;
  let booksum: D;
  let profit: D;
  if (legs.some((q) => commission[q.bookmaker] !== undefined)) {
    // Effective prices after commission are no longer bookmaker prices; the solver's Decimal sum decides.
    const probe = solveArbitrage(
      legs.map((q) => ({ bookmaker: q.bookmaker, outcome: q.outcome, price: q.price })),
      { commission },
    );
    if (!probe.isArbitrage) return NOT_ARBITRAGE;
    booksum = new D(probe.booksum);
    profit = new D(probe.profit);
  } else {
    // Exact rationals: a fair -185/+185 pair, whose prices are 40-digit recurring decimals, summed as
    // Decimals can come out a hair under 1; decimalToFraction recovers 57/37 from the rounded text.
    const sum = inverseSum(legs.map((q) => decimalToFraction(new D(q.price))));
    if (compareFractions(sum, ONE_FRACTION) >= 0) return NOT_ARBITRAGE;
    booksum = fractionToDecimal(sum);
    profit = fractionToDecimal(subtractFractions(invertFraction(sum), ONE_FRACTION));
  }
  return {
    isArbitrage: true,
    booksum: toDecimalString(booksum),
    profit: toDecimalString(profit),
    profitValue: profit,
  };
}

/** The stake plan, profit-cap flag and rule of an arbitrage (made once per remembered decision). */
export function settle(
  exact: ExactArbitrage,
  legs: readonly ExactLeg[],
  options: ExactOptions,
): SettledArbitrage {
  if (exact.settled) return exact.settled;
  const solverLegs = legs.map((q) => ({ bookmaker: q.bookmaker, outcome: q.outcome, price: q.price }));
  // Without `now`: the solver's stale-leg flags depend on the time, and the scan adds them every sweep.
  const solverOptions = {
    profitCap: options.profitCap,
    commission: options.commission,
    maxStakes: options.maxStakes,
  };
  let plan: StakePlan | null = null;
  let planError: string | null = null;
  try {
    plan = solveArbitrage(solverLegs, {
      ...solverOptions,
      ...(options.totalStake === undefined ? {} : { totalStake: options.totalStake }),
      ...(options.unit === undefined ? {} : { unit: options.unit }),
    }).plan;
  } catch (err) {
    if (!(err instanceof ArbitrageError)) throw err;
    planError = err.message;
    // Still solved without the plan: whatever else the solver refuses is an error of the scan.
    solveArbitrage(solverLegs, solverOptions);
  }
  const profit = exact.profitValue;
  const profitCapReason: ArbitrageSuspectReason | null = profit.gt(options.profitCap)
    ? {
        code: 'profit-cap',
        message: `profit ${pct(profit)} exceeds the ${pct(new D(options.profitCap))} cap: likely a data or palpable error`,
      }
    : null;
  const prices = legs.map(
    (l) =>
      `${l.bookmaker} ${l.outcome}${l.point === null ? '' : ` ${l.point}`} @ ${new D(l.price).toDecimalPlaces(4).toFixed()}`,
  );
  const rule = `arbitrage: best prices (${prices.join(', ')}) sum to ${new D(exact.booksum).toFixed(6)} < 1: ${pct(new D(exact.profit), 3)} guaranteed`;
  exact.settled = { plan, planError, profitCapReason, rule };
  return exact.settled;
}
