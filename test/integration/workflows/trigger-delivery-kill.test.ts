/**
 * The worker killed (SIGKILL) while Codika holds an accepted trigger whose answer has not come
 * back: nothing on the worker's side survives to say whether it was sent. `at-most-once` ends the
 * step once the attempt times out, with the one execution Codika started; `at-least-once` sends
 * it again from a new worker, which starts a second execution unless Codika honours the key.
 */
import { type WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CodikaExecutionResult } from '../../../src/shared/execution-types';
import type { CodikaTriggerDelivery } from '../../../src/shared/trigger-delivery';
import { CODIKA_TRIGGER_OUTCOME_UNKNOWN } from '../../../src/shared/errors';
import { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { waitUntil } from '../../helpers/wait';
import { WorkerProcess } from '../../helpers/worker-process';
import { connectTestEnv, uniqueTaskQueue } from '../../helpers/temporal';

const API_KEY = 'ck_delivery_kill_key_77';
/** The attempt's start-to-close timeout, so a dead worker's attempt ends within seconds. */
const ACTIVITY_TIMEOUT = '4 seconds';
/** The workers' request timeout, which must fit the activity timeout (the kill comes long before it). */
const REQUEST_TIMEOUT_MS = 2_000;

interface Case {
  /** Also the Codika workflowId. */
  name: string;
  delivery: CodikaTriggerDelivery;
  honoured: boolean;
}
const CASES: Case[] = [
  { name: 'at-most-once', delivery: 'at-most-once', honoured: false },
  { name: 'at-least-once-key-ignored', delivery: 'at-least-once', honoured: false },
  { name: 'at-least-once-key-honoured', delivery: 'at-least-once', honoured: true },
];

let env: TestWorkflowEnvironment;
const mocks = new Map<boolean, MockCodikaServer>();
const ends = new Map<
  string,
  { ok: true; result: CodikaExecutionResult } | { ok: false; type?: string; message: string }
>();

beforeAll(async () => {
  env = await connectTestEnv();
  const taskQueues = new Map<boolean, string>();
  const workers: WorkerProcess[] = [];
  for (const honoured of [false, true]) {
    const mock = new MockCodikaServer({ apiKey: API_KEY, honourIdempotencyKey: honoured });
    await mock.start();
    mocks.set(honoured, mock);
    const taskQueue = uniqueTaskQueue(`delivery-kill-${honoured ? 'key' : 'nokey'}`);
    taskQueues.set(honoured, taskQueue);
    workers.push(
      await WorkerProcess.start({
        address: env.address,
        taskQueue,
        baseUrl: mock.url,
        apiKey: API_KEY,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
      }),
    );
  }
  try {
    const handles = CASES.map(async (c) => {
      const mock = mocks.get(c.honoured)!;
      // Accepted at once, answered after 5 s: the kill lands in between.
      mock.script(c.name, { durationMs: 200, faults: { trigger: [{ kind: 'delay', ms: 5_000, strikes: 'after' }] } });
      return env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
        taskQueue: taskQueues.get(c.honoured)!,
        workflowId: `${taskQueues.get(c.honoured)}-${c.delivery}`,
        args: [
          {
            processInstanceId: 'pi_k',
            workflowId: c.name,
            triggerDelivery: c.delivery,
            poll: { strategy: 'timer', firstPollAfter: 100, activityTimeout: ACTIVITY_TIMEOUT, deadline: '2 minutes' },
          },
        ],
      });
    });
    const started = await Promise.all(handles);
    const accepted = () => CASES.every((c) => mocks.get(c.honoured)!.executionsOf(c.name).length === 1);
    await waitUntil(accepted, 'every trigger accepted by Codika');
    for (const worker of workers.splice(0)) await worker.kill();
    for (const [honoured, taskQueue] of taskQueues) {
      workers.push(
        await WorkerProcess.start({
          address: env.address,
          taskQueue,
          baseUrl: mocks.get(honoured)!.url,
          apiKey: API_KEY,
          requestTimeoutMs: REQUEST_TIMEOUT_MS,
        }),
      );
    }
    await Promise.all(
      started.map(async (handle, i) => {
        const end = await handle.result().then(
          (result) => ({ ok: true as const, result }),
          (err: unknown) => {
            const cause = (err as WorkflowFailedError).cause as unknown as { type?: string; message: string };
            return { ok: false as const, type: cause.type, message: cause.message };
          },
        );
        ends.set(CASES[i]!.name, end);
      }),
    );
  } finally {
    for (const worker of workers) await worker.stop();
  }
}, 120_000);

afterAll(async () => {
  for (const mock of mocks.values()) await mock.stop();
  await env?.teardown();
});

test('at-most-once: the step ends CodikaTriggerOutcomeUnknown, with the one execution Codika started', () => {
  const end = ends.get('at-most-once')!;
  const mock = mocks.get(false)!;

  expect(end).toMatchObject({ ok: false, type: CODIKA_TRIGGER_OUTCOME_UNKNOWN });
  expect(!end.ok && end.message).toContain('its start-to-close timeout fired (the worker may have died mid-request)');
  expect(mock.executionsOf('at-most-once')).toHaveLength(1);
  expect(mock.requestsTo('trigger', 'at-most-once')).toHaveLength(1);
});

test('at-least-once against a Codika that ignores the key: a new worker sends it again, and two executions run', () => {
  const end = ends.get('at-least-once-key-ignored')!;
  const executions = mocks.get(false)!.executionsOf('at-least-once-key-ignored');

  expect(end.ok).toBe(true);
  expect(executions).toHaveLength(2);
  expect(end.ok && end.result.executionId).toBe(executions[1]!.executionId);
});

test('at-least-once against a Codika that honours the key: sent again, one execution', () => {
  const end = ends.get('at-least-once-key-honoured')!;
  const mock = mocks.get(true)!;

  expect(end.ok).toBe(true);
  expect(mock.executionsOf('at-least-once-key-honoured')).toHaveLength(1);
  expect(mock.requestsTo('trigger', 'at-least-once-key-honoured').length).toBeGreaterThanOrEqual(2);
});
