import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ActivityDeps } from '../deps';
import { configFailure, toFailure, type FailureDetails } from '../providers/errors';
import {
  createProviderRegistry,
  resultsIntervalSeconds,
  stalenessSeconds,
  type ProviderRegistry,
} from '../providers/registry';
import type { ProviderQuota } from '../providers/types';
import { EventResolver } from './events';
import { ingestKeys } from './keys';
import { LastKnownMemory } from './last-known';
import { runPoll, type PollContext } from './poll';
import { ingestResults } from './results';

export interface PollChunkInput {
  provider: string;
  /** `${workflowId}:${runId}:${n}`, made in the workflow; poll i of the chunk has id `${chunkId}.${i}`. */
  chunkId: string;
  sports: string[];
  intervalSeconds: number;
  /** Polls in this activity (1 for intervals of a minute or more: the workflow sleeps between them). */
  maxPolls: number;
  /** Return after this long (ms) so the workflow regains control; 0: only maxPolls bounds it. */
  maxDurationMs: number;
}

export interface ChunkProgress {
  /** Index of the next poll in the chunk (survives retries through heartbeat details). */
  next: number;
  polls: number;
  idlePolls: number;
  quotesSeen: number;
  changesWritten: number;
  rejects: number;
  requests: number;
  lastPollAt: string | null;
  lastPollId: string | null;
  quota: ProviderQuota | null;
  exhausted: boolean;
  resultFetches: number;
  resultsCompleted: number;
  resultErrors: number;
  lastResultError: string | null;
}

export interface PollChunkResult extends ChunkProgress {
  /** Failed attempts of this chunk that Temporal retried (attempt − 1). */
  errors: number;
  stoppedBy: 'max-polls' | 'duration' | 'cancelled' | 'exhausted';
}

/** What an ingestion failure carries in details[0]: the classification plus the chunk's progress. */
export interface IngestionFailureDetails extends FailureDetails {
  progress?: ChunkProgress;
  /** The activity attempt that failed (earlier attempts failed too). */
  attempt?: number;
}

const emptyProgress = (): ChunkProgress => ({
  next: 0,
  polls: 0,
  idlePolls: 0,
  quotesSeen: 0,
  changesWritten: 0,
  rejects: 0,
  requests: 0,
  lastPollAt: null,
  lastPollId: null,
  quota: null,
  exhausted: false,
  resultFetches: 0,
  resultsCompleted: 0,
  resultErrors: 0,
  lastResultError: null,
});

/**
 * The ingestion activities. `pollOdds` is the heartbeating loop Temporal recommends for polling more often
 * than once a minute: it polls every `intervalSeconds` for up to `maxPolls` polls or `maxDurationMs`,
 * heartbeating its progress so a retry (worker crash, provider outage) resumes where it stopped, and returns
 * early when the workflow cancels it (pause, settings update). Every poll is idempotent by its id.
 */
export function createIngestionActivities(deps: ActivityDeps) {
  const providers: ProviderRegistry = deps.providers ?? createProviderRegistry(deps.config, deps.secrets);
  const resolver = new EventResolver(deps.db);
  const memory = new LastKnownMemory();
  const keys = ingestKeys(deps.config.redis.keyPrefix);
  const lastResultsAt = new Map<string, number>();

  return {
    async pollOdds(input: PollChunkInput): Promise<PollChunkResult> {
      const ctx = Context.current();
      if (!providers.has(input.provider)) {
        throw configFailure(input.provider, `no provider "${input.provider}" in this worker's config`);
      }
      const settings = providers.settings(input.provider);
      const provider = providers.get(input.provider);
      const pctx: PollContext = {
        db: deps.db,
        redis: deps.redis,
        keys,
        resolver,
        memory,
        provider,
        logger: deps.logger,
      };
      const staleness = stalenessSeconds(settings, input.intervalSeconds);
      const resultsEvery = resultsIntervalSeconds(settings);

      const resumed = ctx.info.heartbeatDetails as ChunkProgress | undefined;
      const progress: ChunkProgress =
        resumed && typeof resumed.next === 'number' ? { ...emptyProgress(), ...resumed } : emptyProgress();
      const intervalMs = input.intervalSeconds * 1000;
      const attemptStart = Date.now();
      const firstIndex = progress.next;
      const signal = ctx.cancellationSignal;
      const beat = setInterval(() => ctx.heartbeat(progress), 1_000);
      let stoppedBy: PollChunkResult['stoppedBy'] = 'max-polls';
      try {
        ctx.heartbeat(progress);
        for (;;) {
          if (signal.aborted) {
            stoppedBy = 'cancelled';
            break;
          }
          if (progress.next >= input.maxPolls) {
            stoppedBy = 'max-polls';
            break;
          }
          if (input.maxDurationMs > 0 && Date.now() - attemptStart >= input.maxDurationMs) {
            stoppedBy = 'duration';
            break;
          }
          const pollId = `${input.chunkId}.${progress.next}`;
          const summary = await runPoll(pctx, { pollId, sports: input.sports, stalenessSeconds: staleness });
          progress.next++;
          if (summary.idle) progress.idlePolls++;
          else {
            progress.polls++;
            progress.quotesSeen += summary.quotesSeen;
            progress.changesWritten += summary.changesWritten;
            progress.rejects += summary.rejects;
            progress.requests += summary.requests;
            progress.lastPollAt = summary.observedAt;
            progress.lastPollId = summary.pollId;
          }
          if (summary.quota) progress.quota = summary.quota;
          ctx.heartbeat(progress);
          if (summary.exhausted) {
            progress.exhausted = true;
            stoppedBy = 'exhausted';
            break;
          }

          if (
            resultsEvery !== null &&
            Date.now() - (lastResultsAt.get(input.provider) ?? 0) >= resultsEvery * 1000
          ) {
            lastResultsAt.set(input.provider, Date.now());
            try {
              const r = await ingestResults({ db: deps.db, resolver, provider }, input.sports);
              progress.resultFetches++;
              progress.resultsCompleted += r.completed;
              if (r.quota) progress.quota = r.quota;
            } catch (err) {
              // Scores are best effort here; odds polling goes on. The failure is counted and shown.
              progress.resultErrors++;
              progress.lastResultError = toFailure(input.provider, err).message;
            }
          }

          // A loop keeps its rhythm across chunks: it also waits out the interval after its last poll.
          if (progress.next >= input.maxPolls && input.maxDurationMs === 0) continue;
          const due = attemptStart + (progress.next - firstIndex) * intervalMs;
          await sleepUnlessAborted(due - Date.now(), signal);
        }
      } catch (err) {
        throw withProgress(toFailure(input.provider, err), progress, ctx.info.attempt);
      } finally {
        clearInterval(beat);
      }
      return { ...progress, errors: ctx.info.attempt - 1, stoppedBy };
    },
  };
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The same failure, with the chunk's progress in its details so the workflow can count what was done. */
function withProgress(f: ApplicationFailure, progress: ChunkProgress, attempt: number): ApplicationFailure {
  const details = (f.details?.[0] ?? {}) as Record<string, unknown>;
  return ApplicationFailure.create({
    message: f.message,
    ...(f.type ? { type: f.type } : {}),
    nonRetryable: f.nonRetryable === true,
    details: [{ ...details, progress, attempt }],
    ...(f.nextRetryDelay !== undefined && f.nextRetryDelay !== null
      ? { nextRetryDelay: f.nextRetryDelay as number | string }
      : {}),
    ...(f.cause ? { cause: f.cause } : {}),
  });
}
