/**
 * The `codikaExecution` activity without a Temporal server: a real activity context per attempt
 * (MockActivityEnvironment, whose info says which attempt and what the last heartbeat recorded) and a
 * real mock Codika over HTTP, whose requests are counted.
 */
import type { Info } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { CodikaActivityHeartbeat } from '../../../src/activities/codika-execution-activity';
import type { CodikaExecutionActivityInput } from '../../../src/activities/codika-execution-input';
import { createCodikaActivities, type CodikaActivitiesOptions } from '../../../src/activities/create-codika-activities';
import { standaloneIdempotencyKey } from '../../../src/activities/standalone-trigger';
import {
  CODIKA_EXECUTION_TIMED_OUT,
  CODIKA_TRIGGER_OUTCOME_UNKNOWN,
  CODIKA_VALIDATION_FAILURE,
} from '../../../src/shared/errors';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { MockExecutionScript, MockFault } from '../../../src/testing/mock-codika/mock-scripts';
import { activityEnv, type ActivityEnv } from '../../helpers/activity-env';
import { API_KEY, clientFor, PI, startMock, stopMocks } from '../../helpers/mock-fixture';
import { sleep, waitUntil } from '../../helpers/wait';

afterEach(stopMocks);

/** A standalone activity's info: its own run id, no workflow around it. */
const RUN = {
  activityId: 'sa-unit',
  activityRunId: '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee',
  inWorkflow: false,
  workflowExecution: undefined,
};

/** One attempt of the activity, started against `codika`: its end (a promise), its environment, its heartbeats. */
function startAttempt(
  codika: MockCodikaServer,
  input: Partial<CodikaExecutionActivityInput> = {},
  info: Partial<Info> = {},
  options: Partial<CodikaActivitiesOptions> = {},
): { end: Promise<unknown>; env: ActivityEnv; beats: CodikaActivityHeartbeat[] } {
  const { codikaExecution } = createCodikaActivities({ baseUrl: codika.url, apiKey: API_KEY, ...options });
  const env = activityEnv({ ...RUN, scheduledTimestampMs: Date.now(), ...info });
  const beats: CodikaActivityHeartbeat[] = [];
  env.on('heartbeat', (details: CodikaActivityHeartbeat) => beats.push(structuredClone(details)));
  const end = env
    .run(codikaExecution, {
      processInstanceId: PI,
      workflowId: 'wf',
      poll: { firstPollAfter: 50, backoffCoefficient: 1 },
      cancelCheckInterval: null,
      ...input,
    })
    .catch((err: unknown) => err);
  return { end, env, beats };
}

/** Runs one attempt of the activity against a mock scripted with `script`; returns its end and the heartbeats it recorded. */
async function runAttempt(
  script: MockExecutionScript,
  input: Partial<CodikaExecutionActivityInput> = {},
  info: Partial<Info> = {},
  options: Partial<CodikaActivitiesOptions> = {},
): Promise<{ end: unknown; beats: CodikaActivityHeartbeat[]; mock: MockCodikaServer }> {
  const mock = await startMock({ apiKey: API_KEY, scripts: { wf: script } });
  const { end, beats } = startAttempt(mock, input, info, options);
  return { end: await end, beats, mock };
}

test('attempt 1: triggers once, polls to the end, and heartbeats once, with the executionId', async () => {
  const { end, beats, mock } = await runAttempt({ durationMs: 300, resultData: { ok: 1 } });

  const executionId = mock.executionsOf('wf')[0]!.executionId;
  expect(end).toMatchObject({ executionId, resultData: { ok: 1 } });
  expect(mock.requestsTo('trigger')).toHaveLength(1);
  expect(beats).toEqual([
    { executionId, acceptedAtMs: expect.any(Number), idempotencyKey: expect.any(String), polls: 0, attempt: 1 },
  ]);
  expect(mock.requestsTo('trigger')[0]!.headers['idempotency-key']).toBe(standaloneIdempotencyKey(RUN));
});

test('a later attempt with an executionId recorded polls it and never triggers', async () => {
  // The execution an earlier attempt triggered, in a Codika that outlived its worker.
  const { mock: codika } = await runAttempt({ durationMs: 400, resultData: { resumed: true } });
  const executionId = codika.executionsOf('wf')[0]!.executionId;
  const { codikaExecution } = createCodikaActivities({ baseUrl: codika.url, apiKey: API_KEY });
  const triggersBefore = codika.requestsTo('trigger').length;
  const saved: CodikaActivityHeartbeat = { executionId, acceptedAtMs: Date.now(), idempotencyKey: 'k', polls: 3 };

  const end = await activityEnv({ ...RUN, attempt: 2, heartbeatDetails: saved, scheduledTimestampMs: Date.now() }).run(
    codikaExecution,
    { processInstanceId: PI, workflowId: 'wf', poll: { firstPollAfter: 50 }, cancelCheckInterval: null },
  );

  expect(end).toMatchObject({ executionId, resultData: { resumed: true } });
  expect(end.polls).toBeGreaterThan(3); // counted on from the recorded checks
  expect(codika.requestsTo('trigger')).toHaveLength(triggersBefore);
});

test('a later attempt without an executionId, at-most-once: CodikaTriggerOutcomeUnknown, nothing sent', async () => {
  const { end, mock } = await runAttempt({}, {}, { attempt: 2 });

  expect(end).toBeInstanceOf(ApplicationFailure);
  expect(end).toMatchObject({ type: CODIKA_TRIGGER_OUTCOME_UNKNOWN, nonRetryable: true });
  expect((end as ApplicationFailure).details?.[0]).toMatchObject({ idempotencyKey: standaloneIdempotencyKey(RUN) });
  expect(mock.requests).toHaveLength(0);
});

test('a later attempt without an executionId, at-least-once: sent again with the same key', async () => {
  const { end, mock } = await runAttempt(
    { resultData: { again: true } },
    { triggerDelivery: 'at-least-once' },
    { attempt: 2 },
  );

  expect(end).toMatchObject({ resultData: { again: true } });
  expect(mock.requestsTo('trigger')[0]!.headers['idempotency-key']).toBe(standaloneIdempotencyKey(RUN));
});

test('the key is the same for every attempt of a run, and new for a later run reusing the activity id', () => {
  expect(standaloneIdempotencyKey(RUN)).toBe(standaloneIdempotencyKey({ ...RUN }));
  expect(standaloneIdempotencyKey({ ...RUN, activityRunId: 'another-run' })).not.toBe(standaloneIdempotencyKey(RUN));
  expect(standaloneIdempotencyKey(RUN)).toMatch(/^codika-temporal-[0-9a-f]{40}$/);
});

test('a 503 is sent again after the backoff, inside the attempt (nothing was started)', async () => {
  const { end, mock } = await runAttempt({ faults: { trigger: [{ kind: 'http', status: 503 }] } });

  expect(end).toMatchObject({ resultData: expect.anything() });
  const triggers = mock.requestsTo('trigger');
  expect(triggers).toHaveLength(2);
  expect(triggers[1]!.at - triggers[0]!.at).toBeGreaterThanOrEqual(900);
  expect(mock.executionsOf('wf')).toHaveLength(1);
});

test('refused until the deadline: CodikaExecutionTimedOut that says nothing was started', async () => {
  const { end } = await runAttempt(
    { faults: { trigger: [{ kind: 'http', status: 503, times: 10 }] } },
    { poll: { deadline: '2.5 seconds', firstPollAfter: 50 } },
  );

  expect(end).toMatchObject({ type: CODIKA_EXECUTION_TIMED_OUT, nonRetryable: true });
  expect((end as Error).message).toContain('Codika refused every attempt, so nothing was started');
});

test('a recorded input the checks refuse fails CodikaValidationError, not retried, nothing sent', async () => {
  const { end, mock } = await runAttempt({}, { workflowId: 'a/b' });

  expect(end).toMatchObject({ type: CODIKA_VALIDATION_FAILURE, nonRetryable: true });
  expect((end as ApplicationFailure).details?.[0]).toEqual({ field: 'input.workflowId' });
  expect(mock.requests).toHaveLength(0);
});

test('with a heartbeat timeout, a keep-alive carries the whole details once per 80 % of it', async () => {
  const { end, beats } = await runAttempt({ durationMs: 1_300 }, {}, { heartbeatTimeoutMs: 500 });

  expect(end).toMatchObject({ resultData: expect.anything() });
  // The executionId at once, then one per 400 ms over about 1.3 s of polling.
  expect(beats.length).toBeGreaterThanOrEqual(3);
  expect(beats.length).toBeLessThanOrEqual(5);
  expect(beats.every((beat) => beat.executionId === beats[0]!.executionId)).toBe(true);
  expect(beats.at(-1)!.polls).toBeGreaterThan(0);
});

test("without interval options it checks as auto's first phase: every second after the first check", async () => {
  const { end, mock } = await runAttempt({ durationMs: 3_600, resultData: { fast: true } }, { poll: {} });

  expect(end).toMatchObject({ resultData: { fast: true } });
  const checks = mock.requestsTo('status').map((r) => r.at);
  const trigger = mock.requestsTo('trigger')[0]!.at;
  // First check after firstPollAfter (1.5 s), then one a second: at about 1.5, 2.5, 3.5 and 4.5 s.
  expect(checks[0]! - trigger).toBeGreaterThanOrEqual(1_450);
  const gaps = checks.slice(1).map((at, i) => at - checks[i]!);
  expect(gaps.length).toBeGreaterThanOrEqual(2);
  for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(950);
  for (const gap of gaps) expect(gap).toBeLessThan(1_400);
}, 20_000);

test('past the first phase (a resumed attempt, accepted 80 s ago) it backs off from 10 s', async () => {
  const codika = await startMock({
    apiKey: API_KEY,
    scripts: { wf: { durationMs: 5_000, resultData: { late: true } } },
  });
  const { codikaExecution } = createCodikaActivities({ baseUrl: codika.url, apiKey: API_KEY });
  // The execution an earlier attempt triggered and recorded, 80 s before this attempt by its clock.
  const { executionId } = await clientFor(codika).trigger({ processInstanceId: PI, workflowId: 'wf' });
  const saved: CodikaActivityHeartbeat = {
    executionId,
    acceptedAtMs: Date.now() - 80_000,
    idempotencyKey: 'k',
    polls: 70,
  };

  const end = await activityEnv({ ...RUN, attempt: 2, heartbeatDetails: saved, scheduledTimestampMs: Date.now() }).run(
    codikaExecution,
    { processInstanceId: PI, workflowId: 'wf', cancelCheckInterval: null },
  );

  expect(end).toMatchObject({ resultData: { late: true } });
  const checks = codika.requestsTo('status').map((r) => r.at);
  expect(checks).toHaveLength(2); // at about 1.5 s (pending), then 10 s later (success)
  expect(checks[1]! - checks[0]!).toBeGreaterThanOrEqual(9_900);
}, 30_000);

describe('started by a workflow (proxyActivities): no run id of its own, activity ids 1, 2… in every workflow', () => {
  const inWorkflow = (workflowId: string, runId: string): Partial<Info> => ({
    activityId: '1',
    activityRunId: undefined,
    inWorkflow: true,
    workflowExecution: { workflowId, runId },
  });

  test('the key hashes the workflow execution in: two workflows never share one', () => {
    const a = standaloneIdempotencyKey({ activityId: '1', ...inWorkflow('wf-a', 'run-1') });
    expect(standaloneIdempotencyKey({ activityId: '1', ...inWorkflow('wf-b', 'run-1') })).not.toBe(a);
    expect(standaloneIdempotencyKey({ activityId: '1', ...inWorkflow('wf-a', 'run-2') })).not.toBe(a);
    expect(standaloneIdempotencyKey({ activityId: '1', ...inWorkflow('wf-a', 'run-1') })).toBe(a);
    expect(a).toMatch(/^codika-temporal-[0-9a-f]{40}$/);
  });

  test('a Codika that honours keys gives each workflow its own execution', async () => {
    const codika = await startMock({ apiKey: API_KEY, honourIdempotencyKey: true, scripts: { wf: {} } });

    const first = (await startAttempt(codika, {}, inWorkflow('wf-a', 'run-1')).end) as { executionId: string };
    const second = (await startAttempt(codika, {}, inWorkflow('wf-b', 'run-1')).end) as { executionId: string };

    expect(first.executionId).toEqual(expect.any(String));
    expect(second.executionId).not.toBe(first.executionId);
    expect(codika.executionsOf('wf')).toHaveLength(2);
  });
});

describe('a cancellation or a worker shutdown during the trigger phase', () => {
  test.each<[string, Parameters<ActivityEnv['cancel']>[0]]>([
    ['a cancel', 'CANCELLED'],
    ['a graceful worker shutdown', 'WORKER_SHUTDOWN'],
  ])(
    '%s in the backoff after a 503 ends the attempt at once, its last heartbeat saying nothing was accepted',
    async (_name, reason) => {
      const codika = await startMock({
        apiKey: API_KEY,
        scripts: { wf: { faults: { trigger: [{ kind: 'http', status: 503 }] } } },
      });
      const { end, env, beats } = startAttempt(codika);
      await waitUntil(() => codika.requestsTo('trigger').length === 1, 'the refused trigger', { timeoutMs: 5_000 });
      await sleep(100); // in the 1 s backoff
      const cancelledAt = Date.now();
      env.cancel(reason);

      expect(await end).toBeInstanceOf(CancelledFailure);
      expect(Date.now() - cancelledAt).toBeLessThan(300);
      expect(beats).toEqual([
        { idempotencyKey: standaloneIdempotencyKey(RUN), polls: 0, attempt: 1, nothingAccepted: true },
      ]);
      await sleep(1_000);
      expect(codika.requestsTo('trigger')).toHaveLength(1);
    },
  );

  test('the next attempt, reading that heartbeat, sends under at-most-once with the same key and succeeds', async () => {
    const codika = await startMock({
      apiKey: API_KEY,
      scripts: { wf: { resultData: { second: true }, faults: { trigger: [{ kind: 'http', status: 503 }] } } },
    });
    const first = startAttempt(codika);
    await waitUntil(() => codika.requestsTo('trigger').length === 1, 'the refused trigger', { timeoutMs: 5_000 });
    first.env.cancel('WORKER_SHUTDOWN');
    await first.end;

    const second = startAttempt(codika, {}, { attempt: 2, heartbeatDetails: first.beats.at(-1) });

    expect(await second.end).toMatchObject({ resultData: { second: true } });
    const keys = codika.requestsTo('trigger').map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual([standaloneIdempotencyKey(RUN), standaloneIdempotencyKey(RUN)]);
    expect(codika.executionsOf('wf')).toHaveLength(1);
    // Its own heartbeat (the executionId) no longer carries the flag.
    expect(second.beats.at(-1)).toMatchObject({ executionId: expect.any(String), attempt: 2 });
    expect(second.beats.at(-1)!.nothingAccepted).toBeUndefined();
  });

  test.each<[string, Partial<Info>]>([
    ['no flag', { attempt: 2, heartbeatDetails: { idempotencyKey: 'k', polls: 0, attempt: 1 } }],
    // The flag speaks for attempt 1 only: attempt 2 may have sent one and died before recording anything.
    [
      'the flag of an attempt before the last',
      { attempt: 3, heartbeatDetails: { idempotencyKey: 'k', polls: 0, attempt: 1, nothingAccepted: true } },
    ],
  ])('a later attempt with %s and no executionId still refuses under at-most-once', async (_name, info) => {
    const { end, mock } = await runAttempt({}, {}, info);

    expect(end).toMatchObject({ type: CODIKA_TRIGGER_OUTCOME_UNKNOWN, nonRetryable: true });
    expect(mock.requests).toHaveLength(0);
  });

  test('a cancel before the first send: nothing sent, nothing accepted recorded', async () => {
    const codika = await startMock({ apiKey: API_KEY, scripts: { wf: {} } });
    const { codikaExecution } = createCodikaActivities({ baseUrl: codika.url, apiKey: API_KEY });
    const env = activityEnv({ ...RUN, scheduledTimestampMs: Date.now() });
    const beats: CodikaActivityHeartbeat[] = [];
    env.on('heartbeat', (details: CodikaActivityHeartbeat) => beats.push(structuredClone(details)));
    env.cancel('WORKER_SHUTDOWN');

    const end = await env
      .run(codikaExecution, { processInstanceId: PI, workflowId: 'wf', cancelCheckInterval: null })
      .catch((err: unknown) => err);

    expect(end).toBeInstanceOf(CancelledFailure);
    expect(codika.requests).toHaveLength(0);
    expect(beats.at(-1)).toMatchObject({ nothingAccepted: true, attempt: 1 });
  });

  // A fault that may come after Codika started the execution: at-least-once sends it again after a
  // backoff, and a cancel in that backoff must not say that nothing was accepted.
  test.each<[string, MockFault, Partial<CodikaActivitiesOptions>]>([
    ['a 500', { kind: 'http', status: 500 }, {}],
    ['a 502', { kind: 'http', status: 502 }, {}],
    ['a 504', { kind: 'http', status: 504 }, {}],
    ['a reset', { kind: 'drop' }, {}],
    ['no answer in time', { kind: 'delay', ms: 1_500, strikes: 'after' }, { requestTimeoutMs: 300 }],
  ])('a cancel in the backoff after %s records no flag (at-least-once)', async (_name, fault, options) => {
    const codika = await startMock({ apiKey: API_KEY, scripts: { wf: { faults: { trigger: [fault] } } } });
    const { end, env, beats } = startAttempt(codika, { triggerDelivery: 'at-least-once' }, {}, options);
    await waitUntil(() => codika.requestsTo('trigger').length === 1, 'the first trigger', { timeoutMs: 5_000 });
    await sleep(fault.kind === 'delay' ? 500 : 150); // past its answer (or the client's timeout), in the backoff
    env.cancel('WORKER_SHUTDOWN');

    expect(await end).toBeInstanceOf(CancelledFailure);
    expect(beats.filter((beat) => beat.nothingAccepted)).toEqual([]);
    expect(codika.requestsTo('trigger')).toHaveLength(1);
  });

  test('after an unknown outcome, a 503 does not make it clean again: a cancel then records no flag', async () => {
    const codika = await startMock({
      apiKey: API_KEY,
      scripts: {
        wf: {
          faults: {
            trigger: [
              { kind: 'http', status: 502 },
              { kind: 'http', status: 503 },
            ],
          },
        },
      },
    });
    const { end, env, beats } = startAttempt(codika, { triggerDelivery: 'at-least-once' });
    await waitUntil(() => codika.requestsTo('trigger').length === 2, 'the second trigger', { timeoutMs: 5_000 });
    await sleep(100);
    env.cancel('WORKER_SHUTDOWN');

    expect(await end).toBeInstanceOf(CancelledFailure);
    expect(beats.filter((beat) => beat.nothingAccepted)).toEqual([]);
  });

  test('a cancel while the trigger is out does not cut it short: the executionId is recorded, then the cancel ends it', async () => {
    const codika = await startMock({
      apiKey: API_KEY,
      scripts: { wf: { durationMs: 60_000, faults: { trigger: [{ kind: 'delay', ms: 800, strikes: 'after' }] } } },
    });
    const { end, env, beats } = startAttempt(codika);
    await waitUntil(() => codika.executionsOf('wf').length === 1, 'the accepted trigger', { timeoutMs: 5_000 });
    env.cancel('CANCELLED');

    expect(await end).toBeInstanceOf(CancelledFailure);
    const executionId = codika.executionsOf('wf')[0]!.executionId;
    expect(beats).toEqual([expect.objectContaining({ executionId, attempt: 1 })]);
    expect(beats[0]!.nothingAccepted).toBeUndefined();
    expect(codika.requestsTo('status')).toHaveLength(0);
  });
});

test('details without an executionId at attempt 1 (an operator reset keeps them): at-most-once refuses, nothing sent', async () => {
  const before: CodikaActivityHeartbeat = { idempotencyKey: 'k-before-reset', polls: 0, attempt: 2 };
  const { end, mock } = await runAttempt({}, {}, { attempt: 1, heartbeatDetails: before });

  expect(end).toMatchObject({ type: CODIKA_TRIGGER_OUTCOME_UNKNOWN, nonRetryable: true });
  expect(mock.requests).toHaveLength(0);
});

test('a cancel while the request is out ends the attempt cancelled, even when the deadline leaves no time to send again', async () => {
  const codika = await startMock({
    apiKey: API_KEY,
    scripts: { wf: { faults: { trigger: [{ kind: 'delay', ms: 1_500, strikes: 'after' }] } } },
  });
  // The request times out at 300 ms (outcome unknown); at-least-once would wait 1 s, past the deadline.
  const { end, env } = startAttempt(
    codika,
    { triggerDelivery: 'at-least-once', poll: { deadline: '1 second', firstPollAfter: 50 } },
    {},
    { requestTimeoutMs: 300 },
  );
  await waitUntil(() => codika.requestsTo('trigger').length === 1, 'the trigger out', { timeoutMs: 5_000 });
  env.cancel('CANCELLED');

  expect(await end).toBeInstanceOf(CancelledFailure);
});

describe('the deadline', () => {
  test.each<[string, Partial<CodikaExecutionActivityInput>, Partial<Info>, string]>([
    [
      'an at-least-once retry',
      { triggerDelivery: 'at-least-once' },
      { attempt: 2 },
      'a last attempt may still have started it',
    ],
    ['a first attempt', {}, {}, 'nothing was started'],
  ])('%s that begins after it sends nothing: CodikaExecutionTimedOut', async (_name, input, info, says) => {
    const { end, mock } = await runAttempt(
      {},
      { poll: { deadline: '5 seconds', firstPollAfter: 50 }, ...input },
      { scheduledTimestampMs: Date.now() - 10_000, ...info },
    );

    expect(end).toMatchObject({ type: CODIKA_EXECUTION_TIMED_OUT, nonRetryable: true });
    expect((end as Error).message).toContain(says);
    expect(mock.requests).toHaveLength(0);
  });

  test("the worker's check cap never holds the last check past the deadline", async () => {
    const startedAt = Date.now();
    // One check per 5 s for the whole worker: the second check's turn would come 5 s after the first.
    const { end, mock } = await runAttempt(
      { durationMs: 60_000 },
      { poll: { deadline: '1.5 seconds', firstPollAfter: 100, backoffCoefficient: 1 } },
      {},
      { maxStatusChecksPerSecond: 0.2 },
    );

    expect(end).toMatchObject({ type: CODIKA_EXECUTION_TIMED_OUT });
    expect(Date.now() - startedAt).toBeLessThan(2_500);
    const checks = mock.requestsTo('status');
    expect(checks).toHaveLength(2);
    expect(checks[1]!.at - startedAt).toBeLessThan(1_800);
  });
});

test('a recorded cancelCheckInterval under 1 second fails CodikaValidationError naming it, nothing sent', async () => {
  const { end, mock } = await runAttempt({}, { cancelCheckInterval: 200 });

  expect(end).toMatchObject({ type: CODIKA_VALIDATION_FAILURE, nonRetryable: true });
  expect((end as ApplicationFailure).details?.[0]).toEqual({ field: 'cancelCheckInterval' });
  expect((end as Error).message).toContain('at least 1 second');
  expect(mock.requests).toHaveLength(0);
});
