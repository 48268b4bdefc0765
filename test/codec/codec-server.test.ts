import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { AesGcmPayloadCodec } from '../../src/codec/aes-gcm-codec';
import { startCodecServer, type CodecServer } from '../../src/codec/codec-server';

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
