import { ApplicationFailure } from '@temporalio/common';
import { createCodikaActivities } from '../../../src/activities/create-codika-activities';
import type { CodikaTriggerDelivery } from '../../../src/shared/trigger-delivery';
import { CODIKA_TRIGGER_OUTCOME_UNKNOWN } from '../../../src/shared/errors';
import type { MockFault } from '../../../src/testing/mock-codika/mock-scripts';
import { API_KEY, PI, rejectionOf, startMock, stopMocks } from '../../helpers/mock-fixture';
import { activityEnv } from '../../helpers/activity-env';

afterEach(stopMocks);

const KEY = 'codika-temporal-3f1c2b9e-0d4a-4e55-9a37-7c1e2f00a0b1';

/** Runs one trigger attempt whose answer is `fault`; returns its failure and what the mock saw. */
async function attempt(fault: MockFault, triggerDelivery?: CodikaTriggerDelivery, attemptNumber = 1) {
  const mock = await startMock({ apiKey: API_KEY, scripts: { wf: { faults: { trigger: [fault] } } } });
  const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY });
  const failure = await rejectionOf<ApplicationFailure>(
    activityEnv({ attempt: attemptNumber }).run(activities.triggerCodikaExecution, {
      processInstanceId: PI,
      workflowId: 'wf',
      triggerDelivery,
      idempotencyKey: KEY,
    }),
  );
  expect(failure).toBeInstanceOf(ApplicationFailure);
  return { failure, details: failure.details?.[0] as Record<string, unknown>, mock };
}

const after502: MockFault = { kind: 'http', status: 502, strikes: 'after' };

test('the failure says when the request went out and with which Idempotency-Key', async () => {
  const before = Date.now();
  const { details, mock } = await attempt(after502, 'at-most-once');

  expect(details.idempotencyKey).toBe(KEY);
  expect(mock.requests[0]!.headers['idempotency-key']).toBe(KEY);
  expect(Date.parse(details.sentAt as string)).toBeGreaterThanOrEqual(before - 5);
  expect(Date.parse(details.sentAt as string)).toBeLessThanOrEqual(mock.requests[0]!.at + 5);
});

test.each<[string, MockFault, CodikaTriggerDelivery | undefined, boolean]>([
  ['at-most-once: a 502 after acceptance is final', after502, 'at-most-once', true],
  ['at-most-once: an unreadable 200 is final', { kind: 'malformed', strikes: 'after' }, 'at-most-once', true],
  ['at-most-once: a 503 is retryable (nothing started)', { kind: 'http', status: 503 }, 'at-most-once', false],
  ['at-least-once: a 502 after acceptance is retryable', after502, 'at-least-once', false],
  ['at-least-once: an unreadable 200 is retryable (same key)', { kind: 'malformed' }, 'at-least-once', false],
  ['no choice recorded (older runs): a 502 is retried as before', after502, undefined, false],
  ['no choice recorded (older runs): an unreadable 200 stays final', { kind: 'malformed' }, undefined, true],
  ['either mode: a 400 is final', { kind: 'http', status: 400 }, 'at-least-once', true],
])('%s', async (_label, fault, delivery, nonRetryable) => {
  const { failure } = await attempt(fault, delivery);

  expect(failure.nonRetryable).toBe(nonRetryable);
});

test('at-most-once: a second attempt of the same activity sends nothing', async () => {
  const mock = await startMock({ apiKey: API_KEY });
  const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY });

  const failure = await rejectionOf<ApplicationFailure>(
    activityEnv({ attempt: 2 }).run(activities.triggerCodikaExecution, {
      processInstanceId: PI,
      workflowId: 'wf',
      triggerDelivery: 'at-most-once',
      idempotencyKey: KEY,
    }),
  );

  expect(failure.type).toBe(CODIKA_TRIGGER_OUTCOME_UNKNOWN);
  expect(failure.nonRetryable).toBe(true);
  expect(failure.details).toEqual([{ triggerOutcome: 'outcome_unknown', idempotencyKey: KEY, attempt: 2 }]);
  expect(mock.requests).toHaveLength(0);
});

test('an Idempotency-Key that could break the header is refused before any request', async () => {
  const mock = await startMock({ apiKey: API_KEY });
  const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY });

  const failure = await rejectionOf<ApplicationFailure>(
    activityEnv().run(activities.triggerCodikaExecution, {
      processInstanceId: PI,
      workflowId: 'wf',
      idempotencyKey: 'key\r\nX-Injected: 1',
    }),
  );

  expect(failure.type).toBe('CodikaValidationError');
  expect(failure.details).toEqual([{ field: 'idempotencyKey' }]);
  expect(mock.requests).toHaveLength(0);
});
