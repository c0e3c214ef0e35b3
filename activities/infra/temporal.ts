import { readFileSync } from 'node:fs';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { ConfigError } from '../../config/load';
import type { AppConfig, Secrets } from '../../config/schema';
import { EncryptionCodec, parsePayloadKeys, PAYLOAD_KEYS_ENV } from './payload-codec';

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

/**
 * The payload codec from ALPHABET_PAYLOAD_KEYS (newest key first: it encrypts; all decrypt). Null when
 * encryption is off and no keys are given; a ConfigError naming the variable when it is on without keys.
 * `required` is for the codec server, which is useless without keys whatever the switch says.
 */
export function payloadCodec(
  config: AppConfig,
  secrets: Secrets,
  { required = false }: { required?: boolean } = {},
): EncryptionCodec | null {
  const enabled = config.temporal.payloadEncryption.enabled;
  const value = secrets.ALPHABET_PAYLOAD_KEYS;
  if (!value) {
    if (!enabled && !required) return null;
    throw new ConfigError(
      PAYLOAD_KEYS_ENV,
      undefined,
      'environment',
      `${enabled ? 'temporal.payloadEncryption.enabled (TEMPORAL_PAYLOAD_ENCRYPTION) is true' : 'the codec server decrypts'}, ` +
        `so the keys are required: ${PAYLOAD_KEYS_ENV}="k1:<base64 of 32 bytes>" (README: Configuration)`,
    );
  }
  let keys;
  try {
    keys = parsePayloadKeys(value);
  } catch (err) {
    throw new ConfigError(PAYLOAD_KEYS_ENV, '<redacted>', 'environment', (err as Error).message);
  }
  return enabled || required ? new EncryptionCodec(keys) : null;
}

/**
 * The one DataConverter for every client and worker: the encrypting codec when
 * temporal.payloadEncryption.enabled, else Temporal's default. Clients and workers must agree, so none
 * builds its own.
 */
export function temporalDataConverter(config: AppConfig, secrets: Secrets): DataConverter {
  const codec = payloadCodec(config, secrets);
  return codec ? { payloadCodecs: [codec] } : {};
}

/** `fn`'s result, or `otherwise` when the workflow it addresses does not exist. */
export async function ifWorkflowExists<T, O>(fn: () => Promise<T>, otherwise: O): Promise<T | O> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return otherwise;
    throw err;
  }
}

export async function connectClient(config: AppConfig, secrets: Secrets): Promise<Client> {
  const dataConverter = temporalDataConverter(config, secrets);
  const connection = await Connection.connect({
    ...temporalConnectOptions(config, secrets),
    connectTimeout: '5s',
  });
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter });
}
