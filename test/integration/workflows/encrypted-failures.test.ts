/**
 * With the codec on, failure messages are encrypted like payloads: a Codika failure whose message
 * holds a phone number, run by the bundled worker (its own process, keys from the environment), is
 * not in the raw history nor in the worker's log, while a client with the codec reads it back and
 * the codec server decodes it for the UI.
 */
import { randomBytes } from 'node:crypto';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { AesGcmPayloadCodec } from '../../../src/codec/aes-gcm-codec';
import { encryptedDataConverter } from '../../../src/codec/codec-data-converter';
import { startCodecServer, type CodecServer } from '../../../src/codec/codec-server';
import { CODIKA_EXECUTION_FAILED } from '../../../src/shared/errors';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { startBundledWorker, type BundledWorker } from '../../helpers/bundled-worker';
import { startTestbed, stopTestbed, uniqueTaskQueue } from '../../helpers/temporal';

const API_KEY = 'ck_encrypted_failures_key_5';
const PHONE = '+32 470 11 22 33';
const KEY = randomBytes(32);
const codec = new AesGcmPayloadCodec({ keys: { k1: KEY }, currentKeyId: 'k1' });
const taskQueue = uniqueTaskQueue('encrypted-failures');

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let worker: BundledWorker;
let codecServer: CodecServer;

beforeAll(async () => {
  ({ env, mock } = await startTestbed({ apiKey: API_KEY }));
  mock.script('deliver', { durationMs: 200, failWith: `Could not deliver to ${PHONE}: number unreachable` });
  mock.script('refused-input', {
    faults: { trigger: [{ kind: 'http', status: 422, body: `{"error":"invalid recipient ${PHONE}"}` }] },
  });
  codecServer = await startCodecServer({ codec, port: 0 });
  worker = await startBundledWorker({
    TEMPORAL_ADDRESS: env.address,
    CODIKA_TASK_QUEUE: taskQueue,
    CODIKA_BASE_URL: mock.url,
    CODIKA_API_KEY: API_KEY,
    CODIKA_CODEC_KEYS: JSON.stringify({ k1: KEY.toString('base64') }),
    CODIKA_CODEC_KEY_ID: 'k1',
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await codecServer?.stop();
  await stopTestbed({ env, mock });
});

/** Runs one execution that fails; returns the failure the client sees and the raw history bytes. */
async function failAndRead(codikaWorkflowId: string) {
  const client = new Client({ connection: env.connection, dataConverter: encryptedDataConverter(codec) });
  const workflowId = `${taskQueue}-${codikaWorkflowId}`;
  const err = await client.workflow
    .execute<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
      taskQueue,
      workflowId,
      args: [
        { processInstanceId: 'pi_ef', workflowId: codikaWorkflowId, poll: { strategy: 'timer', firstPollAfter: 200 } },
      ],
    })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const { history } = await env.client.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId },
  });
  return {
    failure: (err as WorkflowFailedError).cause as unknown as { type?: string; message: string },
    history: history!,
    raw: Buffer.from(temporal.api.history.v1.History.encode(history!).finish()),
  };
}

test("Codika's failure message: ciphertext in history and absent from the log, yet the client reads it", async () => {
  const { failure, history, raw } = await failAndRead('deliver');

  expect(failure.type).toBe(CODIKA_EXECUTION_FAILED);
  expect(failure.message).toContain(PHONE);
  expect(raw.includes(PHONE)).toBe(false);
  expect(raw.includes('Encoded failure')).toBe(true);
  // The log says what failed, for which execution, without the message.
  expect(worker.output()).not.toContain(PHONE);
  expect(worker.output()).toContain('Codika execution failed');

  // What the UI does with the failure's encoded attributes: the codec server decodes them.
  const failed = history.events!.find((e) => e.workflowExecutionFailedEventAttributes)!;
  const encoded = failed.workflowExecutionFailedEventAttributes!.failure!.encodedAttributes!;
  const res = await fetch(`${codecServer.url}/decode`, {
    method: 'POST',
    body: JSON.stringify(
      temporal.api.common.v1.Payloads.toObject(temporal.api.common.v1.Payloads.create({ payloads: [encoded] }), {
        bytes: String,
      }),
    ),
  });
  const decoded = temporal.api.common.v1.Payloads.fromObject((await res.json()) as object).payloads[0]!;
  expect(Buffer.from(decoded.data!).toString()).toContain(PHONE);
});

test('an HTTP error body from Codika (an activity failure): the same', async () => {
  const { failure, raw } = await failAndRead('refused-input');

  expect(failure.type).toBe('CodikaBadRequestError');
  expect(failure.message).toContain(PHONE);
  expect(raw.includes(PHONE)).toBe(false);
  expect(worker.output()).not.toContain(PHONE);
});
