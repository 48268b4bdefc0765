import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { startTestbed, stopTestbed, createTestWorker, uniqueTaskQueue } from '../../helpers/temporal';
import { sleep } from '../../helpers/wait';

const API_KEY = 'ck_durability_key_51c2e';

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;

beforeAll(async () => ({ env, mock } = await startTestbed({ apiKey: API_KEY })));
afterAll(() => stopTestbed({ env, mock }));

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('a new worker finishes a run whose worker stopped mid-poll, with a single Codika execution', async () => {
  // The second status call hangs, so the first worker stops while a request is in flight.
  mock.script('wf-handover', {
    durationMs: 4_000,
    resultData: { done: true },
    faults: {
      status: [
        { kind: 'http', status: 200, body: '{"execution":{"status":"pending"}}' },
        { kind: 'delay', ms: 5_000 },
      ],
    },
  });
  const taskQueue = uniqueTaskQueue('handover');
  const first = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: API_KEY });
  const firstRun = first.run();
  const handle = await env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-wf`,
    args: [
      { processInstanceId: 'pi_d', workflowId: 'wf-handover', poll: { firstPollAfter: 200, backoffCoefficient: 1 } },
    ],
  });
  await waitFor(() => mock.requestsTo('status', 'wf-handover').length >= 2, 'the hanging status call');
  first.shutdown();
  await firstRun;

  const second = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: API_KEY });
  const result = await second.runUntil(handle.result());

  expect(result.resultData).toEqual({ done: true });
  expect(mock.executionsOf('wf-handover')).toHaveLength(1);
  expect(mock.requestsTo('trigger', 'wf-handover')).toHaveLength(1);
  expect(result.executionId).toBe(mock.executionsOf('wf-handover')[0].executionId);
  // The hanging call was abandoned by the first worker; the second kept polling the same execution.
  const statusCalls = mock.requestsTo('status', 'wf-handover');
  expect(statusCalls.length).toBeGreaterThanOrEqual(3);
  expect(new Set(statusCalls.map((r) => r.executionId))).toEqual(new Set([result.executionId]));
});

test('continue-as-new carries the executionId forward and never triggers again', async () => {
  mock.script('wf-long', { durationMs: 2_500, resultData: { rows: 7 } });
  const taskQueue = uniqueTaskQueue('can');
  const worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: API_KEY });
  const workflowId = `${taskQueue}-wf`;
  const result = await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
      taskQueue,
      workflowId,
      args: [
        {
          processInstanceId: 'pi_d',
          workflowId: 'wf-long',
          payload: { customer_phone: '32477123456' },
          poll: { firstPollAfter: 150, backoffCoefficient: 1 },
          continueAsNewAfterPolls: 2,
        },
      ],
    });
    return { firstRunId: handle.firstExecutionRunId, output: await handle.result() };
  });

  expect(mock.requestsTo('trigger', 'wf-long')).toHaveLength(1);
  expect(mock.executionsOf('wf-long')).toHaveLength(1);
  const executionId = mock.executionsOf('wf-long')[0].executionId;
  expect(result.output.executionId).toBe(executionId);
  expect(result.output.polls).toBe(mock.requestsTo('status', 'wf-long').length);

  const lastRun = await env.client.workflow.getHandle(workflowId).describe();
  expect(lastRun.runId).not.toBe(result.firstRunId);
  const firstHistory = await env.client.workflow.getHandle(workflowId, result.firstRunId).fetchHistory();
  const continued = firstHistory.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
  expect(continued).toBeTruthy();
  const carried = JSON.parse(Buffer.from(continued!.input!.payloads![0].data!).toString('utf8'));
  expect(carried.resume).toMatchObject({ executionId, polls: 2, lastStatus: 'pending' });
  // The payload served the trigger only; later runs do not carry it.
  expect(carried).not.toHaveProperty('payload');
});
