import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../../config/load';
import { payloadCodec } from '../../activities/infra/temporal';
import { startCodecServer, type RunningCodecServer } from '../../activities/infra/codec-server';
import { UsageError } from '../output';

export function registerCodecServer(program: Command): void {
  program
    .command('codec-server')
    .description(
      "serve Temporal's remote codec (POST /decode, /encode) so the Web UI shows encrypted payloads decrypted",
    )
    .option('--port <n>', 'port to listen on (default temporal.payloadEncryption.codecServer.port)')
    .option('--host <ip>', 'address to bind (default temporal.payloadEncryption.codecServer.host)')
    .action(async (opts: { port?: string; host?: string }) => {
      const port = opts.port === undefined ? undefined : parsePort(opts.port);
      const codec = await serveCodec(loadConfig(), { port, host: opts.host });
      process.stdout.write(
        `codec server on ${codec.url} (POST /decode, /encode); point the Web UI at it: ` +
          `temporal server start-dev --ui-codec-endpoint ${codec.url}, or TEMPORAL_CODEC_ENDPOINT for temporalio/ui\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await codec.close();
    });
}

/** The codec server from config and ALPHABET_PAYLOAD_KEYS (refused without keys). */
export function serveCodec(
  { config, secrets }: LoadedConfig,
  overrides: { port?: number | undefined; host?: string | undefined } = {},
): Promise<RunningCodecServer> {
  const codec = payloadCodec(config, secrets, { required: true })!;
  const { codecServer } = config.temporal.payloadEncryption;
  return startCodecServer({
    codec,
    namespace: config.temporal.namespace,
    corsOrigins: codecServer.corsOrigins,
    host: overrides.host ?? codecServer.host,
    port: overrides.port ?? codecServer.port,
  });
}

function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535)
    throw new UsageError(`--port ${JSON.stringify(text)}: expected a port number from 1 to 65535`);
  return n;
}
