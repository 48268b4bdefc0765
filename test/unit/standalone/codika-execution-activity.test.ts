/**
 * The `codikaExecution` activity without a Temporal server: a real activity context per attempt
 * (MockActivityEnvironment, whose info says which attempt and what the last heartbeat recorded) and a
 * real mock Codika over HTTP, whose requests are counted.
 */
import type { Info } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CodikaActivityHeartbeat } from '../../../src/activities/codika-execution-activity';
import type { CodikaExecutionActivityInput } from '../../../src/activities/codika-execution-input';
import { createCodikaActivities } from '../../../src/activities/create-codika-activities';
import { standaloneIdempotencyKey } from '../../../src/activities/standalone-trigger';
import {
  CODIKA_EXECUTION_TIMED_OUT,
  CODIKA_TRIGGER_OUTCOME_UNKNOWN,
  CODIKA_VALIDATION_FAILURE,
} from '../../../src/shared/errors';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { MockExecutionScript } from '../../../src/testing/mock-codika/mock-scripts';
import { activityEnv } from '../../helpers/activity-env';
import { API_KEY, clientFor, PI, startMock, stopMocks } from '../../helpers/mock-fixture';

afterEach(stopMocks);

const RUN = { activityId: 'sa-unit', activityRunId: '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee' };

/** Runs one attempt of the activity against a mock scripted with `script`; returns its end and the heartbeats it recorded. */
async function runAttempt(
  script: MockExecutionScript,
  input: Partial<CodikaExecutionActivityInput> = {},
  info: Partial<Info> = {},
): Promise<{ end: unknown; beats: CodikaActivityHeartbeat[]; mock: MockCodikaServer }> {
  const mock = await startMock({ apiKey: API_KEY, scripts: { wf: script } });
  const { codikaExecution } = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY });
  const env = activityEnv({ ...RUN, scheduledTimestampMs: Date.now(), ...info });
  const beats: CodikaActivityHeartbeat[] = [];
  env.on('heartbeat', (details: CodikaActivityHeartbeat) => beats.push(structuredClone(details)));
  const end = await env
    .run(codikaExecution, {
      processInstanceId: PI,
      workflowId: 'wf',
      poll: { firstPollAfter: 50, backoffCoefficient: 1 },
      cancelCheckInterval: null,
      ...input,
    })
    .catch((err: unknown) => err);
  return { end, beats, mock };
}

test('attempt 1: triggers once, polls to the end, and heartbeats once, with the executionId', async () => {
  const { end, beats, mock } = await runAttempt({ durationMs: 300, resultData: { ok: 1 } });

  const executionId = mock.executionsOf('wf')[0]!.executionId;
  expect(end).toMatchObject({ executionId, resultData: { ok: 1 } });
  expect(mock.requestsTo('trigger')).toHaveLength(1);
  expect(beats).toEqual([
    { executionId, acceptedAtMs: expect.any(Number), idempotencyKey: expect.any(String), polls: 0 },
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
