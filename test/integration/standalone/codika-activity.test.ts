/**
 * One Codika execution as one standalone activity, on the real server: the result, each typed failure,
 * a cancellation, a contract refusal, bad input refused before anything starts, and the heartbeats one
 * execution costs (each is a billable action on Temporal Cloud).
 */
import {
  ActivityExecutionFailedError,
  ActivityNotFoundError,
  ApplicationFailure,
  CancelledFailure,
  type ActivityHandle,
} from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { startCodikaActivity, executeCodikaActivity } from '../../../src/client/standalone/start-codika-activity';
import {
  CODIKA_EXECUTION_FAILED,
  CODIKA_EXECUTION_TIMED_OUT,
  CODIKA_PAYLOAD_INVALID,
  CODIKA_TRIGGER_OUTCOME_UNKNOWN,
  CodikaValidationError,
} from '../../../src/shared/errors';
import type { CodikaExecutionResult } from '../../../src/shared/execution-types';
import { sendSms } from '../../fixtures/contracts';
import { createTestWorker, startTestbed, stopTestbed, uniqueTaskQueue, type Testbed } from '../../helpers/temporal';
import { sleep, waitUntil } from '../../helpers/wait';

const API_KEY = 'ck_standalone_key_31';

let bed: Testbed;
let taskQueue: string;
let contractQueue: string;
const workers: { worker: Worker; running: Promise<void> }[] = [];

beforeAll(async () => {
  bed = await startTestbed({ apiKey: API_KEY });
  taskQueue = uniqueTaskQueue('standalone');
  contractQueue = uniqueTaskQueue('standalone-contracts');
  for (const [queue, contracts] of [
    [taskQueue, []],
    [contractQueue, [sendSms]],
  ] as const) {
    const worker = await createTestWorker(bed.env, queue, { baseUrl: bed.mock.url, apiKey: API_KEY, contracts });
    workers.push({ worker, running: worker.run() });
  }
});
afterAll(async () => {
  for (const { worker, running } of workers) {
    worker.shutdown();
    await running;
  }
  await stopTestbed(bed);
});

/** The typed failure a standalone activity ended with (the cause of `ActivityExecutionFailedError`). */
async function failureOf(handle: ActivityHandle): Promise<Error> {
  const err = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActivityExecutionFailedError);
  return (err as ActivityExecutionFailedError).cause!;
}

function id(name: string): string {
  return `${taskQueue}-${name}`;
}

test('success: one trigger, the result, and a single heartbeat (the executionId) for the whole execution', async () => {
  bed.mock.script('sa-two-seconds', { durationMs: 2_000, resultData: { summary: 'done' } });
  const startedAt = Date.now();
  const handle = await startCodikaActivity(
    bed.env.client,
    { processInstanceId: 'pi_sa', workflowId: 'sa-two-seconds', payload: { text: 'hello' } },
    { taskQueue, activityId: id('success') },
  );
  const result = await handle.result();
  const latencyMs = Date.now() - startedAt;

  const [execution] = bed.mock.executionsOf('sa-two-seconds');
  expect(result).toMatchObject({ executionId: execution!.executionId, resultData: { summary: 'done' } });
  expect(bed.mock.requestsTo('trigger', 'sa-two-seconds')).toHaveLength(1);
  expect(JSON.parse(bed.mock.requestsTo('trigger', 'sa-two-seconds')[0]!.body)).toEqual({ payload: { text: 'hello' } });
  // Default schedule: checks at 1.5 s and 3.75 s; the second one sees the end.
  expect(result.polls).toBe(2);
  expect(latencyMs).toBeLessThan(6_000);
  const described = await handle.describe();
  expect(described).toMatchObject({ status: 'COMPLETED', attempt: 1, totalHeartbeatCount: 1 });
  expect(described.activityType).toBe('codikaExecution');
  console.info(`standalone 2 s execution: result after ${latencyMs} ms, ${described.totalHeartbeatCount} heartbeat`);
});

test("Codika's failed: CodikaExecutionFailed with Codika's message and the executionId, not retried", async () => {
  bed.mock.script('sa-fails', { durationMs: 200, failWith: 'The invoice total is wrong' });
  const handle = await startCodikaActivity(
    bed.env.client,
    { processInstanceId: 'pi_sa', workflowId: 'sa-fails' },
    { taskQueue, activityId: id('fails'), poll: { firstPollAfter: 300 } },
  );
  const failure = await failureOf(handle);

  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: CODIKA_EXECUTION_FAILED, nonRetryable: true });
  expect(failure.message).toContain('The invoice total is wrong');
  const executionId = bed.mock.executionsOf('sa-fails')[0]!.executionId;
  expect((failure as ApplicationFailure).details?.[0]).toMatchObject({
    executionId,
    codikaMessage: 'The invoice total is wrong',
  });
  expect((await handle.describe()).attempt).toBe(1);
});

test('a trigger whose answer was lost (502 after Codika started it) ends CodikaTriggerOutcomeUnknown, sent once', async () => {
  bed.mock.script('sa-lost', {
    durationMs: 200,
    faults: { trigger: [{ kind: 'http', status: 502, strikes: 'after' }] },
  });
  const handle = await startCodikaActivity(
    bed.env.client,
    { processInstanceId: 'pi_sa', workflowId: 'sa-lost' },
    { taskQueue, activityId: id('lost') },
  );
  const failure = await failureOf(handle);

  expect(failure).toMatchObject({ type: CODIKA_TRIGGER_OUTCOME_UNKNOWN, nonRetryable: true });
  const trigger = bed.mock.requestsTo('trigger', 'sa-lost');
  expect(trigger).toHaveLength(1);
  expect(bed.mock.executionsOf('sa-lost')).toHaveLength(1); // Codika did start it
  expect((failure as ApplicationFailure).details?.[0]).toMatchObject({
    idempotencyKey: trigger[0]!.headers['idempotency-key'],
    sentAtExact: true,
  });
  expect(bed.mock.requestsTo('status', 'sa-lost')).toHaveLength(0);
  expect(await handle.describe()).toMatchObject({ attempt: 1, totalHeartbeatCount: undefined });
});

test('at-least-once: a lost answer is sent again with the same Idempotency-Key', async () => {
  bed.mock.script('sa-again', {
    durationMs: 200,
    faults: { trigger: [{ kind: 'http', status: 502, strikes: 'after' }] },
  });
  const result = await executeCodikaActivity(
    bed.env.client,
    { processInstanceId: 'pi_sa', workflowId: 'sa-again', triggerDelivery: 'at-least-once' },
    { taskQueue, activityId: id('again'), poll: { firstPollAfter: 300 } },
  );

  const keys = bed.mock.requestsTo('trigger', 'sa-again').map((r) => r.headers['idempotency-key']);
  expect(keys).toHaveLength(2);
  expect(keys[1]).toBe(keys[0]);
  // This mock ignores the key, as Codika documents none: the second execution is the one polled.
  expect(result.executionId).toBe(bed.mock.executionsOf('sa-again')[1]!.executionId);
});

test('cancel: the activity ends cancelled within a couple of seconds, and checks Codika no more', async () => {
  bed.mock.script('sa-forever', { durationMs: Infinity });
  const handle = await startCodikaActivity(
    bed.env.client,
    { processInstanceId: 'pi_sa', workflowId: 'sa-forever' },
    { taskQueue, activityId: id('cancel'), poll: { firstPollAfter: 200, backoffCoefficient: 1 } },
  );
  await waitUntil(() => bed.mock.requestsTo('status', 'sa-forever').length >= 2, 'two status checks');
  const cancelledAt = Date.now();
  await handle.cancel('the caller gave up');
  const failure = await failureOf(handle);
  const tookMs = Date.now() - cancelledAt;

  expect(failure).toBeInstanceOf(CancelledFailure);
  // Found by the 2 s describe, then one heartbeat brings the cancellation.
  expect(tookMs).toBeLessThan(4_000);
  await sleep(1_000);
  const executionId = bed.mock.executionsOf('sa-forever')[0]!.executionId;
  const late = bed.mock.requestTimes('status', executionId).filter((at) => at > cancelledAt + tookMs + 200);
  expect(late).toHaveLength(0);
  const described = await handle.describe();
  expect(described).toMatchObject({ status: 'CANCELED', canceledReason: 'the caller gave up', totalHeartbeatCount: 2 });
  console.info(`standalone cancel: ended ${tookMs} ms after the request, ${described.totalHeartbeatCount} heartbeats`);
});

test('cancel while the trigger is out: the request is not cut short, the executionId is recorded, then it ends cancelled', async () => {
  // Accepted at once, answered after 4 s: the cancel (found by the 2 s describe) lands in between.
  bed.mock.script('sa-cancel-trigger', {
    durationMs: Infinity,
    faults: { trigger: [{ kind: 'delay', ms: 4_000, strikes: 'after' }] },
  });
  const handle = await startCodikaActivity(
    bed.env.client,
    { processInstanceId: 'pi_sa', workflowId: 'sa-cancel-trigger' },
    { taskQueue, activityId: id('cancel-trigger') },
  );
  await waitUntil(() => bed.mock.executionsOf('sa-cancel-trigger').length === 1, 'the accepted trigger');
  await handle.cancel('the caller gave up mid-trigger');
  const failure = await failureOf(handle);
  const described = await handle.describe({ includeHeartbeatDetails: true });
  const details = await described.getHeartbeatDetails<{ executionId?: string }>();

  expect(failure).toBeInstanceOf(CancelledFailure);
  expect(described.status).toBe('CANCELED');
  expect(details?.executionId).toBe(bed.mock.executionsOf('sa-cancel-trigger')[0]!.executionId);
  expect(bed.mock.requestsTo('trigger', 'sa-cancel-trigger')).toHaveLength(1);
  expect(bed.mock.requestsTo('status', 'sa-cancel-trigger')).toHaveLength(0);
});

test('poll.deadline: CodikaExecutionTimedOut at the deadline, with the executionId that may still run', async () => {
  bed.mock.script('sa-slow', { durationMs: Infinity });
  const startedAt = Date.now();
  const handle = await startCodikaActivity(
    bed.env.client,
    { processInstanceId: 'pi_sa', workflowId: 'sa-slow' },
    { taskQueue, activityId: id('deadline'), poll: { deadline: '3 seconds', firstPollAfter: 500 } },
  );
  const failure = await failureOf(handle);
  const tookMs = Date.now() - startedAt;

  expect(failure).toMatchObject({ type: CODIKA_EXECUTION_TIMED_OUT, nonRetryable: true });
  expect(failure.message).toContain('may still be running in Codika');
  expect((failure as ApplicationFailure).details?.[0]).toMatchObject({
    executionId: bed.mock.executionsOf('sa-slow')[0]!.executionId,
  });
  expect(tookMs).toBeGreaterThanOrEqual(3_000);
  expect(tookMs).toBeLessThan(6_000);
});

test('a payload that breaks the worker’s contract fails CodikaPayloadInvalid, and nothing reaches Codika', async () => {
  const handle = await startCodikaActivity(
    bed.env.client,
    { processInstanceId: 'pi_sa', workflowId: sendSms.workflowId, payload: { phone: '12', text: '' } },
    { taskQueue: contractQueue, activityId: id('contract') },
  );
  const failure = await failureOf(handle);

  expect(failure).toMatchObject({ type: CODIKA_PAYLOAD_INVALID, nonRetryable: true });
  expect(failure.message).toContain('phone');
  expect(bed.mock.requestsTo('trigger', sendSms.workflowId)).toHaveLength(0);
});

test('attaching to an executionId polls it, triggers nothing and records no heartbeat', async () => {
  bed.mock.script('sa-attach', { durationMs: 600, resultData: { attached: true } });
  // Started elsewhere (here: by a first standalone run), then attached to by a second one.
  const first = await executeCodikaActivity<{ attached: boolean }>(
    bed.env.client,
    { processInstanceId: 'pi_sa', workflowId: 'sa-attach' },
    { taskQueue, activityId: id('attach-source'), poll: { firstPollAfter: 200 } },
  );
  const handle = await startCodikaActivity<{ attached: boolean }>(
    bed.env.client,
    { processInstanceId: 'pi_sa', workflowId: 'sa-attach', executionId: first.executionId },
    { taskQueue, activityId: id('attach'), poll: { firstPollAfter: 100 } },
  );
  const result: CodikaExecutionResult<{ attached: boolean }> = await handle.result();

  expect(result).toMatchObject({ executionId: first.executionId, resultData: { attached: true } });
  expect(bed.mock.requestsTo('trigger', 'sa-attach')).toHaveLength(1);
  expect((await handle.describe()).totalHeartbeatCount).toBeUndefined();
});

describe('bad input is refused before anything starts, naming the field and the fix', () => {
  const cases: [
    string,
    Parameters<typeof startCodikaActivity>[1],
    Parameters<typeof startCodikaActivity>[2],
    string,
  ][] = [
    ['a workflowId with /', { processInstanceId: 'pi', workflowId: 'a/b' }, {}, 'input.workflowId'],
    [
      'a payload that is an array',
      { processInstanceId: 'pi', workflowId: 'w', payload: [] as never },
      {},
      'input.payload',
    ],
    [
      'ask an operator',
      { processInstanceId: 'pi', workflowId: 'w', onTriggerOutcomeUnknown: 'ask' },
      {},
      'input.onTriggerOutcomeUnknown',
    ],
    [
      'a poll strategy',
      { processInstanceId: 'pi', workflowId: 'w' },
      { poll: { strategy: 'timer' } as never },
      'poll.strategy',
    ],
    ['a bad deadline', { processInstanceId: 'pi', workflowId: 'w' }, { poll: { deadline: 'soon' } }, 'poll.deadline'],
    [
      'a heartbeat timeout under 1 s',
      { processInstanceId: 'pi', workflowId: 'w' },
      { heartbeatTimeout: 500 },
      'heartbeatTimeout',
    ],
    [
      'an unknown field',
      { processInstanceId: 'pi', workflowId: 'w', strategy: 'timer' } as never,
      {},
      'input.strategy',
    ],
  ];

  test.each(cases)('%s', async (_name, input, options, field) => {
    const activityId = `${taskQueue}-bad-${field}`;
    const err = await startCodikaActivity(bed.env.client, input, { ...options, taskQueue, activityId }).catch(
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(CodikaValidationError);
    expect((err as CodikaValidationError).field).toBe(field);
    await expect(bed.env.client.activity.getHandle(activityId).describe()).rejects.toBeInstanceOf(
      ActivityNotFoundError,
    );
  });
});
