import { condition, setHandler } from '@temporalio/workflow';
import type { ManualDecision } from '../../activities';
import { priceToleranceProblem, stakeUnitProblem } from '../../shared/manual';
import { D, toDecimalString } from '../../shared/math';
import {
  DECIMAL_RE,
  FALLBACK_PRICE_TOLERANCE,
  FALLBACK_STAKE_UNIT,
  store,
  type BetLifecycle,
} from './lifecycle';
import {
  confirmPlacementUpdate,
  skipBetUpdate,
  type BetLegView,
  type ConfirmPlacementRequest,
  type SkipBetRequest,
} from './messages';

/** Manual placement: an operator places at the book and confirms (or skips) each leg before a deadline. */

/**
 * The leg an operator decides on. The same decision delivered again (a retried request) is accepted and
 * answered like the first; a different one after a decision is refused.
 */
function awaitingLeg(
  bet: BetLifecycle,
  betId: string | null | undefined,
  decision: ManualDecision,
): BetLegView {
  const leg = bet.legFor(betId);
  const earlier = bet.decisions.get(leg.betId);
  if (earlier && JSON.stringify(earlier) === JSON.stringify(decision)) return leg;
  if (leg.status !== 'awaiting_confirmation' || earlier)
    throw new Error(
      `bet ${leg.betId} is ${leg.status}${earlier ? ` (${earlier.kind} decided)` : ''}, not awaiting confirmation`,
    );
  return leg;
}

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

const skipping = (req: SkipBetRequest): ManualDecision => ({
  kind: 'skip',
  reason: req.reason.trim(),
  by: req.by ?? null,
});

/** The `confirmPlacement` and `skip` updates: each answers once its decision is recorded. */
export function handleManualUpdates(bet: BetLifecycle): void {
  setHandler(
    confirmPlacementUpdate,
    async (req: ConfirmPlacementRequest) => {
      const decision = confirmation(req);
      const leg = awaitingLeg(bet, req.betId, decision);
      bet.decisions.set(leg.betId, decision);
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
        const leg = awaitingLeg(bet, req.betId, confirmation(req));
        if (leg.stake !== null && new D(req.stake).gt(new D(leg.stake)))
          throw new Error(`stake: ${req.stake} is more than the ${leg.stake} reserved for this bet`);
        const plan = bet.plan;
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
      const leg = awaitingLeg(bet, req.betId, decision);
      bet.decisions.set(leg.betId, decision);
      await condition(() => leg.status !== 'awaiting_confirmation');
      return leg;
    },
    {
      validator: (req: SkipBetRequest) => {
        if (typeof req.reason !== 'string' || req.reason.trim() === '' || req.reason.length > 500)
          throw new Error('reason: expected text of 1 to 500 characters');
        awaitingLeg(bet, req.betId, skipping(req));
      },
    },
  );
}

/**
 * Mark the legs awaiting confirmation, alert the operator, and record each decision as it arrives; at the
 * deadline (the manual deadline, at the latest the event's start) every undecided leg expires.
 */
export async function placeManually(bet: BetLifecycle): Promise<void> {
  const p = bet.planned;
  const state = bet.state;
  const decisions = bet.decisions;
  const marked = await store.markAwaitingConfirmation({ opportunityId: p.opportunityId });
  marked.forEach((l) => bet.apply(l));
  const deadline = Math.min(Date.now() + p.manualDeadlineMs, p.eventStartMs);
  state.confirmationDeadline = new Date(deadline).toISOString();
  bet.step('awaiting_confirmation', `awaiting confirmation until ${state.confirmationDeadline}`);
  const waiting = () => state.legs.filter((l) => l.status === 'awaiting_confirmation');
  bet.alert(
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
      const leg = bet.apply(await store.recordManualDecision({ betId: l.betId, decision }));
      bet.legAlert(leg);
      // Only requests with `override` start this alert (no earlier history has one): replay-safe.
      if (decision.kind === 'confirm' && decision.override && leg.status === 'placed')
        bet.alert(
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
