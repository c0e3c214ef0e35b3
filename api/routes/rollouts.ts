import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { listStrategies } from '../../activities/strategies/store';
import { approveRollout, controlRollout, rolloutStatus, startRollout } from '../../workflows/rollout/client';
import { rolloutWorkflowId, type RolloutStatus } from '../../workflows/rollout/messages';
import { workflowLink, type ApiContext } from '../context';
import { ApiError } from '../errors';
import { errors, Name, Reason, Sent, type ZodApp } from '../schemas';

const Status = z.looseObject({ strategy: z.string(), stage: z.string(), stages: z.array(z.string()) });
const StrategyParam = z.object({ strategy: Name });

const asJson = (s: RolloutStatus) => s as unknown as z.infer<typeof Status>;

function noRollout(strategy: string): ApiError {
  return new ApiError(404, 'strategy', `strategy: no rollout of ${JSON.stringify(strategy)} (start one)`);
}

/** Staged rollouts, through the rollout workflow's query, update and signals (as `alphabet rollout`). */
export function registerRolloutRoutes(app: ZodApp, ctx: ApiContext): void {
  app.get(
    '/api/rollouts',
    {
      schema: {
        summary: "every strategy's rollout status (null where it has none)",
        response: {
          200: z.object({ rollouts: z.array(z.object({ strategy: z.string(), status: Status.nullable() })) }),
        },
      },
    },
    async () => {
      const client: Client = await ctx.client();
      const rows = await listStrategies(ctx.db);
      const rollouts = await Promise.all(
        rows.map(async (r) => {
          const s = await rolloutStatus(client, r.name).catch(() => null);
          return { strategy: r.name, status: s ? asJson(s) : null };
        }),
      );
      return { rollouts };
    },
  );

  app.get(
    '/api/rollouts/:strategy',
    {
      schema: {
        summary: 'stage, metrics, gate verdict and events of a rollout',
        params: StrategyParam,
        response: { 200: z.object({ status: Status, workflowUrl: z.string() }), ...errors },
      },
    },
    async (request) => {
      const { strategy } = request.params;
      const status = await rolloutStatus(await ctx.client(), strategy);
      if (!status) throw noRollout(strategy);
      return { status: asJson(status), workflowUrl: workflowLink(ctx, rolloutWorkflowId(strategy)) };
    },
  );

  app.post(
    '/api/rollouts/:strategy/start',
    {
      schema: {
        summary: "start the rollout (id rollout:<strategy>) with the config's stages and gates",
        params: StrategyParam,
        body: z.strictObject({}).optional(),
        response: {
          200: z.object({ strategy: z.string(), result: z.string(), workflowUrl: z.string() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { strategy } = request.params;
      const result = await startRollout(await ctx.client(), ctx.loaded.config, strategy);
      return { strategy, result, workflowUrl: workflowLink(ctx, rolloutWorkflowId(strategy)) };
    },
  );

  app.post(
    '/api/rollouts/:strategy/approve',
    {
      schema: {
        summary: 'approve a manual gate (refused unless the rollout waits for it)',
        params: StrategyParam,
        body: z.strictObject({}).optional(),
        response: { 200: z.object({ status: Status }), ...errors },
      },
    },
    async (request) => {
      const { strategy } = request.params;
      const status = await approveRollout(await ctx.client(), strategy, request.operator);
      if (!status) throw noRollout(strategy);
      return { status: asJson(status) };
    },
  );

  for (const verb of ['pause', 'resume', 'abort'] as const) {
    app.post(
      `/api/rollouts/:strategy/${verb}`,
      {
        schema: {
          summary:
            verb === 'abort'
              ? 'end the rollout and put the strategy back on paper at stake multiplier 0'
              : `${verb} the rollout`,
          params: StrategyParam,
          body: z.strictObject({ reason: Reason.optional() }).optional(),
          response: { 200: Sent, ...errors },
        },
      },
      async (request) => {
        const { strategy } = request.params;
        // The rollout's signals carry a reason, not an operator: the reason names who sent it.
        const reason = `${request.body?.reason ?? verb} (${request.operator})`;
        if (!(await controlRollout(await ctx.client(), strategy, verb, reason))) throw noRollout(strategy);
        return { sent: verb, by: request.operator };
      },
    );
  }
}
