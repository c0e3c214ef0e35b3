import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { ConfigError, loadConfig } from '../../config/load';
import { payloadCodec, temporalDataConverter } from '../../activities/infra/temporal';
import {
  EncryptionCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  parsePayloadKeys,
} from '../../activities/infra/payload-codec';
import { startCodecServer, type RunningCodecServer } from '../../activities/infra/codec-server';
import { codecEndpoint } from '../../scripts/stack';
import { nonLoopbackHost } from '../../activities/infra/loopback';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const utf8 = (b: Uint8Array | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const bet = { stake: '123.45', price: '2.10', account: 'live', by: 'operator-jane' };
const plain = (): Payload => defaultPayloadConverter.toPayload(bet);

describe('encrypting payload codec', () => {
  it('encrypts the whole payload: no readable field, encoding and key id in the metadata', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(`k1:${k1}`));
    const [encrypted] = await codec.encode([plain()]);
    expect(utf8(encrypted!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(utf8(encrypted!.metadata![KEY_ID_METADATA])).toBe('k1');
    expect(Object.keys(encrypted!.metadata!).sort()).toEqual(['encoding', KEY_ID_METADATA]);
    for (const secret of ['123.45', 'operator-jane', 'json/plain'])
      expect(Buffer.from(encrypted!.data!).includes(secret)).toBe(false);
    const [decoded] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(bet);
  });

  it('rotation: the first key encrypts, an old key still decrypts what it encrypted', async () => {
    const old = new EncryptionCodec(parsePayloadKeys(`k1:${k1}`));
    const rotated = new EncryptionCodec(parsePayloadKeys(`k2:${k2},k1:${k1}`));
    const [byOld] = await old.encode([plain()]);
    const [decoded] = await rotated.decode([byOld!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(bet);
    const [byNew] = await rotated.encode([plain()]);
    expect(utf8(byNew!.metadata![KEY_ID_METADATA])).toBe('k2');
    await expect(old.decode([byNew!])).rejects.toThrow(
      /key "k2".*not in ALPHABET_PAYLOAD_KEYS.*configured: k1/,
    );
  });

  it('refuses tampered data and passes payloads that were never encrypted through', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(`k1:${k1}`));
    const [encrypted] = await codec.encode([plain()]);
    const data = Buffer.from(encrypted!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...encrypted!, data }])).rejects.toThrow(/key "k1".*failed authentication/);
    const [unchanged] = await codec.decode([plain()]);
    expect(defaultPayloadConverter.fromPayload(unchanged!)).toEqual(bet);
  });

  it('names ALPHABET_PAYLOAD_KEYS and the entry for bad keys, never the key material', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => parsePayloadKeys(`k1:${short}`)).toThrow(
      /ALPHABET_PAYLOAD_KEYS key "k1".*exactly 32.*got 16/,
    );
    expect(() => parsePayloadKeys(k1)).toThrow(/ALPHABET_PAYLOAD_KEYS entry 1: expected "keyId:<base64>"/);
    expect(() => parsePayloadKeys(`k1:${k1},k1:${k2}`)).toThrow(/"k1" is listed twice/);
    try {
      parsePayloadKeys(`k1:${short}`);
    } catch (err) {
      expect((err as Error).message).not.toContain(short);
    }
  });

  it('is off by default; on without keys is a configuration error naming the variable', () => {
    const off = loadConfig({ env: {} });
    expect(off.config.temporal.payloadEncryption.enabled).toBe(false);
    expect(temporalDataConverter(off.config, off.secrets)).toEqual({});
    const on = loadConfig({ env: { TEMPORAL_PAYLOAD_ENCRYPTION: 'true' } });
    expect(() => temporalDataConverter(on.config, on.secrets)).toThrow(ConfigError);
    expect(() => temporalDataConverter(on.config, on.secrets)).toThrow(
      /ALPHABET_PAYLOAD_KEYS = \(missing\).*temporal\.payloadEncryption\.enabled \(TEMPORAL_PAYLOAD_ENCRYPTION\) is true/,
    );
    const keyed = loadConfig({
      env: { TEMPORAL_PAYLOAD_ENCRYPTION: 'true', ALPHABET_PAYLOAD_KEYS: `k2:${k2},k1:${k1}` },
    });
    const converter = temporalDataConverter(keyed.config, keyed.secrets);
    expect((converter.payloadCodecs![0] as EncryptionCodec).encryptionKeyId).toBe('k2');
    const bad = loadConfig({
      env: { TEMPORAL_PAYLOAD_ENCRYPTION: 'true', ALPHABET_PAYLOAD_KEYS: 'k1:short' },
    });
    expect(() => payloadCodec(bad.config, bad.secrets)).toThrow(/ALPHABET_PAYLOAD_KEYS = "<redacted>"/);
  });
});

describe('the Web UI codec endpoint the dev server is given', () => {
  it('is the codec server when encryption is on, and none when it is off', () => {
    expect(codecEndpoint(loadConfig({ env: {} }).config)).toBeUndefined();
    const on = loadConfig({ env: { TEMPORAL_PAYLOAD_ENCRYPTION: 'true' } }).config;
    expect(codecEndpoint(on)).toBe('http://127.0.0.1:8888');
    on.temporal.payloadEncryption.codecServer = {
      ...on.temporal.payloadEncryption.codecServer,
      host: '0.0.0.0',
    };
    expect(codecEndpoint(on)).toBe('http://127.0.0.1:8888');
  });
});

describe('codec server (Temporal remote codec protocol)', () => {
  const uiOrigin = 'http://127.0.0.1:8233';
  const codec = new EncryptionCodec(parsePayloadKeys(`k1:${k1}`));
  let server: RunningCodecServer;
  const toJson = (p: Payload) => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    server = await startCodecServer({
      codec,
      namespace: 'default',
      corsOrigins: [uiOrigin, 'http://localhost:8233'],
      host: '127.0.0.1',
      port: 0,
    });
  });
  afterAll(() => server?.close());

  it('POST /decode returns the plaintext payloads; /encode encrypts', async () => {
    const [encrypted] = await codec.encode([plain()]);
    const res = await post('/decode', { payloads: [toJson(encrypted!)] }, { origin: uiOrigin });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    const { payloads } = (await res.json()) as {
      payloads: { metadata: Record<string, string>; data: string }[];
    };
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString())).toEqual(bet);

    const enc = (await (await post('/encode', { payloads: [toJson(plain())] })).json()) as {
      payloads: { metadata: Record<string, string> }[];
    };
    expect(Buffer.from(enc.payloads[0]!.metadata[KEY_ID_METADATA]!, 'base64').toString()).toBe('k1');
  });

  it('answers the Web UI origin’s preflight with CORS headers and a foreign origin with none', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace,authorization',
        },
      });
    const ok = await preflight('http://localhost:8233');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    expect(ok.headers.get('access-control-allow-headers')).toBe('content-type, x-namespace, authorization');
    const foreign = await preflight('http://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.headers.get('access-control-allow-headers')).toBeNull();
  });

  it('bound to loopback, answers only requests for a loopback name: a DNS-rebinding page names its own', async () => {
    // fetch cannot set Host, which is the point of the test: node:http can.
    const postWithHost = (url: string, host: string, body: unknown) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${url}/decode`, {
          method: 'POST',
          headers: { host, 'content-type': 'application/json' },
        });
        req.on('error', reject);
        req.on('response', (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.end(JSON.stringify(body));
      });
    const [encrypted] = await codec.encode([plain()]);
    const body = { payloads: [toJson(encrypted!)] };
    const rebound = await postWithHost(server.url, 'evil.example:8888', body);
    expect(rebound.status).toBe(403);
    expect((JSON.parse(rebound.body) as { error: string }).error).toBe(
      'Host "evil.example" is not a loopback name (127.0.0.1, localhost or [::1]); ' +
        'a codec server bound to 127.0.0.1 answers only requests for a loopback name',
    );
    expect(rebound.body).not.toContain('operator-jane');
    for (const host of ['127.0.0.1:8888', 'localhost:8888', 'LocalHost', '[::1]:8888'])
      expect((await postWithHost(server.url, host, body)).status, host).toBe(200);
    // Names that only look loopback: user info, a loopback-looking label of another domain.
    for (const host of [
      'evil.example@127.0.0.1',
      '127.0.0.1.evil.example',
      'localhost.evil.example:8888',
      '',
    ])
      expect(nonLoopbackHost(host), host).toMatch(/is not a loopback name/);

    // Bound to another address (a Web UI in a container reaches it by the deployment's names): no Host rule.
    const open = await startCodecServer({
      codec,
      namespace: 'default',
      corsOrigins: [],
      host: '0.0.0.0',
      port: 0,
    });
    try {
      const url = open.url.replace('0.0.0.0', '127.0.0.1');
      expect((await postWithHost(url, 'codec.internal:8888', body)).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  it('refuses another namespace (X-Namespace), bad bodies and undecryptable payloads with a reason', async () => {
    const other = await post('/decode', { payloads: [] }, { 'x-namespace': 'payments' });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: string }).error).toContain('X-Namespace "payments"');
    const bad = await post('/decode', { nope: 1 });
    expect(bad.status).toBe(400);
    const [foreign] = await new EncryptionCodec(parsePayloadKeys(`k9:${k2}`)).encode([plain()]);
    const unknown = await post('/decode', { payloads: [toJson(foreign!)] });
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { error: string }).error).toContain('key "k9"');
  });
});
