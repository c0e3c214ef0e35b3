import { ApplicationFailure, CancellationScope, isCancellation } from '@temporalio/workflow';
import { book, failureMessage, shortSteps, store, type BetLifecycle } from './lifecycle';

/**
 * From the plan to a placed bet: re-quote from the board, the risk check and reservation, automatic
 * placement (paper or adapter), and the compensation when placement fails. Manual placement: ./manual.
 */

// ---- re-quote and reservation ---------------------------------------------------------------------
/** The prices to reserve at, or null when the bet ended here (skipped). */
export async function requote(bet: BetLifecycle): Promise<string[] | null> {
  const p = bet.planned;
  bet.step('requoting', 're-quoting from the board');
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
    requote = await shortSteps().board.requoteBets(requoteInput);
  } catch (err) {
    if (isCancellation(err)) throw err;
    const closed = await store.closeUnplacedBets({
      opportunityId: p.opportunityId,
      status: 'skipped',
      reason: `requoteUnavailable: ${failureMessage(err)}`,
    });
    closed.forEach((l) => bet.legAlert(bet.apply(l)));
    return null;
  }
  if (!requote.ok) {
    skipAll(bet, `${requote.rule}: ${requote.reason}`);
    return null;
  }
  const prices = requote.prices;
  bet.state.legs.forEach((l, i) => {
    l.requotedPrice = prices[i]!;
    l.price = prices[i]!;
  });
  return prices;
}

/** The risk check and the reservation; false when the bet ended here (skipped by a risk rule). */
export async function reserve(bet: BetLifecycle, prices: string[]): Promise<boolean> {
  const p = bet.planned;
  bet.step('reserving', 'risk check and reservation');
  const reserved = await shortSteps().store.reserveStakes({
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
    skipAll(bet, `${reserved.rule}: ${reserved.reason}`);
    if (reserved.rule === 'dailyLossStop')
      bet.alert(
        'risk.daily_loss_stop',
        `${p.account}:${new Date().toISOString().slice(0, 10)}`,
        `Daily loss stop reached on ${p.account}`,
        reserved.reason,
      );
    return false;
  }
  bet.state.legs.forEach((l, i) => {
    l.status = 'reserved';
    l.stake = reserved.stakes[i]!;
  });
  bet.step('reserving', `reserved ${reserved.stakes.join(' + ')} (${reserved.boundBy.join(', ')})`);
  return true;
}

/** Every leg skipped for this reason (the activity recorded it), and alerted. */
function skipAll(bet: BetLifecycle, reason: string): void {
  for (const l of bet.state.legs) {
    l.status = 'skipped';
    l.reason = reason;
  }
  bet.refresh();
  bet.alertLegs();
}

// ---- placement --------------------------------------------------------------------------------------
export async function placeAutomatically(bet: BetLifecycle): Promise<void> {
  const p = bet.planned;
  bet.step('placing', `placing (${p.mode})`);
  for (const leg of bet.state.legs) {
    if (leg.status !== 'reserved') continue;
    const placed =
      p.mode === 'paper'
        ? await shortSteps().store.placePaperBet({ betId: leg.betId })
        : await book.placeAdapterBet({ betId: leg.betId });
    bet.legAlert(bet.apply(placed));
    // An arbitrage whose first legs cannot be placed is not started half-hedged.
    if (placed.status === 'rejected' && p.kind === 'arbitrage' && !bet.anyLeg(['placed'])) {
      const closed = await store.closeUnplacedBets({
        opportunityId: p.opportunityId,
        status: 'skipped',
        reason: `arbitrage leg ${leg.legIndex + 1} rejected`,
      });
      closed.forEach((l) => bet.apply(l));
      break;
    }
  }
}

/**
 * A placement failure gives the reservations back. The run fails unless a leg was placed before it
 * (that leg still goes on to its settlement).
 */
export async function compensate(bet: BetLifecycle, err: unknown): Promise<void> {
  const p = bet.planned;
  const state = bet.state;
  const reason = `failed: ${failureMessage(err)}`;
  const closed = await CancellationScope.nonCancellable(() =>
    store.closeUnplacedBets({ opportunityId: p.opportunityId, status: 'failed', reason }),
  );
  closed.forEach((l) => bet.apply(l));
  bet.alert('bet.failed', p.opportunityId, `Bet lifecycle failed: ${p.eventLabel}`, reason);
  bet.step('placing', `compensated: reservations released (${reason})`);
  if (isCancellation(err) || !bet.anyLeg(['placed'])) {
    state.phase = 'done';
    state.reason = reason;
    bet.refresh();
    await bet.alertsStarted();
    // Fail the run (red in the Web UI); PostgreSQL already records every leg's ending.
    throw isCancellation(err) ? err : ApplicationFailure.nonRetryable(reason, 'BetLifecycleFailed');
  }
}
