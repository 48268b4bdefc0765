import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { AesGcmPayloadCodec } from '../../../src/codec/aes-gcm-codec';
import { bearerTokenMatches, codecAuthTokensFromEnv } from '../../../src/codec/codec-auth';
import { startCodecServer, type CodecServer } from '../../../src/codec/codec-server';

const UI = 'http://localhost:8233';
const codec = new AesGcmPayloadCodec({ keys: { k1: randomBytes(32) }, currentKeyId: 'k1' });
let server: CodecServer;
beforeAll(async () => (server = await startCodecServer({ codec, port: 0 })));
afterAll(() => server.stop());

const asJson = (payloads: unknown[]) =>
  temporal.api.common.v1.Payloads.toObject(temporal.api.common.v1.Payloads.create({ payloads: payloads as never }), {
    bytes: String,
  });

test('answers the UI’s CORS preflight for its origin only', async () => {
  const preflight = await fetch(`${server.url}/decode`, {
    method: 'OPTIONS',
    headers: {
      Origin: UI,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,x-namespace',
    },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
  expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
  expect(preflight.headers.get('access-control-allow-methods')).toMatch(/POST/);
  const stranger = await fetch(`${server.url}/decode`, {
    method: 'OPTIONS',
    headers: { Origin: 'https://evil.example' },
  });
  expect(stranger.status).toBe(403);
  expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
});

test('decodes what the worker encrypted, in the protobuf JSON the UI sends', async () => {
  const encrypted = await codec.encode([defaultPayloadConverter.toPayload({ phone: '+32470000000' })]);
  const res = await fetch(`${server.url}/decode`, {
    method: 'POST',
    headers: { Origin: UI, 'Content-Type': 'application/json', 'X-Namespace': 'default' },
    body: JSON.stringify(asJson(encrypted)),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(UI);
  const body = (await res.json()) as { payloads: unknown[] };
  const decoded = temporal.api.common.v1.Payloads.fromObject(body).payloads;
  expect(defaultPayloadConverter.fromPayload(decoded[0] as never)).toEqual({ phone: '+32470000000' });

  const roundTrip = await fetch(`${server.url}/encode`, { method: 'POST', body: JSON.stringify(body) });
  const reEncrypted = temporal.api.common.v1.Payloads.fromObject((await roundTrip.json()) as object).payloads;
  expect(Buffer.from(reEncrypted[0]!.metadata!.encoding!).toString()).toBe('binary/encrypted');
});

test('bad requests get a clear 400 or 404', async () => {
  const notJson = await fetch(`${server.url}/decode`, { method: 'POST', body: 'nope' });
  expect(notJson.status).toBe(400);
  expect(((await notJson.json()) as { error: string }).error).toMatch(/expected \{"payloads"/);
  expect((await fetch(`${server.url}/other`, { method: 'POST', body: '{}' })).status).toBe(404);
});

describe('with bearer tokens', () => {
  const TOKEN = 'tok_codec_0123456789abcdef';
  let secured: CodecServer;
  beforeAll(
    async () => (secured = await startCodecServer({ codec, port: 0, authTokens: ['tok_other_0123456789', TOKEN] })),
  );
  afterAll(() => secured.stop());

  const decode = (headers: Record<string, string>, body = JSON.stringify({ payloads: [] })) =>
    fetch(`${secured.url}/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    });

  test('no credentials: 401, and nothing decoded', async () => {
    const res = await decode({ Origin: UI });

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    // The browser can read the refusal: it carries the CORS headers of an allowed origin.
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
  });

  test('a wrong token: 401', async () => {
    expect((await decode({ Authorization: 'Bearer tok_codec_0123456789abcdeX' })).status).toBe(401);
    expect((await decode({ Authorization: TOKEN })).status).toBe(401);
  });

  test('an allowed origin with a token: 200, decoded', async () => {
    const encrypted = await codec.encode([defaultPayloadConverter.toPayload('+32 470 12 34 56')]);
    const res = await decode({ Origin: UI, Authorization: `Bearer ${TOKEN}` }, JSON.stringify(asJson(encrypted)));

    expect(res.status).toBe(200);
    const decoded = temporal.api.common.v1.Payloads.fromObject((await res.json()) as object).payloads;
    expect(defaultPayloadConverter.fromPayload(decoded[0] as never)).toBe('+32 470 12 34 56');
  });

  test('the browser’s preflight needs no token (browsers never send one there)', async () => {
    const preflight = await fetch(`${secured.url}/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: UI,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization',
      },
    });

    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });

  test('a 9 MiB chunked body is refused with 413 while it arrives', async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 9) controller.enqueue(chunk);
        else controller.close();
      },
    });

    const res = await fetch(`${secured.url}/decode`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body,
      duplex: 'half',
    } as RequestInit);

    // An answer (fetch resolved), not a reset, and the server kept at most 8 MiB of it.
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(/larger than 8388608 bytes/);
  });
});

test('without tokens the server will not listen beyond loopback', async () => {
  await expect(startCodecServer({ codec, port: 0, host: '0.0.0.0' })).rejects.toThrow(
    /refusing to serve decrypted payloads on 0\.0\.0\.0 without authentication: set authTokens \(CODIKA_CODEC_AUTH_TOKENS\)/,
  );
});

test('tokens come from CODIKA_CODEC_AUTH_TOKENS, a JSON list; a bad value is named, never echoed', () => {
  expect(codecAuthTokensFromEnv({})).toEqual([]);
  expect(codecAuthTokensFromEnv({ CODIKA_CODEC_AUTH_TOKENS: '["tok_codec_0123456789abcdef"]' })).toEqual([
    'tok_codec_0123456789abcdef',
  ]);
  expect(() => codecAuthTokensFromEnv({ CODIKA_CODEC_AUTH_TOKENS: 'secret-token-value' })).toThrow(
    /^CODIKA_CODEC_AUTH_TOKENS is not valid JSON/,
  );
  expect(() => codecAuthTokensFromEnv({ CODIKA_CODEC_AUTH_TOKENS: '["short"]' })).toThrow(/at least 16 characters/);
  try {
    codecAuthTokensFromEnv({ CODIKA_CODEC_AUTH_TOKENS: 'secret-token-value' });
  } catch (err) {
    expect((err as Error).message).not.toContain('secret-token-value');
  }
});

test('bearer tokens are matched exactly, whatever their length', () => {
  const tokens = ['tok_codec_0123456789abcdef'];
  expect(bearerTokenMatches('Bearer tok_codec_0123456789abcdef', tokens)).toBe(true);
  expect(bearerTokenMatches('bearer tok_codec_0123456789abcdef', tokens)).toBe(true);
  expect(bearerTokenMatches('Bearer tok_codec_0123456789abcde', tokens)).toBe(false);
  expect(bearerTokenMatches('Bearer ', tokens)).toBe(false);
  expect(bearerTokenMatches(undefined, tokens)).toBe(false);
  expect(bearerTokenMatches('Basic dG9rOg==', tokens)).toBe(false);
  expect(bearerTokenMatches('Bearer anything', [])).toBe(false);
});
