import { RootFindError } from './errors';

export interface RootOptions {
  /** Absolute tolerance on the root. */
  readonly tolerance?: number;
  readonly maxIterations?: number;
  /** Names the parameter in error messages. */
  readonly name?: string;
}

export interface Root {
  readonly root: number;
  readonly residual: number;
  readonly iterations: number;
}

export const DEFAULT_TOLERANCE = 1e-12;
export const DEFAULT_MAX_ITERATIONS = 200;

/**
 * Brent's method on a bracket [a, b] with f(a) and f(b) of opposite signs. Converges to `tolerance` (default
 * 1e-12) in a bounded number of iterations and throws RootFindError instead of looping or guessing.
 */
export function brent(f: (x: number) => number, a: number, b: number, options: RootOptions = {}): Root {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const name = options.name ?? 'x';
  let fa = f(a);
  let fb = f(b);
  if (!Number.isFinite(fa) || !Number.isFinite(fb) || fa * fb > 0) {
    throw new RootFindError(`root of ${name} is not bracketed by [${a}, ${b}]`, name, `${fa}, ${fb}`);
  }
  if (fa === 0) return { root: a, residual: 0, iterations: 0 };
  if (fb === 0) return { root: b, residual: 0, iterations: 0 };
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    if (fb * fc > 0) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + 0.5 * tolerance;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || fb === 0) return { root: b, residual: fb, iterations: iteration };
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      // Inverse quadratic interpolation, or the secant step when only two points are distinct.
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
    if (!Number.isFinite(fb)) throw new RootFindError(`${name} evaluation is not finite`, name, b);
  }
  throw new RootFindError(
    `root finding for ${name} did not converge to ${tolerance} within ${maxIterations} iterations`,
    name,
    b,
  );
}

/**
 * Grow `hi` geometrically from `lo` until f changes sign, for a function known to be monotone on (lo, ∞).
 * Bounded: gives up with RootFindError after `maxSteps` doublings.
 */
export function expandBracket(
  f: (x: number) => number,
  lo: number,
  hi: number,
  name: string,
  maxSteps = 64,
): [number, number] {
  const flo = f(lo);
  for (let step = 0; step < maxSteps; step++) {
    const fhi = f(hi);
    if (flo * fhi <= 0) return [lo, hi];
    lo = hi;
    hi = hi * 2;
  }
  throw new RootFindError(`could not bracket the root of ${name}`, name, hi);
}
