import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { ApiAccessError } from '../../api/auth';
import { UsageError } from '../output';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('the operator HTTP API (OpenAPI at /api/openapi.json), live events and the web console')
    .option(
      '--host <ip>',
      'address to bind (default config api.host, 127.0.0.1); others need ALPHABET_API_TOKENS',
    )
    .option('--port <n>', 'port to listen on (default config api.port, 8700)')
    .action(async (opts: { host?: string; port?: string }) => {
      const port = opts.port === undefined ? undefined : parsePort(opts.port);
      const loaded = loadConfig();
      // The server (Fastify and its plugins) loads only for this command: the others stay quick.
      const { startApiServer } = await import('../../api/server');
      const api = await startApiServer(loaded, {
        ...(opts.host !== undefined ? { host: opts.host } : {}),
        ...(port !== undefined ? { port } : {}),
      }).catch((err: unknown) => {
        if (err instanceof ApiAccessError) throw new UsageError(err.message);
        throw err;
      });
      process.stdout.write(`Console: ${api.url}\nAPI: ${api.url}api/openapi.json\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await api.close();
    });
}

function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535)
    throw new UsageError(`--port: ${JSON.stringify(text)} is not a port number from 0 to 65535`);
  return n;
}
