import { ApplicationFailure } from '@temporalio/common';
import { createCodikaActivities, type CodikaActivitiesOptions } from '../../../src/activities/create-codika-activities';
import { toApplicationFailure } from '../../../src/activities/to-application-failure';
import type { CodikaErrorKind, CodikaTriggerOutcome } from '../../../src/shared/errors';
import {
  CODIKA_CREDENTIALS_MISSING,
  CODIKA_FAILURE_TYPES,
  CODIKA_VALIDATION_FAILURE,
} from '../../../src/shared/errors';
import type { MockCodikaServerOptions } from '../../../src/testing/mock-codika/mock-codika-server';
import type { MockFault } from '../../../src/testing/mock-codika/mock-scripts';
import {
  API_KEY,
  OTHER_KEY,
  PI,
  WEBHOOK_SECRET,
  delayFault,
  rejectionOf,
  startMock,
  stopMocks,
} from '../../helpers/mock-fixture';
import { activityEnv } from '../../helpers/activity-env';

afterEach(stopMocks);

/** Runs the trigger activity against a mock whose workflow `wf` answers with `fault`; returns what the activity threw. */
async function triggerFailure(
  fault: MockFault | undefined,
  activityOptions: Partial<CodikaActivitiesOptions> = {},
  mockOptions: MockCodikaServerOptions = { apiKey: API_KEY },
): Promise<ApplicationFailure> {
  const mock = await startMock({ ...mockOptions, scripts: { wf: { faults: { trigger: fault ? [fault] : [] } } } });
  const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY, ...activityOptions });
  const failure = await rejectionOf<ApplicationFailure>(
    activityEnv().run(activities.triggerCodikaExecution, { processInstanceId: PI, workflowId: 'wf' }),
  );
  expect(failure).toBeInstanceOf(ApplicationFailure);
  return failure;
}

describe('Codika failures become ApplicationFailures', () => {
  test.each<[string, MockFault, CodikaErrorKind, number, boolean, CodikaTriggerOutcome]>([
    ['400', { kind: 'http', status: 400 }, 'bad_request', 400, true, 'not_accepted'],
    ['422', { kind: 'http', status: 422 }, 'bad_request', 422, true, 'not_accepted'],
    ['403', { kind: 'http', status: 403 }, 'auth', 403, true, 'not_accepted'],
    ['500', { kind: 'http', status: 500 }, 'server', 500, false, 'outcome_unknown'],
    ['502', { kind: 'http', status: 502 }, 'server', 502, false, 'outcome_unknown'],
    ['503', { kind: 'http', status: 503 }, 'server', 503, false, 'not_accepted'],
    ['a non-JSON 200', { kind: 'malformed' }, 'protocol', 200, true, 'outcome_unknown'],
    ['a 200 without id', { kind: 'missing_id' }, 'protocol', 200, true, 'outcome_unknown'],
  ])(
    '%s maps to the failure type of kind %s with nonRetryable as expected',
    async (_label, fault, kind, status, nonRetryable, triggerOutcome) => {
      const failure = await triggerFailure(fault);

      expect(failure.type).toBe(CODIKA_FAILURE_TYPES[kind]);
      expect(failure.nonRetryable).toBe(nonRetryable);
      expect(failure.nextRetryDelay).toBeUndefined();
      expect(failure.details).toEqual([
        {
          kind,
          request: `POST /webhook/${PI}/wf`,
          status,
          retryAfterMs: null,
          triggerOutcome,
          sentAt: expect.any(String),
          idempotencyKey: expect.stringMatching(/^codika-temporal-[0-9a-f]{40}$/),
        },
      ]);
    },
  );

  test('a wrong API key is a non-retryable CodikaAuthError', async () => {
    const failure = await triggerFailure(undefined, { apiKey: OTHER_KEY });

    expect(failure.type).toBe('CodikaAuthError');
    expect(failure.nonRetryable).toBe(true);
  });

  test('an unknown execution is a non-retryable CodikaNotFoundError', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY });

    const failure = await rejectionOf<ApplicationFailure>(
      activityEnv().run(activities.getCodikaExecutionStatus, { processInstanceId: PI, executionId: 'missing' }),
    );

    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('CodikaNotFoundError');
    expect(failure.nonRetryable).toBe(true);
  });

  test('a dropped connection is a retryable CodikaNetworkError', async () => {
    const failure = await triggerFailure({ kind: 'drop' });

    expect(failure.type).toBe('CodikaNetworkError');
    expect(failure.nonRetryable).toBe(false);
  });

  test('a response slower than requestTimeoutMs is a retryable CodikaTimeoutError', async () => {
    const failure = await triggerFailure(delayFault(2000), { requestTimeoutMs: 200 });

    expect(failure.type).toBe('CodikaTimeoutError');
    expect(failure.nonRetryable).toBe(false);
  });

  test('429 with Retry-After is retryable with nextRetryDelay equal to the Retry-After', async () => {
    const failure = await triggerFailure({ kind: 'http', status: 429, retryAfter: 7 });

    expect(failure.type).toBe('CodikaRateLimitedError');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(7000);
    expect(failure.details).toEqual([
      expect.objectContaining({
        kind: 'rate_limited',
        status: 429,
        retryAfterMs: 7000,
        triggerOutcome: 'not_accepted',
      }),
    ]);
  });

  test('503 with Retry-After also sets nextRetryDelay', async () => {
    const failure = await triggerFailure({ kind: 'http', status: 503, retryAfter: 3 });

    expect(failure.type).toBe('CodikaServerError');
    expect(failure.nextRetryDelay).toBe(3000);
  });

  test('429 without Retry-After leaves the retry delay to the retry policy', async () => {
    const failure = await triggerFailure({ kind: 'http', status: 429 });

    expect(failure.type).toBe('CodikaRateLimitedError');
    expect(failure.nextRetryDelay).toBeUndefined();
  });

  test('an invalid id is a non-retryable CodikaValidationError naming the field, with no request', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY });

    const failure = await rejectionOf<ApplicationFailure>(
      activityEnv().run(activities.triggerCodikaExecution, { processInstanceId: PI, workflowId: '../admin' }),
    );

    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe(CODIKA_VALIDATION_FAILURE);
    expect(failure.type).toBe('CodikaValidationError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details).toEqual([{ field: 'workflowId' }]);
    expect(mock.requests.length).toBe(0);
  });

  test('an invalid payload is a non-retryable CodikaValidationError', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY });

    const failure = await rejectionOf<ApplicationFailure>(
      activityEnv().run(activities.triggerCodikaExecution, {
        processInstanceId: PI,
        workflowId: 'wf',
        payload: [1, 2] as unknown as Record<string, unknown>,
      }),
    );

    expect(failure.type).toBe('CodikaValidationError');
    expect(failure.details).toEqual([{ field: 'payload' }]);
    expect(mock.requests.length).toBe(0);
  });

  test.each(['trigger', 'status'] as const)(
    'no key for the process instance is a non-retryable CodikaCredentialsMissing on %s, with no request',
    async (which) => {
      const mock = await startMock({ apiKeys: { 'pi-other': OTHER_KEY } });
      const activities = createCodikaActivities({ baseUrl: mock.url, apiKeys: { 'pi-other': OTHER_KEY } });
      const env = activityEnv();

      const failure = await rejectionOf<ApplicationFailure>(
        which === 'trigger'
          ? env.run(activities.triggerCodikaExecution, { processInstanceId: PI, workflowId: 'wf' })
          : env.run(activities.getCodikaExecutionStatus, { processInstanceId: PI, executionId: 'e1' }),
      );

      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure.type).toBe(CODIKA_CREDENTIALS_MISSING);
      expect(failure.type).toBe('CodikaCredentialsMissingError');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.details).toEqual([{ processInstanceId: PI }]);
      expect(failure.message).toContain(PI);
      expect(failure.message).not.toContain(OTHER_KEY);
      expect(mock.requests.length).toBe(0);
    },
  );
});

describe('failure text never holds a credential', () => {
  test('keys and the webhook secret echoed by Codika are redacted from message, details and stack', async () => {
    // The request uses the instance key; the echo also holds the default key and the webhook secret.
    const body = `instance=${API_KEY} default=${OTHER_KEY} secret=${WEBHOOK_SECRET}`;
    const failure = await triggerFailure(
      { kind: 'http', status: 500, body },
      { apiKey: OTHER_KEY, apiKeys: { [PI]: API_KEY }, webhookSecret: WEBHOOK_SECRET },
      { apiKeys: { [PI]: API_KEY } },
    );

    const text = [failure.message, String(failure.stack), JSON.stringify(failure.details)].join('\n');
    for (const secret of [API_KEY, OTHER_KEY, WEBHOOK_SECRET]) expect(text).not.toContain(secret);
    expect(failure.message).toContain('instance=[REDACTED] default=[REDACTED] secret=[REDACTED]');
  });

  test('a network failure in query mode does not show the key', async () => {
    const failure = await triggerFailure({ kind: 'drop' }, { authMode: 'query' });

    expect(failure.type).toBe('CodikaNetworkError');
    expect(failure.message).not.toContain(API_KEY);
    expect(String(failure.stack)).not.toContain(API_KEY);
  });

  test('the failure stack is only its message, with no library frames', async () => {
    const failure = await triggerFailure({ kind: 'http', status: 500 });

    expect(failure.stack).toBe(`ApplicationFailure: ${failure.message}`);
  });
});

describe('toApplicationFailure', () => {
  test('leaves an unexpected error as it is', () => {
    const err = new TypeError('unexpected');

    expect(toApplicationFailure(err, [API_KEY])).toBe(err);
  });
});
