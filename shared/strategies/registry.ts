import { z } from 'zod';
import type { StrategyType } from '../entities';
import { D } from '../math/decimal';
import { arbitrageStrategy } from './arbitrage';
import { formatIssues } from './common';
import { consensusStrategy } from './consensus';
import { steamStrategy } from './steam';
import type { StrategyDefinition } from './types';
import { valueStrategy } from './value';

/**
 * Strategy types by name, each with the zod schema its parameters must satisfy. The strategies table,
 * the config's `strategies:` seed, `alphabet strategy set` and the workflow's setParameters validator all
 * validate through here, so a bad value is refused with the same message wherever it is typed.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyStrategy = StrategyDefinition<any, any>;

export const STRATEGY_TYPES: Readonly<Record<StrategyType, AnyStrategy>> = {
  arbitrage: arbitrageStrategy,
  value: valueStrategy,
  steam: steamStrategy,
  consensus: consensusStrategy,
};

/** A refused parameter set; `message` names every offending parameter ("minEdge: expected …"). */
export class StrategyParameterError extends Error {
  override readonly name = 'StrategyParameterError';
  constructor(
    message: string,
    readonly fields: string[],
  ) {
    super(message);
  }
}

/**
 * A strategy row's own fields as the strategies table takes them (mode, stake multiplier 0–1, enabled),
 * checked alike by the store and the workflow's setParameters validator; absent fields are not changed.
 */
export function checkStrategyRowFields(change: {
  mode?: unknown;
  stakeMultiplier?: unknown;
  enabled?: unknown;
}): void {
  if (change.mode !== undefined && !['backtest', 'paper', 'live'].includes(change.mode as string)) {
    throw new StrategyParameterError(
      `mode: expected one of backtest, paper, live, got ${JSON.stringify(change.mode)}`,
      ['mode'],
    );
  }
  const multiplier = change.stakeMultiplier;
  if (
    multiplier !== undefined &&
    (typeof multiplier !== 'string' || !/^\d+(\.\d+)?$/.test(multiplier) || new D(multiplier).gt(1))
  ) {
    throw new StrategyParameterError(
      `stakeMultiplier: expected a decimal string between 0 and 1, e.g. "0.25", got ${JSON.stringify(multiplier)}`,
      ['stakeMultiplier'],
    );
  }
  if (change.enabled !== undefined && typeof change.enabled !== 'boolean') {
    throw new StrategyParameterError(
      `enabled: expected true or false, got ${JSON.stringify(change.enabled)}`,
      ['enabled'],
    );
  }
}

/** The parameter a zod issue is about ("minEdge", or the unknown key itself). */
export function issueField(issue: z.core.$ZodIssue): string {
  return issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]].join('.') : issue.path.join('.');
}

export function strategyDefinition(type: string): AnyStrategy {
  const def = (STRATEGY_TYPES as Record<string, AnyStrategy | undefined>)[type];
  if (!def) {
    throw new StrategyParameterError(
      `type: unknown strategy type "${type}" (known: ${Object.keys(STRATEGY_TYPES).join(', ')})`,
      ['type'],
    );
  }
  return def;
}

/** Validate a type's parameters and fill its defaults; throws StrategyParameterError naming the fields. */
export function parseStrategyParameters(type: string, raw: unknown): Record<string, unknown> {
  const def = strategyDefinition(type);
  const parsed = def.parameters.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new StrategyParameterError(formatIssues(parsed.error), parsed.error.issues.map(issueField));
  }
  return parsed.data as Record<string, unknown>;
}

/** Names of a type's parameters. */
export function parameterNames(type: string): string[] {
  return Object.keys(objectShape(type));
}

function objectShape(type: string): Record<string, z.ZodType> {
  const schema = strategyDefinition(type).parameters as unknown as z.ZodObject;
  return schema.shape;
}

/**
 * A value typed on the command line (`minEdge=0.03`, `books=draftkings,fanduel`, `includeInPlay=true`) as
 * the parameter's schema wants it: the raw text, then JSON, then a comma list, whichever it accepts.
 */
export function coerceParameter(type: string, key: string, text: string): unknown {
  const field = objectShape(type)[key];
  if (!field) {
    throw new StrategyParameterError(
      `${key}: unknown parameter for type ${type} (known: ${parameterNames(type).join(', ')})`,
      [key],
    );
  }
  const candidates: unknown[] = [text];
  let json: unknown;
  let isJson = false;
  try {
    json = JSON.parse(text);
    isJson = true;
    candidates.push(json);
  } catch {
    // not JSON: the raw text or a list
  }
  candidates.push(text === '' ? [] : text.split(',').map((s) => s.trim()));
  for (const candidate of candidates) {
    if (field.safeParse(candidate).success) return candidate;
  }
  const result = field.safeParse(isJson ? json : text);
  throw new StrategyParameterError(
    result.success ? `${key}: invalid value ${JSON.stringify(text)}` : formatIssues(result.error, key),
    [key],
  );
}

export interface ParameterChange {
  field: string;
  oldValue: unknown;
  newValue: unknown;
}

/**
 * Apply changes to a strategy's current parameters: the merged set must pass the type's schema. Returns the
 * new full parameter set and what actually changed (unchanged values are not changes).
 */
export function applyParameterChanges(
  type: string,
  current: Record<string, unknown>,
  changes: Record<string, unknown>,
): { parameters: Record<string, unknown>; changed: ParameterChange[] } {
  const names = new Set(parameterNames(type));
  for (const key of Object.keys(changes)) {
    if (!names.has(key)) {
      throw new StrategyParameterError(
        `${key}: unknown parameter for type ${type} (known: ${[...names].join(', ')})`,
        [key],
      );
    }
  }
  const before = parseStrategyParameters(type, current);
  const parameters = parseStrategyParameters(type, { ...before, ...changes });
  const changed: ParameterChange[] = [];
  for (const key of Object.keys(parameters)) {
    const a = JSON.stringify(before[key]);
    const b = JSON.stringify(parameters[key]);
    if (a !== b)
      changed.push({ field: key, oldValue: before[key] ?? null, newValue: parameters[key] ?? null });
  }
  return { parameters, changed };
}

/** The zod schema of one strategy row (as seeded from config or stored), its parameters checked by type. */
export const StrategyRecord = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { message: 'lower-case letters, digits, - and _' }),
    type: z.enum(['arbitrage', 'value', 'steam', 'consensus']),
    enabled: z.boolean().default(true),
    mode: z.enum(['backtest', 'paper', 'live']).default('paper'),
    stakeMultiplier: z
      .string()
      .regex(/^\d+(\.\d+)?$/, { message: 'expected a decimal string between 0 and 1, e.g. "0.25"' })
      .refine((s) => Number(s) >= 0 && Number(s) <= 1, {
        message: 'expected a decimal string between 0 and 1, e.g. "0.25"',
      })
      .default('0'),
    parameters: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((value, ctx) => {
    const def = (STRATEGY_TYPES as Record<string, AnyStrategy | undefined>)[value.type];
    if (!def) return;
    const parsed = def.parameters.safeParse(value.parameters);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? '?'] : issue.path;
      ctx.addIssue({
        code: 'custom',
        path: ['parameters', ...path],
        message:
          issue.code === 'unrecognized_keys' ? `unknown parameter for type ${value.type}` : issue.message,
      });
    }
  });
export type StrategyRecord = z.infer<typeof StrategyRecord>;
