import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PaperProgress, PaperSessionSpec, PaperTradingRequest, PaperVerdict } from '../../shared/paper';
import type { OpenedPaperSession } from '../../activities';
import type { MetricsJson } from '../../shared/backtest/metrics';

/**
 * Messages of the paper-trading workflow (one per session; the workflow id is the session id), shared by
 * the workflow and its clients. The Web UI starts it with the JSON of a PaperTradingRequest, e.g.
 * {"strategy": "value-sharp", "bankroll": "1000", "duration": "6h"}, on the strategies task queue.
 */
export const PAPER_WORKFLOW = 'paperTradingWorkflow';

export type PaperPhase = 'starting' | 'sweeping' | 'waiting' | 'paused' | 'settling' | 'reporting' | 'done';

export interface PaperCounts {
  sweeps: number;
  found: number;
  recorded: number;
  handedOff: number;
}

/** Carried across continue-as-new. */
export interface PaperCarry {
  spec: PaperSessionSpec;
  session: OpenedPaperSession;
  activeMs: number;
  paused: boolean;
  pausedBy: string | null;
  counts: PaperCounts;
  progress: PaperProgress | null;
  cursor: string | null;
  runs: number;
}

/**
 * The workflow's argument: an operator's request (CLI or Web UI JSON), or the carry of an earlier run;
 * iterationsPerRun (sweeps before continue-as-new, default 300) is for tests.
 */
export type PaperTradingInput = (PaperTradingRequest | { carry: PaperCarry }) & { iterationsPerRun?: number };

export interface PaperResult {
  sessionId: string;
  strategy: string;
  endReason: string;
  verdict: PaperVerdict;
  verdictReasons: string[];
  metrics: MetricsJson;
  reportPath: string | null;
}

export interface PaperStatus {
  sessionId: string;
  strategy: string | null;
  phase: PaperPhase;
  paused: boolean;
  pausedBy: string | null;
  startedAt: string | null;
  /** Trading time so far, pauses left out. */
  activeSeconds: number;
  durationSeconds: number | null;
  maxBets: number | null;
  bankroll: string | null;
  counts: PaperCounts;
  progress: PaperProgress | null;
  endReason: string | null;
  result: PaperResult | null;
  /** Runs of this session's workflow so far (continue-as-new starts a new one). */
  runs: number;
}

export interface PaperControl {
  by?: string | null;
  reason?: string | null;
}

export interface StopRequest extends PaperControl {
  /** Report at once: open bets are reported unsettled instead of waited for. */
  now?: boolean;
}

export const pausePaperSignal = defineSignal<[PaperControl?]>('pause');
export const resumePaperSignal = defineSignal<[PaperControl?]>('resume');
export const stopPaperSignal = defineSignal<[StopRequest?]>('stop');
export const paperProgressQuery = defineQuery<PaperStatus>('progress');
