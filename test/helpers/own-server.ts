import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { LocalTemporalServer } from '../../src/testing/local-temporal-server';
import { MockCodikaServer } from '../../src/testing/mock-codika/mock-codika-server';
import { createCodikaWorker } from '../../src/worker-setup/create-codika-worker';
import type { CodikaPipelineDefinition } from '../../src/pipeline/definition';
import type { codikaPipelineWorkflow } from '../../src/workflows/codika-pipeline-workflow';

/** A Temporal dev server of a test's own, with a mock Codika: for dynamic config the shared server has not. */
export interface OwnServer {
  server: LocalTemporalServer;
  mock: MockCodikaServer;
  apiKey: string;
  connection: Connection;
  client: Client;
  stop(): Promise<void>;
}

/** Starts a dev server that suggests continuing as new after `suggestContinueAsNewAfter` events, and a mock. */
export async function startOwnServer(suggestContinueAsNewAfter: number, apiKey: string): Promise<OwnServer> {
  const server = await LocalTemporalServer.start({
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': suggestContinueAsNewAfter },
    log: () => {},
  });
  const mock = new MockCodikaServer({ apiKey });
  await mock.start();
  const connection = await Connection.connect({ address: server.address });
  return {
    server,
    mock,
    apiKey,
    connection,
    client: new Client({ connection }),
    async stop() {
      await connection.close();
      await mock.stop();
      await server.stop();
    },
  };
}

/** Runs a worker of the test bundle on `taskQueue` of `own`, in this process, until the returned stop. */
export async function runOwnWorker(own: OwnServer, taskQueue: string): Promise<() => Promise<void>> {
  const nativeConnection = await NativeConnection.connect({ address: own.server.address });
  const worker: Worker = await createCodikaWorker({
    connection: nativeConnection,
    taskQueue,
    codika: { baseUrl: own.mock.url, apiKey: own.apiKey },
    workerOptions: { workflowBundle: { codePath: process.env.CODIKA_TEST_WORKFLOW_BUNDLE! } },
  });
  const running = worker.run();
  return async () => {
    worker.shutdown();
    await running;
    await nativeConnection.close();
  };
}

/** What {@link pipelinesOnOwnServer} gives a test file. */
export interface OwnPipelineBed {
  /** The bed's mock and client, once `beforeAll` ran. */
  current(): { mock: MockCodikaServer; client: Client };
  /** Starts `codikaPipelineWorkflow` on the bed's task queue, the pipeline over the bed's defaults. */
  start(workflowId: string, pipeline: object, input?: unknown): Promise<WorkflowHandle<typeof codikaPipelineWorkflow>>;
}

/**
 * A test file's pipelines on a dev server of its own that suggests continuing as new after
 * `suggestContinueAsNewAfter` events, with a mock and a worker: registers the jest hooks that start
 * and stop them.
 */
export function pipelinesOnOwnServer(options: {
  suggestContinueAsNewAfter: number;
  apiKey: string;
  taskQueue: string;
  defaults: Partial<CodikaPipelineDefinition>;
}): OwnPipelineBed {
  let own: OwnServer | undefined;
  let stopWorker: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    own = await startOwnServer(options.suggestContinueAsNewAfter, options.apiKey);
    stopWorker = await runOwnWorker(own, options.taskQueue);
  }, 120_000);
  afterAll(async () => {
    await stopWorker?.();
    await own?.stop();
  });
  return {
    current: () => ({ mock: own!.mock, client: own!.client }),
    start: (workflowId, pipeline, input) =>
      own!.client.workflow.start<typeof codikaPipelineWorkflow>('codikaPipelineWorkflow', {
        taskQueue: options.taskQueue,
        workflowId,
        args: [{ pipeline: { ...options.defaults, ...pipeline } as CodikaPipelineDefinition, input }],
      }),
  };
}
