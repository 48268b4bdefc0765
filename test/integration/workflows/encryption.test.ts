import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { AesGcmPayloadCodec } from '../../../src/codec/aes-gcm-codec';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { createTestWorker, startTestbed, stopTestbed, uniqueTaskQueue } from '../../helpers/temporal';

const API_KEY = 'ck_encryption_key_88';
const PHONE = '+32470555123';

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
beforeAll(async () => ({ env, mock } = await startTestbed({ apiKey: API_KEY })));
afterAll(() => stopTestbed({ env, mock }));

/** Runs one execution whose payload and result carry a phone number; returns the run's raw history bytes. */
async function runAndReadRawHistory(codec: AesGcmPayloadCodec | undefined): Promise<{ raw: Buffer; result: unknown }> {
  const taskQueue = uniqueTaskQueue(codec ? 'encrypted' : 'plain');
  const dataConverter = codec ? { payloadCodecs: [codec] } : undefined;
  const worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: API_KEY }, { dataConverter });
  const client = new Client({ connection: env.connection, dataConverter });
  mock.script('notify-customer', {
    durationMs: 300,
    resultData: (payload: unknown) => ({ sentTo: (payload as { phone: string }).phone }),
  });
  const workflowId = `${taskQueue}-run`;
  const result = await worker.runUntil(
    client.workflow.execute<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
      taskQueue,
      workflowId,
      args: [{ processInstanceId: 'pi_enc', workflowId: 'notify-customer', payload: { phone: PHONE } }],
    }),
  );
  // Straight from the server's API, past any data converter: what Temporal stores.
  const { history } = await env.client.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId },
  });
  return { raw: Buffer.from(temporal.api.history.v1.History.encode(history!).finish()), result: result.resultData };
}

test('with the codec, the history the server stores holds no plaintext payload; without it, it does', async () => {
  const plain = await runAndReadRawHistory(undefined);
  expect(plain.raw.includes(PHONE)).toBe(true); // the control: the phone number is stored in clear

  const codec = new AesGcmPayloadCodec({ keys: { k1: randomBytes(32) }, currentKeyId: 'k1' });
  const encrypted = await runAndReadRawHistory(codec);
  expect(encrypted.raw.includes(PHONE)).toBe(false);
  expect(encrypted.raw.includes('binary/encrypted')).toBe(true);
  // The people holding the key still read it: the result came back decrypted.
  expect(encrypted.result).toEqual({ sentTo: PHONE });
  expect(mock.requestsTo('trigger', 'notify-customer').at(-1)!.body).toContain(PHONE);
});
