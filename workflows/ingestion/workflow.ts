import {
  ActivityCancellationType,
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { IngestionFailureDetails, PollChunkResult } from '../../activities';
import type { QueueActivities } from '../../shared/queues';
import { typedFailureDetails } from '../../shared/failure-details';
import {
  applySettingsPatch,
  emptyTotals,
  LOOP_BELOW_SECONDS,
  pauseSignal,
  resumeSignal,
  settingsPatchError,
  statusQuery,
  updateSettings,
  type OddsPollingInput,
  type PollCarry,
  type PollSettings,
  type PollState,
  type PollStatus,
} from './messages';

/** Attempts per polling activity before the workflow takes over the back-off (and shows it in the status). */
const ACTIVITY_ATTEMPTS = 3;

/**
 * One per provider (workflow id `odds-poll:<provider>`). Polls at the configured interval: below a minute
 * inside a heartbeating activity that loops (Temporal's advice for frequent polling), otherwise one activity
 * per poll with a durable timer between. Only ids and counts pass through the history — never odds.
 *
 * Signals `pause`/`resume`, update `updateSettings` (interval, sports; a validator refuses bad values) and
 * query `status`. A running loop is cancelled at once on any of them and returns what it did. Failures are
 * retried by the activity (honouring Retry-After), then backed off here, exponentially, visible in the status.
 * Continues as new before the history grows large, carrying the totals.
 */
export async function oddsPollingWorkflow(input: OddsPollingInput): Promise<void> {
  const info = workflowInfo();
  const nowIso = () => new Date(Date.now()).toISOString();
  const carry: PollCarry = input.carry
    ? { ...input.carry, totals: { ...input.carry.totals }, runs: input.carry.runs + 1 }
    : {
        totals: emptyTotals(),
        lastPollAt: null,
        lastPollId: null,
        quota: null,
        lastError: null,
        consecutiveFailures: 0,
        exhausted: false,
        runs: 0,
        startedAt: nowIso(),
      };
  let settings: PollSettings = { intervalSeconds: input.intervalSeconds, sports: [...input.sports] };
  let paused = input.paused ?? false;
  let version = 0;
  let state: PollState = 'starting';
  let backoffUntil: string | null = null;
  let chunkSeq = 0;
  const runStartedAt = nowIso();
  const chunkSeconds = input.chunkSeconds ?? 60;
  const historyLimit = input.historyLimit ?? 2000;
  const maxBackoffMs = (input.maxBackoffSeconds ?? 300) * 1000;

  const status = (): PollStatus => ({
    ...carry,
    totals: { ...carry.totals },
    provider: input.provider,
    providerType: input.providerType ?? null,
    state,
    paused,
    intervalSeconds: settings.intervalSeconds,
    sports: [...settings.sports],
    mode: settings.intervalSeconds < LOOP_BELOW_SECONDS ? 'loop' : 'timer',
    backoffUntil,
    runStartedAt,
    historyLength: workflowInfo().historyLength,
  });

  const show = (next: PollState) => {
    state = next;
    const t = carry.totals;
    const what = {
      starting: 'starting',
      polling: `polling every ${settings.intervalSeconds} s`,
      waiting: `waiting ${settings.intervalSeconds} s between polls`,
      paused: 'PAUSED (signal resume to continue)',
      'backing-off': `backing off until ${backoffUntil}`,
      failed: `FAILED, retrying at ${backoffUntil} (fix the config, then signal resume)`,
      exhausted: 'recording played to the end',
    }[next];
    const lines = [
      `**${input.provider}** (${input.providerType ?? 'provider'}): ${what}`,
      `sports: ${settings.sports.join(', ')}`,
      `last poll ${carry.lastPollAt ?? '—'} · ${t.polls} polls · ${t.quotesSeen} quotes seen · ${t.changesWritten} changes written · ${t.rejects} rejects · ${t.errors} errors`,
    ];
    if (carry.quota)
      lines.push(`quota: ${carry.quota.remaining ?? '?'} requests left (${carry.quota.used ?? '?'} used)`);
    if (carry.lastError) lines.push(`last error (${carry.lastError.at}): ${carry.lastError.message}`);
    setCurrentDetails(lines.join('\n\n'));
  };

  setHandler(pauseSignal, () => {
    if (!paused) {
      paused = true;
      version++;
    }
  });
  setHandler(resumeSignal, () => {
    paused = false;
    // Resume also ends a failure back-off and restarts a finished recording.
    carry.exhausted = false;
    version++;
  });
  setHandler(
    updateSettings,
    (patch) => {
      settings = applySettingsPatch(settings, patch);
      carry.exhausted = false;
      version++;
      return { ...settings, sports: [...settings.sports] };
    },
    {
      validator: (patch) => {
        const error = settingsPatchError(patch, input.supportedSports);
        if (error) throw new Error(error);
      },
    },
  );
  setHandler(statusQuery, status);

  const shouldContinueAsNew = () => {
    const i = workflowInfo();
    return i.continueAsNewSuggested || i.historyLength >= historyLimit;
  };

  for (;;) {
    if (shouldContinueAsNew()) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof oddsPollingWorkflow>({
        ...input,
        intervalSeconds: settings.intervalSeconds,
        sports: settings.sports,
        paused,
        carry,
      });
    }
    if (paused) {
      show('paused');
      await condition(() => !paused || shouldContinueAsNew());
      continue;
    }
    const v = version;
    if (carry.exhausted) {
      show('exhausted');
      await condition(() => version !== v || shouldContinueAsNew());
      continue;
    }

    const loop = settings.intervalSeconds < LOOP_BELOW_SECONDS;
    const started = Date.now();
    show('polling');
    const acts = proxyActivities<QueueActivities<'ingestion'>>({
      startToCloseTimeout: loop ? `${chunkSeconds + 120} seconds` : '5 minutes',
      heartbeatTimeout: '10 seconds',
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: {
        initialInterval: '1 second',
        backoffCoefficient: 2,
        maximumInterval: '1 minute',
        maximumAttempts: ACTIVITY_ATTEMPTS,
      },
      summary: `poll ${input.provider}`,
    });
    const chunk = new CancellationScope();
    const watcher = new CancellationScope();
    // Pause and settings updates cancel a running loop at once (it stops between polls and reports).
    const watch = watcher
      .run(() => condition(() => version !== v))
      .then(
        () => {
          if (loop) chunk.cancel();
        },
        () => undefined,
      );
    let result: PollChunkResult | null = null;
    let failure: unknown = null;
    try {
      result = await chunk.run(() =>
        acts.pollOdds({
          provider: input.provider,
          chunkId: `${info.workflowId}:${info.runId}:${chunkSeq++}`,
          sports: settings.sports,
          intervalSeconds: settings.intervalSeconds,
          maxPolls: loop ? Math.max(1, Math.ceil(chunkSeconds / settings.intervalSeconds)) : 1,
          maxDurationMs: loop ? chunkSeconds * 1000 : 0,
        }),
      );
    } catch (err) {
      failure = err;
    } finally {
      watcher.cancel();
      await watch;
    }

    if (result) {
      addProgress(carry, result);
      carry.totals.errors += result.errors;
      carry.consecutiveFailures = 0;
      carry.exhausted = result.exhausted;
      backoffUntil = null;
    } else if (failure && !isCancellation(failure)) {
      const details = typedFailureDetails<IngestionFailureDetails>(failure, 4);
      if (details?.progress) addProgress(carry, details.progress);
      carry.totals.errors += details?.attempt ?? ACTIVITY_ATTEMPTS;
      carry.consecutiveFailures++;
      const nonRetryable = details?.nonRetryable ?? false;
      carry.lastError = {
        type: details?.type ?? errorType(failure),
        message: errorMessage(failure),
        at: nowIso(),
        nonRetryable,
        status: details?.status ?? null,
      };
      const exp = Math.min(
        maxBackoffMs,
        Math.max(settings.intervalSeconds, 5) * 1000 * 2 ** (carry.consecutiveFailures - 1),
      );
      const delay = nonRetryable ? maxBackoffMs : Math.max(details?.retryAfterMs ?? 0, exp);
      backoffUntil = new Date(Date.now() + delay).toISOString();
      show(nonRetryable ? 'failed' : 'backing-off');
      await condition(() => version !== v || shouldContinueAsNew(), delay);
      backoffUntil = null;
      continue;
    }

    if (!loop && version === v) {
      show('waiting');
      const wait = started + settings.intervalSeconds * 1000 - Date.now();
      if (wait > 0) await condition(() => version !== v || shouldContinueAsNew(), wait);
    }
  }
}

function addProgress(carry: PollCarry, p: IngestionFailureDetails['progress'] & object): void {
  const t = carry.totals;
  t.polls += p.polls;
  t.quotesSeen += p.quotesSeen;
  t.changesWritten += p.changesWritten;
  t.rejects += p.rejects;
  t.requests += p.requests;
  t.resultFetches += p.resultFetches;
  t.resultsCompleted += p.resultsCompleted;
  t.resultErrors += p.resultErrors;
  if (p.lastPollAt) carry.lastPollAt = p.lastPollAt;
  if (p.lastPollId) carry.lastPollId = p.lastPollId;
  if (p.quota && (p.quota.remaining !== null || p.quota.used !== null)) {
    carry.quota = {
      remaining: p.quota.remaining,
      used: p.quota.used,
      at: p.lastPollAt ?? new Date(Date.now()).toISOString(),
    };
  }
}

function errorMessage(err: unknown): string {
  const inner = err instanceof ActivityFailure && err.cause ? err.cause : err;
  return inner instanceof Error ? inner.message : String(inner);
}

function errorType(err: unknown): string {
  const inner = err instanceof ActivityFailure && err.cause ? err.cause : err;
  if (inner instanceof ApplicationFailure) return inner.type ?? 'ApplicationFailure';
  return inner instanceof Error ? inner.name : 'Error';
}
