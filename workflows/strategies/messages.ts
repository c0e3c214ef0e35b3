import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { StrategyChange, StrategyRow } from '../../activities';
import {
  StrategyParameterError,
  applyParameterChanges,
  checkStrategyRowFields,
} from '../../shared/strategies';

/**
 * Messages of the StrategyWorkflow (one per strategy, id `strategy:<name>`), shared by the workflow, the
 * CLI and anything else that talks to it (the Web UI sends the same signals and updates by name).
 */
export const STRATEGY_WORKFLOW = 'strategyWorkflow';
export const strategyWorkflowId = (name: string): string => `strategy:${name}`;

export interface StrategyWorkflowInput {
  name: string;
  /** lifecycle: hand each new opportunity to its BetLifecycleWorkflow; record-only: record it skipped ("no lifecycle"). */
  handOff?: 'lifecycle' | 'record-only';
  /** Loop iterations before continue-as-new (tests use a small number); default 500. */
  maxIterationsPerRun?: number;
  /** Carried across continue-as-new; absent on a fresh start. */
  carry?: StrategyCarry;
}

export interface StrategyCounts {
  sweeps: number;
  /** Opportunities found on boards (each sweep counts what it saw). */
  found: number;
  /** Newly recorded in the opportunities table. */
  recorded: number;
  /** Found again by a later sweep: same id, not recorded or bet again. */
  duplicates: number;
  suspect: number;
  /** Recorded as skipped at once (suspect, backtest mode, constraints). */
  skipped: number;
  /** Handed to a bet lifecycle (bet:<id>). */
  handedOff: number;
  /** A lifecycle for it already existed: not started again. */
  alreadyHandedOff: number;
  /** Recorded skipped with reason "no lifecycle" (record-only hand-off). */
  noLifecycle: number;
  /** Wake-ups while paused or disabled on which no sweep ran. */
  suppressed: number;
}

export interface LastSweep {
  sweep: number;
  at: string;
  boardAsOf: string;
  quotes: number;
  found: number;
  recorded: number;
  duplicates: number;
  readMs: number;
  evaluateMs: number;
  recordMs: number;
  /** What woke the sweep: the first one, a board change, the fallback interval, a resume… */
  trigger: string;
}

export interface StrategyCarry {
  /** The row as of the last run, so queries answer before the new run has loaded it. */
  strategy: StrategyRow | null;
  paused: boolean;
  pausedBy: string | null;
  counts: StrategyCounts;
  lastSweep: LastSweep | null;
  cursor: string | null;
  runs: number;
}

export type StrategyPhase = 'starting' | 'sweeping' | 'handing-off' | 'waiting' | 'paused' | 'disabled';

export interface StrategyStatus {
  name: string;
  type: string;
  mode: string;
  enabled: boolean;
  stakeMultiplier: string;
  parameters: Record<string, unknown>;
  paused: boolean;
  pausedBy: string | null;
  phase: StrategyPhase;
  counts: StrategyCounts;
  lastSweep: LastSweep | null;
  /** Runs of this workflow id so far (continue-as-new starts a new one). */
  runs: number;
}

export interface PauseRequest {
  by?: string | null;
  reason?: string | null;
}

export interface SetParametersRequest {
  /** Parameter changes: merged into the current set and validated with the type's schema. */
  parameters?: Record<string, unknown>;
  mode?: 'backtest' | 'paper' | 'live';
  stakeMultiplier?: string;
  enabled?: boolean;
  /** Who (recorded in strategy_changes). */
  by: string;
}

export interface SetParametersResult {
  strategy: StrategyRow;
  changes: StrategyChange[];
}

export const pauseSignal = defineSignal<[PauseRequest?]>('pause');
/** The strategies row changed outside the workflow (the rollout moved its stage): load it again. */
export const reloadSignal = defineSignal<[{ by?: string | null }?]>('reload');
export const resumeSignal = defineSignal<[PauseRequest?]>('resume');
export const setParametersUpdate = defineUpdate<SetParametersResult, [SetParametersRequest]>('setParameters');
export const strategyStatusQuery = defineQuery<StrategyStatus>('status');

/**
 * The setParameters validator (pure; the CLI runs it too before sending): refuses, naming the field, any
 * value the strategy type's schema or the strategies table would refuse.
 */
export function validateSetParameters(
  current: { type: string; parameters: Record<string, unknown> },
  req: SetParametersRequest,
): void {
  if (typeof req !== 'object' || req === null)
    throw new StrategyParameterError('request: expected an object', []);
  if (typeof req.by !== 'string' || req.by.trim() === '')
    throw new StrategyParameterError('by: say who is making the change', ['by']);
  const known = new Set(['parameters', 'mode', 'stakeMultiplier', 'enabled', 'by']);
  for (const key of Object.keys(req)) {
    if (!known.has(key))
      throw new StrategyParameterError(
        `${key}: unknown field (parameters, mode, stakeMultiplier, enabled, by)`,
        [key],
      );
  }
  checkStrategyRowFields(req);
  if (req.parameters !== undefined) {
    if (typeof req.parameters !== 'object' || req.parameters === null || Array.isArray(req.parameters)) {
      throw new StrategyParameterError('parameters: expected an object of parameter values', ['parameters']);
    }
    applyParameterChanges(current.type, current.parameters, req.parameters);
  }
  if (
    req.parameters === undefined &&
    req.mode === undefined &&
    req.stakeMultiplier === undefined &&
    req.enabled === undefined
  ) {
    throw new StrategyParameterError('parameters: nothing to change', ['parameters']);
  }
}

/** The Web UI's static summary of a strategy workflow. */
export function strategySummary(s: { name: string; type: string; mode: string }): string {
  return `Strategy ${s.name}: ${s.type}, ${s.mode} mode; sweeps the odds board on every change`;
}
