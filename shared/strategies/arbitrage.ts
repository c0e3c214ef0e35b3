import { z } from 'zod';
import type { MarketKey, Opportunity } from '../entities';
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
import { type BetMarket, type EventPhase, type IndexedBoard } from './board';
import { allowedBooks, commonParameters, decimalParam, legViolations, opportunityId, pct } from './common';
import { asIndexed, validation, type StrategyDefinition } from './types';

export const ArbitrageParameters = z.strictObject({
  ...commonParameters,
  /** Smallest guaranteed profit (fraction of outlay) worth betting. */
  minProfit: decimalParam({ min: '0' }).default('0.002'),
  /** Profit above this is flagged suspect (likely a data or palpable error) and not bet. */
  profitCap: decimalParam({ minExclusive: '0' }).default('0.10'),
  /** Stale quotes: left out of the best prices (exclude), or used and the arbitrage flagged (flag). */
  staleQuotes: z.enum(['exclude', 'flag']).default('exclude'),
  /** Outlay the suggested stake plan spreads across the legs. */
  totalStake: decimalParam({ minExclusive: '0' }).default('100'),
  /**
   * Round the plan's stakes to this unit (the solver searches the best rounding: a few ms per arbitrage);
   * null keeps the exact balanced stakes and leaves rounding to the bet lifecycle's sizing.
   */
  roundTo: decimalParam({ minExclusive: '0' }).nullable().default(null),
  maxStakes: z.record(z.string().min(1), decimalParam({ minExclusive: '0' })).default({}),
  commission: z.record(z.string().min(1), decimalParam({ min: '0', maxExclusive: '1' })).default({}),
});
export type ArbitrageParameters = z.infer<typeof ArbitrageParameters>;

export interface ArbitrageScanOptions {
  minProfit?: string;
  profitCap?: string;
  maxQuoteAgeMs?: number;
  staleQuotes?: 'exclude' | 'flag';
  /** In-play events: left out, listed and flagged suspect, or treated like any other. */
  inPlay?: 'exclude' | 'flag' | 'allow';
  books?: readonly string[] | null;
  marketTypes?: readonly MarketKey['marketType'][];
  sports?: readonly string[] | null;
  totalStake?: string;
  unit?: string;
  maxStakes?: Record<string, string>;
  commission?: Record<string, string>;
}

export interface ArbitrageSuspectReason {
  code: 'profit-cap' | 'stale-quote' | 'unknown-age' | 'in-play';
  message: string;
}

export interface LineArbitrageLeg {
  bookmaker: string;
  outcome: string;
  point: string | null;
  price: string;
  ageMs: number;
  stake: string | null;
}

export interface LineArbitrage {
  bet: BetMarket;
  market: MarketKey;
  phase: EventPhase;
  legs: LineArbitrageLeg[];
  /** Σ 1/best price and 1/Σ − 1, exact (40 significant digits). */
  booksum: string;
  profit: string;
  plan: StakePlan | null;
  /** Why no stake plan was made (the outlay cannot be split into whole units…). */
  planError: string | null;
  suspect: boolean;
  reasons: ArbitrageSuspectReason[];
}

export interface ArbitrageScan {
  markets: number;
  screened: number;
  arbitrages: LineArbitrage[];
  staleExcluded: number;
}

const EPSILON = 1e-9;
const ONE_FRACTION = fraction(1n, 1n);

/**
 * Every line-aware arbitrage on a board: per bet market the best price of each outcome (among allowed books
 * and fresh quotes), a float screen, then the exact decision Σ 1/price < 1 on rationals, and the domain
 * solver for the stake plan and its suspect flags (profit cap, stale quotes); in-play is flagged here.
 */
export function scanArbitrages(
  input: Parameters<typeof asIndexed>[0],
  options: ArbitrageScanOptions = {},
): ArbitrageScan {
  const board = asIndexed(input);
  const allowed = allowedBooks(board, options.books ?? null);
  const types = options.marketTypes ? new Set(options.marketTypes) : null;
  const sports = options.sports ? new Set(options.sports) : null;
  const inPlay = options.inPlay ?? 'exclude';
  const staleMode = options.staleQuotes ?? 'exclude';
  const maxAge = options.maxQuoteAgeMs ?? 60_000;
  const minProfit = new D(options.minProfit ?? '0');
  const arbitrages: LineArbitrage[] = [];
  let screened = 0;
  let staleExcluded = 0;
  let markets = 0;
  const { bookOf, ageMs, price } = board;

  for (const bet of board.markets) {
    if (types && !types.has(bet.market.marketType)) continue;
    const event = board.snapshot.events[bet.eventId];
    if (sports && (!event || !sports.has(event.sport))) continue;
    const phase = board.phase(bet.eventId);
    if (phase === 'closed' || (phase === 'in-play' && inPlay === 'exclude')) continue;
    if (bet.slots.length !== bet.expected) continue;
    markets++;

    const best = new Array<number>(bet.expected).fill(-1);
    const betQuotes = bet.quotes;
    for (let k = 0; k < betQuotes.length; k++) {
      const qi = betQuotes[k]!;
      if (allowed[bookOf[qi]!] === 0) continue;
      if (staleMode === 'exclude' && ageMs[qi]! > maxAge) {
        staleExcluded++;
        continue;
      }
      const s = bet.slotOf[k]!;
      const current = best[s]!;
      if (current < 0) best[s] = qi;
      else {
        // Clearly different floats decide here; near and exact ties go to better().
        const pa = price[qi]!;
        const pb = price[current]!;
        if (Math.abs(pa - pb) > 1e-12 * pb) {
          if (pa > pb) best[s] = qi;
        } else if (better(board, qi, current)) best[s] = qi;
      }
    }
    let floatSum = 0;
    for (const qi of best) floatSum += qi < 0 ? NaN : 1 / price[qi]!;
    // NaN (an outcome without a price) fails this too.
    if (!(floatSum < 1 + EPSILON)) continue;
    screened++;

    const commission = options.commission ?? {};
    const legs = best.map((qi) => board.quote(qi));
    const hasCommission = legs.some((q) => commission[q.bookmaker] !== undefined);
    let booksum: D;
    let profit: D;
    if (hasCommission) {
      // Effective prices after commission are no longer bookmaker prices; the solver's Decimal sum decides.
      const probe = solveArbitrage(
        legs.map((q) => ({ bookmaker: q.bookmaker, outcome: q.outcome, price: q.price })),
        { commission },
      );
      if (!probe.isArbitrage) continue;
      booksum = new D(probe.booksum);
      profit = new D(probe.profit);
    } else {
      // Exact rationals: a fair -185/+185 pair, whose prices are 40-digit recurring decimals, summed as
      // Decimals can come out a hair under 1; decimalToFraction recovers 57/37 from the rounded text.
      const sum = inverseSum(legs.map((q) => decimalToFraction(new D(q.price))));
      if (compareFractions(sum, ONE_FRACTION) >= 0) continue;
      booksum = fractionToDecimal(sum);
      profit = fractionToDecimal(subtractFractions(invertFraction(sum), ONE_FRACTION));
    }
    if (profit.lt(minProfit)) continue;

    const reasons: ArbitrageSuspectReason[] = [];
    let plan: StakePlan | null = null;
    let planError: string | null = null;
    const solverLegs = legs.map((q, i) => ({
      bookmaker: q.bookmaker,
      outcome: q.outcome,
      price: q.price,
      observedAt: board.asOfMs - board.ageMs[best[i]!]!,
    }));
    const solverOptions = {
      profitCap: options.profitCap ?? '0.10',
      now: board.asOfMs,
      staleAfterMs: maxAge,
      commission,
      maxStakes: options.maxStakes,
    };
    let solved;
    try {
      solved = solveArbitrage(solverLegs, {
        ...solverOptions,
        ...(options.totalStake === undefined ? {} : { totalStake: options.totalStake }),
        ...(options.unit === undefined ? {} : { unit: options.unit }),
      });
      plan = solved.plan;
    } catch (err) {
      if (!(err instanceof ArbitrageError)) throw err;
      planError = err.message;
      solved = solveArbitrage(solverLegs, solverOptions);
    }
    // The solver's profit-cap test runs on its Decimal profit; re-run it on the exact one.
    if (profit.gt(options.profitCap ?? '0.10')) {
      reasons.push({
        code: 'profit-cap',
        message: `profit ${pct(profit)} exceeds the ${pct(new D(options.profitCap ?? '0.10'))} cap: likely a data or palpable error`,
      });
    }
    for (const r of solved.reasons)
      if (r.code !== 'profit-cap') reasons.push({ code: r.code, message: r.message });
    if (phase === 'in-play' && inPlay === 'flag') {
      reasons.push({
        code: 'in-play',
        message: `event is in play (started ${event?.startTime ?? '?'}): quotes may be suspended or stale`,
      });
    }

    arbitrages.push({
      bet,
      market: bet.market,
      phase,
      legs: legs.map((q, i) => ({
        bookmaker: q.bookmaker,
        outcome: q.outcome,
        point: bet.slots[i]!.point,
        price: q.price,
        ageMs: board.ageMs[best[i]!]!,
        stake: plan?.stakes[i] ?? null,
      })),
      booksum: toDecimalString(booksum),
      profit: toDecimalString(profit),
      plan,
      planError,
      suspect: reasons.length > 0,
      reasons,
    });
  }
  return { markets, screened, arbitrages, staleExcluded };
}

/** Higher price wins; ties go to the fresher quote, then the bookmaker name (order-independent). */
function better(board: IndexedBoard, a: number, b: number): boolean {
  const pa = board.price[a]!;
  const pb = board.price[b]!;
  if (pa !== pb) {
    // Floats that differ in the 16th digit may hide an exact tie or inversion; settle it exactly.
    if (Math.abs(pa - pb) > 1e-12 * pb) return pa > pb;
    const c = new D(board.quote(a).price).cmp(board.quote(b).price);
    if (c !== 0) return c > 0;
  }
  const aa = board.ageMs[a]!;
  const ab = board.ageMs[b]!;
  if (aa !== ab) return aa < ab;
  return board.books[board.bookOf[a]!]! < board.books[board.bookOf[b]!]!;
}

function toOpportunity(arb: LineArbitrage, strategy: string, board: IndexedBoard): Opportunity {
  const event = board.snapshot.events[arb.bet.eventId]!;
  const legs = arb.legs.map((l) => ({
    bookmaker: l.bookmaker,
    outcome: l.outcome,
    point: l.point,
    price: l.price,
    stake: l.stake,
    fairProbability: null,
    quoteAgeMs: Math.round(l.ageMs),
  }));
  const profit = new D(arb.profit);
  return {
    id: opportunityId({ strategy, kind: 'arbitrage', market: arb.market, legs }),
    strategy,
    kind: 'arbitrage',
    sport: event.sport,
    market: arb.market,
    legs,
    edge: arb.profit,
    fairMethod: null,
    rule: `arbitrage: best prices (${arb.legs.map((l) => `${l.bookmaker} ${l.outcome}${l.point === null ? '' : ` ${l.point}`} @ ${new D(l.price).toDecimalPlaces(4).toFixed()}`).join(', ')}) sum to ${new D(arb.booksum).toFixed(6)} < 1: ${pct(profit, 3)} guaranteed`,
    suspect: arb.suspect,
    suspectReasons: arb.reasons.map((r) => `${r.code}: ${r.message}`),
    detectedAt: board.snapshot.asOf,
    context: {
      booksum: arb.booksum,
      profit: arb.profit,
      phase: arb.phase,
      eventStart: event.startTime,
      participants: event.participants.map((p) => p.name),
      stakePlan: arb.plan,
      planError: arb.planError,
      suspectCodes: arb.reasons.map((r) => r.code),
    },
  };
}

export const arbitrageStrategy: StrategyDefinition<ArbitrageParameters> = {
  type: 'arbitrage',
  kind: 'arbitrage',
  description: 'cross-book arbitrage: best price per outcome of a line-aware market summing under 1',
  parameters: ArbitrageParameters,
  initialState: () => undefined,
  evaluate(input, params, state, ctx) {
    const board = asIndexed(input);
    const scan = scanArbitrages(board, {
      minProfit: params.minProfit,
      profitCap: params.profitCap,
      maxQuoteAgeMs: params.maxQuoteAgeMs,
      staleQuotes: params.staleQuotes,
      inPlay: params.includeInPlay ? 'allow' : 'exclude',
      books: params.books,
      marketTypes: params.marketTypes,
      sports: params.sports,
      totalStake: params.totalStake,
      unit: params.roundTo ?? undefined,
      maxStakes: params.maxStakes,
      commission: params.commission,
    });
    const opportunities = scan.arbitrages
      .filter((a) => board.snapshot.events[a.bet.eventId])
      .map((a) => toOpportunity(a, ctx.strategy, board));
    return {
      opportunities,
      state,
      stats: {
        markets: scan.markets,
        screened: scan.screened,
        arbitrages: scan.arbitrages.length,
        suspect: opportunities.filter((o) => o.suspect).length,
        staleExcluded: scan.staleExcluded,
      },
    };
  },
  validate(opportunity, params, asOf) {
    const violations: string[] = [];
    if (opportunity.kind !== 'arbitrage') violations.push(`kind is ${opportunity.kind}, not arbitrage`);
    if (opportunity.suspect) violations.push(`suspect: ${opportunity.suspectReasons.join('; ')}`);
    const profit = new D(opportunity.edge);
    if (profit.lt(params.minProfit))
      violations.push(`profit ${pct(profit, 3)} is below minProfit ${params.minProfit}`);
    if (profit.gt(params.profitCap))
      violations.push(`profit ${pct(profit, 3)} exceeds profitCap ${params.profitCap}`);
    const elapsed = Math.max(0, Date.parse(asOf) - Date.parse(opportunity.detectedAt));
    violations.push(...legViolations(opportunity, params, elapsed));
    return validation(violations);
  },
};
