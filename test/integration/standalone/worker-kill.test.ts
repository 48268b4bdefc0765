/**
 * A standalone activity whose worker dies. Killed (SIGKILL) mid-poll: once the heartbeat timeout
 * passes, a new worker's attempt reads the executionId from the heartbeat details and polls it, with
 * one Codika execution in all. Killed while Codika holds an accepted trigger whose answer has not come
 * back: `at-most-once` ends CodikaTriggerOutcomeUnknown, `at-least-once` sends it again with the same
 * key. A worker that shuts down gracefully hands over at once, long before the heartbeat timeout.
 */
import { ActivityExecutionFailedError, type ActivityHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CodikaActivityHeartbeat } from '../../../src/activities/codika-execution-activity';
import { startCodikaActivity } from '../../../src/client/standalone/start-codika-activity';
import { CODIKA_TRIGGER_OUTCOME_UNKNOWN } from '../../../src/shared/errors';
import { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { connectTestEnv, uniqueTaskQueue } from '../../helpers/temporal';
import { waitUntil } from '../../helpers/wait';
import { WorkerProcess } from '../../helpers/worker-process';

const API_KEY = 'ck_standalone_kill_key_93';
/** Short, so a dead worker's attempt times out within seconds; keep-alives go out every 2.4 s meanwhile. */
const HEARTBEAT_TIMEOUT = '3 seconds';

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let honouringMock: MockCodikaServer;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  env = await connectTestEnv();
  mock = new MockCodikaServer({ apiKey: API_KEY });
  honouringMock = new MockCodikaServer({ apiKey: API_KEY, honourIdempotencyKey: true });
  await mock.start();
  await honouringMock.start();
});
afterAll(async () => {
  for (const worker of workers) await worker.stop();
  await mock?.stop();
  await honouringMock?.stop();
  await env?.teardown();
});

async function startWorker(taskQueue: string, codika: MockCodikaServer = mock): Promise<WorkerProcess> {
  const worker = await WorkerProcess.start({ address: env.address, taskQueue, baseUrl: codika.url, apiKey: API_KEY });
  workers.push(worker);
  return worker;
}

/** The executionId the activity recorded in its heartbeat details, once the server has it. */
async function recordedExecutionId(handle: ActivityHandle): Promise<string | undefined> {
  const described = await handle.describe({ includeHeartbeatDetails: true });
  return (await described.getHeartbeatDetails<CodikaActivityHeartbeat>())?.executionId;
}

test('SIGKILL mid-poll: a new worker polls the recorded execution to its end, one Codika execution in all', async () => {
  mock.script('sa-kill-poll', { durationMs: 7_000, resultData: { survived: true } });
  const taskQueue = uniqueTaskQueue('sa-kill-poll');
  const first = await startWorker(taskQueue);
  const handle = await startCodikaActivity(
    env.client,
    { processInstanceId: 'pi_k', workflowId: 'sa-kill-poll' },
    { taskQueue, heartbeatTimeout: HEARTBEAT_TIMEOUT, poll: { firstPollAfter: 300, backoffCoefficient: 1 } },
  );
  let recorded: string | undefined;
  await waitUntil(() => mock.requestsTo('status', 'sa-kill-poll').length >= 1, 'a first status check');
  for (let i = 0; i < 50 && !(recorded = await recordedExecutionId(handle)); i++);
  expect(recorded).toBeDefined();
  await first.kill();
  const killedAt = Date.now();
  await startWorker(taskQueue);
  const result = await handle.result();

  const executions = mock.executionsOf('sa-kill-poll');
  expect(executions).toHaveLength(1);
  expect(mock.requestsTo('trigger', 'sa-kill-poll')).toHaveLength(1);
  expect(result).toMatchObject({ executionId: executions[0]!.executionId, resultData: { survived: true } });
  expect(recorded).toBe(executions[0]!.executionId);
  const after = mock.requestsTo('status', 'sa-kill-poll').filter((r) => r.at > killedAt);
  expect(after.length).toBeGreaterThanOrEqual(1);
  expect(new Set(after.map((r) => r.executionId))).toEqual(new Set([result.executionId]));
  expect((await handle.describe()).attempt).toBe(2);
}, 60_000);

test('SIGKILL while the accepted trigger awaits its answer, at-most-once: CodikaTriggerOutcomeUnknown, sent once', async () => {
  // Accepted at once, answered after 5 s: the kill lands in between.
  mock.script('sa-kill-trigger', {
    durationMs: 200,
    faults: { trigger: [{ kind: 'delay', ms: 5_000, strikes: 'after' }] },
  });
  const taskQueue = uniqueTaskQueue('sa-kill-trigger');
  const first = await startWorker(taskQueue);
  const handle = await startCodikaActivity(
    env.client,
    { processInstanceId: 'pi_k', workflowId: 'sa-kill-trigger' },
    { taskQueue, heartbeatTimeout: HEARTBEAT_TIMEOUT },
  );
  await waitUntil(() => mock.executionsOf('sa-kill-trigger').length === 1, 'the trigger accepted by Codika');
  await first.kill();
  await startWorker(taskQueue);
  const err = await handle.result().catch((e: unknown) => e);

  expect(err).toBeInstanceOf(ActivityExecutionFailedError);
  const cause = (err as ActivityExecutionFailedError).cause as Error & { type?: string; details?: unknown[] };
  expect(cause.type).toBe(CODIKA_TRIGGER_OUTCOME_UNKNOWN);
  expect(cause.message).toContain('Trigger attempt 2 not sent');
  const trigger = mock.requestsTo('trigger', 'sa-kill-trigger');
  expect(trigger).toHaveLength(1);
  expect(cause.details?.[0]).toMatchObject({ idempotencyKey: trigger[0]!.headers['idempotency-key'] });
  expect(mock.executionsOf('sa-kill-trigger')).toHaveLength(1);
}, 60_000);

test('SIGKILL while the accepted trigger awaits its answer, at-least-once: sent again with the same key, one execution where Codika honours it', async () => {
  honouringMock.script('sa-kill-again', {
    durationMs: 200,
    resultData: { once: true },
    faults: { trigger: [{ kind: 'delay', ms: 5_000, strikes: 'after' }] },
  });
  const taskQueue = uniqueTaskQueue('sa-kill-again');
  const first = await startWorker(taskQueue, honouringMock);
  const handle = await startCodikaActivity(
    env.client,
    { processInstanceId: 'pi_k', workflowId: 'sa-kill-again', triggerDelivery: 'at-least-once' },
    { taskQueue, heartbeatTimeout: HEARTBEAT_TIMEOUT, poll: { firstPollAfter: 200 } },
  );
  await waitUntil(() => honouringMock.executionsOf('sa-kill-again').length === 1, 'the trigger accepted by Codika');
  await first.kill();
  await startWorker(taskQueue, honouringMock);
  const result = await handle.result();

  const keys = honouringMock.requestsTo('trigger', 'sa-kill-again').map((r) => r.headers['idempotency-key']);
  expect(keys.length).toBeGreaterThanOrEqual(2);
  expect(new Set(keys).size).toBe(1);
  expect(honouringMock.executionsOf('sa-kill-again')).toHaveLength(1);
  expect(result).toMatchObject({ resultData: { once: true } });
  expect(result.executionId).toBe(honouringMock.executionsOf('sa-kill-again')[0]!.executionId);
}, 60_000);

test('a graceful shutdown mid-poll hands over at once, not after the heartbeat timeout', async () => {
  mock.script('sa-shutdown', { durationMs: 5_000, resultData: { handedOver: true } });
  const taskQueue = uniqueTaskQueue('sa-shutdown');
  const first = await startWorker(taskQueue);
  const handle = await startCodikaActivity(
    env.client,
    { processInstanceId: 'pi_k', workflowId: 'sa-shutdown' },
    { taskQueue, heartbeatTimeout: '10 minutes', poll: { firstPollAfter: 300, backoffCoefficient: 1 } },
  );
  await waitUntil(() => mock.requestsTo('status', 'sa-shutdown').length >= 2, 'two status checks');
  await first.stop();
  const stoppedAt = Date.now();
  await startWorker(taskQueue);
  const result = await handle.result();
  const resumedAt = mock.requestsTo('status', 'sa-shutdown').find((r) => r.at > stoppedAt)!.at;

  expect(result).toMatchObject({ resultData: { handedOver: true } });
  expect(mock.requestsTo('trigger', 'sa-shutdown')).toHaveLength(1);
  expect(resumedAt - stoppedAt).toBeLessThan(15_000);
  expect((await handle.describe()).attempt).toBe(2);
}, 60_000);

test('a graceful shutdown in the backoff after a 503, at-most-once: the next attempt sends again (nothing was accepted) and succeeds', async () => {
  // Refused for now with a 10 s Retry-After: the shutdown lands in the backoff, when nothing was started.
  mock.script('sa-shutdown-backoff', {
    durationMs: 200,
    resultData: { afterShutdown: true },
    faults: { trigger: [{ kind: 'http', status: 503, retryAfter: 10 }] },
  });
  const taskQueue = uniqueTaskQueue('sa-shutdown-backoff');
  const first = await startWorker(taskQueue);
  const handle = await startCodikaActivity(
    env.client,
    { processInstanceId: 'pi_k', workflowId: 'sa-shutdown-backoff' },
    { taskQueue, heartbeatTimeout: '10 minutes', poll: { firstPollAfter: 200 } },
  );
  await waitUntil(() => mock.requestsTo('trigger', 'sa-shutdown-backoff').length === 1, 'the refused trigger');
  await first.stop();
  const described = await handle.describe({ includeHeartbeatDetails: true });
  const recorded = await described.getHeartbeatDetails<CodikaActivityHeartbeat>();
  await startWorker(taskQueue);
  const result = await handle.result();

  expect(recorded).toMatchObject({ nothingAccepted: true, attempt: 1 });
  expect(result).toMatchObject({ resultData: { afterShutdown: true } });
  const keys = mock.requestsTo('trigger', 'sa-shutdown-backoff').map((r) => r.headers['idempotency-key']);
  expect(keys).toHaveLength(2);
  expect(new Set(keys).size).toBe(1);
  expect(mock.executionsOf('sa-shutdown-backoff')).toHaveLength(1);
  expect((await handle.describe()).attempt).toBe(2);
}, 60_000);
