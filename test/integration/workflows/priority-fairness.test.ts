/**
 * Task priority and fairness on a saturated worker (one activity slot): urgent executions are
 * triggered before a backlog of ordinary ones, and a quiet process instance is not starved by a busy
 * one. Its own dev server: one task-queue partition and no eager dispatch, so the backlog is ordered
 * by the matcher alone (PRIORITY_DEMO_DYNAMIC_CONFIG); the new matcher and fairness are on in every
 * local server.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startCodikaExecution, startCodikaPipeline } from '../../../src/client';
import { LocalTemporalServer, PRIORITY_DEMO_DYNAMIC_CONFIG } from '../../../src/testing/local-temporal-server';
import { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { CodikaPlugin } from '../../../src/worker-setup/codika-plugin';
import { uniqueTaskQueue } from '../../helpers/temporal';

const API_KEY = 'ck_priority_key_12';
const POLL = { strategy: 'timer', firstPollAfter: 50, maxPollInterval: 100 } as const;

let server: LocalTemporalServer;
let mock: MockCodikaServer;
let connection: Connection;
let nativeConnection: NativeConnection;
let client: Client;
beforeAll(async () => {
  server = await LocalTemporalServer.start({ dynamicConfig: PRIORITY_DEMO_DYNAMIC_CONFIG });
  mock = new MockCodikaServer({ apiKey: API_KEY });
  await mock.start();
  connection = await Connection.connect({ address: server.address });
  nativeConnection = await NativeConnection.connect({ address: server.address });
  client = new Client({ connection });
}, 180_000);
afterAll(async () => {
  await nativeConnection?.close();
  await connection?.close();
  await mock?.stop();
  await server?.stop();
});

/**
 * Starts the executions with no worker running, so all of them wait in the task queue, then drains
 * the backlog with one activity slot and returns the Codika workflow ids in the order Codika saw
 * their triggers.
 */
async function drainBacklog(taskQueue: string, start: () => Promise<{ result(): Promise<unknown> }[]>) {
  const handles = await start();
  const firstTrigger = mock.requestsTo('trigger').length;
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: { codePath: process.env.CODIKA_TEST_WORKFLOW_BUNDLE! },
    maxConcurrentActivityTaskExecutions: 1,
    plugins: [new CodikaPlugin({ codika: { baseUrl: mock.url, apiKey: API_KEY } })],
  });
  await worker.runUntil(Promise.all(handles.map((handle) => handle.result())));
  return mock
    .requestsTo('trigger')
    .slice(firstTrigger)
    .map((request) => `${request.workflowId}@${request.processInstanceId}`);
}

test('priority: three urgent executions started after a backlog of twelve are triggered first', async () => {
  mock.script('nightly-report', { durationMs: 50 });
  mock.script('customer-reply', { durationMs: 50 });
  const taskQueue = uniqueTaskQueue('priority');
  const order = await drainBacklog(taskQueue, async () => {
    const starts = [];
    for (let i = 0; i < 12; i++) {
      starts.push(
        await startCodikaExecution(
          client,
          { processInstanceId: 'pi_batch', workflowId: 'nightly-report', priority: { priorityKey: 5 } },
          { taskQueue, poll: POLL },
        ),
      );
    }
    for (let i = 0; i < 3; i++) {
      starts.push(
        await startCodikaExecution(
          client,
          { processInstanceId: 'pi_batch', workflowId: 'customer-reply', priority: { priorityKey: 1 } },
          { taskQueue, poll: POLL },
        ),
      );
    }
    return starts;
  });
  expect(order).toHaveLength(15);
  const urgent = order.flatMap((entry, position) => (entry.startsWith('customer-reply@') ? [position + 1] : []));
  // 1st to 3rd when the machine is idle; the matcher allows small deviations (a 4th place seen under a
  // loaded test run). First in first out would trigger them 13th to 15th; the old matcher, 5th to 8th.
  expect(urgent).toHaveLength(3);
  expect(Math.max(...urgent)).toBeLessThanOrEqual(4);
});

test('fairness: a process instance with 2 executions queued behind one with 20 gets its share, by the default fairness key', async () => {
  mock.script('sync-contact', { durationMs: 50 });
  const taskQueue = uniqueTaskQueue('fairness');
  const order = await drainBacklog(taskQueue, async () => {
    const starts = [];
    for (const [processInstanceId, count] of [
      ['pi_busy', 20],
      ['pi_quiet', 2],
    ] as const) {
      for (let i = 0; i < count; i++) {
        starts.push(
          await startCodikaExecution(
            client,
            { processInstanceId, workflowId: 'sync-contact' },
            { taskQueue, poll: POLL },
          ),
        );
      }
    }
    return starts;
  });
  expect(order).toHaveLength(22);
  const quiet = order.flatMap((entry, position) => (entry.endsWith('@pi_quiet') ? [position + 1] : []));
  // Alternating keys put them near 2nd and 4th on an idle machine (9th seen under a loaded CI run);
  // first in first out, 21st and 22nd. Within the first half of the backlog is fairness, not luck.
  expect(quiet).toHaveLength(2);
  expect(Math.max(...quiet)).toBeLessThanOrEqual(11);
});

test("a pipeline's priority reaches its workflow, a step's own overrides it, and activities default the fairness key to the process instance", async () => {
  mock.script('extract', { durationMs: 50 });
  mock.script('notify', { durationMs: 50 });
  const taskQueue = uniqueTaskQueue('pipeline-priority');
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: { codePath: process.env.CODIKA_TEST_WORKFLOW_BUNDLE! },
    plugins: [new CodikaPlugin({ codika: { baseUrl: mock.url, apiKey: API_KEY } })],
  });
  const pipeline = {
    processInstanceId: 'pi_tenant_7',
    priority: { priorityKey: 4 },
    poll: POLL,
    steps: [
      { id: 'extract', workflowId: 'extract' },
      { id: 'notify', workflowId: 'notify', dependsOn: ['extract'], priority: { priorityKey: 1, fairnessWeight: 3 } },
    ],
  };
  const handle = await startCodikaPipeline(client, pipeline, {}, { taskQueue });
  await worker.runUntil(handle.result());
  const { events } = await handle.fetchHistory();
  const started = events![0]!.workflowExecutionStartedEventAttributes!;
  expect(started.priority).toMatchObject({ priorityKey: 4, fairnessKey: 'pi_tenant_7' });
  const scheduled = events!
    .map((event) => event.activityTaskScheduledEventAttributes)
    .filter((attributes) => attributes?.activityType?.name === 'triggerCodikaExecution');
  expect(scheduled).toHaveLength(2);
  // The first step inherits the workflow's priority; the second sets its own fields over it.
  expect(scheduled[0]!.priority?.priorityKey ?? 0).toBe(4);
  expect(scheduled[1]!.priority).toMatchObject({ priorityKey: 1, fairnessWeight: 3 });
});

test('a bad priority is refused before anything starts, naming the field', async () => {
  await expect(
    startCodikaExecution(client, { processInstanceId: 'pi_x', workflowId: 'w', priority: { priorityKey: 0 } }),
  ).rejects.toThrow('Invalid priority.priorityKey: must be a positive integer');
  await expect(
    startCodikaExecution(client, {
      processInstanceId: 'pi_x',
      workflowId: 'w',
      priority: { fairnessKey: 'k'.repeat(65) },
    }),
  ).rejects.toThrow('Invalid priority.fairnessKey: must be a non-empty string of at most 64 bytes');
  await expect(
    startCodikaPipeline(client, {
      processInstanceId: 'pi_x',
      steps: [{ id: 'a', workflowId: 'w', priority: { urgent: true } }],
    }),
  ).rejects.toThrow(/steps\[0\]\.priority/);
});
