/**
 * A `429 Retry-After: 5` on one process instance slows every worker's calls of that instance, not
 * only the call that got it: two worker processes poll executions of A and B every 200 ms; after the
 * mock answers one status check of A with 429, no request of A reaches it until the five seconds are
 * over (past the time the back-off takes to spread), while B's checks go on.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { BACKOFF_READ_EVERY_MS } from '../../../src/activities/shared-backoff';
import { flowControlWorkflowId, type FlowControlState } from '../../../src/shared/flow-control';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { startTestbed, stopTestbed, uniqueTaskQueue } from '../../helpers/temporal';
import { waitUntil } from '../../helpers/wait';
import { WorkerProcess } from '../../helpers/worker-process';

const API_KEY = 'ck_shared_backoff_key_28';
const FAST = { strategy: 'timer', firstPollAfter: 200, backoffCoefficient: 1, maxPollInterval: 200 } as const;
const RETRY_AFTER_S = 5;
/**
 * How long a 429 may take to reach the other worker: its next read of the instance's back-off, and
 * the flow-control workflow's task that writes it (docs/flow-control.md).
 */
const SPREAD_MS = BACKOFF_READ_EVERY_MS + 1_000;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;

beforeAll(async () => ({ env, mock } = await startTestbed({ apiKey: API_KEY })));
afterAll(() => stopTestbed({ env, mock }));

test(`a 429 Retry-After: ${RETRY_AFTER_S} on instance A holds back A's calls from both workers; B goes on`, async () => {
  const taskQueue = uniqueTaskQueue('shared-backoff');
  const [a, b] = [`pi_backoff_a_${taskQueue.slice(-8)}`, `pi_backoff_b_${taskQueue.slice(-8)}`];
  mock.script('backoff-a', { durationMs: 15_000 });
  mock.script('backoff-b', { durationMs: 15_000 });
  const config = { address: env.address, taskQueue, baseUrl: mock.url, apiKey: API_KEY };
  const workers = await Promise.all([WorkerProcess.start(config), WorkerProcess.start(config)]);
  try {
    const runs = [a, b].flatMap((processInstanceId) =>
      Array.from({ length: 6 }, (_, n) =>
        env.client.workflow.execute<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
          taskQueue,
          workflowId: `${taskQueue}-${processInstanceId}-${n}`,
          args: [{ processInstanceId, workflowId: processInstanceId === a ? 'backoff-a' : 'backoff-b', poll: FAST }],
        }),
      ),
    );
    await waitUntil(() => mock.requestsTo('status', 'backoff-a').length >= 30, 'A polled by both workers');
    mock.injectFaults('backoff-a', { status: [{ kind: 'http', status: 429, retryAfter: RETRY_AFTER_S }] });
    await waitUntil(() => mock.requests.some((r) => r.outcome === 429), 'the 429');
    const results = await Promise.all(runs);
    expect(results).toHaveLength(12);

    const refused = mock.requests.find((r) => r.outcome === 429)!;
    const backOffEndsAt = refused.at + RETRY_AFTER_S * 1000;
    const ofA = mock.requests.filter((r) => r.processInstanceId === a && r.at > refused.at);
    const ofB = mock.requests.filter((r) => r.processInstanceId === b && r.at > refused.at);
    const aWithin = ofA.filter((r) => r.at < backOffEndsAt);
    const aAfterSpread = aWithin.filter((r) => r.at > refused.at + SPREAD_MS);
    console.log(
      `429 on A: ${aWithin.length} requests of A in the next ${RETRY_AFTER_S} s (the last ` +
        `${aWithin.length ? aWithin.at(-1)!.at - refused.at : 0} ms after it), ` +
        `${ofB.filter((r) => r.at < backOffEndsAt).length} of B`,
    );
    expect(aAfterSpread).toEqual([]);
    // B is not held back: its executions are checked every 200 ms all along.
    expect(ofB.filter((r) => r.at < backOffEndsAt).length).toBeGreaterThan(20);
    // A's checks come back once the back-off is over.
    expect(ofA.some((r) => r.at >= backOffEndsAt)).toBe(true);

    const state = await env.client.workflow
      .getHandle(flowControlWorkflowId(a))
      .query<FlowControlState>('codikaFlowControlState');
    expect(state.pausedUntilMs).toBeGreaterThanOrEqual(backOffEndsAt - 1_000);
    expect(state.pauseReason).toMatch(/429 from Codika \(Retry-After 5 s\)/);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}, 120_000);
