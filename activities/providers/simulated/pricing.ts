import type { MarketType } from '../../../shared/entities';
import type { BookSpec, SportSpec } from './catalog';
import { normalCdf, normalQuantile } from './rng';

// The simulated market's pricing: true probabilities from the latent state, book lines and prices.

export interface SimEvent {
  sport: string;
  k: number;
  id: string;
  home: string;
  away: string;
  startMs: number;
  endMs: number;
  openMs: number;
}

/** The true state at one model minute. */
export interface TrueState {
  /** normal kind: logit of P(home wins); poisson kind: log(λh/λa). */
  x: number;
  /** normal kind: expected total; poisson kind: λh + λa. */
  total: number;
}

export interface TrueProbabilities {
  h2h: { home: number; draw: number | null; away: number };
  /** normal kind: expected home margin. */
  expectedMargin: number | null;
  expectedTotal: number;
}

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function lambdas(st: TrueState): { lh: number; la: number } {
  const r = Math.exp(st.x);
  const la = st.total / (1 + r);
  return { lh: st.total - la, la };
}

function poissonPmf(lambda: number, max: number): number[] {
  const out: number[] = [];
  let p = Math.exp(-lambda);
  for (let k = 0; k <= max; k++) {
    out.push(p);
    p *= lambda / (k + 1);
  }
  return out;
}

export function probabilities(sport: SportSpec, st: TrueState): TrueProbabilities {
  if (sport.kind === 'poisson') {
    const { lh, la } = lambdas(st);
    const ph = poissonPmf(lh, 15);
    const pa = poissonPmf(la, 15);
    let home = 0;
    let draw = 0;
    for (let i = 0; i <= 15; i++) {
      for (let j = 0; j <= 15; j++) {
        const p = ph[i]! * pa[j]!;
        if (i > j) home += p;
        else if (i === j) draw += p;
      }
    }
    return { h2h: { home, draw, away: 1 - home - draw }, expectedMargin: null, expectedTotal: st.total };
  }
  const home = sigmoid(st.x);
  return {
    h2h: { home, draw: null, away: 1 - home },
    expectedMargin: sport.marginSd * normalQuantile(home),
    expectedTotal: st.total,
  };
}

interface Lines {
  names: string[];
  probs: number[];
  points: number[] | null;
}

export function marketLines(sport: SportSpec, st: TrueState, market: MarketType, ev: SimEvent): Lines | null {
  const p = probabilities(sport, st);
  if (market === 'h2h') {
    if (p.h2h.draw !== null)
      return { names: [ev.home, ev.away, 'Draw'], probs: [p.h2h.home, p.h2h.away, p.h2h.draw], points: null };
    return { names: [ev.home, ev.away], probs: [p.h2h.home, p.h2h.away], points: null };
  }
  if (market === 'spreads') {
    if (p.expectedMargin === null) return null;
    const mu = p.expectedMargin;
    const line = Math.floor(mu) + 0.5;
    const cover = 1 - normalCdf((line - mu) / sport.marginSd);
    return { names: [ev.home, ev.away], probs: [cover, 1 - cover], points: [-line, line] };
  }
  if (sport.kind === 'poisson') {
    const line = 2.5;
    const pmf = poissonPmf(st.total, 2);
    const under = pmf[0]! + pmf[1]! + pmf[2]!;
    return { names: ['Over', 'Under'], probs: [1 - under, under], points: [line, line] };
  }
  const line = Math.floor(st.total) + 0.5;
  const over = 1 - normalCdf((line - st.total) / sport.totalSd);
  return { names: ['Over', 'Under'], probs: [over, 1 - over], points: [line, line] };
}

/**
 * Decimal prices as exact strings: fair probability plus the book's margin, rounded down to its tick; the
 * `boosted` side (a mispricing; -1 for none) is raised by `boost`.
 */
export function bookPrices(
  probs: readonly number[],
  book: BookSpec,
  boosted: number,
  boost: number,
): string[] {
  const scale = 10 ** book.decimals;
  return probs.map((q, i) => {
    const qc = Math.min(0.97, Math.max(0.03, q));
    let price = 1 / (qc * (1 + book.margin));
    if (i === boosted) price *= boost;
    const ticks = Math.max(Math.floor(price * scale + 1e-9), scale + 1);
    return (ticks / scale).toFixed(book.decimals);
  });
}

/** 2.50 → +150, 1.91 → -110 (rounded to a whole number, as US books quote). */
export function decimalToAmericanInt(decimal: string): number {
  const d = Number(decimal);
  const american = d >= 2 ? Math.round((d - 1) * 100) : -Math.round(100 / (d - 1));
  return american === -100 ? 100 : american;
}
