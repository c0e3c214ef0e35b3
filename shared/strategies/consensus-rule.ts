import { D, ZERO } from '../math/decimal';

// The consensus rule on one market: bet the outcome whose best price beats the books' average by a margin.
// A float screen decides the clear cases; the exact decimal arithmetic decides the close ones.

/** One outcome as the rule sees it: the sum of n prices (their average when n = 1) and the best price. */
export interface ConsensusOutcome {
  readonly outcome: string;
  readonly point: string | null;
  /** Exact decimal strings of the prices averaged, or the single published average. */
  readonly prices: readonly string[];
  readonly best: string;
  readonly bestBookmaker: string;
  readonly bestAgeMs: number;
}

export interface ConsensusPick {
  readonly index: number;
  /** p − alpha: the rule's probability of the outcome. */
  readonly probability: D;
  /** (p − alpha)·best − 1. */
  readonly edge: D;
  /** 1 / average, the consensus probability. */
  readonly consensus: D;
  readonly average: D;
}

// The float screen trusts a sign or an order only when it is clear by this relative margin; double rounding
// over these few operations is below 1e-15 relative.
export const SCREEN = 1e-9;

/** The rule on one market's outcomes; null when no outcome qualifies. */
export function consensusPick(
  outcomes: readonly ConsensusOutcome[],
  alpha: D,
  a: number = alpha.toNumber(),
): ConsensusPick | null {
  let bestIndex = -1;
  let bestScore = 0;
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i]!;
    const n = o.prices.length;
    let s = 0;
    for (const p of o.prices) s += Number(p);
    const m = Number(o.best);
    const lead = n - a * s;
    const q = m * lead - s;
    const scale = n + a * s;
    let ok: boolean;
    if (Math.abs(lead) > SCREEN * scale && Math.abs(q) > SCREEN * (m * scale + s)) {
      ok = lead > 0 && q > 0;
    } else {
      ok = exactQualifies(o, alpha);
    }
    if (!ok) continue;
    const score = q / s;
    if (bestIndex < 0) {
      bestIndex = i;
      bestScore = score;
    } else if (Math.abs(score - bestScore) > SCREEN * (Math.abs(score) + Math.abs(bestScore) + 1)) {
      if (score > bestScore) {
        bestIndex = i;
        bestScore = score;
      }
    } else if (exactEdge(o, alpha).gt(exactEdge(outcomes[bestIndex]!, alpha))) {
      bestIndex = i;
      bestScore = score;
    }
  }
  if (bestIndex < 0) return null;
  const o = outcomes[bestIndex]!;
  const sum = exactSum(o);
  const average = sum.div(o.prices.length);
  const consensus = new D(o.prices.length).div(sum);
  const probability = consensus.minus(alpha);
  return { index: bestIndex, probability, edge: exactEdge(o, alpha), consensus, average };
}

function exactSum(o: ConsensusOutcome): D {
  let s = ZERO;
  for (const p of o.prices) s = s.plus(p);
  return s;
}

function exactQualifies(o: ConsensusOutcome, alpha: D): boolean {
  const s = exactSum(o);
  const lead = new D(o.prices.length).minus(alpha.mul(s));
  return lead.gt(ZERO) && new D(o.best).mul(lead).minus(s).gt(ZERO);
}

/** (p − alpha)·best − 1 = (best·(n − alpha·S) − S) / S. */
function exactEdge(o: ConsensusOutcome, alpha: D): D {
  const s = exactSum(o);
  const lead = new D(o.prices.length).minus(alpha.mul(s));
  return new D(o.best).mul(lead).minus(s).div(s);
}
