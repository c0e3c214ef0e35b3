import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { strategyPerformanceSeries } from '../../activities/bets/queries';
import {
  getStrategy,
  listStrategies,
  strategyChanges,
  type StrategyRow,
} from '../../activities/strategies/store';
import { StrategyMode } from '../../shared/entities';
import { coerceParameter } from '../../shared/strategies';
import { rolloutStatus } from '../../workflows/rollout/client';
import { changeStrategy, controlStrategy, strategyWorkflowStatus } from '../../workflows/strategies/client';
import {
  strategyWorkflowId,
  validateSetParameters,
  type SetParametersRequest,
} from '../../workflows/strategies/messages';
import { workflowLink, type ApiContext } from '../context';
import { ApiError } from '../errors';
import { Amount, errors, Name, Reason, Sent, type ZodApp } from '../schemas';

const StrategyRowSchema = z.object({
  name: z.string(),
  type: z.string(),
  enabled: z.boolean(),
  mode: StrategyMode,
  stakeMultiplier: Amount,
  parameters: z.record(z.string(), z.unknown()),
  updatedAt: z.string(),
});
const StatusSchema = z.record(z.string(), z.unknown()).nullable();
const Change = z.object({ field: z.string(), oldValue: z.unknown(), newValue: z.unknown() });
const Point = z.object({ at: z.string(), cumulativePnl: Amount, cumulativeClv: Amount, bets: z.number() });
const NameParam = z.object({ name: Name });

export async function requireStrategy(ctx: ApiContext, name: string, field = 'name'): Promise<StrategyRow> {
  const row = await getStrategy(ctx.db, name);
  if (!row) throw new ApiError(404, field, `${field}: unknown strategy ${JSON.stringify(name)}`);
  return row;
}

/**
 * How long a workflow may take to answer a query here: a running workflow whose worker is down never
 * answers, and one such strategy must not hold up the whole list (the console refreshes it on every change).
 */
const QUERY_DEADLINE_MS = 3_000;

/** Temporal's answer, `unanswered` when it is unreachable or too slow (the table still answers). */
async function ask<T>(fn: (c: Client) => Promise<T>, ctx: ApiContext): Promise<T | 'unanswered'> {
  try {
    const client = await ctx.client();
    return await client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => fn(client));
  } catch {
    return 'unanswered';
  }
}

/** Temporal's answer, or null when it is unreachable, too slow or has nothing. */
async function maybe<T>(fn: (c: Client) => Promise<T>, ctx: ApiContext): Promise<T | null> {
  const answer = await ask(fn, ctx);
  return answer === 'unanswered' ? null : answer;
}

/** JSON values as the parameter needs them: text is read as the CLI reads `key=value`, others as given. */
function parameterChanges(row: StrategyRow, given: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(given).map(([k, v]) => [k, typeof v === 'string' ? coerceParameter(row.type, k, v) : v]),
  );
}

export function registerStrategyRoutes(app: ZodApp, ctx: ApiContext): void {
  app.get(
    '/api/strategies',
    {
      schema: {
        summary: 'every strategy with its mode, rollout stage, paused state and parameters',
        response: {
          200: z.object({
            strategies: z.array(
              StrategyRowSchema.extend({
                workflow: z.string(),
                paused: z.boolean().nullable(),
                rolloutStage: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const rows = await listStrategies(ctx.db);
      const strategies = await Promise.all(
        rows.map(async (row) => {
          const [status, rollout] = await Promise.all([
            ask((c) => strategyWorkflowStatus(c, row.name), ctx),
            maybe((c) => rolloutStatus(c, row.name), ctx),
          ]);
          const known = status !== 'unanswered' && status !== null;
          return {
            ...row,
            workflow: status === 'unanswered' ? 'not answering' : known ? status.phase : 'not running',
            paused: known ? status.paused : null,
            rolloutStage: rollout?.stage ?? null,
          };
        }),
      );
      return { strategies };
    },
  );

  app.get(
    '/api/strategies/:name',
    {
      schema: {
        summary: "a strategy's row, its workflow's status, latest changes and performance summary",
        params: NameParam,
        response: {
          200: z.object({
            strategy: StrategyRowSchema,
            workflowId: z.string(),
            workflowUrl: z.string(),
            running: z.boolean(),
            status: StatusSchema,
            changes: z.array(Change.extend({ changedAt: z.string(), changedBy: z.string() }).loose()),
            performance: Point.nullable(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { name } = request.params;
      const strategy = await requireStrategy(ctx, name);
      const status = await maybe((c) => strategyWorkflowStatus(c, name), ctx);
      const [changes, last] = await Promise.all([
        strategyChanges(ctx.db, name, 10),
        strategyPerformanceSeries(ctx.db, name, 1),
      ]);
      return {
        strategy,
        workflowId: strategyWorkflowId(name),
        workflowUrl: workflowLink(ctx, strategyWorkflowId(name)),
        running: status !== null,
        status: status as Record<string, unknown> | null,
        changes: changes.map((c) => ({ ...c })),
        performance: last[0] ?? null,
      };
    },
  );

  app.get(
    '/api/strategies/:name/performance',
    {
      schema: {
        summary: 'cumulative P&L and CLV after each settled bet of the strategy, for charts',
        params: NameParam,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(100_000).default(5000) }),
        response: { 200: z.array(Point), ...errors },
      },
    },
    async (request) => {
      await requireStrategy(ctx, request.params.name);
      return strategyPerformanceSeries(ctx.db, request.params.name, request.query.limit);
    },
  );

  for (const verb of ['pause', 'resume'] as const) {
    app.post(
      `/api/strategies/:name/${verb}`,
      {
        schema: {
          summary: verb === 'pause' ? 'stop sweeping (the sweep in flight finishes)' : 'sweep again',
          params: NameParam,
          body: z.strictObject({ reason: Reason.optional() }).optional(),
          response: { 200: Sent.extend({ applied: z.boolean() }), ...errors },
        },
      },
      async (request) => {
        const { name } = request.params;
        await requireStrategy(ctx, name);
        const client = await ctx.client();
        if (!(await strategyWorkflowStatus(client, name)))
          throw new ApiError(409, 'name', `name: workflow ${strategyWorkflowId(name)} is not running`);
        const { applied } = await controlStrategy(client, name, verb, {
          by: request.operator,
          reason: request.body?.reason ?? null,
        });
        return { sent: verb, by: request.operator, applied };
      },
    );
  }

  app.patch(
    '/api/strategies/:name/parameters',
    {
      schema: {
        summary: "change parameters (validated by the type's schema); mode, stakeMultiplier, enabled too",
        params: NameParam,
        body: z
          .strictObject({
            parameters: z.record(z.string(), z.unknown()).optional(),
            mode: StrategyMode.optional(),
            stakeMultiplier: Amount.optional(),
            enabled: z.boolean().optional(),
          })
          .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' }),
        response: {
          200: z.object({
            name: z.string(),
            via: z.string(),
            strategy: StrategyRowSchema,
            changes: z.array(Change),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { name } = request.params;
      const row = await requireStrategy(ctx, name);
      const { parameters, ...rest } = request.body;
      const change: SetParametersRequest = {
        ...rest,
        ...(parameters ? { parameters: parameterChanges(row, parameters) } : {}),
        by: request.operator,
      };
      // The update's own validator, before the request is sent (refusals name the parameter).
      validateSetParameters(row, change);
      const r = await changeStrategy(await ctx.client(), ctx.db, name, change);
      return { name, via: r.via, strategy: r.strategy, changes: r.changes };
    },
  );
}
