import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BetPlan, EventOutcome, LegState, ManualDecision } from '../../activities';
import type { QueueActivities } from '../../shared/queues';
import type { BetStatus } from '../../shared/entities';
import { SA } from '../../shared/search-attributes';
import { ALERT_EVENTS, type Alert, type AlertEventType } from '../../shared/alerts';
import { betSummary, marketLabel } from '../../shared/bets';
import { D } from '../../shared/math';
import { alertDeliveryChildOptions } from '../alerts/messages';
import { alertDeliveryWorkflow } from '../alerts/workflow';
import {
  betStateQuery,
  type BetLegView,
  type BetLifecycleInput,
  type BetLifecycleResult,
  type BetLifecycleState,
  type LifecyclePhase,
} from './messages';

// Timeouts and retries, explicit. Infrastructure faults are retried without limit (money must not be
// dropped half-way); business failures arrive non-retryable (activities/bets/errors.ts decides which).
const INFRA_RETRY = {
  initialInterval: '500 ms',
  backoffCoefficient: 2,
  maximumInterval: '10 seconds',
} as const;
export const store = proxyActivities<QueueActivities<'bets'>>({
  startToCloseTimeout: '10 seconds',
  retry: INFRA_RETRY,
});
/** A board that stays unreadable for a minute: the opportunity is gone, the bet is skipped. */
export const board = proxyActivities<QueueActivities<'bets'>>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: INFRA_RETRY,
});
/**
 * The short steps before placement (plan, re-quote, reservation, paper fill) run as local activities: in the
 * worker that runs the workflow, recorded as markers with the workflow task, without a round trip through
 * the server's task queue each. They keep the same timeouts, retries and idempotency as the activities they
 * replace (each is a PostgreSQL transaction that returns the earlier outcome when repeated), so a repeat
 * after a crash reserves and places nothing twice. Histories recorded before run the regular activities.
 */
export const LOCAL_STEPS_PATCH = 'bet-lifecycle-local-steps';
const localStore = proxyLocalActivities<QueueActivities<'bets'>>({
  startToCloseTimeout: '10 seconds',
  retry: INFRA_RETRY,
});
const localBoard = proxyLocalActivities<QueueActivities<'bets'>>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: INFRA_RETRY,
});
/** The steps to run before placement: local activities, unless this history ran them as activities. */
export function shortSteps(): { store: typeof store; board: typeof board } {
  return patched(LOCAL_STEPS_PATCH) ? { store: localStore, board: localBoard } : { store, board };
}
export const book = proxyActivities<QueueActivities<'bets'>>({
  startToCloseTimeout: '30 seconds',
  retry: { ...INFRA_RETRY, maximumInterval: '30 seconds' },
});

const OPEN: readonly BetStatus[] = ['pending', 'reserved', 'awaiting_confirmation'];
export const SETTLED: readonly BetStatus[] = ['won', 'lost', 'push', 'voided'];
export const DECIMAL_RE = /^\d+(\.\d+)?$/;
/**
 * Only for lifecycles whose plan was recorded before the plan carried them (histories from older code):
 * the defaults of config `placement.requote.priceTolerance` and `risk.stakeUnit`. Every newer plan carries
 * the configured values; the workflow cannot read config itself.
 */
export const FALLBACK_PRICE_TOLERANCE = '0.02';
export const FALLBACK_STAKE_UNIT = '0.01';

/**
 * One lifecycle's state and the steps that move it, as in samples-typescript's safe-message-handlers: the
 * workflow function reads as the process and calls these; the phases (./place, ./manual, ./settle) and the
 * message handlers read and change the same state. Every step records itself in the timeline, the
 * BetStatus search attribute and the Web UI's current details.
 */
export class BetLifecycle {
  readonly state: BetLifecycleState;
  /** Set by loadPlan(); the handlers see null until then. */
  plan: BetPlan | null = null;
  /** An operator's result (the `settle` update), waited for beside the provider's. */
  operatorResult: EventOutcome | null = null;
  /** Operators' decisions on legs awaiting confirmation, by bet id. */
  readonly decisions = new Map<string, ManualDecision>();
  private readonly alertStarts: Promise<unknown>[] = [];
  private lastStatus: BetStatus | null = null;

  constructor(private readonly input: BetLifecycleInput) {
    this.state = {
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
  }

  handleStateQuery(): void {
    setHandler(betStateQuery, () => this.state);
  }

  /** The plan, once loadPlan() has loaded it (every step after planning). */
  get planned(): BetPlan {
    if (!this.plan) throw new Error('the bet plan is not loaded yet');
    return this.plan;
  }

  legFor(betId: string | null | undefined): BetLegView {
    const legs = this.state.legs;
    const leg = betId ? legs.find((l) => l.betId === betId) : legs.length === 1 ? legs[0] : undefined;
    if (!leg)
      throw new Error(
        betId ? `no leg ${betId} in this lifecycle` : 'name the bet id: the opportunity has several legs',
      );
    return leg;
  }

  anyLeg(statuses: readonly BetStatus[]): boolean {
    return this.state.legs.some((l) => statuses.includes(l.status));
  }

  // ---- plan -----------------------------------------------------------------------------------------
  async loadPlan(): Promise<BetPlan> {
    const input = this.input;
    const state = this.state;
    const p = await shortSteps().store.loadBetPlan({
      opportunityId: input.opportunityId,
      workflowId: workflowInfo().workflowId,
      mode: input.mode ?? null,
      eventLabel: input.eventLabel ?? null,
    });
    this.plan = p;
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
    this.step('planning', `planned: ${p.mode}, ${p.legs.length} leg(s), account ${p.account}`);
    return p;
  }

  /** Nothing left to bet: every leg ended before this run (a re-run of a finished opportunity). */
  nothingOpen(): boolean {
    return this.state.legs.every((l) => !OPEN.includes(l.status) && l.status !== 'placed');
  }

  /** A first run: nothing was re-quoted or reserved yet (a re-run resumes from what PostgreSQL recorded). */
  firstRun(): boolean {
    return this.state.legs.every((l) => l.status === 'pending');
  }

  // ---- the end ------------------------------------------------------------------------------------------
  async finish(): Promise<BetLifecycleResult> {
    const state = this.state;
    this.step('done', `ended ${this.overallStatus()}`);
    state.reason = state.legs.find((l) => l.reason)?.reason ?? null;
    this.refresh();
    await this.alertsStarted();
    await condition(allHandlersFinished);
    return {
      opportunityId: state.opportunityId,
      status: state.status,
      reason: state.reason,
      legs: state.legs,
    };
  }

  // ---- state, status and the Web UI -------------------------------------------------------------------
  step(phase: LifecyclePhase, what: string): void {
    this.state.phase = phase;
    this.state.timeline.push({ at: new Date().toISOString(), step: what });
    this.refresh();
  }

  overallStatus(): BetStatus {
    const legs = this.state.legs;
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

  refresh(): void {
    const state = this.state;
    state.status = this.overallStatus();
    if (state.status !== this.lastStatus) {
      this.lastStatus = state.status;
      upsertSearchAttributes([{ key: SA.BetStatus, value: state.status }]);
    }
    setCurrentDetails(this.details());
  }

  private details(): string {
    const { state, plan } = this;
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

  /** A leg's state as an activity recorded it. */
  apply(updated: LegState): BetLegView {
    const leg = this.legFor(updated.betId);
    leg.status = updated.status;
    leg.stake = updated.stake;
    leg.price = updated.price;
    leg.bookReference = updated.bookReference;
    leg.reason = updated.reason;
    this.refresh();
    return leg;
  }

  // ---- alerts -------------------------------------------------------------------------------------------
  /** Start the alert's delivery workflow when some channel takes this event type. */
  alert(type: AlertEventType, subject: string, title: string, text: string): void {
    const { plan, state } = this;
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
    this.alertStarts.push(
      startChild(alertDeliveryWorkflow, alertDeliveryChildOptions(a, info.taskQueue)).catch((err: unknown) =>
        log.warn('alert delivery not started', { alertId: a.id, error: String(err) }),
      ),
    );
  }

  /** Settles once every alert delivery asked for so far has started (or was refused). */
  alertsStarted(): Promise<unknown> {
    return Promise.all(this.alertStarts);
  }

  /** Every leg's ending alerted, in leg order. */
  alertLegs(): void {
    this.state.legs.forEach((l) => this.legAlert(l));
  }

  legAlert(leg: BetLegView): void {
    const label = this.planned.eventLabel;
    const what = `${leg.stake === null ? '?' : new D(leg.stake).toFixed(2)} @ ${leg.price} ${leg.bookmaker}`;
    switch (leg.status) {
      case 'placed':
        return this.alert(
          'bet.placed',
          leg.betId,
          `Bet placed: ${label}`,
          `${what}${leg.bookReference ? ` (ref ${leg.bookReference})` : ''}`,
        );
      case 'rejected':
        return this.alert(
          'bet.rejected',
          leg.betId,
          `Bet rejected: ${label}`,
          `${what}: ${leg.reason ?? ''}`,
        );
      case 'expired':
        return this.alert('bet.expired', leg.betId, `Bet expired unconfirmed: ${label}`, what);
      case 'skipped':
        return this.alert('bet.skipped', leg.betId, `Bet skipped: ${label}`, leg.reason ?? '');
      default:
        return undefined;
    }
  }
}

export function failureMessage(err: unknown): string {
  let e: unknown = err;
  // Activity failures wrap the activity's own ApplicationFailure as the cause: report that.
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  if (e instanceof ApplicationFailure) return `${e.type ?? 'Error'}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

function pct(x: string | null): string {
  return x === null ? '—' : `${new D(x).mul(100).toDecimalPlaces(2).toFixed(2)}%`;
}
