import { z } from 'zod';
import type { MarketKey, Opportunity } from '../entities';
import { D, staleLegReasons, type StakePlan } from '../math';
import { exactArbitrage, exactOptions, settle, type ExactOptions } from './arbitrage-exact';
import { type BetMarket, type BoardEvent, type EventPhase, type IndexedBoard } from './board';
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
  /** The opportunity's rule: the best prices, booksum and profit in words. */
  rule: string;
}

export interface ArbitrageScan {
  markets: number;
  screened: number;
  arbitrages: LineArbitrage[];
  staleExcluded: number;
}

const EPSILON = 1e-9;
// Best quote per outcome while a market is screened (evaluation is synchronous: one row serves every call).
let bestScratch = new Int32Array(8);

/**
 * Every line-aware arbitrage on a board: per bet market the best price of each outcome (among allowed books
 * and fresh quotes), a float screen, then the exact decision Σ 1/price < 1 on rationals, and the domain
 * solver for the stake plan and its suspect flags (profit cap, stale quotes); in-play is flagged here. The
 * exact part is remembered by its inputs (arbitrage-exact.ts), so a board whose best prices did not move
 * costs the float screen only.
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
  const checks: ArbitrageChecks = {
    minProfit: new D(options.minProfit ?? '0'),
    maxAge,
    inPlay,
    money: exactOptions({
      commission: options.commission ?? {},
      profitCap: options.profitCap ?? '0.10',
      totalStake: options.totalStake,
      unit: options.unit,
      maxStakes: options.maxStakes,
    }),
  };
  const arbitrages: LineArbitrage[] = [];
  let screened = 0;
  let staleExcluded = 0;
  let markets = 0;
  const { bookOf, ageMs, price } = board;
  const everyBook = options.books == null;
  const excludeStale = staleMode === 'exclude';

  // Indexed loops here and below: the screen reads 100,000 quotes per sweep and should allocate nothing
  // (an iterator's result objects survive where the loop calls out, e.g. board.phase).
  const betMarkets = board.markets;
  // A board lists an event's markets together: its event and phase are looked up once for the run.
  let eventId: string | null = null;
  let event: BoardEvent | undefined;
  let phase: EventPhase | null = null;
  for (let m = 0; m < betMarkets.length; m++) {
    const bet = betMarkets[m]!;
    if (types && !types.has(bet.market.marketType)) continue;
    if (bet.eventId !== eventId) {
      eventId = bet.eventId;
      event = board.snapshot.events[eventId];
      phase = null;
    }
    if (sports && (!event || !sports.has(event.sport))) continue;
    phase ??= board.phase(eventId);
    if (phase === 'closed' || (phase === 'in-play' && inPlay === 'exclude')) continue;
    if (bet.slots.length !== bet.expected) continue;
    markets++;

    // One scratch row serves every market's screen, so it allocates nothing; the few markets that pass
    // take a copy.
    if (bestScratch.length < bet.expected) bestScratch = new Int32Array(bet.expected * 2);
    const top = bestScratch;
    top.fill(-1, 0, bet.expected);
    const betQuotes = bet.quotes;
    const slotOf = bet.slotOf;
    for (let k = 0; k < betQuotes.length; k++) {
      const qi = betQuotes[k]!;
      if (!everyBook && allowed[bookOf[qi]!] === 0) continue;
      if (excludeStale && ageMs[qi]! > maxAge) {
        staleExcluded++;
        continue;
      }
      const s = slotOf[k]!;
      const current = top[s]!;
      if (current < 0) top[s] = qi;
      else {
        // Clearly different floats decide here; near and exact ties go to better().
        const pa = price[qi]!;
        const pb = price[current]!;
        if (Math.abs(pa - pb) > 1e-12 * pb) {
          if (pa > pb) top[s] = qi;
        } else if (better(board, qi, current)) top[s] = qi;
      }
    }
    // An outcome without a price is tracked apart: mixing the NaN constant into the sum would box every
    // partial sum on the heap.
    let complete = true;
    let floatSum = 0;
    for (let s = 0; s < bet.expected; s++) {
      const qi = top[s]!;
      if (qi < 0) complete = false;
      else floatSum += 1 / price[qi]!;
    }
    // A NaN price fails this too.
    if (!complete || !(floatSum < 1 + EPSILON)) continue;
    screened++;

    const found = arbitrageOf(board, bet, Array.from(top.subarray(0, bet.expected)), phase, event, checks);
    if (found) arbitrages.push(found);
  }
  return { markets, screened, arbitrages, staleExcluded };
}

/** What a screened market is decided against: the scan's limits and (money) the exact part's options. */
interface ArbitrageChecks {
  minProfit: D;
  maxAge: number;
  inPlay: 'exclude' | 'flag' | 'allow';
  money: ExactOptions;
}

/**
 * A market that passed the float screen, decided exactly: its arbitrage, or null. Apart from the screen's
 * loop, so the closures here do not make that loop allocate a scope for every market it reads.
 */
function arbitrageOf(
  board: IndexedBoard,
  bet: BetMarket,
  best: number[],
  phase: EventPhase,
  event: BoardEvent | undefined,
  { minProfit, maxAge, inPlay, money }: ArbitrageChecks,
): LineArbitrage | null {
  const legs = best.map((qi, i) => {
    const q = board.quote(qi);
    return { bookmaker: q.bookmaker, outcome: q.outcome, point: bet.slots[i]!.point, price: q.price };
  });
  const exact = exactArbitrage(legs, money);
  if (!exact.isArbitrage || exact.profitValue.lt(minProfit)) return null;
  const { plan, planError, profitCapReason, rule } = settle(exact, legs, money);
  const reasons: ArbitrageSuspectReason[] = profitCapReason ? [profitCapReason] : [];
  const observed = best.map((qi, i) => ({ ...legs[i]!, observedAt: board.asOfMs - board.ageMs[qi]! }));
  for (const r of staleLegReasons(observed, board.asOfMs, maxAge))
    reasons.push({ code: r.code, message: r.message });
  if (phase === 'in-play' && inPlay === 'flag') {
    reasons.push({
      code: 'in-play',
      message: `event is in play (started ${event?.startTime ?? '?'}): quotes may be suspended or stale`,
    });
  }
  return {
    bet,
    market: bet.market,
    phase,
    legs: legs.map((l, i) => ({ ...l, ageMs: board.ageMs[best[i]!]!, stake: plan?.stakes[i] ?? null })),
    booksum: exact.booksum,
    profit: exact.profit,
    plan,
    planError,
    suspect: reasons.length > 0,
    reasons,
    rule,
  };
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
  return {
    id: opportunityId({ strategy, kind: 'arbitrage', market: arb.market, legs }),
    strategy,
    kind: 'arbitrage',
    sport: event.sport,
    market: arb.market,
    legs,
    edge: arb.profit,
    fairMethod: null,
    rule: arb.rule,
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
