import { BetLifecycle, SETTLED } from './lifecycle';
import { handleManualUpdates, placeManually } from './manual';
import { compensate, placeAutomatically, requote, reserve } from './place';
import { captureClosingLine, handleSettleUpdate, settle } from './settle';
import type { BetLifecycleInput, BetLifecycleResult } from './messages';

/**
 * One bet lifecycle per opportunity (workflow id `bet:<opportunityId>`): re-quote → risk check and
 * reservation → placement (paper, manual or adapter) → closing line at the start → result → settlement,
 * P&L, CLV and the strategy's performance. Every ending is recorded in PostgreSQL; a failure after the
 * reservation gives the reservation back.
 */
export async function betLifecycleWorkflow(input: BetLifecycleInput): Promise<BetLifecycleResult> {
  const bet = new BetLifecycle(input);
  bet.handleStateQuery();
  handleManualUpdates(bet);
  handleSettleUpdate(bet);

  const plan = await bet.loadPlan();
  if (plan.refusal) {
    bet.alertLegs();
    return bet.finish();
  }
  if (bet.nothingOpen()) return bet.finish();

  // Re-quote and reservation on the first run only; a re-run resumes from what PostgreSQL recorded.
  if (bet.firstRun()) {
    const prices = await requote(bet);
    if (!prices || !(await reserve(bet, prices))) return bet.finish();
  }

  // Placement; a failure from here on gives the reservation back (compensation).
  try {
    if (plan.mode === 'manual') await placeManually(bet);
    else await placeAutomatically(bet);
  } catch (err) {
    await compensate(bet, err);
  }
  if (!bet.anyLeg(['placed', ...SETTLED])) return bet.finish();

  if (bet.anyLeg(['placed'])) {
    await captureClosingLine(bet);
    await settle(bet);
  }
  return bet.finish();
}
