/**
 * `CodikaPlugin` in one line: on `Worker.create` beside the user's own `workflowsPath` (which
 * re-exports the Codika workflows), and on the client; with a codec, payloads and Codika's failure
 * messages are ciphertext in the history the server stores, and plaintext to the plugin's clients.
 */
import { randomBytes } from 'node:crypto';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { startCodikaExecution } from '../../../src/client';
import { AesGcmPayloadCodec } from '../../../src/codec/aes-gcm-codec';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { CodikaPlugin, DEFAULT_ACTIVITY_SLOTS } from '../../../src/worker-setup/codika-plugin';
import type { chainedReportWorkflow } from '../../fixtures/user-workflows';
import { startTestbed, stopTestbed, uniqueTaskQueue } from '../../helpers/temporal';

const API_KEY = 'ck_plugin_key_55';
const PHONE = '+32470999888';
const POLL = { strategy: 'timer', firstPollAfter: 100, maxPollInterval: 200 } as const;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
beforeAll(async () => ({ env, mock } = await startTestbed({ apiKey: API_KEY })));
afterAll(() => stopTestbed({ env, mock }));

/** What the server stores for a run, past any data converter. */
async function rawHistory(workflowId: string): Promise<Buffer> {
  const { history } = await env.client.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId },
  });
  return Buffer.from(temporal.api.history.v1.History.encode(history!).finish());
}

test("one line on the worker: the user's own workflows (re-exporting Codika's) and the Codika activities, slots for polling", async () => {
  mock.script('summarize', { durationMs: 200, resultData: { summary: 'Q3 up' } });
  mock.script('notify', { durationMs: 200, resultData: { sent: true } });
  const taskQueue = uniqueTaskQueue('plugin');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: process.env.CODIKA_TEST_WORKFLOW_BUNDLE! },
    plugins: [new CodikaPlugin({ codika: { baseUrl: mock.url, apiKey: API_KEY } })],
  });
  // Polling holds an activity slot per execution: the plugin raises the SDK's 100.
  const slots = (worker.options.tuner as { activityTaskSlotSupplier?: { numSlots?: number } }).activityTaskSlotSupplier;
  expect(slots?.numSlots).toBe(DEFAULT_ACTIVITY_SLOTS);
  const [chained, single] = await worker.runUntil(
    Promise.all([
      env.client.workflow.execute<typeof chainedReportWorkflow>('chainedReportWorkflow', {
        taskQueue,
        workflowId: `${taskQueue}-chained`,
        args: ['pi_plugin', 'numbers'],
      }),
      startCodikaExecution(
        env.client,
        { processInstanceId: 'pi_plugin', workflowId: 'notify' },
        { taskQueue, poll: POLL },
      ).then((handle) => handle.result()),
    ]),
  );
  expect(chained).toEqual({ summary: { summary: 'Q3 up' }, sent: { sent: true } });
  expect(single.resultData).toEqual({ sent: true });
});

test("with a codec on worker and client: payloads and Codika's failure messages are ciphertext on the server", async () => {
  const codec = new AesGcmPayloadCodec({ keys: { k1: randomBytes(32) }, currentKeyId: 'k1' });
  mock.script('plugin-sms', {
    durationMs: 200,
    resultData: (p: unknown) => ({ sentTo: (p as { phone: string }).phone }),
  });
  mock.script('plugin-sms-fails', { durationMs: 200, failWith: `No such number ${PHONE}` });
  const taskQueue = uniqueTaskQueue('plugin-codec');
  const plugin = new CodikaPlugin({ codika: { baseUrl: mock.url, apiKey: API_KEY }, codec });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../../../src/workflows'),
    plugins: [plugin],
  });
  const client = new Client({ connection: env.connection, plugins: [new CodikaPlugin({ codec })] });
  const input = (workflowId: string) => ({ processInstanceId: 'pi_plugin', workflowId, payload: { phone: PHONE } });
  const [ok, failed] = await worker.runUntil(async () => {
    const succeeding = await startCodikaExecution(client, input('plugin-sms'), {
      taskQueue,
      workflowId: `${taskQueue}-ok`,
      poll: POLL,
    });
    const failing = await startCodikaExecution(client, input('plugin-sms-fails'), {
      taskQueue,
      workflowId: `${taskQueue}-failed`,
      poll: POLL,
    });
    return [
      await succeeding.result(),
      await failing.result().then(
        () => undefined,
        (e: unknown) => e,
      ),
    ] as const;
  });

  // The plugin's client reads them in clear.
  expect(ok.resultData).toEqual({ sentTo: PHONE });
  expect(failed).toBeInstanceOf(WorkflowFailedError);
  expect(((failed as WorkflowFailedError).cause as Error).message).toContain(`No such number ${PHONE}`);
  // The server stores ciphertext only.
  for (const workflowId of [`${taskQueue}-ok`, `${taskQueue}-failed`]) {
    const raw = await rawHistory(workflowId);
    expect(raw.includes('binary/encrypted')).toBe(true);
    expect(raw.includes(PHONE)).toBe(false);
  }
});
