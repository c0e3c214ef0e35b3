import { z } from 'zod';
import type { Opportunity } from '../entities';
import { D, ONE, toDecimalString } from '../math';
import { bookLines, type BetMarket, type BookLine, type IndexedBoard } from './board';
import {
  DevigChoiceSchema,
  bookFilter,
  commonParameters,
  decimalParam,
  legViolations,
  devigFloat,
  marketFilter,
  opportunityId,
  pct,
  quoteAgeParam,
} from './common';
import { fairLine } from './fair';
import { asIndexed, validation, type StrategyDefinition } from './types';

export const SteamParameters = z.strictObject({
  ...commonParameters,
  maxQuoteAgeMs: quoteAgeParam(300_000),
  /** The reference line whose move is steam: a sharp book's, or the consensus of books. */
  fairSource: z.enum(['sharp', 'consensus']).default('consensus'),
  sharpBooks: z.array(z.string().min(1)).min(1).default(['pinnacle', 'lowvig', 'betonlineag']),
  devigMethod: DevigChoiceSchema.default('multiplicative'),
  /** Books with a complete fresh line the market needs. */
  minBooks: z.number().int().min(1).default(4),
  /** Rise of the reference fair probability of an outcome, within the window, that is a move. */
  moveThreshold: decimalParam({ minExclusive: '0', maxExclusive: '1' }).default('0.02'),
  windowMs: z.number().int().min(1_000).max(86_400_000).default(1_800_000),
  /**
   * Books whose own fair probability rose by at least minBookMove over the same span. 2: chosen by
   * walk-forward on the NFL and WNBA line-change seasons (config/default.yaml says how).
   */
  minAgreeingBooks: z.number().int().min(1).default(2),
  minBookMove: decimalParam({ minExclusive: '0', maxExclusive: '1' }).default('0.01'),
  /** EV of a stale price against the new fair line that is worth betting. */
  minEdge: decimalParam({ min: '0' }).default('0.01'),
  maxOdds: decimalParam({ minExclusive: '1' }).default('10'),
  evCap: decimalParam({ minExclusive: '0' }).default('0.25'),
  /** Bounds on the rolling state: samples kept per market, markets tracked, and how long an unseen one is kept. */
  maxSamples: z.number().int().min(2).max(1_000).default(32),
  maxMarkets: z.number().int().min(1).max(1_000_000).default(100_000),
  stateTtlMs: z.number().int().min(60_000).default(86_400_000),
});
export type SteamParameters = z.infer<typeof SteamParameters>;

/**
 * Steam's rolling state: per bet market, recent samples of the reference fair line and every book's prices
 * (floats: they only screen and compare; reported prices and EVs come from the board's exact strings), and
 * the signals currently active. Plain JSON; the same state threads through a live board sequence or a
 * replayed history, so both run the same code.
 */
export interface SteamState {
  v: 1;
  markets: Record<string, SteamHistory>;
  signals: Record<string, SteamSignal>;
  /** Board time of the last full pruning scan. */
  prunedAt?: number;
}

export interface SteamHistory {
  /** Outcome labels by slot; a market whose outcomes change starts over. */
  slots: string[];
  /** Last evaluation that saw this market (for the TTL). */
  seen: number;
  /** Ascending in time; a new sample only when something changed. The first may predate the window: it is the state at the window's start. */
  samples: SteamSample[];
}

export interface SteamSample {
  t: number;
  ref: number[];
  /** Price per slot of each book with a complete fresh line. */
  px: Record<string, number[]>;
}

export interface SteamSignal {
  /** Stable for the life of the move: the market, the outcome and the baseline's time. */
  id: string;
  raisedAt: number;
  baselineT: number;
}

export function initialSteamState(): SteamState {
  return { v: 1, markets: {}, signals: {} };
}

interface MoveInfo {
  slot: number;
  baseline: SteamSample;
  move: number;
  agreeing: string[];
  moveStartedAt: number;
}

/** One evaluation: fold the board into the history, then look for moves and the books that missed them. */
export function evaluateSteam(
  input: Parameters<typeof asIndexed>[0],
  params: SteamParameters,
  previous: SteamState | undefined,
  strategy: string,
) {
  const board = asIndexed(input);
  const now = board.asOfMs;
  const state: SteamState =
    previous && previous.v === 1
      ? {
          v: 1,
          markets: { ...previous.markets },
          signals: { ...previous.signals },
          prunedAt: previous.prunedAt ?? 0,
        }
      : initialSteamState();
  const accept = marketFilter(board, params);
  const allowed = bookFilter(params.books);
  const fresh = (q: number) => board.ageMs[q]! <= params.maxQuoteAgeMs;
  const threshold = Number(params.moveThreshold);
  const bookMove = Number(params.minBookMove);
  const opportunities: Opportunity[] = [];
  const stats = {
    markets: 0,
    unchanged: 0,
    priced: 0,
    samples: 0,
    moves: 0,
    signals: 0,
    opportunities: 0,
    outOfOrder: 0,
  };

  for (const bet of board.markets) {
    if (!accept(bet) || bet.slots.length !== bet.expected) continue;
    stats.markets++;
    const lines = bookLines(board, bet, fresh);
    const old = state.markets[bet.key];
    // A market unobserved for longer than the window (worker down, feed gap) has no known path in it:
    // its history starts over rather than calling a move that may have taken hours "steam".
    const continuous =
      old !== undefined && sameSlots(old.slots, bet.slots) && now - old.seen <= params.windowMs;
    const last = continuous ? old.samples[old.samples.length - 1] : undefined;
    if (last && last.t > now) {
      stats.outOfOrder++;
      continue;
    }
    if (last && samePrices(last.px, lines)) {
      // Nothing moved since the last sample: it still describes the market, and no move can have
      // started (the samples only age); whatever this market signalled was emitted when it changed.
      state.markets[bet.key] = { slots: old!.slots, seen: now, samples: old!.samples };
      stats.unchanged++;
      stats.samples += old!.samples.length;
      continue;
    }
    const fair = fairLine(board, bet, lines, params);
    if (!fair) continue;
    stats.priced++;
    const ref = Array.from(fair.probabilities);
    if (ref.some((p) => !Number.isFinite(p))) continue;
    const px: Record<string, number[]> = {};
    for (const line of lines) px[line.bookmaker] = line.prices;
    const sample: SteamSample = { t: now, ref, px };
    let samples: SteamSample[] = continuous ? old.samples : [];
    if (!last) samples = [sample];
    else if (last.t === now) samples = [...samples.slice(0, -1), sample];
    else samples = [...samples, sample];
    samples = prune(samples, now - params.windowMs, params.maxSamples);
    stats.samples += samples.length;
    state.markets[bet.key] = { slots: bet.slots.map((sl) => sl.outcome), seen: now, samples };

    if (samples.length < 2) continue;
    for (let s = 0; s < bet.expected; s++) {
      const move = findMove(samples, s, threshold, bookMove, params, fair.probabilities, px);
      if (!move) continue;
      stats.moves++;
      const signalKey = `${bet.key}#${s}`;
      let signal = state.signals[signalKey];
      if (!signal || now - signal.raisedAt > params.windowMs) {
        signal = { id: `${signalKey}@${move.baseline.t}`, raisedAt: now, baselineT: move.baseline.t };
        state.signals[signalKey] = signal;
        stats.signals++;
      }
      const found = staleBets(board, bet, lines, s, move, signal, params, allowed, strategy, fair.label, () =>
        fair.exact(),
      );
      opportunities.push(...found);
    }
  }

  // Bounds: drop signals past their window, markets unseen for the TTL, then the stalest beyond maxMarkets.
  for (const [key, signal] of Object.entries(state.signals)) {
    if (now - signal.raisedAt > params.windowMs) delete state.signals[key];
  }
  // The full scans run at most once a minute of board time (they touch every tracked market).
  if (now - (state.prunedAt ?? 0) >= 60_000) {
    state.prunedAt = now;
    for (const key of Object.keys(state.markets)) {
      if (now - state.markets[key]!.seen > params.stateTtlMs) delete state.markets[key];
    }
    const remaining = Object.keys(state.markets);
    if (remaining.length > params.maxMarkets) {
      remaining
        .sort((a, b) => state.markets[a]!.seen - state.markets[b]!.seen || (a < b ? -1 : 1))
        .slice(0, remaining.length - params.maxMarkets)
        .forEach((k) => delete state.markets[k]);
    }
  }
  stats.opportunities = opportunities.length;
  return { opportunities, state, stats };
}

function sameSlots(labels: readonly string[], slots: readonly { outcome: string }[]): boolean {
  if (labels.length !== slots.length) return false;
  for (let i = 0; i < labels.length; i++) if (labels[i] !== slots[i]!.outcome) return false;
  return true;
}

/** The same books with the same prices as a sample (the reference follows from them). */
function samePrices(px: Record<string, number[]>, lines: readonly BookLine[]): boolean {
  let books = 0;
  for (const book in px) {
    if (Object.prototype.hasOwnProperty.call(px, book)) books++;
  }
  if (books !== lines.length) return false;
  for (const line of lines) {
    const prev = px[line.bookmaker];
    if (!prev || prev.length !== line.prices.length) return false;
    for (let i = 0; i < prev.length; i++) if (prev[i] !== line.prices[i]) return false;
  }
  return true;
}

/** Keep the samples inside the window plus the last one before it (the state at the window's start). */
function prune(samples: SteamSample[], windowStart: number, maxSamples: number): SteamSample[] {
  let first = 0;
  while (first + 1 < samples.length && samples[first + 1]!.t <= windowStart) first++;
  let kept = first > 0 ? samples.slice(first) : samples;
  if (kept.length > maxSamples) kept = kept.slice(kept.length - maxSamples);
  return kept;
}

/**
 * Did the reference probability of `slot` rise by at least the threshold since some earlier sample in the
 * window (the lowest one is the baseline), with enough books agreeing? Books agree when their own devigged
 * probability rose by at least minBookMove between the baseline and now.
 */
function findMove(
  samples: readonly SteamSample[],
  slot: number,
  threshold: number,
  bookMove: number,
  params: SteamParameters,
  refNow: Float64Array,
  pxNow: Record<string, number[]>,
): MoveInfo | null {
  const current = refNow[slot]!;
  let baseIndex = -1;
  let low = Infinity;
  for (let i = 0; i < samples.length - 1; i++) {
    const r = samples[i]!.ref[slot]!;
    if (r < low) {
      low = r;
      baseIndex = i;
    }
  }
  if (baseIndex < 0 || current - low < threshold - 1e-12) return null;
  const baseline = samples[baseIndex]!;
  const agreeing: string[] = [];
  for (const [book, prices] of Object.entries(pxNow)) {
    const before = baseline.px[book];
    if (!before) continue;
    const pNow = devigFloat(prices, params.devigMethod);
    const pThen = devigFloat(before, params.devigMethod);
    if (!pNow || !pThen) continue;
    if (pNow[slot]! - pThen[slot]! >= bookMove - 1e-12) agreeing.push(book);
  }
  if (agreeing.length < params.minAgreeingBooks) return null;
  agreeing.sort();
  let moveStartedAt = samples[samples.length - 1]!.t;
  for (let i = baseIndex + 1; i < samples.length; i++) {
    if (samples[i]!.ref[slot]! > low + 1e-12) {
      moveStartedAt = samples[i]!.t;
      break;
    }
  }
  return { slot, baseline, move: current - low, agreeing, moveStartedAt };
}

/** Books still at their pre-move price on the outcome that shortened, priced against the new fair line. */
function staleBets(
  board: IndexedBoard,
  bet: BetMarket,
  lines: readonly BookLine[],
  slot: number,
  move: MoveInfo,
  signal: SteamSignal,
  params: SteamParameters,
  allowed: (b: string) => boolean,
  strategy: string,
  fairLabel: string,
  exactFair: () => { probabilities: (D | null)[]; methods: string[] },
): Opportunity[] {
  const now = board.asOfMs;
  const agreeing = new Set(move.agreeing);
  const minEdge = Number(params.minEdge);
  const maxOdds = Number(params.maxOdds);
  const out: Opportunity[] = [];
  for (const line of lines) {
    const book = line.bookmaker;
    if (agreeing.has(book) || !allowed(book)) continue;
    // A lagging book is one that has not followed the move: it quoted the market at the baseline and its
    // own fair probability has not risen by minBookMove since (it is not among the agreeing books). Not
    // "its price is the very same": books re-price on their own grid (ticks, margin tweaks, drift) while
    // still behind the move, and the EV check below decides whether the price it lags at is worth taking.
    if (!move.baseline.px[book]) continue;
    const price = line.prices[slot]!;
    if (price > maxOdds * (1 + 1e-9)) continue;
    const qi = line.quotes[slot]!;
    const refP = exactFair().probabilities[slot];
    if (!refP) continue;
    if (refP.toNumber() * price - 1 < minEdge - 1e-9) continue;
    const q = board.quote(qi);
    const exactPrice = new D(q.price);
    if (exactPrice.gt(params.maxOdds)) continue;
    const edge = refP.mul(exactPrice).minus(ONE);
    if (edge.lt(params.minEdge)) continue;
    const event = board.snapshot.events[bet.eventId]!;
    const legs = [
      {
        bookmaker: book,
        outcome: q.outcome,
        point: bet.slots[slot]!.point,
        price: q.price,
        stake: null,
        fairProbability: toDecimalString(refP),
        quoteAgeMs: Math.round(board.ageMs[qi]!),
      },
    ];
    const suspect = edge.gt(params.evCap);
    const lagMs = now - move.moveStartedAt;
    const fairOdds = ONE.div(refP);
    out.push({
      id: opportunityId({ strategy, kind: 'steam', market: bet.market, legs, discriminator: signal.id }),
      strategy,
      kind: 'steam',
      sport: event.sport,
      market: bet.market,
      legs,
      edge: toDecimalString(edge),
      fairMethod: fairLabel,
      rule: `steam: ${q.outcome}${legs[0]!.point === null ? '' : ` ${legs[0]!.point}`} fair probability up ${pct(new D(move.move), 2)} (>= ${pct(new D(params.moveThreshold))}) within ${Math.round(params.windowMs / 60000)} min, ${move.agreeing.length} books agree; ${book} still @ ${exactPrice.toDecimalPlaces(4).toFixed()} (lag ${Math.round(lagMs / 1000)} s) vs fair ${fairOdds.toDecimalPlaces(4).toFixed()}: EV ${pct(edge)}`,
      suspect,
      suspectReasons: suspect ? [`ev-cap: EV ${pct(edge)} exceeds the ${pct(new D(params.evCap))} cap`] : [],
      detectedAt: board.snapshot.asOf,
      context: {
        signalId: signal.id,
        lagMs,
        moveStartedAt: new Date(move.moveStartedAt).toISOString(),
        baselineAt: new Date(move.baseline.t).toISOString(),
        baselineFair: move.baseline.ref[slot],
        move: move.move,
        agreeingBooks: move.agreeing,
        fairOdds: toDecimalString(fairOdds.toSignificantDigits(20)),
        phase: board.phase(bet.eventId),
        eventStart: event.startTime,
      },
    });
  }
  return out;
}

export const steamStrategy: StrategyDefinition<SteamParameters, SteamState> = {
  type: 'steam',
  kind: 'steam',
  description: 'steam chasing: a sharp or consensus move agreed by several books, bet at the books that lag',
  parameters: SteamParameters,
  initialState: initialSteamState,
  evaluate(input, params, state, ctx) {
    return evaluateSteam(input, params, state, ctx.strategy);
  },
  validate(opportunity, params, asOf) {
    const violations: string[] = [];
    if (opportunity.suspect) violations.push(`suspect: ${opportunity.suspectReasons.join('; ')}`);
    const edge = new D(opportunity.edge);
    if (edge.lt(params.minEdge)) violations.push(`EV ${pct(edge)} is below minEdge ${params.minEdge}`);
    const elapsed = Math.max(0, Date.parse(asOf) - Date.parse(opportunity.detectedAt));
    if (elapsed > params.windowMs)
      violations.push(`the move is ${elapsed} ms old (window ${params.windowMs})`);
    violations.push(...legViolations(opportunity, params, elapsed));
    return validation(violations);
  },
};
