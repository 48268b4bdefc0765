import { connect } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Webhook } from 'standardwebhooks';
import { startCodikaCallbackReceiver, type CodikaCallbackReceiver } from '../../../src/client/callback-receiver';
import { startCodikaExecution } from '../../../src/client/start-codika-execution';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { createTestWorker, startTestbed, stopTestbed, uniqueTaskQueue } from '../../helpers/temporal';

const API_KEY = 'ck_callback_key_19';
const CALLBACK_SECRET = `whsec_${Buffer.from('callback-secret-for-the-receiver').toString('base64')}`;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let receiver: CodikaCallbackReceiver;
beforeAll(async () => {
  ({ env, mock } = await startTestbed({ apiKey: API_KEY, callbackSecret: CALLBACK_SECRET }));
  receiver = await startCodikaCallbackReceiver({ client: env.client, webhookSecret: CALLBACK_SECRET });
});
afterAll(async () => {
  await receiver?.stop();
  await stopTestbed({ env, mock });
});

function signed(body: string, secret = CALLBACK_SECRET, id = `msg_${Math.random()}`): Record<string, string> {
  const at = new Date();
  return {
    'Content-Type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

test('a Codika workflow that calls back at its end delivers the result at once; polling stays the safety net', async () => {
  mock.script('calls-back', { durationMs: 800, resultData: { sent: 3 }, callsBack: { urlField: 'callback_url' } });
  const taskQueue = uniqueTaskQueue('callback');
  const worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: API_KEY });
  const { result, elapsedMs } = await worker.runUntil(async () => {
    const started = Date.now();
    const handle = await startCodikaExecution(
      env.client,
      { processInstanceId: 'pi_cb', workflowId: 'calls-back', payload: { message: 'hi' } },
      {
        taskQueue,
        poll: { firstPollAfter: '1 minute', maxPollInterval: '1 minute' },
        callback: { receiver, payloadField: 'callback_url' },
      },
    );
    return { result: await handle.result(), elapsedMs: Date.now() - started };
  });

  expect(result.resultData).toEqual({ sent: 3 });
  expect(elapsedMs).toBeLessThan(10_000); // the first timer alone would take a minute
  expect(mock.callbacks).toEqual([expect.objectContaining({ executionId: result.executionId, outcome: 202 })]);
  expect(mock.requestsTo('status', 'calls-back')).toHaveLength(1);
  const sentPayload = JSON.parse(mock.requestsTo('trigger', 'calls-back')[0].body).payload;
  expect(sentPayload).toEqual({
    message: 'hi',
    callback_url: expect.stringMatching(/\/codika\/callback\/codika-calls-back-pi_cb-/),
  });
});

test('refuses unsigned, wrongly signed and replayed callbacks, and unknown workflows', async () => {
  const url = receiver.callbackUrlFor('no-such-workflow');
  const body = '{"status":"success"}';
  const post = (headers: Record<string, string>) => fetch(url, { method: 'POST', headers, body }).then((r) => r.status);

  expect(await post({ 'Content-Type': 'application/json' })).toBe(401);
  const otherSecret = `whsec_${Buffer.from('not-the-receivers-secret-at-all!').toString('base64')}`;
  expect(await post(signed(body, otherSecret))).toBe(401);
  const headers = signed(body);
  expect(await post(headers)).toBe(404); // a valid callback, for a workflow that is not running
  expect(await post(headers)).toBe(401); // the same message again
});

test('a callback URL wakes only the workflow it was issued for: another id with its HMAC gets 403, before the body is read', async () => {
  const issued = new URL(receiver.callbackUrlFor('order-42'));
  const hmac = issued.pathname.split('/').at(-1)!;
  const body = '{"status":"success"}';
  const post = (path: string) =>
    fetch(`${receiver.url}${path}`, { method: 'POST', headers: signed(body), body }).then((r) => r.status);

  expect(await post(`/codika/callback/order-43/${hmac}`)).toBe(403);
  expect(await post(`/codika/callback/order-42/${'0'.repeat(64)}`)).toBe(403);
  expect(await post('/codika/callback/order-42')).toBe(404);
  // The issued URL itself passes that check (the workflow just is not running).
  expect(await post(issued.pathname)).toBe(404);
});

test('a body over 64 KiB is refused with 413, declared or chunked', async () => {
  const url = receiver.callbackUrlFor('order-42');
  const big = 'x'.repeat(65 * 1024);
  const declared = await fetch(url, { method: 'POST', headers: signed(big), body: big });
  let sent = 0;
  const chunked = await fetch(url, {
    method: 'POST',
    headers: signed(big),
    body: new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 80) controller.enqueue(new Uint8Array(1024).fill(0x78));
        else controller.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);

  expect(declared.status).toBe(413);
  expect(chunked.status).toBe(413);
});

test('a sender that never finishes its headers is cut off', async () => {
  const slow = await startCodikaCallbackReceiver({
    client: env.client,
    webhookSecret: CALLBACK_SECRET,
    headersTimeoutMs: 1_000,
    requestTimeoutMs: 2_000,
  });
  try {
    const { port } = new URL(slow.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.write('POST /codika/callback/x/y HTTP/1.1\r\nHost: receiver\r\n'); // and never the blank line
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
    });

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  } finally {
    await slow.stop();
  }
});
