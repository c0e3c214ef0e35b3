import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { ActivityDeps } from '../deps';
import type { MarketKey } from '../../shared/entities';
import { clvAgainstClose, clvAgainstFairClose, D, toSignificantString } from '../../shared/math';
import { scoresFromResult, settleBet, voidSettlement, type Settlement } from '../../shared/settlement';
import { lockAccount, post } from './ledger';
import { inTransaction } from '../infra/postgres';
import {
  eventResult,
  lockOpportunityBets,
  opportunityOwner,
  PLACED_OR_LATER,
  placedBets,
  recordClosingLine,
  recordSettlement,
  refreshStrategyPerformance,
  syncDecision,
} from './store';
import { BetBusinessError, BetFailure } from './errors';
import type { QuoteLookup } from './quotes';
import type { ClosingLine, EventOutcome, SettledLeg } from './types';

/** A placed bet's last activities: the closing line at the start, the event's result, the settlement. */
export function createSettlementActivities(deps: ActivityDeps, quotes: QuoteLookup) {
  const { db, config } = deps;
  const risk = config.risk;

  return {
    /**
     * Closing line at the event's start: the same book's closing price and the sharp book's no-vig close
     * from the board, and both CLV figures stored on each placed bet.
     */
    async captureClosingLine(input: { opportunityId: string; market: MarketKey }): Promise<ClosingLine[]> {
      const board = await quotes.marketQuotes(input.market);
      const { sharpBookmakers, devigMethod } = config.placement.closingLine;
      const rows = await placedBets(db, input.opportunityId);
      const samePoint = (a: string | null, b: string | null) =>
        a === null || b === null ? a === b : new D(a).eq(new D(b));
      const out: ClosingLine[] = [];
      for (const bet of rows) {
        const book = board.find(
          (q) => q.bookmaker === bet.bookmaker && q.outcome === bet.outcome && samePoint(q.point, bet.point),
        );
        let fair: { odds: string; clv: string } | null = null;
        let note: string | null = null;
        for (const sharp of sharpBookmakers) {
          const line = board
            .filter((q) => q.bookmaker === sharp)
            .sort((a, b) => (a.outcome < b.outcome ? -1 : a.outcome > b.outcome ? 1 : 0));
          const idx = line.findIndex((q) => q.outcome === bet.outcome && samePoint(q.point, bet.point));
          if (line.length < 2 || idx < 0) continue;
          try {
            const r = clvAgainstFairClose(
              bet.price,
              line.map((q) => q.price),
              idx,
              devigMethod,
            );
            fair = { odds: toSignificantString(r.fairOdds, 12), clv: toSignificantString(r.clv, 12) };
          } catch (err) {
            note = `sharp close ${sharp}: ${(err as Error).message}`;
          }
          break;
        }
        if (!fair && !note) note = `no sharp close (${sharpBookmakers.join(', ')}) on the board`;
        const line: ClosingLine = {
          betId: bet.bet_id,
          closingPriceBook: book?.price ?? null,
          closingFairSharp: fair?.odds ?? null,
          clvBook: book ? toSignificantString(clvAgainstClose(bet.price, book.price), 12) : null,
          clvSharp: fair?.clv ?? null,
          note,
        };
        await recordClosingLine(db, line);
        out.push(line);
      }
      return out;
    },

    /**
     * The event's result, or a retryable ResultNotReady failure: the activity's retry policy is the polling
     * back-off (no history grows while we wait). A cancelled event voids its bets.
     */
    async awaitEventResult(input: { eventId: string }): Promise<EventOutcome> {
      const e = await eventResult(db, input.eventId);
      if (!e) throw new BetBusinessError(BetFailure.NotFound, `no event ${input.eventId}`);
      if (e.status === 'cancelled') return { kind: 'void', reason: 'event cancelled', source: 'provider' };
      const done =
        e.status === 'completed' || (e.result as { completed?: unknown } | null)?.completed === true;
      const scores = done ? scoresFromResult(e.result) : null;
      if (scores) return { kind: 'scores', scores, source: 'provider' };
      // Expected while the event runs: BENIGN keeps each poll out of the worker's warning logs.
      throw ApplicationFailure.create({
        message: `no final result for ${input.eventId} yet (status ${e.status})`,
        type: BetFailure.ResultNotReady,
        category: ApplicationFailureCategory.BENIGN,
      });
    },

    /**
     * Grade every placed leg and post the ledger in one transaction; then refresh the strategy's performance
     * in a second one. Holding the account's lock while waiting for the strategy's row would invert the
     * order in which a new bet's insert takes them (strategy, then account, through its foreign keys) and
     * deadlock; the performance is a cache of the bets, so a retry or the next settlement refreshes it.
     */
    async settleBets(input: { opportunityId: string; outcome: EventOutcome }): Promise<SettledLeg[]> {
      const threeWayPrefixes = config.placement.settlement.threeWayH2hSports;
      const settled = await inTransaction(db, async (client) => {
        const head = await opportunityOwner(client, input.opportunityId);
        if (!head)
          throw new BetBusinessError(BetFailure.NotFound, `no bets for opportunity ${input.opportunityId}`);
        await lockAccount(client, head.account);
        const bets = await lockOpportunityBets(client, input.opportunityId);
        const threeWay =
          bets.some((b) => b.outcome.toLowerCase() === 'draw') ||
          threeWayPrefixes.some((p) => bets[0]!.sport.startsWith(p));
        const out: SettledLeg[] = [];
        for (const bet of bets) {
          if (bet.status !== 'placed') {
            if (PLACED_OR_LATER.includes(bet.status))
              out.push({ betId: bet.bet_id, status: bet.status, profitLoss: '', rule: 'settled before' });
            continue;
          }
          const o = input.outcome;
          const s: Settlement =
            o.kind === 'void'
              ? voidSettlement(bet.stake, `${o.source}: ${o.reason}`)
              : settleBet({
                  marketType: bet.market_type,
                  outcome: bet.outcome,
                  point: bet.point,
                  scores: o.scores,
                  threeWay,
                  stake: bet.stake,
                  price: bet.price,
                  unit: risk.stakeUnit,
                });
          const returns = new D(s.returns);
          await post(client, {
            account: bet.account,
            kind: s.status === 'voided' ? 'void' : 'settle',
            betId: bet.bet_id,
            idempotencyKey: `settle:${bet.idempotency_key}`,
            note: `${s.status}: ${s.rule}`.slice(0, 500),
            entries: {
              at_risk: new D(bet.stake).neg().toFixed(),
              available: returns.toFixed(),
              external: new D(bet.stake).minus(returns).toFixed(),
            },
          });
          await recordSettlement(client, bet.bet_id, s, input.outcome);
          out.push({ betId: bet.bet_id, status: s.status, profitLoss: s.profitLoss, rule: s.rule });
        }
        await syncDecision(client, input.opportunityId);
        return { out, strategy: head.strategy_name };
      });
      await inTransaction(db, (client) => refreshStrategyPerformance(client, settled.strategy));
      return settled.out;
    },
  };
}
