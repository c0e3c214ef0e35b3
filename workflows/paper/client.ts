import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ifWorkflowExists } from '../../activities/infra/temporal';
import type { AppConfig } from '../../config/schema';
import type { Pool } from 'pg';
import { PaperRequestError, parsePaperRequest, type PaperTradingRequest } from '../../shared/paper';
import { applyParameterChanges, StrategyParameterError } from '../../shared/strategies';
import { getStrategy } from '../../activities/strategies/store';
import { paperSessionRecord, type PaperSessionRecord } from '../../activities/paper/store';
import { SA } from '../../shared/search-attributes';
import type { paperTradingWorkflow } from './workflow';
import {
  PAPER_WORKFLOW,
  paperProgressQuery,
  pausePaperSignal,
  resumePaperSignal,
  stopPaperSignal,
  type PaperStatus,
  type StopRequest,
} from './messages';

/**
 * Start a paper-trading session under `sessionId` on the strategies task queue. False when the id was
 * used before: a session id names one session for good (its bets, ledger account and report).
 */
export async function startPaperSession(
  client: Client,
  config: AppConfig,
  sessionId: string,
  request: PaperTradingRequest,
): Promise<boolean> {
  try {
    await client.workflow.start<typeof paperTradingWorkflow>(PAPER_WORKFLOW, {
      workflowId: sessionId,
      taskQueue: config.temporal.taskQueues.strategies,
      args: [request],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `Paper trading ${request.strategy}: bankroll ${String(request.bankroll)}${request.duration === undefined ? '' : `, ${String(request.duration)}`}${request.bets === undefined ? '' : `, ${request.bets} bets`}`,
      typedSearchAttributes: [
        { key: SA.Strategy, value: request.strategy },
        { key: SA.StrategyMode, value: 'paper' },
      ],
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/** Where a session's workflow is: none by that id, another workflow type, running, or closed (its status). */
export type PaperSessionState =
  | { kind: 'missing' }
  | { kind: 'not-paper'; type: string }
  | { kind: 'running' }
  | { kind: 'closed'; status: string };

export async function paperSessionState(client: Client, sessionId: string): Promise<PaperSessionState> {
  return ifWorkflowExists<PaperSessionState, PaperSessionState>(
    async () => {
      const d = await client.workflow.getHandle(sessionId).describe();
      if (d.type !== PAPER_WORKFLOW) return { kind: 'not-paper', type: d.type };
      return d.status.name === 'RUNNING' ? { kind: 'running' } : { kind: 'closed', status: d.status.name };
    },
    { kind: 'missing' },
  );
}

/** A running session's progress (its query). */
export function paperSessionProgress(client: Client, sessionId: string): Promise<PaperStatus> {
  return client.workflow.getHandle(sessionId).query(paperProgressQuery);
}

export type PaperSessionControl = 'pause' | 'resume' | 'stop';

/**
 * Pause, resume or stop a running session; `now` (stop only) reports open bets unsettled instead of waiting.
 * Returns the session's state: anything but `running` means nothing was sent, for the caller to explain.
 */
export async function controlPaperSession(
  client: Client,
  sessionId: string,
  verb: PaperSessionControl,
  request: StopRequest,
): Promise<PaperSessionState> {
  const state = await paperSessionState(client, sessionId);
  if (state.kind !== 'running') return state;
  const handle = client.workflow.getHandle(sessionId);
  const req = { by: request.by, reason: request.reason };
  if (verb === 'pause') await handle.signal(pausePaperSignal, req);
  else if (verb === 'resume') await handle.signal(resumePaperSignal, req);
  else await handle.signal(stopPaperSignal, { ...req, now: request.now === true });
  return state;
}

/**
 * A start request checked exactly as the workflow will check it, plus what only the database knows: the
 * strategy exists and the parameter overrides suit its type. Throws PaperRequestError naming the field as
 * the caller calls it (`--strategy`/`--param` in the CLI, `strategy`/`params` in the API).
 */
export async function checkPaperStart(
  db: Pool,
  request: PaperTradingRequest,
  fields: { strategy: string; parameters: string } = { strategy: 'strategy', parameters: 'params' },
): Promise<void> {
  const row = await getStrategy(db, request.strategy);
  if (!row)
    throw new PaperRequestError(
      `${fields.strategy}: unknown strategy "${request.strategy}" (see alphabet strategy list; alphabet strategy start seeds config.strategies)`,
    );
  try {
    if (request.parameters) applyParameterChanges(row.type, row.parameters, request.parameters);
  } catch (err) {
    if (err instanceof StrategyParameterError)
      throw new PaperRequestError(`${fields.parameters}: ${err.message}`);
    throw err;
  }
  try {
    parsePaperRequest(request);
  } catch (err) {
    if (err instanceof PaperRequestError)
      throw new PaperRequestError(err.message.replace('paper-trading request refused: ', ''));
    throw err;
  }
}

/** A session as operators see it: a running one answers its query, a finished one is read from its row. */
export type PaperSessionView =
  | { kind: 'running'; status: PaperStatus }
  | { kind: 'stored'; record: PaperSessionRecord }
  | { kind: 'missing' }
  | { kind: 'not-paper'; type: string };

export async function paperSessionView(
  client: Client,
  db: Pool,
  sessionId: string,
): Promise<PaperSessionView> {
  const state = await paperSessionState(client, sessionId);
  if (state.kind === 'not-paper') return state;
  if (state.kind === 'running')
    return { kind: 'running', status: await paperSessionProgress(client, sessionId) };
  const record = await paperSessionRecord(db, sessionId);
  return record ? { kind: 'stored', record } : { kind: 'missing' };
}
