import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, DefaultLogger, type Worker, type WorkerOptions, type LogEntry } from '@temporalio/worker';
import type { CodikaActivitiesOptions } from '../../src/activities/create-codika-activities';
import { DEMO_SCRIPTS } from '../../src/testing/mock-codika/demo-scripts';
import { MockCodikaServer, type MockCodikaServerOptions } from '../../src/testing/mock-codika/mock-codika-server';
import type { MockExecutionScript } from '../../src/testing/mock-codika/mock-scripts';
import { createCodikaWorker } from '../../src/worker-setup/create-codika-worker';

/** Worker log lines of this test file, so tests can search them for secrets. */
export const workerLogs: LogEntry[] = [];
let runtimeInstalled = false;

/** Connects to the jest run's Temporal server (see test/helpers/global-setup.ts). */
export async function connectTestEnv(): Promise<TestWorkflowEnvironment> {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address)
    throw new Error(
      'TEMPORAL_TEST_ADDRESS is not set: run the tests with `npm test` (jest globalSetup starts the server)',
    );
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    Runtime.install({ logger: new DefaultLogger('DEBUG', (entry) => void workerLogs.push(entry)) });
  }
  return TestWorkflowEnvironment.createFromExistingServer({ address });
}

/** A task queue no other test uses. */
export function uniqueTaskQueue(name: string): string {
  return `test-${name}-${randomUUID().slice(0, 8)}`;
}

/** A worker on the test server running the prebuilt test bundle with real Codika activities. */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  codika: CodikaActivitiesOptions,
  workerOptions: Partial<WorkerOptions> = {},
): Promise<Worker> {
  const codePath = process.env.CODIKA_TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('CODIKA_TEST_WORKFLOW_BUNDLE is not set: run the tests with `npm test`');
  return createCodikaWorker({
    connection: env.nativeConnection,
    taskQueue,
    codika,
    workerOptions: { workflowBundle: { codePath }, ...workerOptions },
  });
}

/** What a workflow test file needs: the shared Temporal server and its own mock Codika. */
export interface Testbed {
  env: TestWorkflowEnvironment;
  mock: MockCodikaServer;
}

/** Connects to the test server and starts a mock Codika; call in beforeAll. */
export async function startTestbed(mockOptions: MockCodikaServerOptions): Promise<Testbed> {
  const env = await connectTestEnv();
  const mock = new MockCodikaServer(mockOptions);
  await mock.start();
  return { env, mock };
}

/** Undoes {@link startTestbed}; call in afterAll (safe when beforeAll failed half-way). */
export async function stopTestbed(bed: Partial<Testbed>): Promise<void> {
  await bed.mock?.stop();
  await bed.env?.teardown();
}

/** A testbed with one worker running on its own task queue, for files whose tests share it. */
export interface RunningTestbed extends Testbed {
  taskQueue: string;
}

/**
 * Starts a testbed and a worker that runs until {@link stopRunningTestbed}; call in beforeAll.
 * `codika` adds to the worker's Codika options (the mock's URL and `apiKey` are set already).
 */
export async function startRunningTestbed(
  mockOptions: MockCodikaServerOptions & { apiKey: string },
  name: string,
  codika: Partial<CodikaActivitiesOptions> = {},
): Promise<RunningTestbed & { stop(): Promise<void> }> {
  const { env, mock } = await startTestbed(mockOptions);
  const taskQueue = uniqueTaskQueue(name);
  const worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: mockOptions.apiKey, ...codika });
  const running = worker.run();
  return {
    env,
    mock,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await stopTestbed({ env, mock });
    },
  };
}

/** The demo's Codika workflows (src/testing/mock-codika/demo-scripts.ts), each finishing within 300 ms. */
export function quickDemoScripts(): Record<string, MockExecutionScript> {
  return Object.fromEntries(
    Object.entries(DEMO_SCRIPTS).map(([id, script]) => [
      id,
      { ...script, durationMs: Math.min(typeof script.durationMs === 'number' ? script.durationMs : 0, 300) },
    ]),
  );
}

/** What a failed run's `WorkflowFailedError` carries as its cause: the failure the workflow threw. */
export interface RunFailure {
  type?: string;
  message: string;
  details?: unknown[];
}

/** Awaits a run that must fail and returns its failure; fails the test when the run succeeds. */
export async function failureOf(handle: WorkflowHandle): Promise<RunFailure> {
  const err = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return (err as WorkflowFailedError).cause as unknown as RunFailure;
}
