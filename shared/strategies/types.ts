import type { z } from 'zod';
import type { Opportunity, OpportunityKind, StrategyType } from '../entities';
import { indexBoard, type BoardSnapshot, type IndexedBoard } from './board';

/** Who is evaluating: the strategy's name goes into every opportunity and its id. */
export interface StrategyContext {
  readonly strategy: string;
}

/** Counters an evaluation reports (markets seen, candidates screened, signals raised…). */
export type EvaluationStats = Record<string, number>;

export interface Evaluation<S> {
  readonly opportunities: Opportunity[];
  /** The state to hand to the next evaluation (steam's rolling history; undefined for stateless types). */
  readonly state: S;
  readonly stats: EvaluationStats;
}

export interface Validation {
  readonly ok: boolean;
  /** What fails, in words an operator can read; empty when ok. */
  readonly violations: string[];
}

/**
 * A strategy type: pure and deterministic, so the same code runs in the live sweep, in paper trading and
 * in backtests. `evaluate` turns a board (plus the type's own bounded state) into opportunities carrying
 * their full context; `validate` re-checks one opportunity against the parameters at a later instant,
 * right before it would be bet.
 */
export interface StrategyDefinition<P, S = undefined> {
  readonly type: StrategyType;
  readonly kind: OpportunityKind;
  readonly description: string;
  /** Validates and fills defaults. Strict: an unknown parameter is an error, not ignored. */
  readonly parameters: z.ZodType<P, unknown>;
  initialState(): S;
  evaluate(board: BoardSnapshot | IndexedBoard, params: P, state: S, ctx: StrategyContext): Evaluation<S>;
  validate(opportunity: Opportunity, params: P, asOf: string): Validation;
}

/** Strategies accept a raw snapshot or one already indexed (several strategies sharing one board). */
export function asIndexed(board: BoardSnapshot | IndexedBoard): IndexedBoard {
  return 'markets' in board ? board : indexBoard(board);
}

export function validation(violations: string[]): Validation {
  return { ok: violations.length === 0, violations };
}
