import { z } from 'zod';
import { listPaperSessions, paperSessionRecord, type PaperSessionRecord } from '../../activities/paper/store';
import { paperSessionId, type PaperTradingRequest } from '../../shared/paper';
import {
  checkPaperStart,
  controlPaperSession,
  paperSessionView,
  startPaperSession,
} from '../../workflows/paper/client';
import { workflowLink, type ApiContext } from '../context';
import { ApiError } from '../errors';
import { errors, Name, Reason, Sent, type ZodApp } from '../schemas';

const Session = z.object({ id: z.string().min(1).max(300) });

const SessionRow = z.object({
  sessionId: z.string(),
  strategy: z.string(),
  bankroll: z.string(),
  status: z.string(),
  startedBy: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  endReason: z.string().nullable(),
  verdict: z.string().nullable(),
  verdictReasons: z.array(z.string()).nullable(),
  metrics: z.record(z.string(), z.unknown()).nullable(),
  reportPath: z.string().nullable(),
});

/** The stored row in the API's naming, dates as ISO text. */
function sessionRow(r: PaperSessionRecord): z.infer<typeof SessionRow> {
  return {
    sessionId: r.session_id,
    strategy: r.strategy_name,
    bankroll: r.bankroll,
    status: r.status,
    startedBy: r.started_by,
    startedAt: r.started_at.toISOString(),
    endedAt: r.ended_at?.toISOString() ?? null,
    endReason: r.end_reason,
    verdict: r.verdict,
    verdictReasons: r.verdict_reasons,
    metrics: r.metrics,
    reportPath: r.report_path,
  };
}

/**
 * The start body: the shape of the workflow's request, with `params` for its parameter overrides; the values
 * are checked by checkPaperStart, the workflow's own rules (as the CLI's are).
 */
const Duration = z.union([z.string(), z.number()]);
const StartBody = z.strictObject({
  strategy: Name,
  bankroll: z.string().optional(),
  duration: Duration.optional(),
  bets: z.number().int().positive().optional(),
  stakeMultiplier: z.string().optional(),
  gate: z.record(z.string(), z.unknown()).optional(),
  settleTimeout: Duration.optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_:.-]{0,199}$/, 'expected a session id')
    .optional(),
});

export function registerPaperRoutes(app: ZodApp, ctx: ApiContext): void {
  app.get(
    '/api/paper',
    {
      schema: {
        summary: 'the latest paper-trading sessions',
        querystring: z.object({ strategy: Name.optional() }),
        response: { 200: z.object({ sessions: z.array(SessionRow) }), ...errors },
      },
    },
    async (request) => ({
      sessions: (await listPaperSessions(ctx.db, request.query.strategy ?? null)).map(sessionRow),
    }),
  );

  app.post(
    '/api/paper',
    {
      schema: {
        summary: 'start a paper-trading session (checked as `alphabet paper start` checks it)',
        body: StartBody,
        response: {
          200: z.object({ sessionId: z.string(), workflowUrl: z.string(), startedBy: z.string() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { params, id, bankroll, ...rest } = request.body;
      const { config } = ctx.loaded;
      const start: PaperTradingRequest = {
        ...(rest as Omit<PaperTradingRequest, 'bankroll'>),
        bankroll: bankroll ?? config.paper.defaultBankroll,
        ...(params ? { parameters: params } : {}),
        by: request.operator,
      };
      await checkPaperStart(ctx.db, start);
      const sessionId = id ?? paperSessionId(start.strategy, new Date());
      if (!(await startPaperSession(await ctx.client(), config, sessionId, start)))
        throw new ApiError(
          409,
          'id',
          `id: session ${JSON.stringify(sessionId)} was used before; choose another id`,
        );
      return { sessionId, workflowUrl: workflowLink(ctx, sessionId), startedBy: request.operator };
    },
  );

  app.get(
    '/api/paper/:id',
    {
      schema: {
        summary: "a session's progress (running: its query; finished: its stored results)",
        params: Session,
        response: {
          200: z.object({
            sessionId: z.string(),
            running: z.boolean(),
            progress: z.record(z.string(), z.unknown()).nullable(),
            stored: SessionRow.nullable(),
            workflowUrl: z.string(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const view = await paperSessionView(await ctx.client(), ctx.db, id);
      if (view.kind === 'missing')
        throw new ApiError(404, 'id', `id: no paper session ${JSON.stringify(id)}`);
      if (view.kind === 'not-paper')
        throw new ApiError(404, 'id', `id: ${id} is a ${view.type}, not a paper session`);
      return {
        sessionId: id,
        running: view.kind === 'running',
        progress: view.kind === 'running' ? (view.status as unknown as Record<string, unknown>) : null,
        stored: view.kind === 'stored' ? sessionRow(view.record) : null,
        workflowUrl: workflowLink(ctx, id),
      };
    },
  );

  for (const verb of ['pause', 'resume', 'stop'] as const) {
    app.post(
      `/api/paper/:id/${verb}`,
      {
        schema: {
          summary:
            verb === 'stop'
              ? 'end trading; the report follows once open bets settle (now: at once)'
              : `${verb} the session`,
          params: Session,
          body: z.strictObject({ reason: Reason.optional(), now: z.boolean().optional() }).optional(),
          response: { 200: Sent, ...errors },
        },
      },
      async (request) => {
        const { id } = request.params;
        const state = await controlPaperSession(await ctx.client(), id, verb, {
          by: request.operator,
          reason: request.body?.reason ?? null,
          now: request.body?.now === true,
        });
        if (state.kind === 'missing')
          throw new ApiError(404, 'id', `id: no paper session ${JSON.stringify(id)}`);
        if (state.kind === 'not-paper')
          throw new ApiError(404, 'id', `id: ${id} is a ${state.type}, not a paper session`);
        if (state.kind === 'closed')
          throw new ApiError(
            409,
            'id',
            `id: ${id} has ended (${state.status.toLowerCase()}); nothing to ${verb}`,
          );
        return { sent: verb, by: request.operator };
      },
    );
  }

  app.get(
    '/api/paper/:id/report',
    {
      schema: {
        summary: "a finished session's stored report: Markdown, metrics, verdict and bankroll curve",
        params: Session,
        response: {
          200: z.object({
            session: SessionRow,
            markdown: z.string(),
            curve: z.array(z.tuple([z.number(), z.string(), z.string()])),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const row = await paperSessionRecord(ctx.db, id);
      if (!row) throw new ApiError(404, 'id', `id: no paper session ${JSON.stringify(id)}`);
      if (row.status !== 'completed' || row.report_markdown === null)
        throw new ApiError(409, 'id', `id: ${id} is ${row.status}; its report comes at the end`);
      return { session: sessionRow(row), markdown: row.report_markdown, curve: row.curve ?? [] };
    },
  );
}
