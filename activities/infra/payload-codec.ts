// AES-256-GCM payload encryption for Temporal (client, worker and the Web UI's codec server). It runs in
// the main Node.js context, never in the workflow sandbox: workflow code must not import it.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

// CommonJS package: take the message class from its default export under ESM.
const ProtoPayload = proto.temporal.api.common.v1.Payload;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const PAYLOAD_KEYS_ENV = 'ALPHABET_PAYLOAD_KEYS';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const text = new TextEncoder();
const utf8 = new TextDecoder();

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/**
 * Parse `k2:<base64 32 bytes>,k1:<base64 32 bytes>`. The first key encrypts (list the newest first); every
 * key decrypts, so rotating is: put the new key first and keep the old ones while history still uses them.
 * Errors name the variable and the entry's key id, never key material.
 */
export function parsePayloadKeys(value: string, source = PAYLOAD_KEYS_ENV): PayloadKey[] {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error(`${source} is empty: expected "keyId:<base64 of 32 bytes>,…"`);
  const keys: PayloadKey[] = [];
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!KEY_ID_RE.test(id))
      throw new Error(
        `${source} entry ${i + 1}: expected "keyId:<base64>" with a key id of letters, digits, _, . or - (got ${colon > 0 ? JSON.stringify(id) : 'no key id'})`,
      );
    const b64 = entry.slice(colon + 1);
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32 || key.toString('base64') !== b64)
      throw new Error(
        `${source} key "${id}": expected the base64 of exactly 32 random bytes (got ${key.length} bytes); ` +
          `make one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`,
      );
    if (keys.some((k) => k.id === id)) throw new Error(`${source}: key id "${id}" is listed twice`);
    keys.push({ id, key });
  });
  return keys;
}

/**
 * Encrypts each whole payload (its metadata and data, protobuf-encoded) with the first key; the result
 * carries only `encoding: binary/encrypted` and the key id. Decrypts with whichever configured key the
 * payload names. Payloads that are not encrypted pass through, so history written before encryption was
 * turned on stays readable.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: PayloadKey;

  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new Error(`${PAYLOAD_KEYS_ENV}: no keys`);
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get encryptionKeyId(): string {
    return this.current.id;
  }

  // Async so that a bad payload rejects (as PayloadCodec callers expect) rather than throws.
  // eslint-disable-next-line @typescript-eslint/require-await
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decrypt(p));
  }

  private encrypt(payload: Payload): Payload {
    const plain = ProtoPayload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return {
      metadata: {
        encoding: text.encode(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: text.encode(this.current.id),
      },
      data: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
    };
  }

  private decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.encoding;
    if (!encoding || utf8.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    const id = idBytes ? utf8.decode(idBytes) : '';
    const key = this.byId.get(id);
    if (!key)
      throw new Error(
        `cannot decrypt a payload encrypted with key "${id || '(none named)'}": it is not in ${PAYLOAD_KEYS_ENV} ` +
          `(configured: ${[...this.byId.keys()].join(', ')}); keep old keys listed after the new one until no history uses them`,
      );
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new Error(`encrypted payload (key "${id}") is ${data.length} bytes: too short to be ours`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new Error(
        `encrypted payload (key "${id}") failed authentication: wrong key material or tampered data`,
      );
    }
    const decoded = ProtoPayload.decode(plain);
    return { metadata: decoded.metadata ?? {}, data: decoded.data ?? new Uint8Array() };
  }
}
