import type { ActivityDeps } from '../deps';
import type { MarketKey, MarketType } from '../../shared/entities';
import { D } from '../../shared/math';
import { decideStakes, evaluateRequote, paperFill, bookMaxFor, type RiskLimits } from '../../shared/risk';
import { balances, lockAccount, post } from './ledger';
import { inTransaction } from '../infra/postgres';
import {
  betStatus,
  exposures,
  legState,
  lockBet,
  lockOpportunityBets,
  markAwaitingConfirmation,
  markReserved,
  recordDecider,
  recordFill,
  releaseBet,
  syncDecision,
  type BetRow,
} from './store';
import { BetBusinessError, BetFailure, classified } from './errors';
import { createRedisQuoteLookup } from './quotes';
import { acceptPlacement, createHttpPlacementAdapter, type PlacementAdapter } from './adapter';
import { createPlanActivities } from './plan';
import { createSettlementActivities } from './settlement';
import { publishingBetEvents } from './events';
import { createOpsEventPublisher } from '../infra/ops-events';
import type { LegState, ManualDecision, RequoteOutcome, ReserveOutcome } from './types';

/**
 * The bet lifecycle's activities. Each is idempotent: a retry or a restarted worker finds its earlier work.
 * Planning (./plan) and the closing line and settlement (./settlement) are built beside these.
 */
export function createBetActivities(deps: ActivityDeps) {
  const { db, config, logger } = deps;
  const quotes = deps.quotes ?? createRedisQuoteLookup(deps.redis, config.redis.keyPrefix);
  const adapters = new Map<string, PlacementAdapter>(
    Object.entries(config.placement.adapters).map(([book, o]) => [
      book,
      createHttpPlacementAdapter(book, { ...o, token: deps.secrets.BOOK_ADAPTER_TOKEN ?? null }),
    ]),
  );
  for (const a of deps.placementAdapters ?? []) adapters.set(a.bookmaker, a);
  const risk = config.risk;
  const limits: RiskLimits = {
    perBetCapFraction: risk.perBetCapFraction,
    dailyLossStopFraction: risk.dailyLossStopFraction,
    maxEventExposureFraction: risk.maxEventExposureFraction,
    maxSportExposureFraction: risk.maxSportExposureFraction,
    stakeUnit: risk.stakeUnit,
    minStake: risk.minStake,
  };
  async function closeAll(
    opportunityId: string,
    status: 'skipped' | 'failed' | 'expired',
    reason: string,
  ): Promise<LegState[]> {
    return inTransaction(db, async (client) => {
      const bets = await lockOpportunityBets(client, opportunityId);
      const out: LegState[] = [];
      for (const bet of bets) out.push(legState(await releaseBet(client, bet, status, reason)));
      await syncDecision(client, opportunityId);
      return out;
    });
  }

  const activities = {
    ...createPlanActivities(deps),

    /** Re-quote every leg from the current board; a refusal is recorded (skipped, with the rule) here. */
    async requoteBets(input: {
      opportunityId: string;
      kind: string;
      market: MarketKey;
      legs: {
        bookmaker: string;
        outcome: string;
        point: string | null;
        detectedPrice: string;
        probability: string | null;
      }[];
    }): Promise<RequoteOutcome> {
      const current = await Promise.all(
        input.legs.map((l) => quotes.currentQuote(input.market, l.bookmaker, l.outcome, l.point)),
      );
      const decision = evaluateRequote(
        input.legs,
        current,
        Date.now(),
        {
          maxQuoteAgeMs: config.placement.requote.maxQuoteAgeSeconds * 1000,
          priceTolerance: config.placement.requote.priceTolerance,
        },
        input.kind,
      );
      if (decision.ok) return decision;
      await closeAll(input.opportunityId, 'skipped', `${decision.rule}: ${decision.reason}`);
      return { ok: false, rule: decision.rule, reason: decision.reason };
    },

    /**
     * The risk check and the reservation in ONE PostgreSQL transaction under the account's row lock, so
     * concurrent lifecycles are checked one after another against exposures that include each other.
     */
    async reserveStakes(input: {
      opportunityId: string;
      account: string;
      eventId: string;
      sport: string;
      kellyFraction: string;
      multiplier: string;
      legs: { price: string; probability: string | null; suggestedStake: string | null; bookmaker: string }[];
    }): Promise<ReserveOutcome> {
      return inTransaction(db, async (client) => {
        await lockAccount(client, input.account);
        const bets = await lockOpportunityBets(client, input.opportunityId);
        const b = await balances(client, input.account);
        if (bets.some((x) => x.status !== 'pending')) {
          // Decided before (a retry after the commit): report what was decided.
          const skipped = bets.every((x) => x.status === 'skipped');
          if (skipped) {
            const reason = bets[0]!.reason ?? 'skipped';
            return { ok: false, rule: reason.split(':')[0] ?? 'skipped', reason };
          }
          return {
            ok: true,
            stakes: bets.map((x) => x.stake),
            boundBy: bets.map(() => 'recorded'),
            equity: b.equity,
          };
        }
        const r = await exposures(client, input.account, input.eventId, input.sport, risk.dayTimeZone);
        const decision = decideStakes(
          input.legs.map((l) => ({
            probability: l.probability,
            price: l.price,
            suggestedStake: l.suggestedStake,
            bookMax: bookMaxFor(config.placement.paper.bookMaxStakes, l.bookmaker),
          })),
          {
            equity: b.equity,
            available: b.available,
            eventExposure: r.event,
            sportExposure: r.sport,
            todayProfitLoss: r.today,
          },
          limits,
          { kellyFraction: input.kellyFraction, multiplier: input.multiplier },
        );
        if (!decision.ok) {
          for (const bet of bets)
            await releaseBet(client, bet, 'skipped', `${decision.rule}: ${decision.reason}`);
          await syncDecision(client, input.opportunityId);
          return { ok: false, rule: decision.rule, reason: decision.reason };
        }
        for (const [i, bet] of bets.entries()) {
          const stake = decision.stakes[i]!;
          const price = input.legs[i]!.price;
          await post(client, {
            account: input.account,
            kind: 'reserve',
            betId: bet.bet_id,
            idempotencyKey: `reserve:${bet.idempotency_key}`,
            note: `bound by ${decision.boundBy[i]}`,
            entries: { available: new D(stake).neg().toFixed(), reserved: stake },
          });
          await markReserved(client, bet.bet_id, stake, price);
        }
        return { ok: true, stakes: decision.stakes, boundBy: decision.boundBy, equity: b.equity };
      });
    },

    /** The paper book: fill or reject, recorded with the ledger in one transaction (exactly once). */
    async placePaperBet(input: { betId: string }): Promise<LegState> {
      const paper = config.placement.paper;
      return inTransaction(db, async (client) => {
        const bet = await lockBet(client, input.betId);
        if (bet.status !== 'reserved') return earlierOutcome(bet);
        const fill = paperFill({
          idempotencyKey: bet.idempotency_key,
          price: bet.price,
          stake: bet.stake,
          slippage: paper.slippage,
          rejectionProbability: paper.rejectionProbability,
          bookMax: bookMaxFor(paper.bookMaxStakes, bet.bookmaker),
          stakeUnit: risk.stakeUnit,
        });
        const after =
          fill.status === 'placed'
            ? await recordFill(client, bet, { ...fill, note: null })
            : await releaseBet(client, bet, 'rejected', fill.reason);
        await syncDecision(client, bet.opportunity_id);
        return legState(after);
      });
    },

    /**
     * Placement through the book's adapter. An earlier success is found first in PostgreSQL, then at the
     * book by idempotency key, so a worker killed between the book's answer and our commit never bets twice.
     */
    async placeAdapterBet(input: { betId: string }): Promise<LegState> {
      const status = await betStatus(db, input.betId);
      if (status !== null && status !== 'reserved')
        return inTransaction(db, async (client) => earlierOutcome(await lockBet(client, input.betId)));
      const snapshot = await inTransaction(db, (client) => lockBet(client, input.betId));
      const adapter = adapters.get(snapshot.bookmaker);
      if (!adapter)
        throw new BetBusinessError(BetFailure.NoAdapter, `no placement adapter for ${snapshot.bookmaker}`);
      const result =
        (await adapter.findBet(snapshot.idempotency_key)) ??
        (await adapter.placeBet({
          idempotencyKey: snapshot.idempotency_key,
          providerEventId: snapshot.event_id,
          marketType: snapshot.market_type as MarketType,
          outcome: snapshot.outcome,
          point: snapshot.point,
          bookmaker: snapshot.bookmaker,
          price: snapshot.price,
          stake: snapshot.stake,
        }));
      // Every adapter's answer (configured or injected) is checked here, before anything is recorded.
      const fill =
        result.status === 'placed'
          ? acceptPlacement(result, snapshot, config.placement.requote.priceTolerance)
          : null;
      return inTransaction(db, async (client) => {
        const bet = await lockBet(client, input.betId);
        if (bet.status !== 'reserved') return earlierOutcome(bet);
        const after = fill
          ? await recordFill(client, bet, { ...fill, bookReference: result.bookReference, note: null })
          : await releaseBet(client, bet, 'rejected', result.reason ?? 'rejected by the book');
        await syncDecision(client, bet.opportunity_id);
        return legState(after);
      });
    },

    async markAwaitingConfirmation(input: { opportunityId: string }): Promise<LegState[]> {
      return inTransaction(db, async (client) => {
        const bets = await lockOpportunityBets(client, input.opportunityId);
        await markAwaitingConfirmation(client, input.opportunityId);
        return bets.map((b) =>
          legState(b.status === 'reserved' ? { ...b, status: 'awaiting_confirmation' } : b),
        );
      });
    },

    /** An operator's confirmation or skip, or the deadline passing, recorded with the ledger. */
    async recordManualDecision(input: { betId: string; decision: ManualDecision }): Promise<LegState> {
      const d = input.decision;
      return inTransaction(db, async (client) => {
        const bet = await lockBet(client, input.betId);
        if (bet.status !== 'awaiting_confirmation' && bet.status !== 'reserved') return legState(bet);
        // Who decided, and a price taken outside the tolerance on purpose against the price quoted (the
        // reservation's, before the fill overwrites it), in the same transaction as the decision.
        if (d.kind !== 'expire')
          await recordDecider(client, bet.bet_id, {
            by: d.by,
            overrideReason: d.kind === 'confirm' ? (d.override?.reason ?? null) : null,
            overrideQuoted: d.kind === 'confirm' && d.override ? bet.price : null,
          });
        const after =
          d.kind === 'confirm'
            ? await recordFill(client, bet, {
                price: d.price,
                stake: d.stake,
                bookReference: d.bookReference,
                note: d.by ? `confirmed by ${d.by}` : 'confirmed by an operator',
              })
            : d.kind === 'skip'
              ? await releaseBet(client, bet, 'skipped', `operator: ${d.reason}`)
              : await releaseBet(client, bet, 'expired', 'no confirmation before the deadline');
        await syncDecision(client, bet.opportunity_id);
        return legState(after);
      });
    },

    /** Compensation and refusals: every leg not yet placed gets its reservation back and this ending. */
    async closeUnplacedBets(input: {
      opportunityId: string;
      status: 'skipped' | 'failed' | 'expired';
      reason: string;
    }): Promise<LegState[]> {
      return closeAll(input.opportunityId, input.status, input.reason);
    },

    ...createSettlementActivities(deps, quotes),
  };

  /** The state of a bet someone already moved past `reserved`: an earlier success is returned, not redone. */
  function earlierOutcome(bet: BetRow): LegState {
    if (bet.status === 'reserved' || bet.status === 'pending')
      throw new BetBusinessError(BetFailure.State, `bet ${bet.bet_id} is still ${bet.status}`);
    if (bet.status === 'awaiting_confirmation')
      throw new BetBusinessError(BetFailure.State, `bet ${bet.bet_id} awaits a manual confirmation`);
    logger.debug({ betId: bet.bet_id, status: bet.status }, 'placement found an earlier outcome');
    return legState(bet);
  }

  return classified(
    publishingBetEvents(activities, createOpsEventPublisher(deps.redis, config.redis.keyPrefix, logger)),
  );
}
