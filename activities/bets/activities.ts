import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { z } from 'zod';
import type { ActivityDeps } from '../deps';
import { OpportunityLeg, type MarketKey, type MarketType } from '../../shared/entities';
import { clvAgainstClose, clvAgainstFairClose, D, toSignificantString } from '../../shared/math';
import { decideStakes, evaluateRequote, paperFill, bookMaxFor, type RiskLimits } from '../../shared/risk';
import { scoresFromResult, settleBet, voidSettlement, type Settlement } from '../../shared/settlement';
import { routedEventTypes } from '../../shared/alerts';
import { betIdFor, eventLabel as labelOf, idempotencyKeyFor, OPEN_STATUSES } from '../../shared/bets';
import { balances, ensureAccount, inTransaction, post } from './ledger';
import {
  legState,
  lockBet,
  lockOpportunityBets,
  PLACED_OR_LATER,
  recordFill,
  refreshStrategyPerformance,
  releaseBet,
  syncDecision,
  type BetRow,
} from './store';
import { BetBusinessError, BetFailure, classified } from './errors';
import { createRedisQuoteLookup } from './quotes';
import { acceptPlacement, createHttpPlacementAdapter, type PlacementAdapter } from './adapter';
import type {
  BetPlan,
  ClosingLine,
  EventOutcome,
  LegState,
  ManualDecision,
  PlacementMode,
  PlanInput,
  RequoteOutcome,
  ReserveOutcome,
  SettledLeg,
} from './types';

export type * from './types';

interface PlanRow {
  opportunity_id: string;
  strategy_name: string;
  kind: string;
  event_id: string;
  sport: string;
  market_type: MarketType;
  period: string;
  line: string | null;
  legs: unknown;
  edge: string;
  start_time: Date;
  event_status: string;
  participants: { name: string; role: string }[];
  strategy_mode: 'backtest' | 'paper' | 'live';
  enabled: boolean;
  stake_multiplier: string;
  parameters: Record<string, unknown>;
  paper_session_id: string | null;
  session_account: string | null;
  session_bankroll: string | null;
  session_stake_multiplier: string | null;
  session_status: string | null;
  session_parameters: Record<string, unknown> | null;
}

const KellyParam = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^0?\.\d+$|^1$/));

/** The bet lifecycle's activities. Each is idempotent: a retry or a restarted worker finds its earlier work. */
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
  const accountKind = (account: string): 'paper' | 'live' =>
    account === risk.accounts.paper ? 'paper' : 'live';

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
    /**
     * Load the opportunity, its event and strategy; decide mode and account; record one `pending` bet per
     * leg (idempotent by key). Returns everything later steps need, so they never re-read the opportunity.
     */
    async loadBetPlan(input: PlanInput): Promise<BetPlan> {
      const { rows } = await db.query<PlanRow>(
        `SELECT o.opportunity_id, o.strategy_name, o.kind, o.event_id, o.sport, o.market_type, o.period,
                o.line::text AS line, o.legs, o.edge::text AS edge, e.start_time, e.status AS event_status,
                e.participants, s.mode AS strategy_mode, s.enabled, s.stake_multiplier::text AS stake_multiplier,
                s.parameters, o.paper_session_id, ps.account AS session_account,
                ps.bankroll::text AS session_bankroll, ps.stake_multiplier::text AS session_stake_multiplier,
                ps.status AS session_status, ps.parameters AS session_parameters
           FROM opportunities o JOIN events e USING (event_id) JOIN strategies s ON s.name = o.strategy_name
                LEFT JOIN paper_sessions ps ON ps.session_id = o.paper_session_id
          WHERE o.opportunity_id = $1`,
        [input.opportunityId],
      );
      const o = rows[0];
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
        for (const l of planLegs) {
          await client.query(
            `INSERT INTO bets (bet_id, opportunity_id, idempotency_key, strategy_name, event_id, sport, market_type,
                               period, line, outcome, point, bookmaker, mode, stake, price, status, account, leg_index,
                               detected_price, fair_probability, workflow_id, paper_session_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, 'pending', $15, $16, $14, $17, $18, $19)
             ON CONFLICT (idempotency_key) DO NOTHING`,
            [
              l.betId,
              o.opportunity_id,
              l.idempotencyKey,
              o.strategy_name,
              o.event_id,
              o.sport,
              o.market_type,
              o.period,
              o.line,
              l.outcome,
              l.point,
              l.bookmaker,
              mode,
              l.detectedPrice,
              account,
              l.legIndex,
              l.probability,
              input.workflowId,
              session,
            ],
          );
        }
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
        await client.query(`SELECT 1 FROM ledger_accounts WHERE account = $1 FOR UPDATE`, [input.account]);
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
        const { rows } = await client.query<{ event: string; sport: string; today: string }>(
          `SELECT
             (SELECT COALESCE(SUM(stake), 0)::text FROM bets
               WHERE account = $1 AND event_id = $2 AND status = ANY($4)) AS event,
             (SELECT COALESCE(SUM(stake), 0)::text FROM bets
               WHERE account = $1 AND sport = $3 AND status = ANY($4)) AS sport,
             (SELECT COALESCE(SUM(profit_loss), 0)::text FROM bets
               WHERE account = $1 AND settled_at >= (date_trunc('day', now() AT TIME ZONE $5) AT TIME ZONE $5)) AS today`,
          [input.account, input.eventId, input.sport, OPEN_STATUSES, risk.dayTimeZone],
        );
        const r = rows[0]!;
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
          await client.query(
            `UPDATE bets SET status = 'reserved', stake = $2, price = $3, updated_at = now() WHERE bet_id = $1`,
            [bet.bet_id, stake, price],
          );
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
      const { rows } = await db.query<{ status: string }>(`SELECT status FROM bets WHERE bet_id = $1`, [
        input.betId,
      ]);
      if (rows[0] && rows[0].status !== 'reserved')
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
        await client.query(
          `UPDATE bets SET status = 'awaiting_confirmation', updated_at = now()
            WHERE opportunity_id = $1 AND status = 'reserved'`,
          [input.opportunityId],
        );
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
          await client.query(
            `UPDATE bets SET decided_by = $2, price_override_reason = $3, price_override_quoted = $4
              WHERE bet_id = $1`,
            [
              bet.bet_id,
              d.by,
              d.kind === 'confirm' ? (d.override?.reason ?? null) : null,
              d.kind === 'confirm' && d.override ? bet.price : null,
            ],
          );
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

    /**
     * Closing line at the event's start: the same book's closing price and the sharp book's no-vig close
     * from the board, and both CLV figures stored on each placed bet.
     */
    async captureClosingLine(input: { opportunityId: string; market: MarketKey }): Promise<ClosingLine[]> {
      const board = await quotes.marketQuotes(input.market);
      const { sharpBookmakers, devigMethod } = config.placement.closingLine;
      const { rows } = await db.query<BetRow>(
        `SELECT bet_id, bookmaker, outcome, point::text AS point, price::text AS price, status
           FROM bets WHERE opportunity_id = $1 AND status = ANY($2) ORDER BY leg_index`,
        [input.opportunityId, PLACED_OR_LATER],
      );
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
        await db.query(
          `UPDATE bets SET closing_price_book = $2, closing_fair_sharp = $3, clv_book = $4, clv_sharp = $5,
                  notes = COALESCE($6, notes), updated_at = now() WHERE bet_id = $1`,
          [bet.bet_id, line.closingPriceBook, line.closingFairSharp, line.clvBook, line.clvSharp, note],
        );
        out.push(line);
      }
      return out;
    },

    /**
     * The event's result, or a retryable ResultNotReady failure: the activity's retry policy is the polling
     * back-off (no history grows while we wait). A cancelled event voids its bets.
     */
    async awaitEventResult(input: { eventId: string }): Promise<EventOutcome> {
      const { rows } = await db.query<{ status: string; result: unknown }>(
        `SELECT status, result FROM events WHERE event_id = $1`,
        [input.eventId],
      );
      const e = rows[0];
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
        const first = await client.query<{ account: string; strategy_name: string }>(
          `SELECT account, strategy_name FROM bets WHERE opportunity_id = $1 LIMIT 1`,
          [input.opportunityId],
        );
        const head = first.rows[0];
        if (!head)
          throw new BetBusinessError(BetFailure.NotFound, `no bets for opportunity ${input.opportunityId}`);
        await client.query(`SELECT 1 FROM ledger_accounts WHERE account = $1 FOR UPDATE`, [head.account]);
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
          await client.query(
            `UPDATE bets SET status = $2, profit_loss = $3, settled_at = now(), settlement = $4, updated_at = now(),
                    reason = CASE WHEN $2 = 'voided' THEN $5 ELSE reason END
              WHERE bet_id = $1`,
            [
              bet.bet_id,
              s.status,
              s.profitLoss,
              JSON.stringify({ rule: s.rule, outcome: input.outcome }),
              s.rule,
            ],
          );
          out.push({ betId: bet.bet_id, status: s.status, profitLoss: s.profitLoss, rule: s.rule });
        }
        await syncDecision(client, input.opportunityId);
        return { out, strategy: head.strategy_name };
      });
      await inTransaction(db, (client) => refreshStrategyPerformance(client, settled.strategy));
      return settled.out;
    },
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

  return classified(activities);
}
