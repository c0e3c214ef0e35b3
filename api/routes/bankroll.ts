import { z } from 'zod';
import { bankroll, bankrollHistory } from '../../activities/bets/queries';
import type { ApiContext } from '../context';
import { ApiError } from '../errors';
import { Amount, errors, type ZodApp } from '../schemas';

const Account = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:.-]*$/, 'expected a ledger account name');

const BankrollView = z.object({
  account: z.string(),
  kind: z.string(),
  currency: z.string(),
  balance: Amount,
  available: Amount,
  reserved: Amount,
  atRisk: Amount,
  todayProfitLoss: Amount,
  exposureByEvent: z.array(
    z.object({ eventId: z.string(), sport: z.string(), stake: Amount, bets: z.number() }),
  ),
  exposureBySport: z.array(z.object({ sport: z.string(), stake: Amount, bets: z.number() })),
});

/** The bankroll as `alphabet bankroll --json`, and its history for the chart. */
export function registerBankrollRoutes(app: ZodApp, ctx: ApiContext): void {
  app.get(
    '/api/bankroll',
    {
      schema: {
        summary: "balance, reserved, at risk, today's P&L and open exposure by event and sport, per account",
        querystring: z.object({ account: Account.optional() }),
        response: { 200: z.object({ accounts: z.array(BankrollView) }), ...errors },
      },
    },
    async (request) => {
      const { account } = request.query;
      const accounts = await bankroll(ctx.db, ctx.loaded.config.risk.dayTimeZone, account);
      if (account !== undefined && accounts.length === 0)
        throw new ApiError(404, 'account', `account: no ledger account ${JSON.stringify(account)}`);
      return { accounts };
    },
  );

  app.get(
    '/api/bankroll/history',
    {
      schema: {
        summary: "an account's balance after each ledger transaction (default: the paper account)",
        querystring: z.object({
          account: Account.optional(),
          limit: z.coerce.number().int().min(1).max(100_000).default(5000),
        }),
        response: {
          200: z.array(z.object({ at: z.string(), balance: Amount })),
          ...errors,
        },
      },
    },
    async (request) => {
      const account = request.query.account ?? ctx.loaded.config.risk.accounts.paper;
      const points = await bankrollHistory(ctx.db, account, request.query.limit);
      if (points.length === 0 && request.query.account !== undefined) {
        const known = await bankroll(ctx.db, ctx.loaded.config.risk.dayTimeZone, account);
        if (known.length === 0)
          throw new ApiError(404, 'account', `account: no ledger account ${JSON.stringify(account)}`);
      }
      return points;
    },
  );
}
