import {
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BetPlan, EventOutcome, LegState, ManualDecision, PlacementMode } from '../activities';
import type { QueueActivities } from '../shared/queues';
import type { BetStatus } from '../shared/entities';
import { SA } from '../shared/search-attributes';
import { ALERT_EVENTS, type Alert, type AlertEventType } from '../shared/alerts';
import { betSummary, marketLabel } from '../shared/bets';
import { canonicalScores, priceToleranceProblem, stakeUnitProblem } from '../shared/manual';
import { D, toDecimalString } from '../shared/math';
import { alertDeliveryWorkflow } from './alert-delivery';
import {
  betStateQuery,
  confirmPlacementUpdate,
  settleBetUpdate,
  skipBetUpdate,
  type BetLegView,
  type BetLifecycleState,
  type ConfirmPlacementRequest,
  type LifecyclePhase,
  type SettleRequest,
  type SkipBetRequest,
} from './bet-messages';

export { betWorkflowId, betIdFor, idempotencyKeyFor } from '../shared/bets';
export * from './bet-messages';

/** Ids and the minimum context; the workflow reads the opportunity itself (histories stay small). */
export interface BetLifecycleInput {
  opportunityId: string;
  strategy: string;
  sport: string;
  eventId: string;
  /** Overrides the strategy's placement mode. */
  mode?: PlacementMode | null;
  /** "KC@BUF" for the summary; otherwise built from the event's participants. */
  eventLabel?: string | null;
}

export interface BetLifecycleResult {
  opportunityId: string;
  status: BetStatus;
  reason: string | null;
  legs: BetLegView[];
}

// Timeouts and retries, explicit. Infrastructure faults are retried without limit (money must not be
// dropped half-way); business failures arrive non-retryable (activities/bets/errors.ts decides which).
const INFRA_RETRY = {
  initialInterval: '500 ms',
  backoffCoefficient: 2,
  maximumInterval: '10 seconds',
} as const;
const store = proxyActivities<QueueActivities<'bets'>>({
  startToCloseTimeout: '10 seconds',
  retry: INFRA_RETRY,
});
/** A board that stays unreadable for a minute: the opportunity is gone, the bet is skipped. */
const board = proxyActivities<QueueActivities<'bets'>>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: INFRA_RETRY,
});
const book = proxyActivities<QueueActivities<'bets'>>({
  startToCloseTimeout: '30 seconds',
  retry: { ...INFRA_RETRY, maximumInterval: '30 seconds' },
});

const OPEN: readonly BetStatus[] = ['pending', 'reserved', 'awaiting_confirmation'];
const SETTLED: readonly BetStatus[] = ['won', 'lost', 'push', 'voided'];
const DECIMAL_RE = /^\d+(\.\d+)?$/;
/**
 * Only for lifecycles whose plan was recorded before the plan carried them (histories from older code):
 * the defaults of config `placement.requote.priceTolerance` and `risk.stakeUnit`. Every newer plan carries
 * the configured values; the workflow cannot read config itself.
 */
const FALLBACK_PRICE_TOLERANCE = '0.02';
const FALLBACK_STAKE_UNIT = '0.01';

/**
 * One bet lifecycle per opportunity (workflow id `bet:<opportunityId>`): re-quote → risk check and
 * reservation → placement (paper, manual or adapter) → closing line at the start → result → settlement,
 * P&L, CLV and the strategy's performance. Every ending is recorded in PostgreSQL; a failure after the
 * reservation gives the reservation back.
 */
export async function betLifecycleWorkflow(input: BetLifecycleInput): Promise<BetLifecycleResult> {
  const state: BetLifecycleState = {
    opportunityId: input.opportunityId,
    phase: 'planning',
    status: 'pending',
    strategy: input.strategy,
    sport: input.sport,
    eventId: input.eventId,
    eventLabel: input.eventLabel ?? null,
    kind: null,
    edge: null,
    market: null,
    mode: input.mode ?? null,
    account: null,
    eventStart: null,
    confirmationDeadline: null,
    legs: [],
    reason: null,
    timeline: [],
  };
  let plan: BetPlan | null = null;
  let operatorResult: EventOutcome | null = null;
  const decisions = new Map<string, ManualDecision>();
  const alertStarts: Promise<unknown>[] = [];

  // ---- messages -------------------------------------------------------------------------------------
  setHandler(betStateQuery, () => state);

  const legFor = (betId: string | null | undefined): BetLegView => {
    const leg = betId
      ? state.legs.find((l) => l.betId === betId)
      : state.legs.length === 1
        ? state.legs[0]
        : undefined;
    if (!leg)
      throw new Error(
        betId ? `no leg ${betId} in this lifecycle` : 'name the bet id: the opportunity has several legs',
      );
    return leg;
  };
  /**
   * The leg an operator decides on. The same decision delivered again (a retried request) is accepted and
   * answered like the first; a different one after a decision is refused.
   */
  const awaitingLeg = (betId: string | null | undefined, decision: ManualDecision): BetLegView => {
    const leg = legFor(betId);
    const earlier = decisions.get(leg.betId);
    if (earlier && JSON.stringify(earlier) === JSON.stringify(decision)) return leg;
    if (leg.status !== 'awaiting_confirmation' || earlier)
      throw new Error(
        `bet ${leg.betId} is ${leg.status}${earlier ? ` (${earlier.kind} decided)` : ''}, not awaiting confirmation`,
      );
    return leg;
  };
  const confirmation = (req: ConfirmPlacementRequest): ManualDecision => ({
    kind: 'confirm',
    price: new D(req.odds).toFixed(),
    stake: new D(req.stake).toFixed(),
    bookReference: req.bookReference ?? null,
    by: req.by ?? null,
    override: req.override ? { reason: req.override.reason.trim() } : null,
  });
  /** The price a confirmation is checked against: the re-quote, else the reservation's (a re-run). */
  const quotedPrice = (leg: BetLegView): string => leg.requotedPrice ?? leg.price;
  /** Operator scores keyed by the event's participants; plans from before they were carried: as sent. */
  const operatorScores = (scores: Record<string, unknown>): Record<string, string> => {
    if (plan?.participants?.length) return canonicalScores(scores, plan.participants);
    const entries = Object.entries(scores);
    if (entries.length < 2) throw new Error('scores: expected a score for each participant');
    for (const [name, score] of entries)
      if (typeof score !== 'string' || !DECIMAL_RE.test(score))
        throw new Error(
          `scores.${name}: expected a score of at least 0 written as a string, got ${JSON.stringify(score)}`,
        );
    return scores as Record<string, string>;
  };
  const skipping = (req: SkipBetRequest): ManualDecision => ({
    kind: 'skip',
    reason: req.reason.trim(),
    by: req.by ?? null,
  });

  setHandler(
    confirmPlacementUpdate,
    async (req: ConfirmPlacementRequest) => {
      const decision = confirmation(req);
      const leg = awaitingLeg(req.betId, decision);
      decisions.set(leg.betId, decision);
      await condition(() => leg.status !== 'awaiting_confirmation');
      return leg;
    },
    {
      validator: (req: ConfirmPlacementRequest) => {
        if (typeof req.odds !== 'string' || !DECIMAL_RE.test(req.odds) || new D(req.odds).lte(1))
          throw new Error(`odds: expected decimal odds greater than 1, got ${JSON.stringify(req.odds)}`);
        if (typeof req.stake !== 'string' || !DECIMAL_RE.test(req.stake) || new D(req.stake).lte(0))
          throw new Error(`stake: expected an amount greater than 0, got ${JSON.stringify(req.stake)}`);
        if (req.by != null && (typeof req.by !== 'string' || req.by.length > 200))
          throw new Error(`by: expected text of at most 200 characters, got ${JSON.stringify(req.by)}`);
        if (
          req.override != null &&
          (typeof req.override !== 'object' ||
            typeof req.override.reason !== 'string' ||
            req.override.reason.trim() === '' ||
            req.override.reason.length > 500)
        )
          throw new Error(
            `override: expected {"reason": text of 1 to 500 characters}, got ${JSON.stringify(req.override)}`,
          );
        if (req.override != null && (typeof req.by !== 'string' || req.by.trim() === ''))
          throw new Error('by: an override must say who takes it');
        const leg = awaitingLeg(req.betId, confirmation(req));
        if (leg.stake !== null && new D(req.stake).gt(new D(leg.stake)))
          throw new Error(`stake: ${req.stake} is more than the ${leg.stake} reserved for this bet`);
        const problem =
          stakeUnitProblem('stake', req.stake, plan?.stakeUnit ?? FALLBACK_STAKE_UNIT) ??
          (req.override
            ? null
            : priceToleranceProblem(
                'odds',
                req.odds,
                quotedPrice(leg),
                plan?.priceTolerance ?? FALLBACK_PRICE_TOLERANCE,
              ));
        if (problem) throw new Error(problem);
        if (
          req.bookReference != null &&
          (typeof req.bookReference !== 'string' || req.bookReference.length > 200)
        )
          throw new Error('bookReference: expected text of at most 200 characters');
      },
    },
  );

  setHandler(
    skipBetUpdate,
    async (req: SkipBetRequest) => {
      const decision = skipping(req);
      const leg = awaitingLeg(req.betId, decision);
      decisions.set(leg.betId, decision);
      await condition(() => leg.status !== 'awaiting_confirmation');
      return leg;
    },
    {
      validator: (req: SkipBetRequest) => {
        if (typeof req.reason !== 'string' || req.reason.trim() === '' || req.reason.length > 500)
          throw new Error('reason: expected text of 1 to 500 characters');
        awaitingLeg(req.betId, skipping(req));
      },
    },
  );

  setHandler(
    settleBetUpdate,
    async (req: SettleRequest) => {
      operatorResult = req.void
        ? { kind: 'void', reason: `${req.void}${req.by ? ` (${req.by})` : ''}`, source: 'operator' }
        : { kind: 'scores', scores: operatorScores(req.scores!), source: 'operator' };
      await condition(() => state.phase === 'done');
      return state;
    },
    {
      validator: (req: SettleRequest) => {
        if (
          !['awaiting_start', 'awaiting_result', 'settlement_blocked'].includes(state.phase) ||
          operatorResult
        )
          throw new Error(`the lifecycle is ${state.phase}: nothing to settle by hand now`);
        const scores = req.scores ?? null;
        if (!!scores === !!req.void) throw new Error('give either scores or void (a reason), not both');
        if (scores) {
          if (typeof scores !== 'object' || Array.isArray(scores))
            throw new Error(`scores: expected {participant name: score}, got ${JSON.stringify(scores)}`);
          operatorScores(scores);
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

  // ---- helpers ------------------------------------------------------------------------------------
  const step = (phase: LifecyclePhase, what: string) => {
    state.phase = phase;
    state.timeline.push({ at: new Date().toISOString(), step: what });
    refresh();
  };

  function overallStatus(): BetStatus {
    const legs = state.legs;
    if (legs.length === 0) return 'pending';
    const open = legs.find((l) => OPEN.includes(l.status));
    if (open) return open.status;
    if (legs.some((l) => l.status === 'placed')) return 'placed';
    const settled = legs.filter((l) => SETTLED.includes(l.status));
    if (settled.length > 0) {
      if (settled.every((l) => l.status === 'voided')) return 'voided';
      const pl = settled.reduce((a, l) => a.plus(new D(l.profitLoss ?? '0')), new D(0));
      return pl.gt(0) ? 'won' : pl.lt(0) ? 'lost' : 'push';
    }
    return legs[0]!.status;
  }

  let lastStatus: BetStatus | null = null;
  function refresh(): void {
    state.status = overallStatus();
    if (state.status !== lastStatus) {
      lastStatus = state.status;
      upsertSearchAttributes([{ key: SA.BetStatus, value: state.status }]);
    }
    setCurrentDetails(details());
  }

  function details(): string {
    const head = plan
      ? betSummary({
          kind: plan.kind,
          edge: plan.edge,
          sport: plan.sport,
          eventLabel: plan.eventLabel,
          marketType: plan.market.marketType,
          legs: state.legs,
        })
      : `opportunity ${state.opportunityId}`;
    const lines = [`**${state.status}** (${state.phase}) · ${head}`];
    for (const l of state.legs) {
      const parts = [`leg ${l.legIndex + 1} ${l.betId}: ${l.status}`];
      if (l.stake !== null) parts.push(`${new D(l.stake).toFixed(2)} @ ${l.price} ${l.bookmaker}`);
      if (l.bookReference) parts.push(`ref ${l.bookReference}`);
      if (l.clvSharp !== null || l.clvBook !== null)
        parts.push(`CLV sharp ${pct(l.clvSharp)}, book ${pct(l.clvBook)}`);
      if (l.profitLoss !== null) parts.push(`P&L ${l.profitLoss}`);
      if (l.reason) parts.push(l.reason);
      lines.push(parts.join(' · '));
    }
    if (state.phase === 'awaiting_confirmation' && state.confirmationDeadline)
      lines.push(`waiting for confirmPlacement or skip until ${state.confirmationDeadline}`);
    if (state.phase === 'settlement_blocked')
      lines.push('cannot settle automatically: send the `settle` update');
    return lines.join('\n');
  }

  function apply(updated: LegState): BetLegView {
    const leg = legFor(updated.betId);
    leg.status = updated.status;
    leg.stake = updated.stake;
    leg.price = updated.price;
    leg.bookReference = updated.bookReference;
    leg.reason = updated.reason;
    refresh();
    return leg;
  }

  function alert(type: AlertEventType, subject: string, title: string, text: string): void {
    if (!plan?.alerts.includes(type)) return;
    const info = workflowInfo();
    const a: Alert = {
      id: `${info.workflowId}/${type}/${subject}`,
      type,
      severity: ALERT_EVENTS[type],
      subject,
      title,
      text,
      fields: {
        strategy: plan.strategy,
        sport: plan.sport,
        event: plan.eventLabel,
        market: marketLabel(
          plan.market.marketType,
          state.legs[0]?.outcome ?? '',
          state.legs[0]?.point ?? null,
        ),
        status: state.status,
      },
      at: new Date().toISOString(),
      link: plan.uiLink,
    };
    alertStarts.push(
      startChild(alertDeliveryWorkflow, {
        workflowId: `alert:${a.id}`,
        args: [a],
        taskQueue: info.taskQueue,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowExecutionTimeout: '1 day',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }).catch((err: unknown) =>
        log.warn('alert delivery not started', { alertId: a.id, error: String(err) }),
      ),
    );
  }

  const legAlert = (leg: BetLegView) => {
    const what = `${leg.stake === null ? '?' : new D(leg.stake).toFixed(2)} @ ${leg.price} ${leg.bookmaker}`;
    switch (leg.status) {
      case 'placed':
        return alert(
          'bet.placed',
          leg.betId,
          `Bet placed: ${plan!.eventLabel}`,
          `${what}${leg.bookReference ? ` (ref ${leg.bookReference})` : ''}`,
        );
      case 'rejected':
        return alert(
          'bet.rejected',
          leg.betId,
          `Bet rejected: ${plan!.eventLabel}`,
          `${what}: ${leg.reason ?? ''}`,
        );
      case 'expired':
        return alert('bet.expired', leg.betId, `Bet expired unconfirmed: ${plan!.eventLabel}`, what);
      case 'skipped':
        return alert('bet.skipped', leg.betId, `Bet skipped: ${plan!.eventLabel}`, leg.reason ?? '');
      default:
        return undefined;
    }
  };

  async function finish(): Promise<BetLifecycleResult> {
    step('done', `ended ${overallStatus()}`);
    state.reason = state.legs.find((l) => l.reason)?.reason ?? null;
    refresh();
    await Promise.all(alertStarts);
    await condition(allHandlersFinished);
    return {
      opportunityId: state.opportunityId,
      status: state.status,
      reason: state.reason,
      legs: state.legs,
    };
  }

  // ---- plan -----------------------------------------------------------------------------------------
  plan = await store.loadBetPlan({
    opportunityId: input.opportunityId,
    workflowId: workflowInfo().workflowId,
    mode: input.mode ?? null,
    eventLabel: input.eventLabel ?? null,
  });
  const p = plan;
  Object.assign(state, {
    strategy: p.strategy,
    sport: p.sport,
    eventId: p.eventId,
    eventLabel: p.eventLabel,
    kind: p.kind,
    edge: p.edge,
    market: p.market,
    mode: p.mode,
    account: p.account,
    eventStart: new Date(p.eventStartMs).toISOString(),
  });
  state.legs = p.legs.map((l, i) => {
    const now = p.current[i]!;
    return {
      betId: l.betId,
      legIndex: l.legIndex,
      bookmaker: l.bookmaker,
      outcome: l.outcome,
      point: l.point,
      detectedPrice: l.detectedPrice,
      requotedPrice: null,
      status: now.status,
      stake: now.status === 'pending' ? null : now.stake,
      price: now.price,
      bookReference: now.bookReference,
      reason: now.reason,
      closingPriceBook: null,
      closingFairSharp: null,
      clvBook: null,
      clvSharp: null,
      profitLoss: null,
    };
  });
  upsertSearchAttributes([
    { key: SA.Strategy, value: p.strategy },
    { key: SA.Sport, value: p.sport },
    { key: SA.EventId, value: p.eventId },
    { key: SA.Bookmaker, value: [...new Set(p.legs.map((l) => l.bookmaker))].join(',') },
  ]);
  step('planning', `planned: ${p.mode}, ${p.legs.length} leg(s), account ${p.account}`);

  if (p.refusal) {
    state.legs.forEach(legAlert);
    return finish();
  }
  if (state.legs.every((l) => !OPEN.includes(l.status) && l.status !== 'placed')) return finish();

  // ---- re-quote and reservation (first run only; a re-run resumes from what PostgreSQL recorded) -------
  if (state.legs.every((l) => l.status === 'pending')) {
    step('requoting', 're-quoting from the board');
    const requoteInput = {
      opportunityId: p.opportunityId,
      kind: p.kind,
      market: p.market,
      legs: p.legs.map((l) => ({
        bookmaker: l.bookmaker,
        outcome: l.outcome,
        point: l.point,
        detectedPrice: l.detectedPrice,
        probability: l.probability,
      })),
    };
    let requote;
    try {
      requote = await board.requoteBets(requoteInput);
    } catch (err) {
      if (isCancellation(err)) throw err;
      const closed = await store.closeUnplacedBets({
        opportunityId: p.opportunityId,
        status: 'skipped',
        reason: `requoteUnavailable: ${failureMessage(err)}`,
      });
      closed.forEach((l) => legAlert(apply(l)));
      return finish();
    }
    if (!requote.ok) {
      for (const l of state.legs) {
        l.status = 'skipped';
        l.reason = `${requote.rule}: ${requote.reason}`;
      }
      refresh();
      state.legs.forEach(legAlert);
      return finish();
    }
    const prices = requote.prices;
    state.legs.forEach((l, i) => {
      l.requotedPrice = prices[i]!;
      l.price = prices[i]!;
    });

    step('reserving', 'risk check and reservation');
    const reserved = await store.reserveStakes({
      opportunityId: p.opportunityId,
      account: p.account,
      eventId: p.eventId,
      sport: p.sport,
      kellyFraction: p.kellyFraction,
      multiplier: p.multiplier,
      legs: p.legs.map((l, i) => ({
        price: prices[i]!,
        probability: l.probability,
        suggestedStake: l.suggestedStake,
        bookmaker: l.bookmaker,
      })),
    });
    if (!reserved.ok) {
      for (const l of state.legs) {
        l.status = 'skipped';
        l.reason = `${reserved.rule}: ${reserved.reason}`;
      }
      refresh();
      state.legs.forEach(legAlert);
      if (reserved.rule === 'dailyLossStop')
        alert(
          'risk.daily_loss_stop',
          `${p.account}:${new Date().toISOString().slice(0, 10)}`,
          `Daily loss stop reached on ${p.account}`,
          reserved.reason,
        );
      return finish();
    }
    state.legs.forEach((l, i) => {
      l.status = 'reserved';
      l.stake = reserved.stakes[i]!;
    });
    step('reserving', `reserved ${reserved.stakes.join(' + ')} (${reserved.boundBy.join(', ')})`);
  }

  // ---- placement; a failure from here on gives the reservation back (compensation) -------------------
  try {
    if (p.mode === 'manual') await placeManually();
    else await placeAutomatically();
  } catch (err) {
    const reason = `failed: ${failureMessage(err)}`;
    const closed = await CancellationScope.nonCancellable(() =>
      store.closeUnplacedBets({ opportunityId: p.opportunityId, status: 'failed', reason }),
    );
    closed.forEach((l) => apply(l));
    alert('bet.failed', p.opportunityId, `Bet lifecycle failed: ${p.eventLabel}`, reason);
    step('placing', `compensated: reservations released (${reason})`);
    if (isCancellation(err) || !state.legs.some((l) => l.status === 'placed')) {
      state.phase = 'done';
      state.reason = reason;
      refresh();
      await Promise.all(alertStarts);
      // Fail the run (red in the Web UI); PostgreSQL already records every leg's ending.
      throw isCancellation(err) ? err : ApplicationFailure.nonRetryable(reason, 'BetLifecycleFailed');
    }
  }
  if (!state.legs.some((l) => l.status === 'placed' || SETTLED.includes(l.status))) return finish();

  // ---- closing line at the event's start ----------------------------------------------------------------
  if (state.legs.some((l) => l.status === 'placed')) {
    step('awaiting_start', `closing line at ${state.eventStart}`);
    const untilStart = p.eventStartMs - Date.now();
    if (untilStart > 0) await condition(() => operatorResult !== null, untilStart);
    if (operatorResult === null || Date.now() >= p.eventStartMs) {
      const closing = await store.captureClosingLine({ opportunityId: p.opportunityId, market: p.market });
      for (const c of closing) {
        const leg = legFor(c.betId);
        Object.assign(leg, {
          closingPriceBook: c.closingPriceBook,
          closingFairSharp: c.closingFairSharp,
          clvBook: c.clvBook,
          clvSharp: c.clvSharp,
        });
      }
      step('awaiting_start', 'closing line captured');
    }

    // ---- result and settlement ---------------------------------------------------------------------------
    step('awaiting_result', `results looked for from ${new Date(p.expectedEndMs).toISOString()}`);
    const untilEnd = p.expectedEndMs - Date.now();
    if (untilEnd > 0 && operatorResult === null) await condition(() => operatorResult !== null, untilEnd);
    let outcome: EventOutcome | null = operatorResult ?? (await pollResult(p));
    for (;;) {
      if (outcome) {
        step(
          'settling',
          `settling from the ${outcome.source}'s ${outcome.kind === 'void' ? 'void' : 'result'}`,
        );
        try {
          const settled = await store.settleBets({ opportunityId: p.opportunityId, outcome });
          for (const s of settled) {
            const leg = legFor(s.betId);
            leg.status = s.status;
            if (s.profitLoss !== '') leg.profitLoss = s.profitLoss;
            if (s.status === 'voided') leg.reason = s.rule;
          }
          refresh();
          break;
        } catch (err) {
          if (isCancellation(err)) throw err;
          state.reason = failureMessage(err);
        }
      }
      // No gradeable result: an operator must settle (scores or void) through the `settle` update.
      operatorResult = null;
      step('settlement_blocked', state.reason ?? 'no result');
      alert(
        'bet.settlement_blocked',
        p.opportunityId,
        `Bet needs a manual settlement: ${p.eventLabel}`,
        state.reason ?? '',
      );
      await condition(() => operatorResult !== null);
      outcome = operatorResult;
    }
    const pl = state.legs.reduce((a, l) => a.plus(new D(l.profitLoss ?? '0')), new D(0));
    alert(
      state.legs.every((l) => l.status === 'voided' || !SETTLED.includes(l.status))
        ? 'bet.voided'
        : 'bet.settled',
      p.opportunityId,
      `Bet settled ${overallStatus()}: ${p.eventLabel}`,
      `P&L ${pl.toFixed(2)}`,
    );
  }
  return finish();

  // ---- placement modes ---------------------------------------------------------------------------------
  async function placeAutomatically(): Promise<void> {
    step('placing', `placing (${p.mode})`);
    for (const leg of state.legs) {
      if (leg.status !== 'reserved') continue;
      const placed =
        p.mode === 'paper'
          ? await store.placePaperBet({ betId: leg.betId })
          : await book.placeAdapterBet({ betId: leg.betId });
      legAlert(apply(placed));
      // An arbitrage whose first legs cannot be placed is not started half-hedged.
      if (
        placed.status === 'rejected' &&
        p.kind === 'arbitrage' &&
        !state.legs.some((l) => l.status === 'placed')
      ) {
        const closed = await store.closeUnplacedBets({
          opportunityId: p.opportunityId,
          status: 'skipped',
          reason: `arbitrage leg ${leg.legIndex + 1} rejected`,
        });
        closed.forEach((l) => apply(l));
        break;
      }
    }
  }

  async function placeManually(): Promise<void> {
    const marked = await store.markAwaitingConfirmation({ opportunityId: p.opportunityId });
    marked.forEach((l) => apply(l));
    const deadline = Math.min(Date.now() + p.manualDeadlineMs, p.eventStartMs);
    state.confirmationDeadline = new Date(deadline).toISOString();
    step('awaiting_confirmation', `awaiting confirmation until ${state.confirmationDeadline}`);
    const waiting = () => state.legs.filter((l) => l.status === 'awaiting_confirmation');
    alert(
      'bet.awaiting_confirmation',
      p.opportunityId,
      `Confirm bet: ${p.eventLabel}`,
      `${waiting()
        .map((l) => `${l.betId}: ${l.stake} @ ${l.price} ${l.bookmaker}`)
        .join('; ')} — confirm or skip before ${state.confirmationDeadline}`,
    );
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining > 0) await condition(() => waiting().some((l) => decisions.has(l.betId)), remaining);
      const expired = Date.now() >= deadline;
      if (expired)
        for (const l of waiting()) if (!decisions.has(l.betId)) decisions.set(l.betId, { kind: 'expire' });
      for (const l of waiting()) {
        const decision = decisions.get(l.betId);
        if (!decision) continue;
        const quoted = quotedPrice(l);
        const leg = apply(await store.recordManualDecision({ betId: l.betId, decision }));
        legAlert(leg);
        // Only requests with `override` start this alert (no earlier history has one): replay-safe.
        if (decision.kind === 'confirm' && decision.override && leg.status === 'placed')
          alert(
            'bet.price_override',
            leg.betId,
            `Price override: ${p.eventLabel}`,
            `${decision.by ?? 'an operator'} took ${leg.price} against the quoted ${quoted} ` +
              `(tolerance ${toDecimalString(new D(p.priceTolerance ?? FALLBACK_PRICE_TOLERANCE).mul(100))}%): ` +
              decision.override.reason,
          );
      }
      if (waiting().length === 0) break;
    }
    state.confirmationDeadline = null;
  }

  async function pollResult(plan: BetPlan): Promise<EventOutcome | null> {
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
          state.reason = failureMessage(err);
        },
      );
    await condition(() => polled !== null || operatorResult !== null || failed);
    if (polled) return polled;
    if (operatorResult) {
      scope.cancel();
      return operatorResult;
    }
    return null;
  }
}

function failureMessage(err: unknown): string {
  let e: unknown = err;
  // Activity failures wrap the activity's own ApplicationFailure as the cause: report that.
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  if (e instanceof ApplicationFailure) return `${e.type ?? 'Error'}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

function pct(x: string | null): string {
  return x === null ? '—' : `${new D(x).mul(100).toDecimalPlaces(2).toFixed(2)}%`;
}
