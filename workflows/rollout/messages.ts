import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RolloutConfig, RolloutStageName, StageMetrics } from '../../shared/rollout';

/** Messages of the staged-rollout workflow, shared by the workflow and its clients (CLI, Web UI). */
export const rolloutWorkflowId = (strategy: string) => `rollout:${strategy}`;

export interface RolloutInput {
  strategy: string;
  config: RolloutConfig;
  /** Carried across continue-as-new; absent on a fresh start. */
  state?: RolloutState;
}

export interface RolloutEvent {
  at: string;
  stage: RolloutStageName;
  event:
    | 'entered'
    | 'passed'
    | 'failed'
    | 'breached'
    | 'approved'
    | 'paused'
    | 'resumed'
    | 'aborted'
    | 'completed';
  reasons: string[];
}

export interface RolloutState {
  stageIndex: number;
  stageStartedAt: number;
  paused: boolean;
  pauseReason: string | null;
  awaitingApproval: boolean;
  lastMetrics: StageMetrics | null;
  lastVerdict: string | null;
  /** The latest events, newest last (bounded so history stays small). */
  events: RolloutEvent[];
}

export interface RolloutStatus extends RolloutState {
  strategy: string;
  stage: RolloutStageName;
  stages: RolloutStageName[];
  aborted: boolean;
  done: boolean;
}

export interface RolloutResult {
  strategy: string;
  outcome: 'completed' | 'aborted';
  finalStage: RolloutStageName;
  events: RolloutEvent[];
}

export const pauseRolloutSignal = defineSignal<[reason?: string]>('pause');
export const resumeRolloutSignal = defineSignal('resume');
export const abortRolloutSignal = defineSignal<[reason?: string]>('abort');
/** Approve a gate configured as manual; refused unless the rollout is waiting for an approval. */
export const approveRolloutUpdate = defineUpdate<RolloutStatus, [by: string]>('approve');
export const rolloutStatusQuery = defineQuery<RolloutStatus>('status');

/** The workflow type name, as the workers register it. */
export const ROLLOUT_WORKFLOW = 'rolloutWorkflow';
