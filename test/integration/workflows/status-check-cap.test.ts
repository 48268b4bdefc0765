import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { createTestWorker, startTestbed, stopTestbed, uniqueTaskQueue } from '../../helpers/temporal';

const API_KEY = 'ck_cap_key_31';
const CAP_PER_SECOND = 4;
const EXECUTIONS = 6;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
beforeAll(async () => ({ env, mock } = await startTestbed({ apiKey: API_KEY })));
afterAll(() => stopTestbed({ env, mock }));

/** The most requests that arrived within any window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last += 1) {
    while (sorted[last]! - sorted[first]! >= windowMs) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

test('a worker never sends more status checks per second than its cap, and still checks every execution in turn', async () => {
  const taskQueue = uniqueTaskQueue('cap');
  const ids = Array.from({ length: EXECUTIONS }, (_, i) => `capped-${i}`);
  for (const id of ids) mock.script(id, { durationMs: 3_000, resultData: { id } });
  const worker = await createTestWorker(env, taskQueue, {
    baseUrl: mock.url,
    apiKey: API_KEY,
    maxStatusChecksPerSecond: CAP_PER_SECOND,
  });

  // Uncapped, six loops checking every 200 ms would send about 30 checks a second.
  const results = await worker.runUntil(() =>
    Promise.all(
      ids.map((id) =>
        env.client.workflow.execute<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
          taskQueue,
          workflowId: `${taskQueue}-${id}`,
          args: [
            {
              processInstanceId: 'pi_cap',
              workflowId: id,
              poll: { strategy: 'activity', firstPollAfter: 200, backoffCoefficient: 1, maxPollInterval: 200 },
            },
          ],
        }),
      ),
    ),
  );

  expect(results.map((r) => r.resultData)).toEqual(ids.map((id) => ({ id })));
  const checks = ids.flatMap((id) => mock.requestsTo('status', id).map((r) => r.at));
  // One check per 250 ms; arrival jitter may squeeze a fifth into a one-second window, never more.
  expect(busiestWindow(checks, 1_000)).toBeLessThanOrEqual(CAP_PER_SECOND + 1);
  const spanS = (Math.max(...checks) - Math.min(...checks)) / 1000;
  expect(checks.length).toBeLessThanOrEqual(Math.ceil(spanS * CAP_PER_SECOND) + 1);
  for (const id of ids) expect(mock.requestsTo('status', id).length).toBeGreaterThanOrEqual(1);
});

test('a cap that is not a positive number is refused when the worker is built, naming the option', async () => {
  for (const bad of [0, -5, Number.NaN]) {
    await expect(
      createTestWorker(env, uniqueTaskQueue('bad-cap'), {
        baseUrl: mock.url,
        apiKey: API_KEY,
        maxStatusChecksPerSecond: bad,
      }),
    ).rejects.toThrow(/maxStatusChecksPerSecond.*positive number/);
  }
});
