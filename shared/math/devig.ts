import { D, ONE, ZERO, type DecimalInput } from './decimal';
import { DevigError, MathError, RootFindError } from './errors';
import { parseMarketOdds } from './margin';
import { brent, expandBracket } from './rootfind';

export type DevigMethod = 'multiplicative' | 'additive' | 'power' | 'shin' | 'odds-ratio';
export const DEVIG_METHODS: readonly DevigMethod[] = [
  'multiplicative',
  'additive',
  'power',
  'shin',
  'odds-ratio',
];

export interface DevigOptions {
  /** Decimal places of the returned probabilities (they still sum to exactly 1). Default 20. */
  readonly places?: number;
  /** Root-finding tolerance on the fitted parameter; default 1e-14 (the contract is at least 1e-12). */
  readonly tolerance?: number;
  readonly maxIterations?: number;
}

export interface DevigResult {
  readonly method: DevigMethod;
  /** Fair probabilities in market order, each in [0, 1], summing to exactly 1. */
  readonly probabilities: D[];
  /** power k, Shin z, odds-ratio c; null for multiplicative and additive. */
  readonly parameter: D | null;
  readonly booksum: D;
  /** booksum − 1. */
  readonly margin: D;
  /** Root-finder iterations (0 for the closed-form methods). */
  readonly iterations: number;
}

export interface WorstCaseResult {
  readonly method: 'worst-case';
  /** Per outcome, the lowest fair probability any method gave: deliberately NOT a distribution (Σ ≤ 1). */
  readonly probabilities: D[];
  /** Per outcome, the method that gave that minimum. */
  readonly methods: DevigMethod[];
  readonly parameter: null;
  readonly booksum: D;
  readonly margin: D;
  /** Methods that could not price this market (additive going negative, Shin without an overround). */
  readonly excluded: { method: DevigMethod; reason: string }[];
}

const DEFAULT_PLACES = 20;
const DEFAULT_TOLERANCE = 1e-14;
// The float fit is checked against the exact Decimal evaluation before we normalise its tiny residual away.
const RESIDUAL_LIMIT = new D('1e-10');

/** Fair probabilities of one market's decimal odds by the given method. */
export function devig(
  odds: readonly DecimalInput[],
  method: DevigMethod,
  options: DevigOptions = {},
): DevigResult {
  const prices = parseMarketOdds(odds);
  const implied = prices.map((o) => ONE.div(o));
  let sum = ZERO;
  for (const p of implied) sum = sum.plus(p);
  const base = { method, booksum: sum, margin: sum.minus(ONE) };
  const places = options.places ?? DEFAULT_PLACES;

  switch (method) {
    case 'multiplicative':
      return { ...base, probabilities: normalize(implied, places), parameter: null, iterations: 0 };
    case 'additive': {
      const share = sum.minus(ONE).div(implied.length);
      const raw = implied.map((p) => p.minus(share));
      // penaltyblog returns these raw; a negative probability is never acceptable here, so refuse instead.
      raw.forEach((p, i) => {
        if (p.isNegative()) {
          throw new DevigError(
            `additive devig gives outcome ${i + 1} a negative probability (${p.toSignificantDigits(6).toFixed()}); use another method`,
            `odds[${i}]`,
            prices[i]!.toFixed(),
          );
        }
      });
      return { ...base, probabilities: normalize(raw, places), parameter: null, iterations: 0 };
    }
    case 'power':
    case 'shin':
    case 'odds-ratio': {
      const pi = Float64Array.from(implied, (p) => p.toNumber());
      const fit = fitParameter(method, pi, sum.toNumber(), options);
      const parameter = new D(fit.root);
      const raw = implied.map((p) => exactProbability(method, p, sum, parameter));
      let total = ZERO;
      for (const p of raw) total = total.plus(p);
      if (total.minus(ONE).abs().gt(RESIDUAL_LIMIT)) {
        throw new RootFindError(
          `${method} fit left probabilities summing to ${total.toFixed(15)}`,
          'parameter',
          fit.root,
        );
      }
      return { ...base, probabilities: normalize(raw, places), parameter, iterations: fit.iterations };
    }
    default:
      throw new DevigError('unknown devig method', 'method', method);
  }
}

/**
 * For the side you bet, the most pessimistic fair probability across all methods that can price the market.
 */
export function devigWorstCase(odds: readonly DecimalInput[], options: DevigOptions = {}): WorstCaseResult {
  const excluded: { method: DevigMethod; reason: string }[] = [];
  let best: { probabilities: D[]; methods: DevigMethod[]; booksum: D; margin: D } | undefined;
  for (const method of DEVIG_METHODS) {
    let result: DevigResult;
    try {
      result = devig(odds, method, options);
    } catch (err) {
      // Invalid odds are the caller's problem; a method that cannot price this market is just left out.
      if (err instanceof DevigError || err instanceof RootFindError) {
        excluded.push({ method, reason: err.message });
        continue;
      }
      throw err;
    }
    if (!best) {
      best = {
        ...result,
        probabilities: [...result.probabilities],
        methods: result.probabilities.map(() => method),
      };
      continue;
    }
    result.probabilities.forEach((p, i) => {
      if (p.lt(best!.probabilities[i]!)) {
        best!.probabilities[i] = p;
        best!.methods[i] = method;
      }
    });
  }
  if (!best) throw new DevigError('no devig method can price this market', 'odds', odds.join(','));
  return {
    method: 'worst-case',
    probabilities: best.probabilities,
    methods: best.methods,
    parameter: null,
    booksum: best.booksum,
    margin: best.margin,
    excluded,
  };
}

function exactProbability(method: 'power' | 'shin' | 'odds-ratio', pi: D, booksum: D, t: D): D {
  switch (method) {
    case 'power':
      return pi.pow(t);
    case 'shin': {
      const root = t.mul(t).plus(ONE.minus(t).mul(4).mul(pi).mul(pi).div(booksum)).sqrt();
      return root.minus(t).div(ONE.minus(t).mul(2));
    }
    case 'odds-ratio':
      return pi.div(t.plus(pi).minus(t.mul(pi)));
  }
}

/** Scale to sum 1, round to `places`, and put the last rounding residual on the largest outcome. */
function normalize(raw: readonly D[], places: number): D[] {
  let total = ZERO;
  for (const p of raw) total = total.plus(p);
  const rounded = raw.map((p) => p.div(total).toDecimalPlaces(places));
  let largest = 0;
  let sum = ZERO;
  rounded.forEach((p, i) => {
    sum = sum.plus(p);
    if (p.gt(rounded[largest]!)) largest = i;
  });
  rounded[largest] = rounded[largest]!.plus(ONE.minus(sum));
  return rounded;
}

// ---- float64 kernels: used by the root finder and by the board scanner's fast path ----

function powerResidual(pi: Float64Array, n: number, k: number): number {
  let s = -1;
  for (let i = 0; i < n; i++) s += Math.pow(pi[i]!, k);
  return s;
}

function shinProbability(pi: number, booksum: number, z: number): number {
  return (Math.sqrt(z * z + (4 * (1 - z) * pi * pi) / booksum) - z) / (2 - 2 * z);
}

function shinResidual(pi: Float64Array, n: number, booksum: number, z: number): number {
  let s = -1;
  for (let i = 0; i < n; i++) s += shinProbability(pi[i]!, booksum, z);
  return s;
}

function oddsRatioResidual(pi: Float64Array, n: number, c: number): number {
  let s = -1;
  for (let i = 0; i < n; i++) {
    const p = pi[i]!;
    s += p / (c + p - c * p);
  }
  return s;
}

interface Fit {
  readonly root: number;
  readonly iterations: number;
}

/** Fit k, z or c so the model's probabilities sum to 1; bounded, throws RootFindError/DevigError on failure. */
function fitParameter(
  method: 'power' | 'shin' | 'odds-ratio',
  pi: Float64Array,
  booksum: number,
  options: DevigOptions,
  n = pi.length,
): Fit {
  const rootOptions = {
    tolerance: options.tolerance ?? DEFAULT_TOLERANCE,
    maxIterations: options.maxIterations,
    name: method === 'power' ? 'k' : method === 'shin' ? 'z' : 'c',
  };
  if (booksum === 1) return { root: method === 'shin' ? 0 : 1, iterations: 0 };
  const f = residual(method, pi, n, booksum);
  switch (method) {
    case 'power':
    case 'odds-ratio': {
      // Σ π^k and Σ π/(c + π − cπ) fall as the parameter grows: above 1 removes an overround, below 1 fills
      // an underround (at 0 every term is 1, so the sum is n > 1).
      const [lo, hi] = booksum > 1 ? expandBracket(f, 1, 2, rootOptions.name) : [0, 1];
      return brent(f, lo, hi, rootOptions);
    }
    case 'shin': {
      // z is the insider share in [0, 1); the model has no meaning for a market without an overround.
      if (booksum < 1) {
        throw new DevigError('Shin devig needs an overround (booksum greater than 1)', 'booksum', booksum);
      }
      let hi = 0.5;
      for (let step = 0; f(hi) > 0; step++) {
        if (step >= 60) throw new RootFindError('could not bracket the root of z', 'z', hi);
        hi = (1 + hi) / 2;
      }
      return brent(f, 0, hi, rootOptions);
    }
  }
}

// A returned arrow rather than a named local: cheap to create per market in the board scanner's hot loop.
function residual(
  method: 'power' | 'shin' | 'odds-ratio',
  pi: Float64Array,
  n: number,
  booksum: number,
): (x: number) => number {
  switch (method) {
    case 'power':
      return (k) => powerResidual(pi, n, k);
    case 'shin':
      return (z) => shinResidual(pi, n, booksum, z);
    case 'odds-ratio':
      return (c) => oddsRatioResidual(pi, n, c);
  }
}

/**
 * Float64 devig of one market for the board scanner: reads implied probabilities pi[0..n), writes fair
 * probabilities to out[0..n) and returns the fitted parameter (NaN for methods without one). Returns NaN and
 * fills `out` with NaN when the method cannot price the market (additive negative, Shin underround).
 */
export function devigFloatInto(
  method: DevigMethod,
  pi: Float64Array,
  n: number,
  out: Float64Array,
  options: DevigOptions = {},
): number {
  let booksum = 0;
  for (let i = 0; i < n; i++) booksum += pi[i]!;
  switch (method) {
    case 'multiplicative':
      for (let i = 0; i < n; i++) out[i] = pi[i]! / booksum;
      return NaN;
    case 'additive': {
      const share = (booksum - 1) / n;
      for (let i = 0; i < n; i++) {
        const p = pi[i]! - share;
        if (p < 0) return fillNaN(out, n);
        out[i] = p;
      }
      return NaN;
    }
    default: {
      let fit: Fit;
      try {
        fit = fitParameter(method, pi, booksum, options, n);
      } catch (err) {
        if (err instanceof MathError) return fillNaN(out, n);
        throw err;
      }
      const t = fit.root;
      let total = 0;
      for (let i = 0; i < n; i++) {
        const p = pi[i]!;
        const q =
          method === 'power'
            ? Math.pow(p, t)
            : method === 'shin'
              ? shinProbability(p, booksum, t)
              : p / (t + p - t * p);
        out[i] = q;
        total += q;
      }
      for (let i = 0; i < n; i++) out[i]! /= total;
      return t;
    }
  }
}

function fillNaN(out: Float64Array, n: number): number {
  for (let i = 0; i < n; i++) out[i] = NaN;
  return NaN;
}
