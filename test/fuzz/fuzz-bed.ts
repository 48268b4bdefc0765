/**
 * One place the fuzz suite runs its corpus: a namespace of the suite's one Temporal dev server that
 * suggests continuing as new after `threshold` history events (or, for the reference, never), a mock
 * Codika of its own, and a worker.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { MockCodikaServer } from '../../src/testing/mock-codika/mock-codika-server';
import { createCodikaWorker } from '../../src/worker-setup/create-codika-worker';
import { LocalTemporalServer } from '../../src/testing/local-temporal-server';
import { runOwnWorker, startOwnServer } from '../helpers/own-server';
import { WorkerProcess } from '../helpers/worker-process';

const API_KEY = 'ck_fuzz_continue_as_new';
/** Far more events than any corpus run makes: the reference never continues as new. */
export const NEVER = 1_000_000;

export interface FuzzBed {
  threshold: number;
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

/** The namespace of a threshold on the one server of the suite; the reference's never suggests continuing. */
export const namespaceOf = (threshold: number) => (threshold === NEVER ? 'fuzz-reference' : `fuzz-${threshold}`);

/**
 * One server for every threshold: a namespace each, whose dynamic config suggests continuing as new
 * after its threshold of events (`limit.historyCount.suggestContinueAsNew` with a namespace constraint).
 */
export function startFuzzServer(thresholds: number[]): Promise<LocalTemporalServer> {
  return LocalTemporalServer.start({
    namespaceDynamicConfig: Object.fromEntries(
      [NEVER, ...thresholds].map((t) => [namespaceOf(t), { 'limit.historyCount.suggestContinueAsNew': t }]),
    ),
    log: () => {},
  });
}

/** A bed on the suite's one server: the threshold's namespace, a mock of its own, a worker in this process. */
export async function startFuzzBedOn(server: LocalTemporalServer, threshold: number): Promise<FuzzBed> {
  const namespace = namespaceOf(threshold);
  const mock = new MockCodikaServer({ apiKey: API_KEY });
  await mock.start();
  const connection = await Connection.connect({ address: server.address });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const taskQueue = `fuzz-${threshold}`;
  const worker = await createCodikaWorker({
    connection: nativeConnection,
    namespace,
    taskQueue,
    codika: { baseUrl: mock.url, apiKey: API_KEY },
    workerOptions: { workflowBundle: { codePath: process.env.CODIKA_TEST_WORKFLOW_BUNDLE! } },
  });
  const running = worker.run();
  return {
    threshold,
    mock,
    client: new Client({ connection, namespace }),
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await mock.stop();
    },
  };
}

/** A bed with a dev server of its own (the worker-kills suite, whose worker is a process of its own). */
export async function startFuzzBed(threshold: number): Promise<FuzzBed> {
  const own = await startOwnServer(threshold, API_KEY);
  const taskQueue = `fuzz-${threshold}`;
  const stopWorker = await runOwnWorker(own, taskQueue);
  return {
    threshold,
    mock: own.mock,
    client: own.client,
    taskQueue,
    async stop() {
      await stopWorker();
      await own.stop();
    },
  };
}

export async function startFuzzBedWithKills(threshold: number): Promise<FuzzBedWithKills> {
  const own = await startOwnServer(threshold, API_KEY);
  const taskQueue = `fuzz-kills-${threshold}`;
  const config = { address: own.server.address, taskQueue, baseUrl: own.mock.url, apiKey: API_KEY };
  let worker = await WorkerProcess.start(config);
  return {
    threshold,
    mock: own.mock,
    client: own.client,
    taskQueue,
    async killWorker() {
      await worker.kill();
      worker = await WorkerProcess.start(config);
    },
    async stop() {
      await worker.stop();
      await own.stop();
    },
  };
}
