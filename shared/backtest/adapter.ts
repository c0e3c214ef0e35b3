import { StrategyParameterError, issueField } from '../strategies/registry';
import type { StrategyDefinition } from '../strategies/types';
import type { BacktestStrategy, SkipNote, StrategyEvaluation } from './types';

/**
 * Any strategy type of the strategy engine as a backtest strategy: its parameters are validated by the
 * type's own schema, its state is threaded from one snapshot to the next, and every snapshot goes through
 * the very evaluate() the live sweep calls (with the board indexed once for all strategies).
 */
export function fromDefinition<P, S>(
  definition: StrategyDefinition<P, S>,
  parameters: unknown,
  name: string = definition.type,
): BacktestStrategy & { readonly parameters: P } {
  const parsed = definition.parameters.safeParse(parameters ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${[name, ...i.path.map(String)].join('.')}: ${i.message}`)
      .join('; ');
    throw new StrategyParameterError(issues, parsed.error.issues.map(issueField));
  }
  const params = parsed.data;
  let state = definition.initialState();
  return {
    name,
    parameters: params,
    // A strategy with state (steam's market history) must see every market at every step, as live.
    wholeBoard: state !== undefined,
    evaluate(board): StrategyEvaluation {
      const result = definition.evaluate(board.indexed, params, state, { strategy: name });
      state = result.state;
      const skipped = (result as { skipped?: readonly SkipNote[] }).skipped;
      return skipped === undefined
        ? { opportunities: result.opportunities, stats: result.stats }
        : { opportunities: result.opportunities, stats: result.stats, skipped };
    },
  };
}
