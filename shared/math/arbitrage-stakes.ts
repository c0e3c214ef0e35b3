import { type D, ONE, ZERO, parseDecimal, toDecimalString } from './decimal';
import type { ArbitrageOptions, PricedLeg, StakePlan } from './arbitrage';
import { ArbitrageError } from './errors';

// Stake plans for an arbitrage: the balanced split of an outlay, under per-book caps, rounded to whole units.

// Enough to make the rounding search exhaustive for any margin above roughly 0.01%.
const MAX_ROUNDING_STEPS = 20_000;

export function planStakes(
  legs: readonly PricedLeg[],
  inverse: readonly D[],
  booksum: D,
  options: ArbitrageOptions,
): StakePlan {
  const total = parseDecimal(options.totalStake!, 'totalStake', ArbitrageError);
  if (total.lte(ZERO))
    throw new ArbitrageError('total stake must be greater than 0', 'totalStake', options.totalStake);
  const caps = legs.map((l) => {
    const raw = options.maxStakes?.[l.bookmaker];
    if (raw === undefined) return null;
    const cap = parseDecimal(raw, `maxStake[${l.bookmaker}]`, ArbitrageError);
    if (cap.lte(ZERO))
      throw new ArbitrageError('maximum stake must be greater than 0', `maxStake[${l.bookmaker}]`, raw);
    return cap;
  });

  // A capped leg limits the balanced outlay to cap·e·booksum; the other legs scale down with it.
  let outlay = total;
  let limitedBy: string | null = null;
  legs.forEach((l, i) => {
    const cap = caps[i];
    if (!cap) return;
    const limit = cap.mul(l.effective).mul(booksum);
    if (limit.lt(outlay)) {
      outlay = limit;
      limitedBy = l.bookmaker;
    }
  });

  if (options.unit === undefined) {
    const stakes = exactStakes(inverse, booksum, outlay, total, caps);
    return finishPlan(legs, stakes, limitedBy, true);
  }
  const unit = parseDecimal(options.unit, 'unit', ArbitrageError);
  if (unit.lte(ZERO)) throw new ArbitrageError('rounding unit must be greater than 0', 'unit', options.unit);
  const search = searchRoundings(legs, caps, inverse, booksum, outlay, total, unit);
  if (!search) {
    throw new ArbitrageError(
      'total stake is too small to place every leg in whole units',
      'totalStake',
      options.totalStake,
    );
  }
  return finishPlan(legs, search.stakes, limitedBy, search.exhaustive);
}

/**
 * Unrounded balanced stakes. Division rounds in the 40th digit, so clamp to the caps and take any excess over
 * the total off the largest stake: the constraints then hold exactly, payouts stay equal to ~1e-38.
 */
function exactStakes(
  inverse: readonly D[],
  booksum: D,
  outlay: D,
  total: D,
  caps: readonly (D | null)[],
): D[] {
  const stakes = inverse.map((x, i) => {
    const s = outlay.mul(x).div(booksum);
    const cap = caps[i];
    return cap && s.gt(cap) ? cap : s;
  });
  let sum = ZERO;
  let largest = 0;
  stakes.forEach((s, i) => {
    sum = sum.plus(s);
    if (s.gt(stakes[largest]!)) largest = i;
  });
  if (sum.gt(total)) stakes[largest] = stakes[largest]!.minus(sum.minus(total));
  return stakes;
}

function finishPlan(
  legs: readonly PricedLeg[],
  stakes: D[],
  limitedBy: string | null,
  exhaustive: boolean,
): StakePlan {
  const payouts = stakes.map((s, i) => s.mul(legs[i]!.effective));
  let totalStake = ZERO;
  for (const s of stakes) totalStake = totalStake.plus(s);
  let minPayout = payouts[0]!;
  for (const p of payouts) if (p.lt(minPayout)) minPayout = p;
  return {
    stakes: stakes.map(toDecimalString),
    payouts: payouts.map(toDecimalString),
    totalStake: toDecimalString(totalStake),
    guaranteedProfit: toDecimalString(minPayout.minus(totalStake)),
    limitedBy,
    roundingExhaustive: exhaustive,
  };
}

/**
 * Best rounding of the stakes to whole units. In an optimal plan some leg j pays the least; every other leg
 * then carries the smallest whole-unit stake paying at least as much (more would only cost). So the search
 * runs over (j, k units on j): from the largest k that fits the outlay and caps, down while a smaller k could
 * still win. Profit(k) ≥ k·u·e_j·m − (n−1)·u and Profit(k') ≤ k'·u·e_j·m for margin m = 1 − booksum, so
 * k' more than (n−1)/(e_j·m) below k can never beat k: the search is exhaustive within that window.
 * Without a margin (no arbitrage) it keeps the largest plan that fits: the balanced hedge of the outlay.
 */
function searchRoundings(
  legs: readonly PricedLeg[],
  caps: readonly (D | null)[],
  inverse: readonly D[],
  booksum: D,
  outlay: D,
  total: D,
  unit: D,
): { stakes: D[]; exhaustive: boolean } | null {
  const n = legs.length;
  const margin = ONE.minus(booksum).toNumber();
  let best: { stakes: D[]; profit: D; total: D } | null = null;
  let exhaustive = true;

  const plan = (j: number, k: D): { stakes: D[]; total: D; payout: D } | null => {
    const stakeJ = k.mul(unit);
    const payout = stakeJ.mul(legs[j]!.effective);
    const stakes: D[] = [];
    let sum = ZERO;
    for (let i = 0; i < n; i++) {
      const s = i === j ? stakeJ : payout.div(legs[i]!.effective).div(unit).ceil().mul(unit);
      const cap = caps[i];
      if (cap && s.gt(cap)) return null;
      sum = sum.plus(s);
      stakes.push(s);
    }
    // Every leg must still pay at least the binding leg (guards the rounding of the division above).
    for (let i = 0; i < n; i++) if (stakes[i]!.mul(legs[i]!.effective).lt(payout)) return null;
    return sum.gt(total) ? null : { stakes, total: sum, payout };
  };

  for (let j = 0; j < n; j++) {
    // Largest feasible k: feasibility only gets harder as k grows, so binary-search [1, just above ideal].
    let lo = ONE;
    let hi = outlay.mul(inverse[j]!).div(booksum).div(unit).floor().plus(2);
    if (!plan(j, lo)) continue;
    while (hi.minus(lo).gt(ONE)) {
      const mid = lo.plus(hi).div(2).floor();
      if (plan(j, mid)) lo = mid;
      else hi = mid;
    }
    // Without a margin a smaller outlay only loses less; keep the largest plan that fits instead.
    const window = margin > 0 ? Math.ceil((n - 1) / (legs[j]!.effective.toNumber() * margin)) + 1 : 0;
    const steps = Math.min(window, Math.floor(MAX_ROUNDING_STEPS / n));
    if (steps < window) exhaustive = false;
    for (let step = 0; step <= steps; step++) {
      const k = lo.minus(step);
      if (k.lt(ONE)) break;
      const candidate = plan(j, k);
      if (!candidate) continue;
      const profit = candidate.payout.minus(candidate.total);
      if (!best || profit.gt(best.profit) || (profit.eq(best.profit) && candidate.total.lt(best.total))) {
        best = { stakes: candidate.stakes, profit, total: candidate.total };
      }
    }
  }
  return best ? { stakes: best.stakes, exhaustive } : null;
}
