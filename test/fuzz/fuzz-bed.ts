/**
 * One place the fuzz suite runs its corpus: a Temporal dev server that suggests continuing as new
 * after `threshold` history events (or, for the reference, never), a mock Codika of its own, and a
 * worker. The suite's CLI accepts only unconstrained dynamic config values (a JSON value is wrapped
 * as one value for every namespace), so each threshold has a dev server of its own rather than a
 * namespace of one server.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { LocalTemporalServer } from '../../src/testing/local-temporal-server';
import { MockCodikaServer } from '../../src/testing/mock-codika/mock-codika-server';
import { createCodikaWorker } from '../../src/worker-setup/create-codika-worker';
import { WorkerProcess } from '../helpers/worker-process';

const API_KEY = 'ck_fuzz_continue_as_new';
/** Far more events than any corpus run makes: the reference never continues as new. */
export const NEVER = 1_000_000;

export interface FuzzBed {
  threshold: number;
  server: LocalTemporalServer;
  mock: MockCodikaServer;
  client: Client;
  taskQueue: string;
  stop(): Promise<void>;
}

/** A bed whose worker runs in a child process that {@link FuzzBedWithKills.killWorker} kills and replaces. */
export interface FuzzBedWithKills extends FuzzBed {
  /** SIGKILLs the worker process (a crash: no shutdown, nothing reported) and starts a new one. */
  killWorker(): Promise<void>;
}

export async function startFuzzBedWithKills(threshold: number): Promise<FuzzBedWithKills> {
  const server = await LocalTemporalServer.start({
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': threshold },
    log: () => {},
  });
  const mock = new MockCodikaServer({ apiKey: API_KEY });
  await mock.start();
  const connection = await Connection.connect({ address: server.address });
  const taskQueue = `fuzz-kills-${threshold}`;
  const config = { address: server.address, taskQueue, baseUrl: mock.url, apiKey: API_KEY };
  let worker = await WorkerProcess.start(config);
  return {
    threshold,
    server,
    mock,
    client: new Client({ connection }),
    taskQueue,
    async killWorker() {
      await worker.kill();
      worker = await WorkerProcess.start(config);
    },
    async stop() {
      await worker.stop();
      await connection.close();
      await mock.stop();
      await server.stop();
    },
  };
}

export async function startFuzzBed(threshold: number): Promise<FuzzBed> {
  const server = await LocalTemporalServer.start({
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': threshold },
    log: () => {},
  });
  const mock = new MockCodikaServer({ apiKey: API_KEY });
  await mock.start();
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const taskQueue = `fuzz-${threshold}`;
  const worker: Worker = await createCodikaWorker({
    connection: nativeConnection,
    taskQueue,
    codika: { baseUrl: mock.url, apiKey: API_KEY },
    workerOptions: { workflowBundle: { codePath: process.env.CODIKA_TEST_WORKFLOW_BUNDLE! } },
  });
  const running = worker.run();
  return {
    threshold,
    server,
    mock,
    client: new Client({ connection }),
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
      await mock.stop();
      await server.stop();
    },
  };
}
