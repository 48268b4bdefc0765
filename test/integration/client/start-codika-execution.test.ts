import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { CodikaValidationError } from '../../../src/shared/errors';
import { executeCodikaExecution, startCodikaExecution } from '../../../src/client';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { startTestbed, stopTestbed, createTestWorker, uniqueTaskQueue } from '../../helpers/temporal';

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;

beforeAll(async () => ({ env, mock } = await startTestbed({ apiKey: 'ck_client_helper_key' })));
afterAll(() => stopTestbed({ env, mock }));

test('executeCodikaExecution runs one execution through Temporal and returns its result', async () => {
  mock.script('scheduled-report', { durationMs: 300, resultData: { rows: 3 } });
  const taskQueue = uniqueTaskQueue('client');
  const worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: 'ck_client_helper_key' });
  const result = await worker.runUntil(
    executeCodikaExecution(
      env.client,
      { processInstanceId: 'pi_c', workflowId: 'scheduled-report' },
      { taskQueue, poll: { firstPollAfter: 100 } },
    ),
  );
  expect(result.resultData).toEqual({ rows: 3 });
  expect(JSON.parse(mock.requestsTo('trigger', 'scheduled-report')[0].body)).toEqual({ payload: {} });
});

test('startCodikaExecution gives the run a readable workflow id naming the Codika workflow and instance', async () => {
  const taskQueue = uniqueTaskQueue('client-id');
  const handle = await startCodikaExecution(
    env.client,
    { processInstanceId: 'pi_c', workflowId: 'http-direct-messaging' },
    { taskQueue },
  );
  try {
    expect(handle.workflowId).toMatch(/^codika-http-direct-messaging-pi_c-[a-z0-9]+$/);
    const other = await startCodikaExecution(
      env.client,
      { processInstanceId: 'pi_c', workflowId: 'http-direct-messaging' },
      { taskQueue },
    );
    expect(other.workflowId).not.toBe(handle.workflowId);
    await other.terminate('test cleanup');
  } finally {
    await handle.terminate('test cleanup');
  }
});

test('startCodikaExecution rejects a bad id before any workflow starts', async () => {
  const taskQueue = uniqueTaskQueue('client-bad');
  await expect(
    startCodikaExecution(env.client, { processInstanceId: '', workflowId: 'x' }, { taskQueue }),
  ).rejects.toThrow(CodikaValidationError);
  await expect(
    startCodikaExecution(env.client, { processInstanceId: 'pi', workflowId: 'a/b' }, { taskQueue }),
  ).rejects.toThrow(/Invalid workflowId/);
  const started = await env.client.workflow.count(`TaskQueue = "${taskQueue}"`);
  expect(started.count).toBe(0);
});
