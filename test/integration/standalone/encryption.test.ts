/**
 * With the project's codec, what the server stores of a standalone activity (its input, heartbeat
 * details, result and failure, as the raw DescribeActivityExecution answer carries them) holds no
 * plaintext payload or Codika message; without it, it does. The API key is in none of it, nor in the
 * worker's logs: it stays on the worker, in the request to Codika.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { AesGcmPayloadCodec } from '../../../src/codec/aes-gcm-codec';
import { startCodikaActivity } from '../../../src/client/standalone/start-codika-activity';
import { stringifyAll } from '../../helpers/readable-history';
import {
  createTestWorker,
  startTestbed,
  stopTestbed,
  uniqueTaskQueue,
  workerLogs,
  type Testbed,
} from '../../helpers/temporal';

const API_KEY = 'ck_standalone_codec_key_5f1e';
const PHONE = '+32470555987';

let bed: Testbed;
beforeAll(async () => {
  bed = await startTestbed({ apiKey: API_KEY });
  bed.mock.script('sa-notify', {
    durationMs: 300,
    resultData: (payload: unknown) => ({ sentTo: (payload as { phone: string }).phone }),
  });
  // A Codika that echoes the key in its refusal: the failure must not carry it on.
  bed.mock.script('sa-echoes-key', {
    faults: { trigger: [{ kind: 'http', status: 400, body: `bad request for key ${API_KEY}` }] },
  });
  bed.mock.script('sa-notify-fails', {
    durationMs: 300,
    failIf: (payload: unknown) => `No route to ${(payload as { phone: string }).phone}`,
  });
});
afterAll(() => stopTestbed(bed));

/**
 * Runs one standalone execution of `workflowId` for PHONE, and returns what the server stores of it:
 * the raw describe answer with input, outcome and heartbeat details, as bytes.
 */
async function runAndDescribeRaw(
  codec: AesGcmPayloadCodec | undefined,
  workflowId: string,
): Promise<{ raw: Buffer; outcome: unknown }> {
  const taskQueue = uniqueTaskQueue(codec ? 'sa-encrypted' : 'sa-plain');
  const dataConverter = codec ? { payloadCodecs: [codec] } : undefined;
  const worker = await createTestWorker(
    bed.env,
    taskQueue,
    { baseUrl: bed.mock.url, apiKey: API_KEY },
    { dataConverter },
  );
  const client = new Client({ connection: bed.env.connection, dataConverter });
  const activityId = `${taskQueue}-run`;
  const outcome = await worker.runUntil(async () => {
    const handle = await startCodikaActivity(
      client,
      { processInstanceId: 'pi_enc', workflowId, payload: { phone: PHONE } },
      { taskQueue, activityId, poll: { firstPollAfter: 200 } },
    );
    return handle.result().then(
      (result) => result.resultData,
      (err: { cause?: { message?: string } }) => err.cause?.message,
    );
  });
  // Straight from the server's API, past any data converter: what Temporal stores.
  const described = await bed.env.client.workflowService.describeActivityExecution({
    namespace: 'default',
    activityId,
    includeInput: true,
    includeOutcome: true,
    includeHeartbeatDetails: true,
    includeLastFailure: true,
  });
  expect(described.input?.payloads?.length).toBe(1); // the control that the input is there to read
  const bytes = temporal.api.workflowservice.v1.DescribeActivityExecutionResponse.encode(described).finish();
  return { raw: Buffer.from(bytes), outcome };
}

test('with the codec, the stored input, heartbeat and result hold no plaintext payload; without it, they do', async () => {
  const plain = await runAndDescribeRaw(undefined, 'sa-notify');
  expect(plain.raw.includes(PHONE)).toBe(true); // the control: stored in clear

  const codec = new AesGcmPayloadCodec({ keys: { k1: randomBytes(32) }, currentKeyId: 'k1' });
  const encrypted = await runAndDescribeRaw(codec, 'sa-notify');
  expect(encrypted.raw.includes(PHONE)).toBe(false);
  expect(encrypted.raw.includes('binary/encrypted')).toBe(true);
  // Whoever holds the key reads it: the result came back decrypted, and Codika got the payload.
  expect(encrypted.outcome).toEqual({ sentTo: PHONE });
  expect(bed.mock.requestsTo('trigger', 'sa-notify').at(-1)!.body).toContain(PHONE);
});

test("with the codec, a failure's Codika message is stored encrypted too", async () => {
  const plain = await runAndDescribeRaw(undefined, 'sa-notify-fails');
  expect(plain.raw.includes(PHONE)).toBe(true);

  const codec = new AesGcmPayloadCodec({ keys: { k1: randomBytes(32) }, currentKeyId: 'k1' });
  const encrypted = await runAndDescribeRaw(codec, 'sa-notify-fails');
  expect(encrypted.raw.includes(PHONE)).toBe(false);
  expect(encrypted.outcome).toContain(`No route to ${PHONE}`);
});

test('the API key is in nothing the server stores nor in the worker logs, only in the requests to Codika', async () => {
  const succeeded = await runAndDescribeRaw(undefined, 'sa-notify');
  const refused = await runAndDescribeRaw(undefined, 'sa-echoes-key');

  expect(succeeded.raw.includes(API_KEY)).toBe(false);
  expect(refused.raw.includes(API_KEY)).toBe(false);
  expect(refused.outcome).toContain('bad request for key [REDACTED]');
  expect(workerLogs.length).toBeGreaterThan(0);
  expect(stringifyAll(workerLogs)).not.toContain(API_KEY);
  expect(bed.mock.requestsTo('trigger', 'sa-echoes-key').at(-1)!.headers['x-api-key']).toBe(API_KEY);
});
