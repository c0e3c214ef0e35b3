import { basename, join } from 'node:path';
import { z } from 'zod';
import { listResults, readResults } from '../../activities/backtest/report';
import type { ApiContext } from '../context';
import { ApiError } from '../errors';
import { errors, Name, type ZodApp } from '../schemas';

const Summary = z.record(z.string(), z.unknown());

/** Saved backtest results (reports/*.json, written by `alphabet backtest --report`), as `alphabet report` reads them. */
export function registerBacktestRoutes(app: ZodApp, ctx: ApiContext): void {
  app.get(
    '/api/backtests',
    {
      schema: {
        summary: 'saved backtest results, newest first',
        querystring: z.object({ strategy: Name.optional() }),
        response: {
          200: z.object({
            backtests: z.array(
              z.object({ name: z.string(), createdAt: z.string(), command: z.string(), summary: Summary }),
            ),
          }),
          ...errors,
        },
      },
    },
    (request) => ({
      backtests: listResults(ctx.reportsDir, request.query.strategy).map(({ path, results }) => ({
        name: basename(path, '.json'),
        createdAt: results.createdAt,
        command: results.command,
        summary: results.summary,
      })),
    }),
  );

  app.get(
    '/api/backtests/:name',
    {
      schema: {
        summary: 'one saved backtest: its data, parameters, summary and bankroll curve',
        params: z.object({
          name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,200}$/, 'expected a results name'),
        }),
        response: {
          200: z.object({
            name: z.string(),
            createdAt: z.string(),
            command: z.string(),
            data: z.record(z.string(), z.unknown()),
            parameters: z.record(z.string(), z.unknown()),
            summary: Summary,
            curve: z.array(z.tuple([z.number(), z.string(), z.string()])),
          }),
          ...errors,
        },
      },
    },
    (request) => {
      const { name } = request.params;
      // Only names listResults would list: no path outside the reports directory.
      const found = listResults(ctx.reportsDir).find((r) => basename(r.path, '.json') === name);
      if (!found) throw new ApiError(404, 'name', `name: no backtest results ${JSON.stringify(name)}`);
      const r = readResults(join(ctx.reportsDir, `${name}.json`));
      return {
        name,
        createdAt: r.createdAt,
        command: r.command,
        data: { ...r.data },
        parameters: { ...r.parameters },
        summary: r.summary as unknown as Record<string, unknown>,
        curve: r.curve.map((p) => [...p] as [number, string, string]),
      };
    },
  );
}
