import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/**
 * The OddsPollingWorkflow's contract, defined once and shared by the workflow, the CLI and `startIngestion`:
 * its id, input, signals, update and query, and the pure validation of settings updates.
 */

export const ODDS_POLLING_WORKFLOW = 'oddsPollingWorkflow';
/** Below this interval the poller loops inside one heartbeating activity instead of a workflow timer per poll. */
export const LOOP_BELOW_SECONDS = 60;
export const MIN_INTERVAL_SECONDS = 0.01;
export const MAX_INTERVAL_SECONDS = 86_400;
export const MAX_SPORTS = 50;

export function pollingWorkflowId(provider: string): string {
  return `odds-poll:${provider}`;
}

export interface PollSettings {
  intervalSeconds: number;
  sports: string[];
}

/** What `updateSettings` may change; at least one of them. */
export interface PollSettingsPatch {
  intervalSeconds?: number;
  sports?: string[];
}

export interface PollTotals {
  polls: number;
  quotesSeen: number;
  changesWritten: number;
  rejects: number;
  /** Failed poll attempts (each retry counts). */
  errors: number;
  requests: number;
  resultFetches: number;
  resultsCompleted: number;
  resultErrors: number;
}

export interface PollError {
  type: string;
  message: string;
  at: string;
  nonRetryable: boolean;
  status: number | null;
}

export interface PollQuota {
  remaining: number | null;
  used: number | null;
  at: string;
}

/** Carried across continue-as-new. */
export interface PollCarry {
  totals: PollTotals;
  lastPollAt: string | null;
  lastPollId: string | null;
  quota: PollQuota | null;
  lastError: PollError | null;
  consecutiveFailures: number;
  exhausted: boolean;
  runs: number;
  startedAt: string;
}

export interface OddsPollingInput {
  provider: string;
  providerType?: string;
  intervalSeconds: number;
  sports: string[];
  /** Sport keys the provider serves; null or absent: any well-formed key. */
  supportedSports?: string[] | null;
  paused?: boolean;
  carry?: PollCarry;
  /** Length of one polling loop activity for sub-minute intervals (seconds, default 60). */
  chunkSeconds?: number;
  /** Continue as new once the history has this many events (default 2000). */
  historyLimit?: number;
  /** Longest back-off after failures (seconds, default 300). */
  maxBackoffSeconds?: number;
}

export type PollState =
  'starting' | 'polling' | 'waiting' | 'paused' | 'backing-off' | 'failed' | 'exhausted';

export interface PollStatus extends PollCarry {
  provider: string;
  providerType: string | null;
  state: PollState;
  paused: boolean;
  intervalSeconds: number;
  sports: string[];
  /** loop: a heartbeating activity polls; timer: one activity per poll, a workflow timer between. */
  mode: 'loop' | 'timer';
  backoffUntil: string | null;
  runStartedAt: string;
  historyLength: number;
}

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const updateSettings = defineUpdate<PollSettings, [PollSettingsPatch]>('updateSettings');
export const statusQuery = defineQuery<PollStatus>('status');

const SPORT_KEY = /^[a-z0-9_]+$/;

/** Why a settings update is refused, or null when it is acceptable. Pure: the workflow's update validator. */
export function settingsPatchError(
  patch: unknown,
  supportedSports?: readonly string[] | null,
): string | null {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
    return 'the update must be an object { intervalSeconds?, sports? }';
  const p = patch as Record<string, unknown>;
  const unknown = Object.keys(p).filter((k) => k !== 'intervalSeconds' && k !== 'sports');
  if (unknown.length)
    return `unknown setting ${unknown.map((k) => JSON.stringify(k)).join(', ')} (only intervalSeconds and sports)`;
  if (p.intervalSeconds === undefined && p.sports === undefined)
    return 'nothing to change: give intervalSeconds or sports';
  if (p.intervalSeconds !== undefined) {
    const v = p.intervalSeconds;
    if (typeof v !== 'number' || !Number.isFinite(v))
      return `intervalSeconds = ${JSON.stringify(v)}: expected a number of seconds`;
    if (v < MIN_INTERVAL_SECONDS || v > MAX_INTERVAL_SECONDS) {
      return `intervalSeconds = ${v}: expected between ${MIN_INTERVAL_SECONDS} and ${MAX_INTERVAL_SECONDS}`;
    }
  }
  if (p.sports !== undefined) {
    const s = p.sports;
    if (!Array.isArray(s) || s.length === 0)
      return `sports = ${JSON.stringify(s)}: expected a non-empty list of sport keys`;
    if (s.length > MAX_SPORTS) return `sports: at most ${MAX_SPORTS}`;
    const seen = new Set<string>();
    for (const k of s as unknown[]) {
      if (typeof k !== 'string' || !SPORT_KEY.test(k))
        return `sports: ${JSON.stringify(k)} is not a sport key such as americanfootball_nfl`;
      if (seen.has(k)) return `sports: ${k} is listed twice`;
      seen.add(k);
      if (supportedSports && !supportedSports.includes(k)) {
        return `sports: this provider does not offer ${k} (it offers ${supportedSports.join(', ')})`;
      }
    }
  }
  return null;
}

export function applySettingsPatch(current: PollSettings, patch: PollSettingsPatch): PollSettings {
  return {
    intervalSeconds: patch.intervalSeconds ?? current.intervalSeconds,
    sports: patch.sports ? [...patch.sports] : [...current.sports],
  };
}

export function emptyTotals(): PollTotals {
  return {
    polls: 0,
    quotesSeen: 0,
    changesWritten: 0,
    rejects: 0,
    errors: 0,
    requests: 0,
    resultFetches: 0,
    resultsCompleted: 0,
    resultErrors: 0,
  };
}
