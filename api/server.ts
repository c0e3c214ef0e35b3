import { existsSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { LoadedConfig } from '../config/load';
import { accessHook, checkBindAccess, parseApiTokens } from './auth';
import { createApiContext, type ApiContext } from './context';
import { ApiError, toApiError, type ErrorBody } from './errors';
import { registerEvents } from './events';
import { registerBacktestRoutes } from './routes/backtests';
import { registerBankrollRoutes } from './routes/bankroll';
import { registerBetRoutes } from './routes/bets';
import { registerHealthRoutes } from './routes/health';
import { registerMarketRoutes } from './routes/market';
import { registerPaperRoutes } from './routes/paper';
import { registerRolloutRoutes } from './routes/rollouts';
import { registerStrategyRoutes } from './routes/strategies';

export type Api = FastifyInstance;

/** The value a validation issue is about, read from the part of the request it validated. */
function valueAt(source: unknown, path: string): unknown {
  let v = source;
  for (const key of path.split('/').filter(Boolean))
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

/**
 * The operator API (issue 13): every request and response checked by zod schemas, its OpenAPI document at
 * /api/openapi.json, errors as `{ error: { field, message } }`, and the built console at `/`.
 */
export async function buildApi(ctx: ApiContext): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('operator', '');
  app.addHook('onRequest', accessHook(ctx.tokens));

  app.setErrorHandler((err, request, reply) => {
    let e: ApiError | null = toApiError(err);
    if (!e && hasZodFastifySchemaValidationErrors(err)) {
      const issue = err.validation[0]!;
      const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
      const part = err.validationContext ?? 'body';
      const field = path || part;
      const source = {
        body: request.body,
        querystring: request.query,
        params: request.params,
        headers: request.headers,
      }[part];
      const value = valueAt(source, issue.instancePath);
      e = new ApiError(
        400,
        field,
        `${field}: ${issue.message}${value === undefined ? '' : ` (got ${JSON.stringify(value)})`}`,
      );
    }
    if (!e && (err as { statusCode?: number }).statusCode === 400)
      e = new ApiError(400, null, (err as Error).message); // e.g. a body that is not JSON
    if (!e && (err as { statusCode?: number }).statusCode === 415)
      e = new ApiError(400, 'content-type', `content-type: ${(err as Error).message}`);
    if (e)
      return reply
        .status(e.status)
        .send({ error: { field: e.field, message: e.message } } satisfies ErrorBody);
    request.log.error(err);
    return reply
      .status(500)
      .send({ error: { field: null, message: (err as Error).message } } satisfies ErrorBody);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ error: { field: 'url', message: `url: no route ${request.method} ${request.url}` } }),
  );

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Alpha-Bet operator API', version: ctx.version },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: ctx.tokens.size > 0 ? [{ bearer: [] }] : [],
    },
    transform: jsonSchemaTransform,
  });

  const api = app.withTypeProvider<ZodTypeProvider>();
  registerHealthRoutes(api, ctx);
  registerMarketRoutes(api, ctx);
  registerBetRoutes(api, ctx);
  registerBankrollRoutes(api, ctx);
  registerStrategyRoutes(api, ctx);
  registerPaperRoutes(api, ctx);
  registerRolloutRoutes(api, ctx);
  registerBacktestRoutes(api, ctx);
  registerEvents(api, ctx);
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());

  if (existsSync(ctx.consoleDir)) {
    await app.register(fastifyStatic, { root: ctx.consoleDir, prefix: '/' });
  } else {
    app.get('/', { schema: { hide: true } }, (_req, reply) =>
      reply
        .type('text/html')
        .send(
          '<!doctype html><title>Alpha-Bet</title><p>The console is not built (npm ci builds it into console/dist); the API is at <a href="/api/openapi.json">/api/openapi.json</a>.</p>',
        ),
    );
  }
  return app;
}

/** Start listening; the address is what the server really bound (port 0 picks one). */
export async function listenApi(app: FastifyInstance, host: string, port: number): Promise<string> {
  await app.listen({ host, port });
  const addr = app.server.address();
  const p = typeof addr === 'object' && addr ? addr.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${p}/`;
}

export interface RunningApi {
  /** Where the console and API answer, e.g. http://127.0.0.1:8700/ */
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * Check access (a non-loopback host needs ALPHABET_API_TOKENS: ApiAccessError otherwise, before anything
 * is connected or bound), then serve the API and console on `host`:`port` (config `api.*` by default).
 */
export async function startApiServer(
  loaded: LoadedConfig,
  options: { host?: string; port?: number; reportsDir?: string; consoleDir?: string } = {},
): Promise<RunningApi> {
  const host = options.host ?? loaded.config.api.host;
  const port = options.port ?? loaded.config.api.port;
  checkBindAccess(host, parseApiTokens(loaded.secrets.ALPHABET_API_TOKENS));
  const ctx = createApiContext(loaded, options);
  try {
    const app = await buildApi(ctx);
    const url = await listenApi(app, host, port);
    return {
      url,
      app,
      async close() {
        await app.close();
        await ctx.close();
      },
    };
  } catch (err) {
    await ctx.close();
    throw err;
  }
}
