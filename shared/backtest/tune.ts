import { D, toDecimalString } from '../math/decimal';
import { mulberry32 } from '../random';

/**
 * Walk-forward tuning, the pure part: the grid of parameter values to try, the seeded sample of it when it
 * is too large, and the choice of the best configuration on the training data alone. The CLI
 * (`alphabet tune`) runs each configuration through the backtest command itself and reports the chosen
 * one on the test data.
 */

/** One tuned parameter and the values (as `--param` text) it takes. */
export interface ParamAxis {
  readonly name: string;
  readonly values: readonly string[];
}

/** One configuration: a value per axis, in axis order. */
export type Configuration = Readonly<Record<string, string>>;

/** At most this many values per range: a typo in a step should not make a million backtests. */
const MAX_RANGE_VALUES = 1_000;

/** Thrown for a bad specification; the message names the argument and the value. */
export class TuneSpecError extends Error {
  override readonly name = 'TuneSpecError';
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * `name=a..b[:step]` (every value from a to b in steps, exactly: decimal arithmetic), `name=v1,v2,v3`
 * (those values) or `name=v` (fixed). A range of whole numbers steps by 1 unless told.
 */
export function parseParamAxis(spec: string): ParamAxis {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new TuneSpecError(`--param: expected name=a..b[:step] or name=v1,v2, got "${spec}"`);
  const name = spec.slice(0, eq).trim();
  const text = spec.slice(eq + 1).trim();
  const range = /^(-?[\d.]+)\.\.(-?[\d.]+)(?::([\d.]+))?$/.exec(text);
  if (range === null) {
    const values = text.split(',').map((v) => v.trim());
    if (values.some((v) => v === '')) throw new TuneSpecError(`--param ${name}: empty value in "${text}"`);
    return { name, values: [...new Set(values)] };
  }
  const [, lowText, highText, stepText] = range;
  for (const [what, v] of [
    ['start', lowText],
    ['end', highText],
    ['step', stepText],
  ] as const) {
    if (v !== undefined && !NUMBER.test(v))
      throw new TuneSpecError(`--param ${name}: range ${what} "${v}" is not a number`);
  }
  const low = new D(lowText!);
  const high = new D(highText!);
  if (high.lt(low))
    throw new TuneSpecError(`--param ${name}: range end ${highText} is below its start ${lowText}`);
  if (stepText === undefined && !(low.isInteger() && high.isInteger())) {
    throw new TuneSpecError(`--param ${name}: range ${text} of non-whole numbers needs a step (a..b:step)`);
  }
  const step = new D(stepText ?? 1);
  if (step.lte(0)) throw new TuneSpecError(`--param ${name}: step must be above 0, got "${stepText}"`);
  const count = high.minus(low).div(step).floor().plus(1);
  if (count.gt(MAX_RANGE_VALUES)) {
    throw new TuneSpecError(
      `--param ${name}: range ${text} has ${count.toFixed()} values (at most ${MAX_RANGE_VALUES})`,
    );
  }
  const values: string[] = [];
  for (let i = 0; i < count.toNumber(); i++) values.push(toDecimalString(low.plus(step.mul(i))));
  return { name, values };
}

/** Every axis named once. */
export function parseParamAxes(specs: readonly string[]): ParamAxis[] {
  const axes = specs.map(parseParamAxis);
  const seen = new Set<string>();
  for (const a of axes) {
    if (seen.has(a.name))
      throw new TuneSpecError(`--param ${a.name}: given twice (list its values in one --param)`);
    seen.add(a.name);
  }
  return axes;
}

/** The size of the full grid. */
export function gridSize(axes: readonly ParamAxis[]): number {
  return axes.reduce((n, a) => n * a.values.length, 1);
}

/** Configuration number `index` of the grid (the last axis varies fastest). */
function configurationAt(axes: readonly ParamAxis[], index: number): Configuration {
  const out: Record<string, string> = {};
  let rest = index;
  for (let a = axes.length - 1; a >= 0; a--) {
    const axis = axes[a]!;
    out[axis.name] = axis.values[rest % axis.values.length]!;
    rest = Math.floor(rest / axis.values.length);
  }
  // Axis order in the output, whatever order they were filled in.
  return Object.fromEntries(axes.map((a) => [a.name, out[a.name]!]));
}

/**
 * The configurations to try: the whole grid when it has at most `maxConfigs`, otherwise `maxConfigs` of
 * them drawn without replacement by a generator seeded with `seed` (the same seed, the same sample), in
 * grid order.
 */
export function configurations(
  axes: readonly ParamAxis[],
  maxConfigs: number,
  seed: number,
): { configurations: Configuration[]; gridSize: number; sampled: boolean } {
  const size = gridSize(axes);
  if (size <= maxConfigs) {
    return {
      configurations: Array.from({ length: size }, (_, i) => configurationAt(axes, i)),
      gridSize: size,
      sampled: false,
    };
  }
  const random = mulberry32(seed);
  const chosen = new Set<number>();
  while (chosen.size < maxConfigs) chosen.add(Math.floor(random() * size));
  return {
    configurations: [...chosen].sort((a, b) => a - b).map((i) => configurationAt(axes, i)),
    gridSize: size,
    sampled: true,
  };
}

/** A configuration's score on one data set: bets and the objective's value (null when it has none). */
export interface Trial {
  readonly configuration: Configuration;
  readonly bets: number;
  /** The objective as a decimal string (mean CLV or yield), null when the run has none. */
  readonly score: string | null;
}

/**
 * The best trial: the highest score among those with at least `minBets` bets; ties go to more bets, then
 * to the earlier configuration. Null when none qualifies.
 */
export function chooseBest(trials: readonly Trial[], minBets: number): Trial | null {
  let best: Trial | null = null;
  for (const t of trials) {
    if (t.score === null || t.bets < minBets) continue;
    if (
      best === null ||
      new D(t.score).gt(best.score!) ||
      (new D(t.score).eq(best.score!) && t.bets > best.bets)
    ) {
      best = t;
    }
  }
  return best;
}

/**
 * The multiple-testing caution: the best of N configurations on the training data is biased upward (its
 * training score is partly luck), so the test score is the one to judge. With the chosen configuration's
 * standard error, the expected maximum of N noise draws, about SE × √(2 ln N), sizes that luck.
 */
export function multipleTestingCaution(opts: {
  tried: number;
  objective: string;
  train: string;
  test: string | null;
  standardError: string | null;
}): { drop: string | null; selectionAllowance: string | null; text: string } {
  const drop = opts.test === null ? null : toDecimalString(new D(opts.train).minus(opts.test));
  const allowance =
    opts.standardError === null || opts.tried < 2
      ? null
      : toDecimalString(
          new D(opts.standardError).mul(Math.sqrt(2 * Math.log(opts.tried))).toSignificantDigits(6),
        );
  const parts = [
    `the chosen configuration is the best of ${opts.tried} on the training data, so its training ${opts.objective} ` +
      'is biased upward (multiple testing): judge it by the test figure',
    drop === null
      ? `it has no test ${opts.objective}`
      : `train → test drop ${drop} (${opts.train} → ${opts.test})`,
  ];
  if (allowance !== null) {
    parts.push(
      `best-of-${opts.tried} luck alone is worth about SE × √(2 ln N) = ${allowance} on the training figure`,
    );
  }
  return { drop, selectionAllowance: allowance, text: `${parts.join('; ')}.` };
}
