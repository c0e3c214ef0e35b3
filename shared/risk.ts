import { D, sizeStake, toDecimalString, type BoundBy } from './math';

/**
 * Risk rules of the bet lifecycle (design document, "Risk Management"), pure so the same code runs in a
 * PostgreSQL transaction's activity and in tests: re-quote acceptance, stake sizing under every limit,
 * and the paper book's fill. Money and odds are decimal strings in and out.
 */

/** The rule that refused a bet or set its stake; stored as the skip reason's prefix. */
export type RiskRule =
  | BoundBy
  | 'dailyLossStop'
  | 'multiplier'
  | 'unsized'
  | 'noQuote'
  | 'staleQuote'
  | 'priceMoved'
  | 'edgeGone'
  | 'arbGone';

export interface RiskLimits {
  /** Fractions of the bankroll (current equity), decimal strings. */
  perBetCapFraction: string;
  dailyLossStopFraction: string;
  maxEventExposureFraction: string;
  maxSportExposureFraction: string;
  stakeUnit: string;
  minStake: string;
}

/**
 * What the ledger and the open bets say at the moment of the check (read under the account lock).
 * Correlated positions: every open bet on an event, whatever its market or strategy, is one position, so
 * `eventExposure` sums all of them.
 */
export interface RiskSnapshot {
  /** available + reserved + at risk: the bankroll now. */
  equity: string;
  available: string;
  eventExposure: string;
  sportExposure: string;
  /** Net profit/loss of bets settled today (negative: a loss). */
  todayProfitLoss: string;
}

export interface StakeLeg {
  /** Fair win probability (value bets): sized by Kelly. */
  probability: string | null;
  /** The re-quoted price the stake is sized at. */
  price: string;
  /** The opportunity's suggested stake (arbitrage legs): scaled, never Kelly-sized. */
  suggestedStake: string | null;
  /** The book's maximum for one bet. */
  bookMax: string | null;
}

export type StakeDecision =
  { ok: true; stakes: string[]; boundBy: RiskRule[] } | { ok: false; rule: RiskRule; reason: string };

const ZERO = new D(0);
const ONE = new D(1);

function d(value: string): D {
  return new D(value);
}

function floorTo(x: D, unit: D): D {
  return x.div(unit).floor().mul(unit);
}

/** Most a new bet may lose today before the daily loss stop: limit + today's P&L (a loss shrinks it). */
export function dailyLossHeadroom(snapshot: RiskSnapshot, limits: RiskLimits): D {
  const today = d(snapshot.todayProfitLoss);
  // The stop is a share of the bankroll as it stood at the start of the day.
  const startOfDay = d(snapshot.equity).minus(today);
  return startOfDay.mul(d(limits.dailyLossStopFraction)).plus(today);
}

/**
 * Stakes for an opportunity's legs under every limit: per-bet cap, book maximum, event (correlated
 * position) and sport exposure, available cash, the daily loss stop, the unit and the minimum stake.
 * One leg with a fair probability is Kelly-sized (`sizeStake`: Kelly fraction × rollout multiplier);
 * legs with suggested stakes (arbitrage) are scaled by the multiplier and then together, keeping their
 * proportions, down to the tightest limit. Stakes are rounded down, so no result ever breaks a limit.
 */
export function decideStakes(
  legs: readonly StakeLeg[],
  snapshot: RiskSnapshot,
  limits: RiskLimits,
  sizing: { kellyFraction: string; multiplier: string },
): StakeDecision {
  if (legs.length === 0) return { ok: false, rule: 'unsized', reason: 'the opportunity has no legs' };
  const multiplier = d(sizing.multiplier);
  if (multiplier.lte(ZERO))
    return {
      ok: false,
      rule: 'multiplier',
      reason: `the strategy's rollout multiplier is ${sizing.multiplier}`,
    };
  const equity = d(snapshot.equity);
  const unit = d(limits.stakeUnit);
  const minStake = d(limits.minStake);
  const lossHeadroom = dailyLossHeadroom(snapshot, limits);
  if (lossHeadroom.lte(ZERO))
    return {
      ok: false,
      rule: 'dailyLossStop',
      reason: `today's P&L ${snapshot.todayProfitLoss} has reached the daily loss stop (${limits.dailyLossStopFraction} of the bankroll)`,
    };
  const eventLimit = equity.mul(d(limits.maxEventExposureFraction));
  const sportLimit = equity.mul(d(limits.maxSportExposureFraction));
  const refuse = (rule: RiskRule, what: string): StakeDecision => ({ ok: false, rule, reason: what });

  const single = legs.length === 1 && legs[0]!.probability !== null ? legs[0]! : null;
  if (single) {
    const sized = sizeStake({
      bankroll: equity,
      probability: single.probability!,
      odds: single.price,
      kellyFraction: sizing.kellyFraction,
      multiplier,
      perBetCap: limits.perBetCapFraction,
      ...(single.bookMax !== null ? { bookMax: single.bookMax } : {}),
      event: { exposure: snapshot.eventExposure, limit: eventLimit },
      sport: { exposure: snapshot.sportExposure, limit: sportLimit },
      available: snapshot.available,
      unit,
      minStake,
    });
    let stake = d(sized.stake);
    let rule: RiskRule = sized.boundBy;
    if (stake.gt(lossHeadroom)) {
      stake = floorTo(lossHeadroom, unit);
      rule = 'dailyLossStop';
      if (stake.lt(minStake) || stake.isZero())
        return refuse(rule, `a loss of ${toDecimalString(stake)} or more would pass the daily loss stop`);
    }
    if (stake.isZero()) return refuse(rule, describeZero(rule, sized.edge));
    return { ok: true, stakes: [toDecimalString(stake)], boundBy: [rule] };
  }

  if (legs.some((l) => l.suggestedStake === null))
    return refuse('unsized', 'a leg has neither a fair probability nor a suggested stake');
  const wanted = legs.map((l) => d(l.suggestedStake!).mul(multiplier));
  const total = wanted.reduce((a, b) => a.plus(b), ZERO);
  if (total.lte(ZERO)) return refuse('unsized', 'the suggested stakes add up to 0');

  // The largest share s ≤ 1 of the wanted stakes that every limit allows.
  let share = ONE;
  let bound: RiskRule = 'kelly';
  const tighten = (rule: RiskRule, allowed: D, of: D) => {
    if (of.lte(ZERO)) return;
    const s = allowed.lte(ZERO) ? ZERO : allowed.div(of);
    if (s.lt(share)) {
      share = s;
      bound = rule;
    }
  };
  const perBetCap = equity.mul(d(limits.perBetCapFraction));
  wanted.forEach((w, i) => {
    tighten('perBetCap', perBetCap, w);
    const max = legs[i]!.bookMax;
    if (max !== null) tighten('bookMax', d(max), w);
  });
  tighten('eventCap', eventLimit.minus(d(snapshot.eventExposure)), total);
  tighten('sportCap', sportLimit.minus(d(snapshot.sportExposure)), total);
  tighten('bankroll', d(snapshot.available), total);
  // Worst case of the legs together: every stake lost but the smallest payout won back.
  const payouts = wanted.map((w, i) => w.mul(d(legs[i]!.price)));
  const minPayout = payouts.reduce((a, b) => (b.lt(a) ? b : a));
  const worstLoss = total.minus(minPayout);
  tighten('dailyLossStop', lossHeadroom, worstLoss);

  const stakes = wanted.map((w) => floorTo(w.mul(share), unit));
  const smallest = stakes.reduce((a, b) => (b.lt(a) ? b : a));
  if (smallest.isZero() || smallest.lt(minStake)) {
    // Below the minimum because a limit scaled the legs down, or because they were small to begin with.
    const rule: RiskRule = share.lt(ONE) ? bound : 'minStake';
    return refuse(
      rule,
      `${describeZero(rule, null)}; the smallest leg would be ${toDecimalString(smallest)}`,
    );
  }
  return { ok: true, stakes: stakes.map(toDecimalString), boundBy: legs.map(() => bound) };
}

function describeZero(rule: RiskRule, edge: string | null): string {
  switch (rule) {
    case 'zero-edge':
      return `no edge at the re-quoted price (p·o − 1 = ${edge})`;
    case 'perBetCap':
      return 'the per-bet cap leaves nothing to stake';
    case 'bookMax':
      return "the book's maximum leaves nothing to stake";
    case 'eventCap':
      return 'the event exposure cap is reached (all markets of the event count as one position)';
    case 'sportCap':
      return 'the sport exposure cap is reached';
    case 'bankroll':
      return 'no available bankroll';
    case 'minStake':
    case 'unit':
      return 'the stake is below the minimum';
    case 'dailyLossStop':
      return 'the daily loss stop leaves nothing to stake';
    default:
      return `refused by ${rule}`;
  }
}

export interface RequoteSettings {
  maxQuoteAgeMs: number;
  /** Largest adverse relative move accepted, e.g. "0.02". */
  priceTolerance: string;
}

export interface RequoteLeg {
  detectedPrice: string;
  probability: string | null;
}

export interface CurrentQuote {
  price: string;
  observedAt: string;
  /** The board's own staleness limit (ms since the epoch), if it keeps one. */
  staleAt?: number | null;
}

export type RequoteDecision =
  { ok: true; prices: string[] } | { ok: false; rule: RiskRule; leg: number; reason: string };

/**
 * Accept an opportunity at the current board, or say why not: a missing or stale quote, a price that moved
 * against us past the tolerance, a value bet whose edge is gone, an arbitrage that no longer adds up.
 * A price that moved in our favour is taken.
 */
export function evaluateRequote(
  legs: readonly RequoteLeg[],
  quotes: readonly (CurrentQuote | null)[],
  nowMs: number,
  settings: RequoteSettings,
  kind: string,
): RequoteDecision {
  const tolerance = ONE.minus(d(settings.priceTolerance));
  const prices: string[] = [];
  for (let i = 0; i < legs.length; i++) {
    const leg = legs[i]!;
    const quote = quotes[i] ?? null;
    if (!quote)
      return { ok: false, rule: 'noQuote', leg: i, reason: `leg ${i + 1}: no current quote on the board` };
    const ageMs = nowMs - Date.parse(quote.observedAt);
    if (!(ageMs <= settings.maxQuoteAgeMs) || (quote.staleAt != null && quote.staleAt <= nowMs))
      return {
        ok: false,
        rule: 'staleQuote',
        leg: i,
        reason: `leg ${i + 1}: the board's quote is ${Math.round(ageMs / 1000)} s old (limit ${settings.maxQuoteAgeMs / 1000} s)`,
      };
    const price = d(quote.price);
    if (price.lt(d(leg.detectedPrice).mul(tolerance)))
      return {
        ok: false,
        rule: 'priceMoved',
        leg: i,
        reason: `leg ${i + 1}: price moved from ${leg.detectedPrice} to ${quote.price}, past the ${settings.priceTolerance} tolerance`,
      };
    if (leg.probability !== null && d(leg.probability).mul(price).lte(ONE))
      return {
        ok: false,
        rule: 'edgeGone',
        leg: i,
        reason: `leg ${i + 1}: no edge left at ${quote.price} (fair probability ${leg.probability})`,
      };
    prices.push(toDecimalString(price));
  }
  if (kind === 'arbitrage' && legs.length > 1) {
    const book = prices.reduce((a, p) => a.plus(ONE.div(d(p))), ZERO);
    if (book.gte(ONE))
      return {
        ok: false,
        rule: 'arbGone',
        leg: 0,
        reason: `the arbitrage is gone at the current prices (Σ 1/odds = ${book.toSignificantDigits(6).toFixed()})`,
      };
  }
  return { ok: true, prices };
}

/** A number in [0, 1) drawn from a string: the same key always gives the same draw (FNV-1a + fmix32). */
export function uniformFromKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

export interface PaperFillInput {
  idempotencyKey: string;
  price: string;
  stake: string;
  slippage: string;
  rejectionProbability: string;
  bookMax: string | null;
  stakeUnit: string;
}

export type PaperFill =
  | { status: 'placed'; price: string; stake: string; bookReference: string }
  | { status: 'rejected'; reason: string };

/**
 * The simulated book: rejects a deterministic share of bets (the draw comes from the idempotency key, so a
 * retried placement meets the same answer), fills the rest at the price less slippage (rounded down to
 * 4 places) and takes at most its maximum stake.
 */
export function paperFill(input: PaperFillInput): PaperFill {
  const draw = uniformFromKey(`reject:${input.idempotencyKey}`);
  if (new D(draw).lt(d(input.rejectionProbability)))
    return { status: 'rejected', reason: 'paper book rejected the bet (simulated rejection)' };
  const price = d(input.price)
    .mul(ONE.minus(d(input.slippage)))
    .toDecimalPlaces(4, D.ROUND_DOWN);
  if (price.lte(ONE)) return { status: 'rejected', reason: `price ${toDecimalString(price)} after slippage` };
  let stake = d(input.stake);
  if (input.bookMax !== null && stake.gt(d(input.bookMax)))
    stake = floorTo(d(input.bookMax), d(input.stakeUnit));
  if (stake.lte(ZERO)) return { status: 'rejected', reason: "above the paper book's maximum stake" };
  return {
    status: 'placed',
    price: toDecimalString(price),
    stake: toDecimalString(stake),
    bookReference: `paper-${Math.floor(uniformFromKey(input.idempotencyKey) * 1e9)
      .toString(36)
      .padStart(6, '0')}`,
  };
}

/** The book's maximum for one bet: its own entry, else `default`, else none. */
export function bookMaxFor(maxStakes: Record<string, string>, bookmaker: string): string | null {
  return maxStakes[bookmaker] ?? maxStakes.default ?? null;
}
