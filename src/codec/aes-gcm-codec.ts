import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { CodikaValidationError } from '../shared/errors';

/** `encoding` of an encrypted payload; anything else passes through untouched. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the key a payload was encrypted with, so keys can rotate. */
export const KEY_ID_METADATA = 'encryption-key-id';
const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Options of {@link AesGcmPayloadCodec}. */
export interface AesGcmCodecOptions {
  /** Keys by id: 32 bytes each, as bytes or base64. Keep old keys here so old payloads still decrypt. */
  keys: Record<string, Uint8Array | string>;
  /** The key new payloads are encrypted with. */
  currentKeyId: string;
}

/**
 * Encrypts every payload (inputs, results, heartbeat details, failure details) with AES-256-GCM
 * before it leaves the process, so Codika payloads with personal data are not stored in plain text
 * in Temporal. The key id travels in the payload's metadata: add a new key, make it current, and
 * payloads written under the old one still decrypt while the old key is listed.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  private readonly currentKeyId: string;

  /** @throws CodikaValidationError naming the key that is unusable. */
  constructor(options: AesGcmCodecOptions) {
    this.keys = new Map(Object.entries(options.keys ?? {}).map(([id, key]) => [id, keyBytes(id, key)]));
    if (!this.keys.has(options.currentKeyId)) {
      throw new CodikaValidationError(
        'currentKeyId',
        `"${options.currentKeyId}" is not one of the keys (${[...this.keys.keys()].join(', ') || 'none given'})`,
      );
    }
    this.currentKeyId = options.currentKeyId;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.currentKeyId)!;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(CIPHER, key, iv);
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: Buffer.from(this.currentKeyId),
        },
        data: sealed,
      };
    });
  }

  /** @throws Error naming the key id when a payload was encrypted with a key this codec does not hold, or was altered. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) return payload;
      const keyId = Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString();
      const key = this.keys.get(keyId);
      if (!key) {
        throw new Error(`payload encrypted with key "${keyId}", which this codec does not hold: add it to the keys`);
      }
      const sealed = Buffer.from(payload.data ?? []);
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error(`encrypted payload (key "${keyId}") is truncated`);
      const decipher = createDecipheriv(CIPHER, key, sealed.subarray(0, IV_BYTES));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([
          decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
          decipher.final(),
        ]);
      } catch {
        throw new Error(`encrypted payload (key "${keyId}") failed authentication: altered, or the key is wrong`);
      }
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}

function keyBytes(id: string, key: Uint8Array | string): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'base64') : Buffer.from(key);
  if (bytes.length !== KEY_BYTES) {
    // Never echo the key itself.
    throw new CodikaValidationError(
      `keys.${id}`,
      `must be ${KEY_BYTES} bytes (base64 of 32 random bytes, e.g. \`openssl rand -base64 32\`); got ${bytes.length}`,
    );
  }
  return bytes;
}

/**
 * Reads codec keys from the environment: `CODIKA_CODEC_KEYS` (JSON `{"<id>": "<base64 key>"}`) and
 * `CODIKA_CODEC_KEY_ID` (the current one). Undefined when no keys are set: payloads stay plain.
 *
 * @throws CodikaValidationError naming the variable, never echoing a key.
 */
export function codecFromEnv(env: NodeJS.ProcessEnv): AesGcmPayloadCodec | undefined {
  const raw = env.CODIKA_CODEC_KEYS;
  if (!raw) return undefined;
  let keys: unknown;
  try {
    keys = JSON.parse(raw);
  } catch {
    throw new CodikaValidationError('CODIKA_CODEC_KEYS', 'is not valid JSON; expected {"<key id>": "<base64 key>", …}');
  }
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) {
    throw new CodikaValidationError('CODIKA_CODEC_KEYS', 'must be a JSON object mapping key ids to base64 keys');
  }
  const ids = Object.keys(keys);
  const currentKeyId = env.CODIKA_CODEC_KEY_ID || (ids.length === 1 ? ids[0]! : '');
  if (!currentKeyId) {
    throw new CodikaValidationError('CODIKA_CODEC_KEY_ID', 'is required when CODIKA_CODEC_KEYS holds several keys');
  }
  try {
    return new AesGcmPayloadCodec({ keys: keys as Record<string, string>, currentKeyId });
  } catch (err) {
    if (err instanceof CodikaValidationError) {
      const variable = err.field === 'currentKeyId' ? 'CODIKA_CODEC_KEY_ID' : `CODIKA_CODEC_KEYS (${err.field})`;
      throw new CodikaValidationError(variable, err.reason);
    }
    throw err;
  }
}
