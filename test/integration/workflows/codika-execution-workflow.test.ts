import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { codikaExecutionStateQuery, type CodikaExecutionWorkflowInput } from '../../../src/workflows';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { startTestbed, stopTestbed, createTestWorker, uniqueTaskQueue } from '../../helpers/temporal';
import { sleep } from '../../helpers/wait';

const API_KEY = 'ck_workflow_test_key_7f3a9';
const FAST_POLL = { firstPollAfter: 100, maxPollInterval: 300 };

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;

beforeAll(async () => ({ env, mock } = await startTestbed({ apiKey: API_KEY })));
afterAll(() => stopTestbed({ env, mock }));

async function run(input: CodikaExecutionWorkflowInput, taskQueue = uniqueTaskQueue('exec')) {
  const worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: API_KEY });
  return worker.runUntil(
    env.client.workflow.execute<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
      taskQueue,
      workflowId: `${taskQueue}-wf`,
      args: [input],
    }),
  );
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return (err as WorkflowFailedError).cause as Error;
}

test('triggers once, polls until success and returns resultData with the executionId', async () => {
  mock.script('wf-success', { durationMs: 1_500, resultData: { result: 'Processed output' } });
  const result = await run({ processInstanceId: 'pi_1', workflowId: 'wf-success', payload: { a: 1 }, poll: FAST_POLL });

  expect(result.resultData).toEqual({ result: 'Processed output' });
  expect(mock.executionsOf('wf-success')).toHaveLength(1);
  expect(result.executionId).toBe(mock.executionsOf('wf-success')[0].executionId);
  expect(result.polls).toBeGreaterThanOrEqual(2);
  expect(mock.requestsTo('status', 'wf-success')).toHaveLength(result.polls);
  expect(JSON.parse(mock.requestsTo('trigger', 'wf-success')[0].body)).toEqual({ payload: { a: 1 } });
  expect(Date.parse(result.completedAt)).toBeGreaterThan(Date.parse(result.startedAt));
});

test('fails with CodikaExecutionFailed carrying Codika message and executionId', async () => {
  mock.script('wf-fails', { durationMs: 200, failWith: 'Phone number 32477 is invalid' });
  const cause = await failureOf(run({ processInstanceId: 'pi_1', workflowId: 'wf-fails', poll: FAST_POLL }));

  expect(cause).toBeInstanceOf(ApplicationFailure);
  const failure = cause as ApplicationFailure;
  const executionId = mock.executionsOf('wf-fails')[0].executionId;
  expect(failure.type).toBe('CodikaExecutionFailed');
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toContain('Phone number 32477 is invalid');
  expect(failure.message).toContain(executionId);
  expect(failure.details?.[0]).toMatchObject({ executionId, codikaMessage: 'Phone number 32477 is invalid' });
});

test('times out with CodikaExecutionTimedOut when the deadline passes, without re-triggering', async () => {
  mock.script('wf-forever', { durationMs: Infinity });
  const started = Date.now();
  const cause = await failureOf(
    run({ processInstanceId: 'pi_1', workflowId: 'wf-forever', poll: { ...FAST_POLL, deadline: '2 seconds' } }),
  );

  expect((cause as ApplicationFailure).type).toBe('CodikaExecutionTimedOut');
  expect(cause.message).toMatch(/did not finish within the 2 s deadline/);
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(mock.requestsTo('trigger', 'wf-forever')).toHaveLength(1);
  expect(mock.requestsTo('status', 'wf-forever').length).toBeGreaterThanOrEqual(3);
});

test('retries transient 5xx on trigger and status, then succeeds with a single execution', async () => {
  mock.script('wf-flaky', {
    durationMs: 300,
    resultData: { ok: true },
    faults: {
      trigger: [{ kind: 'http', status: 503, times: 2 }],
      status: [{ kind: 'http', status: 502 }, { kind: 'drop' }],
    },
  });
  const result = await run({ processInstanceId: 'pi_1', workflowId: 'wf-flaky', poll: FAST_POLL });

  expect(result.resultData).toEqual({ ok: true });
  expect(mock.requestsTo('trigger', 'wf-flaky').map((r) => r.outcome)).toEqual([503, 503, 200]);
  expect(mock.executionsOf('wf-flaky')).toHaveLength(1);
  expect(
    mock
      .requestsTo('status', 'wf-flaky')
      .slice(0, 2)
      .map((r) => r.outcome),
  ).toEqual([502, 'dropped']);
});

test('waits as long as Retry-After says on 429 before retrying the trigger', async () => {
  mock.script('wf-limited', { durationMs: 0, faults: { trigger: [{ kind: 'http', status: 429, retryAfter: 3 }] } });
  // An instance of its own: a 429 holds back every call of its instance, on every worker, for its Retry-After.
  await run({ processInstanceId: 'pi_limited', workflowId: 'wf-limited', poll: FAST_POLL });

  const [limited, accepted] = mock.requestsTo('trigger', 'wf-limited');
  expect(limited.outcome).toBe(429);
  expect(accepted.outcome).toBe(200);
  // The activity's own retry policy starts at 1 s; only Retry-After explains a gap of ~3 s.
  expect(accepted.at - limited.at).toBeGreaterThanOrEqual(2_900);
});

test('fails at once without retrying when Codika refuses the key', async () => {
  const taskQueue = uniqueTaskQueue('auth');
  const worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: 'ck_wrong_key_1234' });
  const err = await worker
    .runUntil(
      env.client.workflow.execute<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
        taskQueue,
        workflowId: `${taskQueue}-wf`,
        args: [{ processInstanceId: 'pi_1', workflowId: 'wf-auth', poll: FAST_POLL }],
      }),
    )
    .catch((e: unknown) => e);

  // The activity's failure surfaces with its own type, as the workflow's failure; the activity failure stays its cause.
  const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect(cause).toMatchObject({ type: 'CodikaAuthError', nonRetryable: true });
  expect(cause.cause).toBeInstanceOf(ActivityFailure);
  expect(mock.requestsTo('trigger', 'wf-auth')).toHaveLength(1);
  expect(JSON.stringify(cause)).not.toContain('ck_wrong_key_1234');
});

test('rejects bad input before anything reaches Codika, naming the field', async () => {
  const before = mock.requests.length;
  const cause = await failureOf(run({ processInstanceId: 'pi/../admin', workflowId: 'wf-x' }));
  expect(cause).toMatchObject({ type: 'CodikaValidationError', nonRetryable: true });
  expect(cause.message).toMatch(/input\.processInstanceId/);

  const badPoll = await failureOf(run({ processInstanceId: 'pi_1', workflowId: 'wf-x', poll: { firstPollAfter: -5 } }));
  expect(badPoll.message).toMatch(/poll\.firstPollAfter/);
  const unknownKey = await failureOf(run({ processInstanceId: 'pi_1', workflowId: 'wf-x', apiKey: 'x' } as never));
  expect(unknownKey.message).toMatch(/input\.apiKey.*unknown field/);
  expect(mock.requests.length).toBe(before);
});

test('answers the state query while polling: phase, executionId, polls, last status, next poll', async () => {
  mock.script('wf-slow', { durationMs: 2_500 });
  const taskQueue = uniqueTaskQueue('query');
  const worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: API_KEY });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
      taskQueue,
      workflowId: `${taskQueue}-wf`,
      args: [
        { processInstanceId: 'pi_q', workflowId: 'wf-slow', poll: { firstPollAfter: 300, backoffCoefficient: 1 } },
      ],
    });
    let state = await handle.query(codikaExecutionStateQuery);
    for (let i = 0; i < 50 && state.polls < 2; i++) {
      await sleep(100);
      state = await handle.query(codikaExecutionStateQuery);
    }
    expect(state).toMatchObject({
      phase: 'polling',
      processInstanceId: 'pi_q',
      workflowId: 'wf-slow',
      lastStatus: 'pending',
    });
    expect(state.executionId).toBe(mock.executionsOf('wf-slow')[0].executionId);
    expect(state.polls).toBeGreaterThanOrEqual(2);
    expect(Date.parse(state.deadlineAt) - Date.parse(state.startedAt)).toBe(3_600_000);
    await handle.result();
    const final = await handle.query(codikaExecutionStateQuery);
    expect(final.phase).toBe('succeeded');
    expect(final.nextPollAt).toBeUndefined();
  });
});

test('keeps retrying a Codika that answers 503 until the deadline, then fails as CodikaExecutionTimedOut', async () => {
  mock.script('wf-down', { faults: { status: [{ kind: 'http', status: 503, times: 1000 }] } });
  const started = Date.now();
  const cause = await failureOf(
    run({ processInstanceId: 'pi_1', workflowId: 'wf-down', poll: { ...FAST_POLL, deadline: '4 seconds' } }),
  );

  expect(cause).toMatchObject({ type: 'CodikaExecutionTimedOut', nonRetryable: true });
  expect(cause.message).toMatch(
    /did not finish within the 4 s deadline \(0 status checks answered\); it may still be running in Codika/,
  );
  expect(mock.requestsTo('status', 'wf-down').length).toBeGreaterThanOrEqual(2);
  expect(Date.now() - started).toBeLessThan(12_000);
});

test('a Retry-After longer than the time left ends the step as timed out at once instead of waiting past the deadline', async () => {
  mock.script('wf-throttled', { faults: { trigger: [{ kind: 'http', status: 429, retryAfter: 60 }] } });
  const started = Date.now();
  const cause = await failureOf(
    run({
      processInstanceId: 'pi_throttled',
      workflowId: 'wf-throttled',
      poll: { ...FAST_POLL, deadline: '5 seconds' },
    }),
  );

  expect(cause).toMatchObject({ type: 'CodikaExecutionTimedOut' });
  expect(cause.message).toMatch(/was not confirmed as triggered within the 5 s deadline/);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(mock.executionsOf('wf-throttled')).toHaveLength(0);
});

test('a malformed resume fails the run with a validation error instead of looping its workflow task', async () => {
  const cause = await failureOf(
    run({
      processInstanceId: 'pi_1',
      workflowId: 'wf-x',
      resume: { executionId: 'a/b', polls: 0, startedAtMs: 1, deadlineAtMs: 2, nextIntervalMs: 100 },
    }),
  );
  expect(cause).toMatchObject({ type: 'CodikaValidationError' });
  expect(cause.message).toMatch(/input\.resume\.executionId/);
});
