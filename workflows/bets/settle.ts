import {
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { BetPlan, EventOutcome } from '../../activities';
import type { QueueActivities } from '../../shared/queues';
import { canonicalScores } from '../../shared/manual';
import { D } from '../../shared/math';
import { DECIMAL_RE, SETTLED, failureMessage, store, type BetLifecycle } from './lifecycle';
import { settleBetUpdate, type SettleRequest } from './messages';

/** A placed bet's closing line at the event's start, then its result and settlement. */

/** Operator scores keyed by the event's participants; plans from before they were carried: as sent. */
function operatorScores(bet: BetLifecycle, scores: Record<string, unknown>): Record<string, string> {
  const plan = bet.plan;
  if (plan?.participants?.length) return canonicalScores(scores, plan.participants);
  const entries = Object.entries(scores);
  if (entries.length < 2) throw new Error('scores: expected a score for each participant');
  for (const [name, score] of entries)
    if (typeof score !== 'string' || !DECIMAL_RE.test(score))
      throw new Error(
        `scores.${name}: expected a score of at least 0 written as a string, got ${JSON.stringify(score)}`,
      );
  return scores as Record<string, string>;
}

/** The `settle` update: an operator's result or void; answers once the lifecycle has ended. */
export function handleSettleUpdate(bet: BetLifecycle): void {
  const state = bet.state;
  setHandler(
    settleBetUpdate,
    async (req: SettleRequest) => {
      bet.operatorResult = req.void
        ? { kind: 'void', reason: `${req.void}${req.by ? ` (${req.by})` : ''}`, source: 'operator' }
        : { kind: 'scores', scores: operatorScores(bet, req.scores!), source: 'operator' };
      await condition(() => state.phase === 'done');
      return state;
    },
    {
      validator: (req: SettleRequest) => {
        const plan = bet.plan;
        if (
          !['awaiting_start', 'awaiting_result', 'settlement_blocked'].includes(state.phase) ||
          bet.operatorResult
        )
          throw new Error(`the lifecycle is ${state.phase}: nothing to settle by hand now`);
        const scores = req.scores ?? null;
        if (!!scores === !!req.void) throw new Error('give either scores or void (a reason), not both');
        if (scores) {
          if (typeof scores !== 'object' || Array.isArray(scores))
            throw new Error(`scores: expected {participant name: score}, got ${JSON.stringify(scores)}`);
          operatorScores(bet, scores);
          // A result before the start is a mistake (or a different event); a void is the way to end it early.
          if (plan && Date.now() < plan.eventStartMs)
            throw new Error(
              `scores: the event has not started (it starts at ${new Date(plan.eventStartMs).toISOString()}); ` +
                'send void with a reason to settle it before the start',
            );
        } else if (typeof req.void !== 'string' || req.void.trim() === '') {
          throw new Error('void: expected a reason');
        }
      },
    },
  );
}

/** Wait for the event's start (or an operator's result) and capture the closing line and CLV. */
export async function captureClosingLine(bet: BetLifecycle): Promise<void> {
  const p = bet.planned;
  bet.step('awaiting_start', `closing line at ${bet.state.eventStart}`);
  const untilStart = p.eventStartMs - Date.now();
  if (untilStart > 0) await condition(() => bet.operatorResult !== null, untilStart);
  if (bet.operatorResult === null || Date.now() >= p.eventStartMs) {
    const closing = await store.captureClosingLine({ opportunityId: p.opportunityId, market: p.market });
    for (const c of closing) {
      const leg = bet.legFor(c.betId);
      Object.assign(leg, {
        closingPriceBook: c.closingPriceBook,
        closingFairSharp: c.closingFairSharp,
        clvBook: c.clvBook,
        clvSharp: c.clvSharp,
      });
    }
    bet.step('awaiting_start', 'closing line captured');
  }
}

/**
 * The result (the provider's, polled from the expected end, or an operator's) and the settlement. A result
 * that cannot be graded blocks the settlement until an operator settles by hand.
 */
export async function settle(bet: BetLifecycle): Promise<void> {
  const p = bet.planned;
  const state = bet.state;
  bet.step('awaiting_result', `results looked for from ${new Date(p.expectedEndMs).toISOString()}`);
  const untilEnd = p.expectedEndMs - Date.now();
  if (untilEnd > 0 && bet.operatorResult === null)
    await condition(() => bet.operatorResult !== null, untilEnd);
  let outcome: EventOutcome | null = bet.operatorResult ?? (await pollResult(bet, p));
  for (;;) {
    if (outcome) {
      bet.step(
        'settling',
        `settling from the ${outcome.source}'s ${outcome.kind === 'void' ? 'void' : 'result'}`,
      );
      try {
        const settled = await store.settleBets({ opportunityId: p.opportunityId, outcome });
        for (const s of settled) {
          const leg = bet.legFor(s.betId);
          leg.status = s.status;
          if (s.profitLoss !== '') leg.profitLoss = s.profitLoss;
          if (s.status === 'voided') leg.reason = s.rule;
        }
        bet.refresh();
        break;
      } catch (err) {
        if (isCancellation(err)) throw err;
        state.reason = failureMessage(err);
      }
    }
    // No gradeable result: an operator must settle (scores or void) through the `settle` update.
    bet.operatorResult = null;
    bet.step('settlement_blocked', state.reason ?? 'no result');
    bet.alert(
      'bet.settlement_blocked',
      p.opportunityId,
      `Bet needs a manual settlement: ${p.eventLabel}`,
      state.reason ?? '',
    );
    await condition(() => bet.operatorResult !== null);
    outcome = bet.operatorResult;
  }
  const pl = state.legs.reduce((a, l) => a.plus(new D(l.profitLoss ?? '0')), new D(0));
  bet.alert(
    state.legs.every((l) => l.status === 'voided' || !SETTLED.includes(l.status))
      ? 'bet.voided'
      : 'bet.settled',
    p.opportunityId,
    `Bet settled ${bet.overallStatus()}: ${p.eventLabel}`,
    `P&L ${pl.toFixed(2)}`,
  );
}

async function pollResult(bet: BetLifecycle, plan: BetPlan): Promise<EventOutcome | null> {
  const results = proxyActivities<QueueActivities<'bets'>>({
    startToCloseTimeout: '10 seconds',
    // The polling back-off: retries of ResultNotReady happen on the server, the history does not grow.
    retry: {
      initialInterval: plan.resultPoll.initialMs,
      backoffCoefficient: plan.resultPoll.backoff,
      maximumInterval: plan.resultPoll.maxMs,
    },
  });
  let polled: EventOutcome | null = null;
  let failed = false;
  const scope = new CancellationScope();
  scope
    .run(() => results.awaitEventResult({ eventId: plan.eventId }))
    .then(
      (r) => void (polled = r),
      (err: unknown) => {
        if (isCancellation(err)) return;
        failed = true;
        bet.state.reason = failureMessage(err);
      },
    );
  await condition(() => polled !== null || bet.operatorResult !== null || failed);
  if (polled) return polled;
  if (bet.operatorResult) {
    scope.cancel();
    return bet.operatorResult;
  }
  return null;
}
