import { D, toDecimalString } from './math';

/**
 * Settlement rules, pure: a bet and the event's final scores ({participant name: score}) give the bet's
 * ending and its exact P&L. Head-to-head: the higher score wins; a tie is a loss for both sides in a
 * three-way market (where "Draw" is an outcome and wins) and voids the bet in a two-way market. Spreads:
 * score + point against the opponent's score, a whole line landing exactly is a push. Totals: the sum of
 * all scores against the line, over or under, push on the line. Quarter lines (±0.25, ±0.75) settle as
 * two half-stakes on the neighbouring lines. The book pays back the stake plus winnings rounded DOWN to
 * the currency unit; P&L = returns − stake.
 */

export type SettledStatus = 'won' | 'lost' | 'push' | 'voided';

export class SettlementError extends Error {
  override readonly name = 'SettlementError';
}

export interface SettleInput {
  marketType: string;
  /** A participant's name, "Draw", "Over" or "Under". */
  outcome: string;
  /** Signed handicap for spreads, the total for totals, null for h2h. */
  point: string | null;
  scores: Readonly<Record<string, string>>;
  /** The head-to-head market has a draw outcome (soccer): a tie loses instead of voiding. */
  threeWay: boolean;
  stake: string;
  price: string;
  /** Currency unit payouts are rounded down to, e.g. "0.01". */
  unit: string;
}

export interface Settlement {
  status: SettledStatus;
  profitLoss: string;
  /** What goes back to the bankroll: stake + winnings (0 when lost). */
  returns: string;
  /** In words, for the bet's record. */
  rule: string;
}

type Grade = 'win' | 'loss' | 'push';

const ZERO = new D(0);
const HALF = new D('0.5');

/** The ending of a bet with no result to grade (event cancelled, operator void): the stake comes back. */
export function voidSettlement(stake: string, reason: string): Settlement {
  return { status: 'voided', profitLoss: '0', returns: toDecimalString(new D(stake)), rule: reason };
}

export function settleBet(input: SettleInput): Settlement {
  const stake = new D(input.stake);
  const price = new D(input.price);
  const score = (name: string): D => {
    const key = findParticipant(input.scores, name);
    if (key === null) throw new SettlementError(`no score for "${name}" in the result`);
    return new D(input.scores[key]!);
  };
  const names = Object.keys(input.scores);

  let halves: [Grade, Grade];
  let rule: string;
  switch (input.marketType) {
    case 'h2h': {
      if (names.length < 2) throw new SettlementError('a head-to-head result needs at least two scores');
      const values = names.map((n) => new D(input.scores[n]!));
      const top = values.reduce((a, b) => (b.gt(a) ? b : a));
      const leaders = names.filter((_, i) => values[i]!.eq(top));
      const tie = leaders.length > 1;
      if (input.outcome.toLowerCase() === 'draw') {
        const allEqual = values.every((v) => v.eq(values[0]!));
        const g: Grade = allEqual ? 'win' : 'loss';
        halves = [g, g];
        rule = allEqual ? 'draw: the draw wins' : 'no draw';
        break;
      }
      const mine = score(input.outcome);
      if (tie && mine.eq(top)) {
        if (!input.threeWay) return voidSettlement(input.stake, 'tie in a two-way head-to-head market: void');
        halves = ['loss', 'loss'];
        rule = 'draw in a three-way market: a loss';
      } else {
        const g: Grade = mine.eq(top) ? 'win' : 'loss';
        halves = [g, g];
        rule = `${input.outcome} ${g === 'win' ? 'won' : 'lost'} ${names.map((n) => `${n} ${input.scores[n]}`).join(', ')}`;
      }
      break;
    }
    case 'spreads': {
      if (input.point === null) throw new SettlementError('a spread bet needs its point');
      const mine = score(input.outcome);
      const others = names.filter((n) => n !== findParticipant(input.scores, input.outcome));
      if (others.length !== 1) throw new SettlementError('a spread needs exactly two participants');
      const margin = mine.minus(new D(input.scores[others[0]!]!));
      halves = splitLine(new D(input.point), (line) => grade(margin.plus(line)));
      rule = `${input.outcome} ${input.point}: margin ${toDecimalString(margin)}`;
      break;
    }
    case 'totals': {
      if (input.point === null) throw new SettlementError('a totals bet needs its line');
      const side = input.outcome.toLowerCase();
      if (side !== 'over' && side !== 'under')
        throw new SettlementError(`totals outcome "${input.outcome}" is not Over or Under`);
      const total = names.reduce((a, n) => a.plus(new D(input.scores[n]!)), ZERO);
      halves = splitLine(new D(input.point), (line) =>
        grade(side === 'over' ? total.minus(line) : line.minus(total)),
      );
      rule = `${input.outcome} ${input.point}: total ${toDecimalString(total)}`;
      break;
    }
    default:
      throw new SettlementError(`no settlement rule for market "${input.marketType}"`);
  }

  const unit = new D(input.unit);
  const halfStake = stake.mul(HALF);
  let returns = ZERO;
  for (const g of halves) {
    if (g === 'win') returns = returns.plus(halfStake.mul(price));
    else if (g === 'push') returns = returns.plus(halfStake);
  }
  returns = returns.div(unit).floor().mul(unit);
  const profitLoss = returns.minus(stake);
  const status: SettledStatus = halves.every((g) => g === 'push')
    ? 'push'
    : profitLoss.gt(ZERO)
      ? 'won'
      : profitLoss.lt(ZERO)
        ? 'lost'
        : 'push';
  return { status, profitLoss: toDecimalString(profitLoss), returns: toDecimalString(returns), rule };
}

function grade(margin: D): Grade {
  return margin.gt(ZERO) ? 'win' : margin.lt(ZERO) ? 'loss' : 'push';
}

/** Whole and half lines grade once; quarter lines (x.25, x.75) as two halves on the lines either side. */
function splitLine(line: D, g: (line: D) => Grade): [Grade, Grade] {
  const quarters = line.mul(4);
  if (!quarters.isInteger())
    throw new SettlementError(`line ${toDecimalString(line)} is not a multiple of 0.25`);
  if (quarters.mod(2).isZero()) {
    const one = g(line);
    return [one, one];
  }
  const q = new D('0.25');
  return [g(line.minus(q)), g(line.plus(q))];
}

function findParticipant(scores: Readonly<Record<string, string>>, name: string): string | null {
  if (name in scores) return name;
  const wanted = name.trim().toLowerCase();
  return Object.keys(scores).find((k) => k.trim().toLowerCase() === wanted) ?? null;
}

const SCORE_RE = /^-?\d+(\.\d+)?$/;

/**
 * Scores from an event's `result` JSON, as {participant name: score string}; null when it holds none
 * yet. Accepts `{name: score}`, `{scores: {name: score}}` and The Odds API's `{scores: [{name, score}]}`.
 */
export function scoresFromResult(result: unknown): Record<string, string> | null {
  if (result === null || typeof result !== 'object') return null;
  const holder = result as Record<string, unknown>;
  const raw = 'scores' in holder ? holder.scores : holder;
  const out: Record<string, string> = {};
  if (Array.isArray(raw)) {
    for (const item of raw) {
      if (item === null || typeof item !== 'object') return null;
      const { name, score } = item as { name?: unknown; score?: unknown };
      if (typeof name !== 'string') return null;
      const text = scoreText(score);
      if (text === null) return null;
      out[name] = text;
    }
  } else if (raw !== null && typeof raw === 'object') {
    for (const [name, score] of Object.entries(raw as Record<string, unknown>)) {
      if (['completed', 'status', 'void', 'updatedAt', 'source'].includes(name)) continue;
      const text = scoreText(score);
      if (text === null) return null;
      out[name] = text;
    }
  } else return null;
  return Object.keys(out).length >= 2 ? out : null;
}

function scoreText(score: unknown): string | null {
  if (typeof score === 'number' && Number.isFinite(score)) return String(score);
  if (typeof score === 'string' && SCORE_RE.test(score.trim())) return score.trim();
  return null;
}
