import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmPayloadCodec, codecFromEnv } from '../../../src/codec/aes-gcm-codec';

const key1 = randomBytes(32).toString('base64');
const key2 = randomBytes(32).toString('base64');
const payload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const PERSONAL = { phone_numbers: ['+32470000000'], message: 'Votre commande est prête' };

test('encrypts every payload so its content no longer appears, and decrypts it back exactly', async () => {
  const codec = new AesGcmPayloadCodec({ keys: { k1: key1 }, currentKeyId: 'k1' });
  const original = [payload(PERSONAL), payload(null), payload('x'.repeat(10_000))];
  const encoded = await codec.encode(original);
  for (const p of encoded) {
    expect(Buffer.from(p.data!).includes('+32470000000')).toBe(false);
    expect(Buffer.from(p.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(p.metadata!['encryption-key-id']!).toString()).toBe('k1');
  }
  // A fresh IV each time: the same value never encrypts to the same bytes.
  const [again] = await codec.encode([original[0]!]);
  expect(Buffer.from(again!.data!).equals(Buffer.from(encoded[0]!.data!))).toBe(false);
  const decoded = await codec.decode(encoded);
  expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([PERSONAL, null, 'x'.repeat(10_000)]);
});

test('keys rotate: the new key encrypts, the old one still decrypts what it wrote', async () => {
  const before = new AesGcmPayloadCodec({ keys: { k1: key1 }, currentKeyId: 'k1' });
  const after = new AesGcmPayloadCodec({ keys: { k1: key1, k2: key2 }, currentKeyId: 'k2' });
  const [old] = await before.encode([payload(PERSONAL)]);
  const [fresh] = await after.encode([payload(PERSONAL)]);
  expect(Buffer.from(fresh!.metadata!['encryption-key-id']!).toString()).toBe('k2');
  const decoded = await after.decode([old!, fresh!]);
  expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([PERSONAL, PERSONAL]);
  await expect(before.decode([fresh!])).rejects.toThrow(
    'payload encrypted with key "k2", which this codec does not hold',
  );
});

test('an altered payload is refused, and plain payloads pass through untouched', async () => {
  const codec = new AesGcmPayloadCodec({ keys: { k1: key1 }, currentKeyId: 'k1' });
  const [sealed] = await codec.encode([payload(PERSONAL)]);
  const data = Buffer.from(sealed!.data!);
  data[20] = data[20]! ^ 1;
  await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow('failed authentication');
  const plain = payload({ a: 1 });
  expect(await codec.decode([plain])).toEqual([plain]);
});

test('bad keys are refused when the codec is built, naming the key and never echoing it', () => {
  expect(() => new AesGcmPayloadCodec({ keys: { k1: 'c2hvcnQ=' }, currentKeyId: 'k1' })).toThrow(
    /keys\.k1: must be 32 bytes .* got 5/,
  );
  expect(() => new AesGcmPayloadCodec({ keys: { k1: key1 }, currentKeyId: 'k9' })).toThrow(
    /"k9" is not one of the keys \(k1\)/,
  );
});

test('reads its keys from CODIKA_CODEC_KEYS and CODIKA_CODEC_KEY_ID', () => {
  expect(codecFromEnv({})).toBeUndefined();
  expect(codecFromEnv({ CODIKA_CODEC_KEYS: JSON.stringify({ k1: key1 }) })).toBeInstanceOf(AesGcmPayloadCodec);
  const both = JSON.stringify({ k1: key1, k2: key2 });
  expect(() => codecFromEnv({ CODIKA_CODEC_KEYS: both })).toThrow(/CODIKA_CODEC_KEY_ID.*required/);
  expect(codecFromEnv({ CODIKA_CODEC_KEYS: both, CODIKA_CODEC_KEY_ID: 'k2' })).toBeInstanceOf(AesGcmPayloadCodec);
  const call = () => codecFromEnv({ CODIKA_CODEC_KEYS: `{"k1": "${key1}"` });
  expect(call).toThrow(/CODIKA_CODEC_KEYS.*not valid JSON/);
  expect(() => call()).not.toThrow(key1);
  expect(() => codecFromEnv({ CODIKA_CODEC_KEYS: '{"k1": "c2hvcnQ="}' })).toThrow(/CODIKA_CODEC_KEYS \(keys\.k1\)/);
});
