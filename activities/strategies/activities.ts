import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ActivityDeps } from '../deps';
import type { Opportunity, StrategyMode } from '../../shared/entities';
import { StrategyParameterError, indexBoard, strategyDefinition } from '../../shared/strategies';
import type { LiveIndexedBoard } from '../../shared/strategies/live-index';
import { sessionOpportunityId } from '../../shared/paper';
import { createRedisBoardReader, type BoardReader } from './board-reader';
import {
  markHandedOff,
  pendingOpportunities,
  pendingOpportunity,
  recordOpportunities,
  skipPending,
  type Decision,
  type PendingOpportunity,
} from './opportunity-store';
import { opportunityEvents } from './events';
import { createOpsEventPublisher } from '../infra/ops-events';
import {
  UnknownStrategyError,
  getStrategy,
  recordStrategyEvent,
  updateStrategy,
  type StrategyChange,
  type StrategyChangeRequest,
  type StrategyRow,
} from './store';

export interface LoadStrategyResult {
  strategy: StrategyRow;
  /** Where bet lifecycles run (config.temporal.taskQueues.bets). */
  betsTaskQueue: string;
}

export interface UpdateStrategyInput extends StrategyChangeRequest {
  name: string;
}

export interface UpdateStrategyResult {
  strategy: StrategyRow;
  changes: StrategyChange[];
}

export interface SweepInput {
  name: string;
  type: string;
  mode: StrategyMode;
  parameters: Record<string, unknown>;
  /** Sweep number within the workflow (logs and details only). */
  sweep: number;
  /**
   * A paper-trading session's sweep: its own opportunity ids and rolling state, recorded against the
   * session so its hand-off and report see only them.
   */
  session?: string | null;
  /**
   * Return up to this many of the newly recorded pending opportunities (`handOff`), so the workflow starts
   * their lifecycles at once instead of claiming them in a separate pass. 0 or absent: none.
   */
  handOffLimit?: number;
}

export interface SweepResult {
  sweep: number;
  /** The board's instant and its change-stream position. */
  asOf: string;
  cursor: string | null;
  quotes: number;
  events: number;
  /** Opportunities the strategy found on this board. */
  found: number;
  /** Newly recorded now, by decision; the rest were already recorded by an earlier sweep. */
  recorded: number;
  duplicates: number;
  pending: number;
  skipped: number;
  suspect: number;
  eventsCreated: number;
  readMs: number;
  evaluateMs: number;
  recordMs: number;
  stats: Record<string, number>;
  /** A few of the new opportunity ids (for the Web UI details; the table has them all). */
  newIds: string[];
  /** False when the live board gave only the markets changed since the last sweep (`markets` of them). */
  fullSweep?: boolean;
  markets?: number | null;
  /**
   * With `handOffLimit`: the new pending opportunities, when they are at most that many (otherwise absent,
   * and the workflow claims them from the table as before).
   */
  handOff?: PendingOpportunity[];
}

export interface WaitForBoardInput {
  since: string | null;
  timeoutMs: number;
}

const STATE_TTL_SECONDS = 7 * 24 * 3600;

function nonRetryable(err: unknown): never {
  if (err instanceof StrategyParameterError)
    throw ApplicationFailure.nonRetryable(err.message, 'InvalidStrategyParameters');
  if (err instanceof UnknownStrategyError)
    throw ApplicationFailure.nonRetryable(err.message, 'UnknownStrategy');
  throw err;
}

/**
 * Strategy activities: all I/O of the StrategyWorkflow. The board is read here (never passed through
 * workflow history); a stateful type's rolling state lives in Redis between sweeps.
 */
export function createStrategyActivities(deps: ActivityDeps & { boardReader?: BoardReader }) {
  const { db, redis, config, logger, liveBoard } = deps;
  const reader = deps.boardReader ?? liveBoard ?? createRedisBoardReader(redis, config.redis.keyPrefix);
  const publish = createOpsEventPublisher(redis, config.redis.keyPrefix, logger);
  const stateKey = (name: string, session: string | null) =>
    session === null
      ? `${config.redis.keyPrefix}strategy:${name}:state`
      : `${config.redis.keyPrefix}paper:${session}:state`;

  return {
    async loadStrategy({ name }: { name: string }): Promise<LoadStrategyResult> {
      const strategy = await getStrategy(db, name);
      if (!strategy) nonRetryable(new UnknownStrategyError(name));
      return { strategy, betsTaskQueue: config.temporal.taskQueues.bets };
    },

    async updateStrategy(input: UpdateStrategyInput): Promise<UpdateStrategyResult> {
      try {
        const { name, ...request } = input;
        return await updateStrategy(db, name, request);
      } catch (err) {
        nonRetryable(err);
      }
    },

    async recordStrategyEvent(input: {
      name: string;
      field: string;
      value: unknown;
      by: string;
    }): Promise<void> {
      await recordStrategyEvent(db, input.name, input.field, input.value, input.by);
    },

    async sweepStrategy(input: SweepInput): Promise<SweepResult> {
      let params: Record<string, unknown>;
      let def: ReturnType<typeof strategyDefinition>;
      try {
        def = strategyDefinition(input.type);
        params = def.parameters.parse(input.parameters) as Record<string, unknown>;
      } catch (err) {
        if (err instanceof Error && 'issues' in err) {
          throw ApplicationFailure.nonRetryable(
            `parameters refused: ${err.message}`,
            'InvalidStrategyParameters',
          );
        }
        nonRetryable(err);
      }
      const session = input.session ?? null;
      let state: unknown = def.initialState();
      if (state !== undefined) {
        const saved = await redis.get(stateKey(input.name, session));
        if (saved) state = JSON.parse(saved);
      }
      const t0 = performance.now();
      const sports = (params.sports as string[] | null) ?? null;
      // The live board gives only the events changed since this strategy's (or session's) last sweep.
      const view = liveBoard
        ? // Keyed by the parameters too: changed parameters start with a full sweep.
          await liveBoard.sweepView(`${stateKey(input.name, session)}#${JSON.stringify(params)}`, {
            sports,
            maxQuoteAgeMs: typeof params.maxQuoteAgeMs === 'number' ? params.maxQuoteAgeMs : null,
          })
        : null;
      const snapshot = view ? null : await reader.read({ sports });
      const t1 = performance.now();
      // The live board's index is evaluated in place, so nothing awaits between board() and evaluate().
      const indexed = view ? view.board() : indexBoard(snapshot!);
      const quoteCount = view ? (indexed as LiveIndexedBoard).quoteCount : snapshot!.quotes.length;
      const board = indexed.snapshot;
      const evaluation = def.evaluate(indexed, params, state, { strategy: input.name });
      const t2 = performance.now();

      const items = evaluation.opportunities.map((found: Opportunity) => {
        const opportunity =
          session === null ? found : { ...found, id: sessionOpportunityId(session, found.id) };
        return {
          opportunity,
          decision: decide(opportunity, input.mode, def.validate(opportunity, params, board.asOf)),
        };
      });
      const recorded = await recordOpportunities(db, board, items, session);
      await publish(opportunityEvents(items, recorded.inserted, input.name, session));
      if (evaluation.state !== undefined) {
        await redis.set(
          stateKey(input.name, session),
          JSON.stringify(evaluation.state),
          'EX',
          STATE_TTL_SECONDS,
        );
      }
      view?.commit();
      const t3 = performance.now();
      const result: SweepResult = {
        sweep: input.sweep,
        asOf: board.asOf,
        cursor: board.cursor ?? null,
        quotes: quoteCount,
        events: Object.keys(board.events).length,
        found: evaluation.opportunities.length,
        recorded: recorded.inserted.length,
        duplicates: recorded.duplicates,
        pending: recorded.inserted.filter((r) => r.decision === 'pending').length,
        skipped: recorded.inserted.filter((r) => r.decision === 'skipped').length,
        suspect: evaluation.opportunities.filter((o: Opportunity) => o.suspect).length,
        eventsCreated: recorded.eventsCreated,
        readMs: Math.round(t1 - t0),
        evaluateMs: Math.round(t2 - t1),
        recordMs: Math.round(t3 - t2),
        stats: evaluation.stats,
        newIds: recorded.inserted.slice(0, 5).map((r) => r.id),
        fullSweep: view ? view.full : true,
        markets: view?.markets ?? null,
      };
      const pendingIds = new Set(recorded.inserted.filter((r) => r.decision === 'pending').map((r) => r.id));
      if (input.handOffLimit && pendingIds.size <= input.handOffLimit)
        result.handOff = items
          // delete(): each id once, even if the strategy found it twice in this sweep.
          .filter((i) => pendingIds.delete(i.opportunity.id))
          .map((i) => pendingOpportunity(i.opportunity));
      logger.debug(
        { strategy: input.name, ...result, newIds: undefined, handOff: undefined },
        'strategy sweep',
      );
      return result;
    },

    /** Returns when the board changes after `since`, or at the timeout (the sweep's fallback interval). */
    async waitForBoardChange({
      since,
      timeoutMs,
    }: WaitForBoardInput): Promise<{ changed: boolean; cursor: string }> {
      let ctx: Context | null = null;
      try {
        ctx = Context.current();
      } catch {
        // called outside an activity (tests): no heartbeats, no cancellation
      }
      return reader.waitForChange(since, timeoutMs, {
        onTick: () => ctx?.heartbeat(),
        signal: ctx?.cancellationSignal,
      });
    },

    /** The oldest opportunities still to hand to a bet lifecycle: the strategy's own, or a paper session's. */
    async claimPendingOpportunities({
      name,
      limit,
      session,
    }: {
      name: string;
      limit: number;
      session?: string | null;
    }): Promise<PendingOpportunity[]> {
      return pendingOpportunities(db, name, limit, session ?? null);
    },

    async markOpportunitiesHandedOff({ ids }: { ids: string[] }): Promise<number> {
      return markHandedOff(db, ids);
    },

    async skipPendingOpportunities({ ids, reason }: { ids: string[]; reason: string }): Promise<number> {
      return skipPending(db, ids, reason);
    },
  };
}

/** What happens to a newly found opportunity: handed to a bet lifecycle, or skipped and why. */
function decide(
  opportunity: Opportunity,
  mode: StrategyMode,
  validation: { ok: boolean; violations: string[] },
): Decision {
  if (opportunity.suspect)
    return { decision: 'skipped', reason: `suspect: ${opportunity.suspectReasons.join('; ')}` };
  if (mode === 'backtest') return { decision: 'skipped', reason: 'backtest mode: recorded, not bet' };
  if (!validation.ok)
    return { decision: 'skipped', reason: `constraints: ${validation.violations.join('; ')}` };
  return { decision: 'pending' };
}
