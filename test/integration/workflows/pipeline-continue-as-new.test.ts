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
