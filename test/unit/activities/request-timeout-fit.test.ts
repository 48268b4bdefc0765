import { ApplicationFailure } from '@temporalio/common';
import { createCodikaActivities } from '../../../src/activities/create-codika-activities';
import { CODIKA_CONFIGURATION_ERROR } from '../../../src/shared/errors';
import { API_KEY, PI, rejectionOf, startMock, stopMocks } from '../../helpers/mock-fixture';
import { activityEnv } from '../../helpers/activity-env';

afterEach(stopMocks);

const CALLS = [
  ['triggerCodikaExecution', { processInstanceId: PI, workflowId: 'wf' }],
  ['getCodikaExecutionStatus', { processInstanceId: PI, executionId: 'e1' }],
  ['checkCodikaExecution', { processInstanceId: PI, executionId: 'e1' }],
] as const;

test.each(CALLS)(
  '%s refuses, before any request, a start-to-close timeout the request timeout cannot fit, naming both settings',
  async (name, input) => {
    const mock = await startMock({ apiKey: API_KEY });
    const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY });
    const activity = activities[name] as (arg: typeof input) => Promise<unknown>;

    const failure = await rejectionOf<ApplicationFailure>(
      activityEnv({ startToCloseTimeoutMs: 10_000, activityType: name }).run(activity, input),
    );

    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe(CODIKA_CONFIGURATION_ERROR);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('CODIKA_REQUEST_TIMEOUT_MS: 30000 ms');
    expect(failure.message).toContain('poll.activityTimeout: 10000 ms');
    expect(failure.message).toContain('at least 31000 ms');
    expect(mock.requests).toHaveLength(0);
  },
);

test('a start-to-close timeout cut short by a near deadline is no mistake: the call goes ahead', async () => {
  const mock = await startMock({ apiKey: API_KEY });
  const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY });

  // Temporal shortens start-to-close to the schedule-to-close left (the step's deadline).
  await activityEnv({ startToCloseTimeoutMs: 4_000, scheduleToCloseTimeoutMs: 4_000 }).run(
    activities.triggerCodikaExecution,
    { processInstanceId: PI, workflowId: 'wf' },
  );

  expect(mock.requests).toHaveLength(1);
});

test('a request timeout that fits goes ahead', async () => {
  const mock = await startMock({ apiKey: API_KEY });
  const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY, requestTimeoutMs: 9_000 });

  const triggered = await activityEnv({ startToCloseTimeoutMs: 10_000 }).run(activities.triggerCodikaExecution, {
    processInstanceId: PI,
    workflowId: 'wf',
  });

  expect(triggered.executionId).toBe(mock.requests[0]!.executionId);
});
