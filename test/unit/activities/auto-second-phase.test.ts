/**
 * `auto`'s whole wait in one activity (issue 30): past its first phase, `pollCodikaExecution` with
 * `thenRetry` checks once per attempt and fails a pending answer benignly with the next wait as its
 * retry delay, the same checks at the same times as the timer and second activity it replaces. Each
 * attempt runs in a real activity context that says which attempt it is and what the last recorded.
 */
import { ApplicationFailure } from '@temporalio/common';
import { createCodikaActivities } from '../../../src/activities/create-codika-activities';
import type { PollHeartbeat } from '../../../src/activities/polling-activities';
import type { PollCodikaExecutionInput } from '../../../src/shared/activity-types';
import { API_KEY, PI, startMock, stopMocks } from '../../helpers/mock-fixture';
import { activityEnv } from '../../helpers/activity-env';

afterEach(stopMocks);

const THEN_RETRY = { initialMs: 10_000, coefficient: 2, maxMs: 30_000 };

async function setup() {
  const mock = await startMock({ apiKey: API_KEY, scripts: { long: { durationMs: Infinity } } });
  const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY });
  const { executionId } = await activityEnv().run(activities.triggerCodikaExecution, {
    processInstanceId: PI,
    workflowId: 'long',
  });
  const input: PollCodikaExecutionInput = {
    processInstanceId: PI,
    executionId,
    firstPollAfterMs: 100,
    backoffCoefficient: 1,
    maxPollIntervalMs: 100,
    stopAfterMs: 350,
    thenRetry: THEN_RETRY,
  };
  return { mock, activities, executionId, input };
}

/** Runs one attempt; returns its outcome and the last heartbeat it recorded. */
async function attempt(
  run: ReturnType<typeof createCodikaActivities>['pollCodikaExecution'],
  input: PollCodikaExecutionInput,
  number: number,
  details?: PollHeartbeat,
) {
  const env = activityEnv({ attempt: number, heartbeatDetails: details });
  let last: PollHeartbeat | undefined;
  env.on('heartbeat', (d: PollHeartbeat) => (last = d));
  const outcome = await env.run(run, input).then(
    (result) => ({ result, failure: undefined }),
    (err: unknown) => ({ result: undefined, failure: err as ApplicationFailure }),
  );
  return { ...outcome, last };
}

test('past the first phase a pending execution fails the attempt benignly, retried after the first wait', async () => {
  const { mock, activities, executionId, input } = await setup();
  const first = await attempt(activities.pollCodikaExecution, input, 1);

  expect(first.failure).toBeInstanceOf(ApplicationFailure);
  expect(first.failure).toMatchObject({ type: 'CodikaExecutionPending', category: 'BENIGN', nextRetryDelay: 10_000 });
  expect(first.last).toMatchObject({ executionId, retrying: true, nextIntervalMs: 10_000 });
  const checks = mock.requestsTo('status').length;
  expect(checks).toBeGreaterThanOrEqual(2);
  expect(first.last?.polls).toBe(checks);
});

test('each later attempt checks once, and the waits grow as the retry schedule says, up to its maximum', async () => {
  const { mock, activities, input } = await setup();
  let details = (await attempt(activities.pollCodikaExecution, input, 1)).last;
  const delays: unknown[] = [];
  for (let n = 2; n <= 5; n += 1) {
    const before = mock.requestsTo('status').length;
    const next = await attempt(activities.pollCodikaExecution, input, n, details);
    expect(mock.requestsTo('status').length).toBe(before + 1);
    expect(next.failure).toMatchObject({ type: 'CodikaExecutionPending', category: 'BENIGN' });
    delays.push(next.failure?.nextRetryDelay);
    details = next.last;
  }
  expect(delays).toEqual([10_000, 20_000, 30_000, 30_000]);
});

test('the attempt that finds the end returns it with every answered check counted', async () => {
  const { mock, activities, executionId, input } = await setup();
  const first = await attempt(activities.pollCodikaExecution, input, 1);
  mock.finishNow(executionId);
  const second = await attempt(activities.pollCodikaExecution, input, 2, first.last);

  expect(second.result).toMatchObject({ status: 'success', polls: mock.requestsTo('status').length });
});

test('a status check Codika refuses for now is a check that found nothing new: the schedule goes on', async () => {
  const { mock, activities, input } = await setup();
  const first = await attempt(activities.pollCodikaExecution, input, 1);
  mock.injectFaults('long', { status: [{ kind: 'http', status: 503, times: 1 }] });
  const second = await attempt(activities.pollCodikaExecution, input, 2, first.last);

  expect(second.failure).toMatchObject({ type: 'CodikaExecutionPending', nextRetryDelay: 10_000 });
  expect(second.last).toMatchObject({ polls: first.last!.polls, lastStatus: expect.stringMatching(/^error \(/) });
});

test('without thenRetry the first phase returns pending, as loops scheduled before it did', async () => {
  const { activities, input } = await setup();
  const { result } = await attempt(activities.pollCodikaExecution, { ...input, thenRetry: undefined }, 1);
  expect(result).toMatchObject({ status: 'pending' });
});
