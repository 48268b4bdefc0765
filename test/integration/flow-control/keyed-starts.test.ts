/**
 * Debounced and singleton starts, collapsed by Temporal itself: a thousand starts of one key within
 * five seconds make one Codika execution with the last payload; `maxDelay` bounds how long a burst
 * pushes its execution back; a singleton key refuses, or joins, a start while its run goes on.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startCodikaExecution } from '../../../src/client/start-codika-execution';
import { CodikaSingletonRunningError, type CodikaDebouncedRun } from '../../../src/client/flow-control/keyed-starts';
import { CodikaValidationError } from '../../../src/shared/errors';
import { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { CodikaDebounceState } from '../../../src/workflows/flow-control/codika-debounce-workflow';
import { connectTestEnv, createTestWorker, uniqueTaskQueue } from '../../helpers/temporal';
import { sleep } from '../../helpers/wait';
import type { Worker } from '@temporalio/worker';

const API_KEY = 'ck_keyed_starts_key_28';
const FAST = { strategy: 'timer', firstPollAfter: 100, backoffCoefficient: 1, maxPollInterval: 100 } as const;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;

beforeAll(async () => {
  env = await connectTestEnv();
  mock = new MockCodikaServer({ apiKey: API_KEY });
  await mock.start();
  taskQueue = uniqueTaskQueue('keyed-starts');
  worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: API_KEY });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await mock?.stop();
  await env?.teardown();
});

test('a thousand starts of one key within five seconds: one Codika execution, with the last payload', async () => {
  const key = `digest-${taskQueue}`;
  mock.script('debounced-digest', { durationMs: 0 });
  const firstAt = Date.now();
  const runIds = new Set<string>();
  let last: CodikaDebouncedRun | undefined;
  for (let batch = 0; batch < 20; batch++) {
    const starts = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        startCodikaExecution(
          env.client,
          { processInstanceId: 'pi_debounce', workflowId: 'debounced-digest', payload: { n: batch * 50 + i } },
          { taskQueue, poll: FAST, debounce: { key, delay: '2 seconds', maxDelay: '1 minute' } },
        ),
      ),
    );
    starts.forEach((start) => runIds.add(start.runId));
    // The last start of the burst, sent alone, so it is the last the workflow hears.
    if (batch === 19) {
      last = await startCodikaExecution(
        env.client,
        { processInstanceId: 'pi_debounce', workflowId: 'debounced-digest', payload: { n: 'last' } },
        { taskQueue, poll: FAST, debounce: { key, delay: '2 seconds', maxDelay: '1 minute' } },
      );
    }
    await sleep(200);
  }
  expect(Date.now() - firstAt).toBeLessThan(10_000);
  // Every start joined the same run, and was told so.
  expect([...runIds]).toEqual([last!.runId]);

  const result = await last!.handle.result();
  const executions = mock.executionsOf('debounced-digest');
  expect(executions).toHaveLength(1);
  expect(executions[0]!.payload).toEqual({ n: 'last' });
  expect(result!.executionId).toBe(executions[0]!.executionId);
  const state = await last!.handle.query<CodikaDebounceState>('codikaDebounceState');
  expect(state).toMatchObject({ key, runs: 1, ran: [{ starts: 1001, outcome: 'succeeded' }] });
}, 120_000);

test('maxDelay bounds how long a steady stream of starts pushes the execution back', async () => {
  const key = `steady-${taskQueue}`;
  mock.script('debounced-steady', { durationMs: 0 });
  const firstAt = Date.now();
  let last;
  // A start every 250 ms for 5 s, with a delay of 1 s: never quiet long enough; maxDelay 2 s decides.
  for (let n = 0; n < 20; n++) {
    last = await startCodikaExecution(
      env.client,
      { processInstanceId: 'pi_debounce', workflowId: 'debounced-steady', payload: { n } },
      { taskQueue, poll: FAST, debounce: { key, delay: '1 second', maxDelay: '2 seconds' } },
    );
    await sleep(250);
  }
  await last!.handle.result();
  const executions = mock.executionsOf('debounced-steady');
  expect(executions.length).toBeGreaterThanOrEqual(2);
  // The first execution ran within maxDelay of the first start (plus the start of its child run).
  expect(executions[0]!.createdAt - firstAt).toBeLessThan(2_000 + 2_000);
  expect(executions.at(-1)!.payload).toEqual({ n: 19 });
}, 60_000);

test('a singleton key refuses a second start while its run goes on, joins when asked, and starts afresh after', async () => {
  const key = `report-${taskQueue}`;
  mock.script('singleton-report', { durationMs: 2_000 });
  const input = { processInstanceId: 'pi_singleton', workflowId: 'singleton-report' };
  const first = await startCodikaExecution(env.client, input, { taskQueue, poll: FAST, singleton: { key } });
  expect(first.joined).toBe(false);

  const refused = await startCodikaExecution(env.client, input, { taskQueue, singleton: { key } }).catch((e) => e);
  expect(refused).toBeInstanceOf(CodikaSingletonRunningError);
  expect((refused as Error).message).toContain(first.firstExecutionRunId);
  expect((refused as Error).message).toContain("whenRunning 'join'");

  const joined = await startCodikaExecution(env.client, input, {
    taskQueue,
    singleton: { key, whenRunning: 'join' },
  });
  expect(joined.joined).toBe(true);
  expect(joined.firstExecutionRunId).toBe(first.firstExecutionRunId);
  const [a, b] = await Promise.all([first.result(), joined.result()]);
  expect(b.executionId).toBe(a.executionId);
  expect(mock.executionsOf('singleton-report')).toHaveLength(1);

  const again = await startCodikaExecution(env.client, input, { taskQueue, poll: FAST, singleton: { key } });
  expect(again.joined).toBe(false);
  expect(again.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
  await again.result();
  expect(mock.executionsOf('singleton-report')).toHaveLength(2);
}, 60_000);

test('debounce and singleton refuse the options that name the run themselves', async () => {
  const input = { processInstanceId: 'pi_singleton', workflowId: 'singleton-report' };
  await expect(
    startCodikaExecution(env.client, input, { taskQueue, workflowId: 'mine', singleton: { key: 'k' } }),
  ).rejects.toThrow(CodikaValidationError);
  await expect(
    startCodikaExecution(env.client, input, { taskQueue, debounce: { key: 'k', delay: '1 second', maxDelay: 10 } }),
  ).rejects.toThrow(/debounce\.maxDelay.*at least debounce\.delay/);
  await expect(
    startCodikaExecution(env.client, input, { taskQueue, debounce: { key: '', delay: '1 second' } }),
  ).rejects.toThrow(/debounce\.key/);
});
