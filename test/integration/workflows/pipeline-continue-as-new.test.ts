/**
 * A pipeline whose history outgrows what Temporal suggests continues as new, at a moment when no
 * trigger is in flight, carrying every step's state: the step that was polling resumes from its
 * executionId in the next run, never triggering again. A server of its own suggests it after 40
 * events (the default is 4,096), so the test gets there in seconds.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { CodikaPipelineResult } from '../../../src/pipeline/pipeline-types';
import { LocalTemporalServer } from '../../../src/testing/local-temporal-server';
import { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { codikaPipelineWorkflow } from '../../../src/workflows/codika-pipeline-workflow';
import { codikaPipelineApproveUpdate, codikaPipelineStateQuery } from '../../../src/workflows';
import { sleep } from '../../helpers/wait';
import { createCodikaWorker } from '../../../src/worker-setup/create-codika-worker';

const API_KEY = 'ck_pipeline_can_key_40';
const POLL = { strategy: 'timer', firstPollAfter: 200, backoffCoefficient: 1, maxPollInterval: 200 } as const;

let server: LocalTemporalServer;
let mock: MockCodikaServer;
let nativeConnection: NativeConnection;
let connection: Connection;
let worker: Worker;
let running: Promise<void>;
beforeAll(async () => {
  server = await LocalTemporalServer.start({
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 40 },
    log: () => {},
  });
  mock = new MockCodikaServer({ apiKey: API_KEY });
  await mock.start();
  nativeConnection = await NativeConnection.connect({ address: server.address });
  connection = await Connection.connect({ address: server.address });
  worker = await createCodikaWorker({
    connection: nativeConnection,
    taskQueue: 'pipelines',
    codika: { baseUrl: mock.url, apiKey: API_KEY },
    workerOptions: { workflowBundle: { codePath: process.env.CODIKA_TEST_WORKFLOW_BUNDLE! } },
  });
  running = worker.run();
}, 120_000);
afterAll(async () => {
  worker?.shutdown();
  await running;
  await connection?.close();
  await nativeConnection?.close();
  await mock?.stop();
  await server?.stop();
});

test('continues as new while a step polls; the step resumes from its executionId; every step runs once', async () => {
  mock.script('long', { durationMs: 8_000, resultData: { text: 'done' } });
  mock.script('after-long', { durationMs: 300 });
  mock.script('quick', { durationMs: 300 });
  const client = new Client({ connection });
  const handle = await client.workflow.start<typeof codikaPipelineWorkflow>('codikaPipelineWorkflow', {
    taskQueue: 'pipelines',
    workflowId: 'pipeline-can',
    args: [
      {
        pipeline: {
          processInstanceId: 'pi_can',
          poll: POLL,
          steps: [
            { id: 'long', workflowId: 'long' },
            { id: 'quick', workflowId: 'quick' },
            {
              id: 'after',
              workflowId: 'after-long',
              dependsOn: ['long'],
              payload: { got: { $ref: 'steps.long.resultData.text' } },
            },
          ],
        },
      },
    ],
  });

  const result = (await handle.result()) as CodikaPipelineResult;

  expect(result.outputs).toEqual({ long: { text: 'done' }, quick: { echo: {} }, after: { echo: { got: 'done' } } });
  expect(Object.values(result.steps).map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  for (const id of ['long', 'quick', 'after-long']) expect(mock.requestsTo('trigger', id)).toHaveLength(1);
  // The run chain: it continued as new at least once.
  const runs = await countRuns(client, 'pipeline-can');
  expect(runs).toBeGreaterThan(1);
  // Polls of the resumed step add up across runs: every check Codika answered is counted once.
  const answered = mock.requestsTo('status', 'long').filter((r) => r.outcome === 200).length;
  expect(result.steps.long!.polls).toBe(answered);
  expect(result.steps.long!.executionId).toBe(mock.executionsOf('long')[0]!.executionId);
}, 90_000);

async function countRuns(client: Client, workflowId: string): Promise<number> {
  return (await client.workflow.count(`WorkflowId = '${workflowId}'`)).count;
}

async function startPipeline(client: Client, workflowId: string, pipeline: unknown, input?: unknown) {
  return client.workflow.start<typeof codikaPipelineWorkflow>('codikaPipelineWorkflow', {
    taskQueue: 'pipelines',
    workflowId,
    args: [{ pipeline: { processInstanceId: 'pi_can', poll: POLL, ...(pipeline as object) } as never, input }],
  });
}

test('forEach items survive continue-as-new: no new item starts until those in flight poll; each item triggers once; results in order', async () => {
  mock.script('can-item', { durationMs: 1_500, resultData: (p: unknown) => ({ n: (p as { n: number }).n }) });
  const client = new Client({ connection });
  const handle = await startPipeline(client, 'pipeline-can-foreach', {
    steps: [
      {
        id: 'send',
        workflowId: 'can-item',
        forEach: { items: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], concurrency: 3 },
        payload: { n: { $ref: 'item' } },
      },
    ],
  });
  const result = (await handle.result()) as CodikaPipelineResult;

  expect(await countRuns(client, 'pipeline-can-foreach')).toBeGreaterThan(2);
  expect(mock.requestsTo('trigger', 'can-item')).toHaveLength(12);
  expect(result.outputs.send).toEqual(Array.from({ length: 12 }, (_, n) => ({ n })));
  const executions = mock.executionsOf('can-item');
  // Each item's executionId is the one Codika gave its payload, across runs.
  (await handle.query(codikaPipelineStateQuery)).steps.send!.items!.forEach((item, n) =>
    expect(item.executionId).toBe(executions.find((e) => (e.payload as { n: number }).n === n)!.executionId),
  );
}, 120_000);

test('an approval, a startAfter delay and a retry backoff wait across continue-as-new, each for what is left', async () => {
  mock.script('can-busy', { durationMs: 6_000 });
  mock.script('can-delayed', {});
  mock.script('can-flaky', { failWith: 'try again' });
  const client = new Client({ connection });
  const handle = await startPipeline(client, 'pipeline-can-waits', {
    steps: [
      { id: 'busy', workflowId: 'can-busy' },
      { id: 'approve', approval: { prompt: 'Go on?', timeout: '1 minute' } },
      { id: 'delayed', workflowId: 'can-delayed', startAfter: '4 seconds' },
      { id: 'flaky', workflowId: 'can-flaky', retry: { maximumAttempts: 2, initialInterval: '5 seconds' } },
    ],
  });
  const startedAt = Date.now();
  // Answer once the pipeline has continued as new: the update reaches the run that waits now.
  for (let i = 0; i < 100 && (await countRuns(client, 'pipeline-can-waits')) < 2; i += 1) await sleep(100);
  expect(await countRuns(client, 'pipeline-can-waits')).toBeGreaterThan(1);
  mock.script('can-flaky', {});
  await handle.executeUpdate(codikaPipelineApproveUpdate, { args: [{ stepId: 'approve', approved: true, by: 'ada' }] });
  const result = (await handle.result()) as CodikaPipelineResult;

  expect(result.outputs.approve).toMatchObject({ approved: true, by: 'ada' });
  const [delayed] = mock.executionsOf('can-delayed');
  expect(delayed!.createdAt - startedAt).toBeGreaterThanOrEqual(4_000);
  expect(delayed!.createdAt - startedAt).toBeLessThan(8_000);
  expect(mock.requestsTo('trigger', 'can-delayed')).toHaveLength(1);
  const flaky = mock.executionsOf('can-flaky');
  expect(flaky).toHaveLength(2);
  expect(flaky[1]!.createdAt - flaky[0]!.finishesAt).toBeGreaterThanOrEqual(5_000);
  expect(flaky[1]!.createdAt - flaky[0]!.finishesAt).toBeLessThan(9_000);
  expect(result.steps.flaky!.attempts!.map((a) => a.status)).toEqual(['failed', 'succeeded']);
}, 120_000);

test('a large forEach whose pipeline and batches continue as new: batch reports reach the run that waits; each item triggers once', async () => {
  mock.script('can-batch-item', { durationMs: 300, resultData: (p: unknown) => (p as { n: number }).n });
  mock.script('can-batch-busy', { durationMs: 8_000 });
  const client = new Client({ connection });
  const items = Array.from({ length: 230 }, (_, n) => n);
  const handle = await startPipeline(
    client,
    'pipeline-can-batches',
    {
      steps: [
        { id: 'busy', workflowId: 'can-batch-busy' },
        {
          id: 'send',
          workflowId: 'can-batch-item',
          // Resuming costs each item in flight a timer started and fired: with this server's 40 events, more
          // than a few items in flight would spend each run's budget on resuming (4,096 events and at most
          // 100 items in flight leave ample room in real deployments).
          forEach: { items: { $ref: 'input.items' }, concurrency: 6 },
          payload: { n: { $ref: 'item' } },
        },
      ],
    },
    { items },
  );
  const result = (await handle.result()) as CodikaPipelineResult;

  expect(await countRuns(client, 'pipeline-can-batches')).toBeGreaterThan(1);
  const batches = result.steps.send!.batches!;
  expect(batches).toHaveLength(2);
  for (const batch of batches) expect(await countRuns(client, batch.workflowId)).toBeGreaterThan(1);
  expect(mock.requestsTo('trigger', 'can-batch-item')).toHaveLength(230);
  expect(result.outputs.send).toEqual(items);
}, 180_000);
