import { z } from 'zod';
import { marketKeyString, type MarketKey, type Opportunity } from '../entities';
import { D, ZERO, toSignificantString } from '../math/decimal';
import type { MarketAggregate, ReplaySnapshot, SkipNote } from '../backtest/types';
import { bookLines, type BoardEvent, type IndexedBoard } from './board';
import { bookFilter, commonParameters, decimalParam, marketFilter, opportunityId, pct } from './common';
import { SCREEN, consensusPick, type ConsensusOutcome, type ConsensusPick } from './consensus-rule';
import { asIndexed, validation, type Evaluation, type StrategyDefinition } from './types';

export { consensusPick, type ConsensusOutcome, type ConsensusPick };

/**
 * The consensus rule of Kaunitz, Zhong & Kreiner (2017), "Beating the bookies with their own numbers":
 * for each match take p = 1 / (average odds over the books) per outcome; an outcome qualifies when the
 * best odds exceed 1 / (p − alpha); bet the qualifying outcome with the largest (p − alpha)·best − 1 at
 * the best odds, one bet per match, flat stake. Matches quoted by `minBooks` books or fewer are skipped
 * where the number of books is known.
 *
 * The averages come from the market's published aggregate when the source has one (football-data's
 * BbAv/BbMx or Avg/Max columns and the Bb1X2 count) and from the books on the board otherwise.
 *
 * Exact: with the average A = S/n (S the sum of n prices; n = 1 for a published average) and the best
 * price M, p − alpha = (n − alpha·S)/S and (p − alpha)·M − 1 = q/S with q = M·(n − alpha·S) − S. An outcome
 * qualifies iff n − alpha·S > 0 and q > 0 (p − alpha ≤ 0 never qualifies). A float screen decides
 * whenever it is clear of rounding by a wide margin; every close call, and every number reported, is
 * computed again in decimal. Ties in the score go to the first outcome in market order.
 */

export const ConsensusParameters = z.strictObject({
  ...commonParameters,
  /** The paper bets the 1X2 (h2h) market only. */
  marketTypes: commonParameters.marketTypes.default(['h2h']),
  /** The margin taken off the consensus probability; 0.05 in the paper. */
  alpha: decimalParam({ min: '0', maxExclusive: '1' }).default('0.05'),
  /** Skip markets quoted by this many books or fewer (where the count is known). */
  minBooks: z.number().int().min(0).default(3),
  /** Flat stake of every bet. */
  stake: decimalParam({ minExclusive: '0' }).default('1'),
});
export type ConsensusParameters = z.infer<typeof ConsensusParameters>;

export const CONSENSUS_SKIP = {
  missingOdds: 'missing odds',
  fewBooks: 'books <= minBooks',
  noValue: 'no outcome qualifies',
  noAllowedBook: 'no allowed book quotes every outcome',
} as const;

const PREPARED = new WeakMap<
  ConsensusParameters,
  { types: Set<string>; sports: Set<string> | null; allowed: (book: string) => boolean }
>();

/** The parameter sets the rule consults, built once per parameter object. */
function prepared(params: ConsensusParameters) {
  let p = PREPARED.get(params);
  if (p === undefined) {
    p = {
      types: new Set<string>(params.marketTypes),
      sports: params.sports === null ? null : new Set(params.sports),
      allowed: bookFilter(params.books),
    };
    PREPARED.set(params, p);
  }
  return p;
}

/** Best price of a published aggregate: the source does not say which book offered it. */
export const AGGREGATE_BOOK = 'market-best';

export interface ConsensusEvaluation extends Evaluation<undefined> {
  /** Per event, why the rule passed on it (missing odds, too few books, nothing qualifies). */
  readonly skipped: SkipNote[];
}

interface MarketCandidate {
  readonly market: MarketKey;
  readonly event: BoardEvent;
  readonly outcomes: ConsensusOutcome[];
  readonly books: number | null;
  readonly source: string;
}

/**
 * The rule over a board: every market with a published aggregate (football-data files) and every other
 * market from the complete, fresh lines of the books on it (live boards, line-change replays).
 */
export function evaluateConsensus(
  input: ReplaySnapshot | IndexedBoard,
  params: ConsensusParameters,
  strategy: string,
): ConsensusEvaluation {
  const board = asIndexed(input);
  const snapshot: ReplaySnapshot = board.snapshot;
  const alpha = new D(params.alpha);
  const alphaNumber = alpha.toNumber();
  const opportunities: Opportunity[] = [];
  const skipped: SkipNote[] = [];
  const stats = { markets: 0, aggregates: 0, missingOdds: 0, fewBooks: 0, noValue: 0, opportunities: 0 };
  const { types, sports, allowed } = prepared(params);

  const consider = (c: MarketCandidate | { eventId: string; reason: string }): void => {
    stats.markets++;
    if ('reason' in c) {
      if (c.reason === CONSENSUS_SKIP.missingOdds) stats.missingOdds++;
      skipped.push({ eventId: c.eventId, reason: c.reason });
      return;
    }
    if (c.books !== null && c.books <= params.minBooks) {
      stats.fewBooks++;
      skipped.push({ eventId: c.event.id, reason: CONSENSUS_SKIP.fewBooks });
      return;
    }
    const pick = consensusPick(c.outcomes, alpha, alphaNumber);
    if (pick === null) {
      stats.noValue++;
      skipped.push({ eventId: c.event.id, reason: CONSENSUS_SKIP.noValue });
      return;
    }
    stats.opportunities++;
    opportunities.push(toOpportunity(c, pick, params, strategy, board));
  };

  // Markets with an aggregate are judged on it; only a board that also has books needs to know which.
  const covered = board.markets.length > 0 ? new Set<string>() : null;
  for (const agg of snapshot.aggregates ?? []) {
    const event = snapshot.events[agg.market.eventId];
    if (event === undefined || !types.has(agg.market.marketType)) continue;
    if (sports !== null && !sports.has(event.sport)) continue;
    const phase = board.phase(event.id);
    if (!(phase === 'pre-match' || (phase === 'in-play' && params.includeInPlay))) continue;
    covered?.add(marketKeyString(agg.market));
    stats.aggregates++;
    const candidate = fromAggregate(agg, event, alphaNumber, params.minBooks);
    if (candidate === null) {
      stats.markets++;
      stats.noValue++;
      skipped.push({ eventId: event.id, reason: CONSENSUS_SKIP.noValue });
      continue;
    }
    consider(candidate);
  }

  const accept = board.markets.length > 0 ? marketFilter(board, params) : null;
  for (const bet of board.markets) {
    if (!accept!(bet) || covered!.has(marketKeyString(bet.market))) continue;
    const event = snapshot.events[bet.eventId]!;
    const lines = bookLines(board, bet, (q) => board.ageMs[q]! <= params.maxQuoteAgeMs);
    if (lines.length === 0) {
      consider({ eventId: bet.eventId, reason: CONSENSUS_SKIP.missingOdds });
      continue;
    }
    const outcomes: ConsensusOutcome[] = [];
    for (let s = 0; s < bet.expected; s++) {
      let best = -1;
      for (const line of lines) {
        const q = line.quotes[s]!;
        if (!allowed(line.bookmaker)) continue;
        if (best < 0 || higher(board, q, best)) best = q;
      }
      if (best < 0) break;
      const bestQuote = board.quote(best);
      outcomes.push({
        outcome: bet.slots[s]!.outcome,
        point: bestQuote.point,
        prices: lines.map((l) => board.quote(l.quotes[s]!).price),
        best: bestQuote.price,
        bestBookmaker: bestQuote.bookmaker,
        bestAgeMs: board.ageMs[best]!,
      });
    }
    if (outcomes.length < bet.expected) {
      consider({ eventId: bet.eventId, reason: CONSENSUS_SKIP.noAllowedBook });
      continue;
    }
    consider({ market: bet.market, event, outcomes, books: lines.length, source: 'board' });
  }
  return { opportunities, state: undefined, stats, skipped };
}

/**
 * True when no outcome of a published aggregate can qualify, by a margin no rounding can cross: most
 * markets are settled here without building anything.
 */
function clearlyNoValue(agg: MarketAggregate, a: number): boolean {
  for (const o of agg.outcomes) {
    const avg = Number(o.average);
    const best = Number(o.best);
    const lead = 1 - a * avg;
    const q = best * lead - avg;
    if (!(q < -SCREEN * (best * (1 + a * avg) + avg))) return false;
  }
  return true;
}

function fromAggregate(
  agg: MarketAggregate,
  event: BoardEvent,
  a: number,
  minBooks: number,
): MarketCandidate | { eventId: string; reason: string } | null {
  if (agg.outcomes.length < 2) return { eventId: event.id, reason: CONSENSUS_SKIP.missingOdds };
  // null: enough books and clearly nothing qualifies (the same answer consensusPick would give).
  if ((agg.books === null || agg.books > minBooks) && clearlyNoValue(agg, a)) return null;
  return {
    market: agg.market,
    event,
    books: agg.books,
    source: agg.source,
    outcomes: agg.outcomes.map((o) => ({
      outcome: o.outcome,
      point: o.point,
      prices: [o.average],
      best: o.best,
      bestBookmaker: o.bestBookmaker ?? AGGREGATE_BOOK,
      bestAgeMs: 0,
    })),
  };
}

/** Higher price; an exact tie goes to the fresher quote, then the bookmaker name (order-independent). */
function higher(board: IndexedBoard, a: number, b: number): boolean {
  const pa = board.price[a]!;
  const pb = board.price[b]!;
  if (Math.abs(pa - pb) > SCREEN * pb) return pa > pb;
  const ta = board.quote(a).price;
  const tb = board.quote(b).price;
  const c = ta === tb ? 0 : new D(ta).cmp(tb);
  if (c !== 0) return c > 0;
  if (board.ageMs[a] !== board.ageMs[b]) return board.ageMs[a]! < board.ageMs[b]!;
  return board.books[board.bookOf[a]!]! < board.books[board.bookOf[b]!]!;
}

function toOpportunity(
  c: MarketCandidate,
  pick: ConsensusPick,
  params: ConsensusParameters,
  strategy: string,
  board: IndexedBoard,
): Opportunity {
  const o = c.outcomes[pick.index]!;
  const legs = [
    {
      bookmaker: o.bestBookmaker,
      outcome: o.outcome,
      point: o.point,
      price: o.best,
      stake: params.stake,
      fairProbability: toSignificantString(pick.probability, 20),
      quoteAgeMs: Math.round(o.bestAgeMs),
    },
  ];
  const average = toSignificantString(pick.average, 20);
  return {
    id: opportunityId({ strategy, kind: 'consensus', market: c.market, legs }),
    strategy,
    kind: 'consensus',
    sport: c.event.sport,
    market: c.market,
    legs,
    edge: toSignificantString(pick.edge, 20),
    fairMethod: `consensus:${params.alpha}`,
    rule:
      `consensus: best ${o.best} (${o.bestBookmaker}) on ${o.outcome} > 1/(p − ${params.alpha}) with ` +
      `p = 1/${toSignificantString(pick.average, 8)} over ${c.books ?? 'an unknown number of'} books: ` +
      `edge ${pct(pick.edge)}`,
    suspect: false,
    suspectReasons: [],
    detectedAt: board.snapshot.asOf,
    context: {
      average,
      consensusProbability: toSignificantString(pick.consensus, 20),
      alpha: params.alpha,
      books: c.books,
      source: c.source,
      eventStart: c.event.startTime,
      participants: c.event.participants.map((p) => p.name),
    },
  };
}

export const consensusStrategy: StrategyDefinition<ConsensusParameters> = {
  type: 'consensus',
  kind: 'consensus',
  description:
    'Kaunitz, Zhong & Kreiner (2017): bet the best price where it beats 1/(1/average odds − alpha), one bet per market',
  parameters: ConsensusParameters,
  initialState: () => undefined,
  evaluate: (board, params, _state, ctx) => evaluateConsensus(board, params, ctx.strategy),
  validate(opportunity, params, asOf) {
    const violations: string[] = [];
    if (opportunity.kind !== 'consensus') violations.push(`kind is ${opportunity.kind}, not consensus`);
    const leg = opportunity.legs[0];
    const average = opportunity.context.average;
    if (leg === undefined || opportunity.legs.length !== 1)
      violations.push('a consensus bet has exactly one leg');
    else if (typeof average !== 'string') violations.push('context.average is missing');
    else {
      // The rule again at today's alpha: best·(1 − alpha·average) > average.
      const avg = new D(average);
      const lead = ZERO.plus(1).minus(new D(params.alpha).mul(avg));
      if (!(lead.gt(ZERO) && new D(leg.price).mul(lead).gt(avg))) {
        violations.push(`${leg.price} no longer beats 1/(1/${average} − ${params.alpha})`);
      }
      if (!bookFilter(params.books)(leg.bookmaker) && leg.bookmaker !== AGGREGATE_BOOK) {
        violations.push(`${leg.bookmaker} is not an allowed book`);
      }
      const elapsed = Math.max(0, Date.parse(asOf) - Date.parse(opportunity.detectedAt));
      if (leg.quoteAgeMs + elapsed > params.maxQuoteAgeMs) {
        violations.push(`quote is ${leg.quoteAgeMs + elapsed} ms old (limit ${params.maxQuoteAgeMs})`);
      }
    }
    const books = opportunity.context.books;
    if (typeof books === 'number' && books <= params.minBooks) {
      violations.push(`${books} books is not more than minBooks ${params.minBooks}`);
    }
    return validation(violations);
  },
};
