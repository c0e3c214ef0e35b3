import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { getBet, listBets, type BetDetail as BetRecord } from '../../activities/bets/queries';
import { betWorkflowId } from '../../shared/bets';
import { BetStatus } from '../../shared/entities';
import { checkConfirmable, parseOperatorOdds, parseOperatorStake } from '../../shared/manual';
import { ODDS_FORMATS } from '../../shared/math';
import { betState, confirmPlacement, settleManually, skipBet } from '../../workflows/bets/client';
import type { BetLifecycleState } from '../../workflows/bets/messages';
import { workflowLink, type ApiContext } from '../context';
import { ApiError } from '../errors';
import {
  BetDetail,
  BetLeg,
  BetListRow,
  errors,
  Limit,
  LifecycleState,
  Name,
  Reason,
  type ZodApp,
} from '../schemas';

const BetId = z.object({ id: z.string().min(1).max(300) });

async function requireBet(ctx: ApiContext, id: string): Promise<BetRecord> {
  const bet = await getBet(ctx.db, id);
  if (!bet) throw new ApiError(404, 'id', `id: no bet ${JSON.stringify(id)}`);
  return bet;
}

/** Bets: the list and detail the CLI shows, and the operator's confirm, skip and settle updates. */
export function registerBetRoutes(app: ZodApp, ctx: ApiContext): void {
  app.get(
    '/api/bets',
    {
      schema: {
        summary: 'bets, newest first (as `alphabet bets list --json`)',
        querystring: z.object({ status: BetStatus.optional(), strategy: Name.optional(), limit: Limit }),
        response: { 200: z.object({ bets: z.array(BetListRow) }), ...errors },
      },
    },
    async (request) => ({ bets: await listBets(ctx.db, request.query) }),
  );

  app.get(
    '/api/bets/:id',
    {
      schema: {
        summary: "one bet: its record and ledger, its lifecycle's live state and its Web UI link",
        params: BetId,
        response: {
          200: z.object({
            bet: BetDetail,
            lifecycle: LifecycleState.nullable(),
            lifecycleError: z.string().nullable(),
            workflowUrl: z.string(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const bet = await requireBet(ctx, request.params.id);
      let lifecycle: BetLifecycleState | null = null;
      let lifecycleError: string | null = null;
      // The database record stands on its own; the live state is added when Temporal answers.
      try {
        lifecycle = await betState(await ctx.client(), bet.opportunityId);
      } catch (err) {
        lifecycleError =
          err instanceof WorkflowNotFoundError ? 'no lifecycle workflow' : (err as Error).message;
      }
      return {
        bet,
        lifecycle,
        lifecycleError,
        workflowUrl: workflowLink(ctx, betWorkflowId(bet.opportunityId)),
      };
    },
  );

  app.post(
    '/api/bets/:id/confirm',
    {
      schema: {
        summary: 'confirm a bet placed by hand: the odds taken (in oddsFormat), the stake, the reference',
        description:
          'Refused (400) outside placement.requote.priceTolerance of the quoted price unless `override.reason` says why.',
        params: BetId,
        body: z.strictObject({
          odds: z.string().min(1).max(40),
          oddsFormat: z.enum(ODDS_FORMATS as ['decimal', 'american', 'fractional']).optional(),
          stake: z.string().min(1).max(40),
          bookReference: z.string().trim().min(1).max(200).optional(),
          override: z.strictObject({ reason: Reason }).optional(),
        }),
        response: { 200: z.object({ bet: BetLeg }), ...errors },
      },
    },
    async (request) => {
      const { config } = ctx.loaded;
      const b = request.body;
      // The CLI's rules (shared/manual.ts), then the workflow's validator: never around them.
      const odds = parseOperatorOdds(b.odds, b.oddsFormat ?? config.operator.oddsFormat);
      const stake = parseOperatorStake(b.stake, config.risk.stakeUnit);
      const bet = await requireBet(ctx, request.params.id);
      checkConfirmable(bet, stake);
      const leg = await confirmPlacement(await ctx.client(), bet.opportunityId, {
        betId: bet.betId,
        odds,
        stake,
        bookReference: b.bookReference ?? null,
        by: request.operator,
        override: b.override ?? null,
      });
      return { bet: leg };
    },
  );

  app.post(
    '/api/bets/:id/skip',
    {
      schema: {
        summary: 'skip a bet awaiting confirmation, with the reason',
        params: BetId,
        body: z.strictObject({ reason: Reason }),
        response: { 200: z.object({ bet: BetLeg }), ...errors },
      },
    },
    async (request) => {
      const bet = await requireBet(ctx, request.params.id);
      checkConfirmable(bet, null);
      const leg = await skipBet(await ctx.client(), bet.opportunityId, {
        betId: bet.betId,
        reason: request.body.reason,
        by: request.operator,
      });
      return { bet: leg };
    },
  );

  app.post(
    '/api/bets/:id/settle',
    {
      schema: {
        summary: "settle a bet's lifecycle by hand: final scores (after the start) or a void with a reason",
        params: BetId,
        body: z
          .strictObject({
            scores: z.record(z.string(), z.string()).optional(),
            void: Reason.optional(),
          })
          .refine((b) => (b.scores === undefined) !== (b.void === undefined), {
            message: 'send either scores or void',
          }),
        response: { 200: z.object({ lifecycle: LifecycleState }), ...errors },
      },
    },
    async (request) => {
      const bet = await requireBet(ctx, request.params.id);
      const lifecycle = await settleManually(await ctx.client(), bet.opportunityId, {
        scores: request.body.scores ?? null,
        void: request.body.void ?? null,
        by: request.operator,
      });
      return { lifecycle };
    },
  );
}
