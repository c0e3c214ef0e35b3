import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { AppConfig, Secrets } from '../../config/schema';

export interface TemporalConnectOptions {
  address: string;
  tls?: {
    serverNameOverride?: string;
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
  };
  apiKey?: string;
}

/**
 * One place turns config into connection options, for the worker's NativeConnection and the
 * client's Connection alike: a local dev server, a self-hosted cluster with mTLS, or Temporal Cloud
 * with an API key (TEMPORAL_API_KEY, which implies TLS).
 */
export function temporalConnectOptions(config: AppConfig, secrets: Secrets): TemporalConnectOptions {
  const { tls } = config.temporal;
  const options: TemporalConnectOptions = { address: config.temporal.address };
  if (tls.enabled || secrets.TEMPORAL_API_KEY) {
    options.tls = {
      ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
      ...(tls.caPath ? { serverRootCACertificate: readFileSync(tls.caPath) } : {}),
      ...(tls.certPath && tls.keyPath
        ? { clientCertPair: { crt: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) } }
        : {}),
    };
  }
  if (secrets.TEMPORAL_API_KEY) options.apiKey = secrets.TEMPORAL_API_KEY;
  return options;
}

export async function connectClient(config: AppConfig, secrets: Secrets): Promise<Client> {
  const connection = await Connection.connect({
    ...temporalConnectOptions(config, secrets),
    connectTimeout: '5s',
  });
  return new Client({ connection, namespace: config.temporal.namespace });
}
