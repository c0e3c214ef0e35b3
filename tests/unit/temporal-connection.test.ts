import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/load';
import { remoteTemporalStatus, stackStatus } from '../../scripts/stack';

const dir = mkdtempSync(join(tmpdir(), 'alphabet-tls-'));

/** A self-signed EC certificate and key (openssl), written to dir. */
function selfSigned(name: string, cn: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`,
  ], { stdio: 'ignore' }); // prettier-ignore
  return { cert, key };
}

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('Temporal TLS configuration', () => {
  const pair = selfSigned('half', 'half.test');

  it('refuses a client certificate without its key, naming both keys and variables', () => {
    const err = configError({ TEMPORAL_TLS: 'true', TEMPORAL_TLS_CERT: pair.cert });
    expect(err.key).toBe('temporal.tls.keyPath');
    expect(err.message).toContain('TEMPORAL_TLS_CERT');
    expect(err.message).toContain('TEMPORAL_TLS_KEY');
    expect(err.message).toContain('temporal.tls.certPath');
  });

  it('refuses a key without its certificate', () => {
    const err = configError({ TEMPORAL_TLS: 'true', TEMPORAL_TLS_KEY: pair.key });
    expect(err.key).toBe('temporal.tls.certPath');
    expect(err.message).toMatch(/TEMPORAL_TLS_KEY.*is set but .*TEMPORAL_TLS_CERT.* is not/);
  });

  it('refuses a CA file that cannot be read, naming the variable and the path', () => {
    const missing = join(dir, 'no-such-ca.pem');
    const err = configError({ TEMPORAL_TLS: 'true', TEMPORAL_TLS_CA: missing });
    expect(err.key).toBe('temporal.tls.caPath');
    expect(err.message).toContain('environment variable TEMPORAL_TLS_CA');
    expect(err.message).toContain(missing);
    expect(err.message).toContain('ENOENT');
  });

  it('accepts a complete pair', () => {
    const { config } = loadConfig({
      env: { TEMPORAL_TLS: 'true', TEMPORAL_TLS_CERT: pair.cert, TEMPORAL_TLS_KEY: pair.key },
    });
    expect(config.temporal.tls).toMatchObject({ certPath: pair.cert, keyPath: pair.key });
  });
});

/**
 * A stand-in for a remote cluster: gRPC over HTTP/2 with TLS that requires our client certificate. It
 * answers every call with an empty OK message, enough for the health check and search attributes.
 */
describe('stack against a remote cluster', () => {
  const server = selfSigned('server', 'temporal.test');
  const client = selfSigned('client', 'alphabet-worker');
  const handshakes: { servername: unknown; clientCn: unknown }[] = [];
  const calls: { path: string; authorization: string | undefined }[] = [];
  let remote: Http2SecureServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    remote = createSecureServer({
      key: readFileSync(server.key),
      cert: readFileSync(server.cert),
      ca: readFileSync(client.cert),
      requestCert: true,
      rejectUnauthorized: true, // no client certificate, no connection
    });
    remote.on('secureConnection', (socket: TLSSocket) =>
      handshakes.push({ servername: socket.servername, clientCn: socket.getPeerCertificate().subject?.CN }),
    );
    remote.on('stream', (stream, headers) => {
      calls.push({ path: String(headers[':path']), authorization: headers.authorization });
      stream.resume();
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
    await new Promise<void>((r) => remote.listen(0, '127.0.0.1', r));
    env = {
      TEMPORAL_ADDRESS: `127.0.0.1:${(remote.address() as AddressInfo).port}`,
      TEMPORAL_TLS: 'true',
      TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
      TEMPORAL_TLS_CA: server.cert,
      TEMPORAL_TLS_CERT: client.cert,
      TEMPORAL_TLS_KEY: client.key,
      TEMPORAL_API_KEY: 'test-api-key',
    };
  });

  afterAll(() => {
    remote?.close();
  });

  it('`stack status` checks it over TLS with the client certificate, server name and API key', async () => {
    const statuses = await stackStatus(loadConfig({ env }));
    const temporal = statuses.find((s) => s.component === 'temporal')!;
    expect(temporal).toMatchObject({ address: env.TEMPORAL_ADDRESS, healthy: true });
    expect(handshakes[0]).toEqual({ servername: 'temporal.test', clientCn: 'alphabet-worker' });
    expect(calls.map((c) => c.path)).toContain('/grpc.health.v1.Health/Check');
    for (const call of calls) expect(call.authorization, call.path).toBe('Bearer test-api-key');
  });

  it('`stack up` registers search attributes through the same TLS connection options', async () => {
    calls.length = 0;
    const status = await remoteTemporalStatus(loadConfig({ env }), { registerSearchAttributes: true });
    expect(status.healthy).toBe(true);
    expect(status.detail).toContain('registered BetStatus');
    const register = calls.find((c) => c.path.endsWith('/AddSearchAttributes'));
    expect(register).toEqual({
      path: '/temporal.api.operatorservice.v1.OperatorService/AddSearchAttributes',
      authorization: 'Bearer test-api-key',
    });
  });

  it('`stack status` asks it for the workers’ pollers through the same TLS connection options', async () => {
    calls.length = 0;
    // A worker `stack up --workers` started: its pid file (this process stands in for it).
    const dataDir = mkdtempSync(join(dir, 'data-'));
    mkdirSync(join(dataDir, 'workers'));
    const logPath = join(dataDir, 'workers', 'bets-0.log');
    const record = {
      pid: process.pid,
      queue: 'bets',
      index: 0,
      logPath,
      startedAt: new Date().toISOString(),
    };
    writeFileSync(join(dataDir, 'workers', 'bets-0.pid'), JSON.stringify(record));
    const statuses = await stackStatus(loadConfig({ env: { ...env, ALPHABET_DATA_DIR: dataDir } }));
    expect(statuses.find((s) => s.component === 'worker bets#0')).toMatchObject({ healthy: true });
    expect(calls.find((c) => c.path.endsWith('/DescribeTaskQueue'))).toEqual({
      path: '/temporal.api.workflowservice.v1.WorkflowService/DescribeTaskQueue',
      authorization: 'Bearer test-api-key',
    });
  });
});
