import type { ZodType } from 'zod';
import { fromDefinition, type BacktestStrategy } from '../../shared/backtest';
import { StrategyParameterError, strategyDefinition } from '../../shared/strategies';
import type { StrategyDefinition } from '../../shared/strategies/types';
import { parseDuration } from '../duration';
import { UsageError } from '../output';

// The strategy `alphabet backtest` runs, built from the command's options.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = StrategyDefinition<any, any>;

/**
 * The strategy type a backtest runs: the registry's definition, the same the live sweep evaluates
 * (`consensus` is the published rule of Kaunitz, Zhong & Kreiner, one bet per match at the best price).
 */
export function backtestDefinition(type: string): AnyDefinition {
  try {
    return strategyDefinition(type);
  } catch (err) {
    if (err instanceof StrategyParameterError)
      throw new UsageError(`--strategy: ${err.message.replace(/^type: /, '')}`);
    throw err;
  }
}

export function collectParam(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * `key=value` pairs, each value as the parameter's own schema accepts it: the text itself ("0.03"), else
 * its JSON (3, true, ["a"]), else a comma list.
 */
export function parseParams(def: AnyDefinition, pairs: readonly string[]): Record<string, unknown> {
  const shape = (def.parameters as unknown as { shape?: Record<string, ZodType> }).shape ?? {};
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param: expected key=value, got "${pair}"`);
    const key = pair.slice(0, eq).trim();
    const text = pair.slice(eq + 1);
    const field = shape[key];
    if (field === undefined) {
      throw new UsageError(
        `--param ${key}: unknown parameter of ${def.type} (known: ${Object.keys(shape).join(', ')})`,
      );
    }
    const candidates: unknown[] = [text];
    try {
      candidates.push(JSON.parse(text));
    } catch {
      // not JSON
    }
    candidates.push(text === '' ? [] : text.split(',').map((t) => t.trim()));
    out[key] = candidates.find((c) => field.safeParse(c).success) ?? text;
  }
  return out;
}

/** The command's options that choose and parameterise the strategy. */
export interface StrategyOptions {
  strategy: string;
  name?: string;
  param: string[];
  alpha?: string;
  minBooks?: string;
  maxQuoteAge?: string;
}

/** The strategy with its parameters from --param, --alpha, --min-books and --max-quote-age. */
export function backtestStrategy(options: StrategyOptions): BacktestStrategy & { parameters: unknown } {
  const type = options.strategy;
  const def = backtestDefinition(type);
  const params: Record<string, unknown> = parseParams(def, options.param ?? []);
  if (options.alpha !== undefined || options.minBooks !== undefined) {
    if (type !== 'consensus') throw new UsageError('--alpha and --min-books belong to --strategy consensus');
  }
  if (options.alpha !== undefined) params.alpha = options.alpha;
  if (options.minBooks !== undefined) {
    if (!/^\d+$/.test(options.minBooks))
      throw new UsageError(`--min-books: expected a whole number, got "${options.minBooks}"`);
    params.minBooks = Number(options.minBooks);
  }
  if (options.maxQuoteAge !== undefined)
    params.maxQuoteAgeMs = parseDuration(options.maxQuoteAge, '--max-quote-age');
  try {
    return fromDefinition(def, params, options.name ?? type);
  } catch (err) {
    if (err instanceof StrategyParameterError) throw new UsageError(`strategy parameters: ${err.message}`);
    throw err;
  }
}
