import { z } from 'zod';
import type { Opportunity } from '../entities';
import { D, ONE, toDecimalString } from '../math';
import { bookLines, type BetMarket, type IndexedBoard } from './board';
import {
  DevigChoiceSchema,
  allowedBooks,
  commonParameters,
  decimalParam,
  legViolations,
  marketFilter,
  opportunityId,
  pct,
  quoteAgeParam,
} from './common';
import { fairLine, type FairLine } from './fair';
import { asIndexed, validation, type StrategyDefinition } from './types';

const BookList = z.array(z.string().min(1)).min(1, { message: 'expected at least one bookmaker' });

export const ValueParameters = z.strictObject({
  ...commonParameters,
  maxQuoteAgeMs: quoteAgeParam(300_000),
  /** sharp: devig the first sharp book with a fresh line; consensus: devig every book, average; kaunitz: 1/mean(odds) − alpha. */
  fairSource: z.enum(['sharp', 'consensus', 'kaunitz']).default('sharp'),
  sharpBooks: BookList.default(['pinnacle', 'lowvig', 'betonlineag']),
  devigMethod: DevigChoiceSchema.default('shin'),
  kaunitzAlpha: decimalParam({ min: '0', maxExclusive: '1' }).default('0.05'),
  /** Books with a complete fresh line the market needs (per outcome for kaunitz). */
  minBooks: z.number().int().min(1).default(3),
  /** EV per unit staked a bet must reach: fair probability × price − 1. */
  minEdge: decimalParam({ min: '0' }).default('0.02'),
  maxOdds: decimalParam({ minExclusive: '1' }).default('10'),
  /** EV above this is flagged suspect (a stale or wrong price far more often than a gift). */
  evCap: decimalParam({ minExclusive: '0' }).default('0.25'),
  /** Never bet at the sharp book the fair line came from. */
  excludeFairBook: z.boolean().default(true),
});
export type ValueParameters = z.infer<typeof ValueParameters>;

const EPSILON = 1e-9;

/** Value bets in one market against its fair line: the best allowed price per outcome clearing minEdge. */
export function valueBets(
  board: IndexedBoard,
  bet: BetMarket,
  fair: FairLine,
  params: Pick<
    ValueParameters,
    'minEdge' | 'maxOdds' | 'evCap' | 'books' | 'maxQuoteAgeMs' | 'excludeFairBook'
  >,
  strategy: string,
  kind: Opportunity['kind'],
): Opportunity[] {
  const allowed = allowedBooks(board, params.books);
  const minEdge = Number(params.minEdge);
  const maxOdds = Number(params.maxOdds);
  const excluded = params.excludeFairBook ? fair.sharpBook : null;
  const found: Opportunity[] = [];
  for (let s = 0; s < bet.expected; s++) {
    const p = fair.probabilities[s]!;
    if (!(p > 0)) continue;
    // Every allowed fresh quote of this outcome whose float edge may clear the bar; best first.
    const candidates: number[] = [];
    for (let k = 0; k < bet.quotes.length; k++) {
      if (bet.slotOf[k] !== s) continue;
      const qi = bet.quotes[k]!;
      // Numbers first (the float screen rejects nearly every quote); the quote object only for survivors.
      const price = board.price[qi]!;
      if (p * price - 1 < minEdge - EPSILON || price > maxOdds * (1 + EPSILON)) continue;
      if (board.ageMs[qi]! > params.maxQuoteAgeMs || allowed[board.bookOf[qi]!] === 0) continue;
      if (board.books[board.bookOf[qi]!] === excluded) continue;
      candidates.push(qi);
    }
    if (candidates.length === 0) continue;
    const exact = fair.exact();
    const pExact = exact.probabilities[s];
    if (!pExact) continue;
    const cleared = candidates
      .map((qi) => {
        const quote = board.quote(qi);
        return { qi, quote, price: new D(quote.price) };
      })
      .filter((c) => c.price.lte(params.maxOdds))
      .map((c) => ({ ...c, edge: pExact.mul(c.price).minus(ONE) }))
      .filter((c) => c.edge.gte(params.minEdge))
      .sort(
        (a, b) =>
          b.price.cmp(a.price) ||
          board.ageMs[a.qi]! - board.ageMs[b.qi]! ||
          (a.quote.bookmaker < b.quote.bookmaker ? -1 : 1),
      );
    const top = cleared[0];
    if (!top) continue;
    const q = top.quote;
    const legs = [
      {
        bookmaker: q.bookmaker,
        outcome: q.outcome,
        point: bet.slots[s]!.point,
        price: q.price,
        stake: null,
        fairProbability: toDecimalString(pExact),
        quoteAgeMs: Math.round(board.ageMs[top.qi]!),
      },
    ];
    const event = board.snapshot.events[bet.eventId]!;
    const suspect = top.edge.gt(params.evCap);
    const fairOdds = ONE.div(pExact);
    found.push({
      id: opportunityId({ strategy, kind, market: bet.market, legs }),
      strategy,
      kind,
      sport: event.sport,
      market: bet.market,
      legs,
      edge: toDecimalString(top.edge),
      fairMethod: fair.label,
      rule: `${kind}: ${q.bookmaker} ${q.outcome}${legs[0]!.point === null ? '' : ` ${legs[0]!.point}`} @ ${top.price.toDecimalPlaces(4).toFixed()} vs fair ${fairOdds.toDecimalPlaces(4).toFixed()} (${fair.label}): EV ${pct(top.edge)} >= ${pct(new D(params.minEdge))}`,
      suspect,
      suspectReasons: suspect
        ? [`ev-cap: EV ${pct(top.edge)} exceeds the ${pct(new D(params.evCap))} cap`]
        : [],
      detectedAt: board.snapshot.asOf,
      context: {
        fairSource: fair.source,
        fairBooks: fair.books,
        fairOdds: toDecimalString(fairOdds.toSignificantDigits(20)),
        fairProbabilities: exact.probabilities.map((x) => (x ? toDecimalString(x) : null)),
        devigMethods: exact.methods,
        outcomes: bet.slots.map((sl) => sl.outcome),
        phase: board.phase(bet.eventId),
        eventStart: event.startTime,
        alsoCleared: cleared.slice(1).map((c) => ({
          bookmaker: c.quote.bookmaker,
          price: c.quote.price,
          edge: toDecimalString(c.edge),
        })),
      },
    });
  }
  return found;
}

/** The freshest quote of each book per slot, among quotes `keep` accepts (the Kaunitz rule's input). */
export function slotQuotes(board: IndexedBoard, bet: BetMarket, keep: (q: number) => boolean): number[][] {
  const perSlot = Array.from({ length: bet.expected }, () => new Map<string, number>());
  for (let k = 0; k < bet.quotes.length; k++) {
    const qi = bet.quotes[k]!;
    if (!keep(qi)) continue;
    const book = board.books[board.bookOf[qi]!]!;
    const m = perSlot[bet.slotOf[k]!]!;
    const current = m.get(book);
    if (current === undefined || board.ageMs[qi]! < board.ageMs[current]!) m.set(book, qi);
  }
  return perSlot.map((m) => [...m.values()]);
}

export function evaluateValue(
  input: Parameters<typeof asIndexed>[0],
  params: ValueParameters,
  strategy: string,
  kind: Opportunity['kind'],
) {
  const board = asIndexed(input);
  const accept = marketFilter(board, params);
  const fresh = (q: number) => board.ageMs[q]! <= params.maxQuoteAgeMs;
  const opportunities: Opportunity[] = [];
  let markets = 0;
  let priced = 0;
  for (const bet of board.markets) {
    if (!accept(bet) || bet.slots.length !== bet.expected) continue;
    markets++;
    const lines = params.fairSource === 'kaunitz' ? [] : bookLines(board, bet, fresh);
    const fair = fairLine(
      board,
      bet,
      lines,
      params,
      params.fairSource === 'kaunitz' ? slotQuotes(board, bet, fresh) : undefined,
    );
    if (!fair) continue;
    priced++;
    opportunities.push(...valueBets(board, bet, fair, params, strategy, kind));
  }
  return {
    opportunities,
    stats: {
      markets,
      priced,
      opportunities: opportunities.length,
      suspect: opportunities.filter((o) => o.suspect).length,
    },
  };
}

function validateValue(opportunity: Opportunity, params: ValueParameters, asOf: string) {
  const violations: string[] = [];
  if (opportunity.suspect) violations.push(`suspect: ${opportunity.suspectReasons.join('; ')}`);
  const edge = new D(opportunity.edge);
  if (edge.lt(params.minEdge)) violations.push(`EV ${pct(edge)} is below minEdge ${params.minEdge}`);
  if (edge.gt(params.evCap)) violations.push(`EV ${pct(edge)} exceeds evCap ${params.evCap}`);
  const elapsed = Math.max(0, Date.parse(asOf) - Date.parse(opportunity.detectedAt));
  violations.push(...legViolations(opportunity, params, elapsed));
  return validation(violations);
}

export const valueStrategy: StrategyDefinition<ValueParameters> = {
  type: 'value',
  kind: 'value',
  description: 'value bets: prices above a fair line from a sharp book or a consensus of books',
  parameters: ValueParameters,
  initialState: () => undefined,
  evaluate(input, params, state, ctx) {
    const { opportunities, stats } = evaluateValue(input, params, ctx.strategy, 'value');
    return { opportunities, state, stats };
  },
  validate: validateValue,
};
