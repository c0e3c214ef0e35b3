import { z } from 'zod';
import type { ActivityDeps } from '../deps';
import { OpportunityLeg } from '../../shared/entities';
import { D } from '../../shared/math';
import { routedEventTypes } from '../../shared/alerts';
import { betIdFor, eventLabel as labelOf, idempotencyKeyFor } from '../../shared/bets';
import { ensureAccount } from './ledger';
import { inTransaction } from '../infra/postgres';
import {
  insertPendingBet,
  legState,
  lockOpportunityBets,
  readPlanRow,
  releaseBet,
  syncDecision,
} from './store';
import { BetBusinessError, BetFailure } from './errors';
import type { BetPlan, PlacementMode, PlanInput } from './types';

const KellyParam = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^0?\.\d+$|^1$/));

/** The lifecycle's first activity: what it bets, how (mode and account), and whether it may bet at all. */
export function createPlanActivities(deps: ActivityDeps) {
  const { db, config } = deps;
  const risk = config.risk;
  const accountKind = (account: string): 'paper' | 'live' =>
    account === risk.accounts.paper ? 'paper' : 'live';

  return {
    /**
     * Load the opportunity, its event and strategy; decide mode and account; record one `pending` bet per
     * leg (idempotent by key). Returns everything later steps need, so they never re-read the opportunity.
     */
    async loadBetPlan(input: PlanInput): Promise<BetPlan> {
      const o = await readPlanRow(db, input.opportunityId);
      if (!o)
        throw new BetBusinessError(BetFailure.NotFound, `opportunity ${input.opportunityId} is not recorded`);
      const legs = z.array(OpportunityLeg).min(1).parse(o.legs);
      // A paper-trading session's opportunity: paper on the session's own account and stake multiplier,
      // whatever the strategy's own mode, until the session's report is made.
      const session = o.paper_session_id;
      const mode: PlacementMode = session
        ? 'paper'
        : (input.mode ??
          config.placement.strategies[o.strategy_name] ??
          (o.strategy_mode === 'live' ? config.placement.liveMode : 'paper'));
      const account = session
        ? o.session_account!
        : mode === 'paper'
          ? risk.accounts.paper
          : risk.accounts.live;
      if (session) await ensureAccount(db, account, 'paper', risk.currency, o.session_bankroll!);
      else await ensureAccount(db, account, accountKind(account), risk.currency, risk.bankroll);

      let refusal: BetPlan['refusal'] = null;
      if (session && o.session_status === 'completed')
        refusal = { rule: 'paperSessionEnded', reason: `paper session ${session} has ended and reported` };
      else if (!session && !o.enabled)
        refusal = { rule: 'strategyDisabled', reason: `strategy ${o.strategy_name} is disabled` };
      else if (!session && o.strategy_mode === 'backtest')
        refusal = { rule: 'strategyMode', reason: `strategy ${o.strategy_name} is in backtest mode` };
      else if (o.event_status === 'completed' || o.event_status === 'cancelled')
        refusal = { rule: 'eventOver', reason: `the event is ${o.event_status}` };

      const planLegs = legs.map((l, i) => ({
        legIndex: i,
        betId: betIdFor(o.opportunity_id, i),
        idempotencyKey: idempotencyKeyFor(o.opportunity_id, i),
        bookmaker: l.bookmaker,
        outcome: l.outcome,
        point: l.point,
        detectedPrice: l.price,
        probability: l.fairProbability,
        suggestedStake: l.stake,
      }));
      const current = await inTransaction(db, async (client) => {
        for (const l of planLegs)
          await insertPendingBet(client, o, l, { mode, account, workflowId: input.workflowId });
        const bets = await lockOpportunityBets(client, o.opportunity_id);
        if (refusal) {
          for (const [i, b] of bets.entries())
            bets[i] = await releaseBet(client, b, 'skipped', `${refusal.rule}: ${refusal.reason}`);
          await syncDecision(client, o.opportunity_id);
        }
        return bets.map(legState);
      });

      const start = o.start_time.getTime();
      const durations = config.placement.settlement.expectedDurationMinutes;
      const minutes = durations[o.sport] ?? durations.default ?? 180;
      const kelly = KellyParam.safeParse((session ? o.session_parameters : o.parameters)?.kellyFraction);
      const enabled = new Set(config.alerts.channels.filter((c) => c.enabled).map((c) => c.name));
      const s = config.placement.settlement;
      return {
        opportunityId: o.opportunity_id,
        strategy: o.strategy_name,
        kind: o.kind,
        sport: o.sport,
        eventId: o.event_id,
        eventLabel: input.eventLabel ?? labelOf(o.participants, o.event_id),
        edge: o.edge,
        market: { eventId: o.event_id, marketType: o.market_type, line: o.line, period: o.period },
        mode,
        account,
        eventStartMs: start,
        expectedEndMs: start + minutes * 60_000,
        kellyFraction: kelly.success && new D(kelly.data).gt(0) ? kelly.data : risk.defaultKellyFraction,
        multiplier: session ? o.session_stake_multiplier! : o.stake_multiplier,
        legs: planLegs,
        current,
        manualDeadlineMs: config.placement.manual.confirmationDeadlineSeconds * 1000,
        resultPoll: {
          initialMs: s.pollInitialSeconds * 1000,
          maxMs: s.pollMaxSeconds * 1000,
          backoff: s.pollBackoff,
        },
        alerts: routedEventTypes(config.alerts.routes, enabled),
        uiLink: `${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${encodeURIComponent(input.workflowId)}`,
        refusal,
        priceTolerance: config.placement.requote.priceTolerance,
        stakeUnit: risk.stakeUnit,
        participants: o.participants.map((p) => p.name),
      };
    },
  };
}
