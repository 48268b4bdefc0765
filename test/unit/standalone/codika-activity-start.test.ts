/** What `startCodikaActivity` asks the server for, and what it refuses before asking: no server needed. */
import { ServiceError } from '@temporalio/client';
import {
  codikaActivityStart,
  DEADLINE_MARGIN_MS,
  DEFAULT_ACTIVITY_HEARTBEAT_TIMEOUT_MS,
} from '../../../src/client/standalone/codika-activity-start';
import {
  CodikaStandaloneUnsupportedError,
  isStandaloneUnsupported,
} from '../../../src/client/standalone/standalone-unsupported';
import { DEFAULT_POLL_SETTINGS } from '../../../src/shared/poll-options';
import { CodikaValidationError } from '../../../src/shared/errors';
import { attemptShouldStop, keepaliveEveryMs } from '../../../src/activities/sparse-heartbeats';

const INPUT = { processInstanceId: 'pi_a', workflowId: 'summarize', payload: { text: 'x' } };

test('defaults: schedule-to-close is the deadline plus a margin, a 10-minute heartbeat timeout, the input as checked', () => {
  const start = codikaActivityStart(INPUT);

  expect(start).toMatchObject({
    taskQueue: 'codika',
    scheduleToCloseTimeout: DEFAULT_POLL_SETTINGS.deadlineMs + DEADLINE_MARGIN_MS,
    heartbeatTimeout: DEFAULT_ACTIVITY_HEARTBEAT_TIMEOUT_MS,
    summary: 'Codika summarize · pi_a',
    priority: { fairnessKey: 'pi_a' },
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  });
  expect(start.startToCloseTimeout).toBeUndefined();
  expect(start.id).toMatch(/^codika-summarize-pi_a-\w+$/);
  expect(start.args).toEqual([{ ...INPUT, triggerDelivery: 'at-most-once' }]);
});

test('options: the deadline, heartbeat timeout, cancel checks and ids reach the start', () => {
  const start = codikaActivityStart(
    { ...INPUT, priority: { priorityKey: 1, fairnessKey: 'tenant' } },
    {
      taskQueue: 'q',
      activityId: 'my-id',
      poll: { deadline: '5 minutes', firstPollAfter: 200 },
      heartbeatTimeout: '30 seconds',
      cancelCheckInterval: null,
    },
  );

  expect(start).toMatchObject({
    id: 'my-id',
    taskQueue: 'q',
    scheduleToCloseTimeout: 5 * 60_000 + DEADLINE_MARGIN_MS,
    heartbeatTimeout: 30_000,
    priority: { priorityKey: 1, fairnessKey: 'tenant' },
  });
  expect(start.args[0]).toMatchObject({
    poll: { deadline: '5 minutes', firstPollAfter: 200 },
    cancelCheckInterval: null,
  });
});

test.each<
  [string, Parameters<typeof codikaActivityStart>[0], Parameters<typeof codikaActivityStart>[1], string, string]
>([
  [
    'an empty processInstanceId',
    { ...INPUT, processInstanceId: '' },
    {},
    'input.processInstanceId',
    'must not be empty',
  ],
  ['a payload with executionId', { ...INPUT, executionId: 'e1' }, {}, 'input.payload', 'never sent when attaching'],
  ['operatorTimeout', { ...INPUT, operatorTimeout: '1 hour' }, {}, 'input.operatorTimeout', 'startCodikaExecution'],
  [
    'a bad triggerDelivery',
    { ...INPUT, triggerDelivery: 'twice' as never },
    {},
    'input.triggerDelivery',
    'at-least-once',
  ],
  [
    'poll.activityTimeout',
    INPUT,
    { poll: { activityTimeout: '1 minute' } as never },
    'poll.activityTimeout',
    'poll.deadline',
  ],
  [
    'a deadline before the first check',
    INPUT,
    { poll: { deadline: 100, firstPollAfter: 200 } },
    'poll.deadline',
    'longer than firstPollAfter',
  ],
  ['a negative cancel check', INPUT, { cancelCheckInterval: -1 }, 'cancelCheckInterval', 'positive duration'],
  [
    'a cancel check under 1 second',
    INPUT,
    { cancelCheckInterval: 500 },
    'cancelCheckInterval',
    'at least 1 second (got 500, a bare number means milliseconds)',
  ],
  ['a cancel check of "0.5 seconds"', INPUT, { cancelCheckInterval: '0.5 seconds' }, 'cancelCheckInterval', '1 second'],
  [
    'poll inside the input (a plain-JavaScript caller)',
    { ...INPUT, poll: { deadline: '5 minutes' } } as never,
    {},
    'input.poll',
    'pass it in the options argument, startCodikaActivity(client, input, { poll })',
  ],
  [
    'cancelCheckInterval inside the input',
    { ...INPUT, cancelCheckInterval: null } as never,
    {},
    'input.cancelCheckInterval',
    'options argument',
  ],
  [
    'heartbeatTimeout inside the input',
    { ...INPUT, heartbeatTimeout: '1 hour' } as never,
    {},
    'input.heartbeatTimeout',
    'options argument',
  ],
  [
    'an unknown field',
    { ...INPUT, tenant: 'x' } as never,
    {},
    'input.tenant',
    'unknown field; expected processInstanceId, workflowId, payload, triggerDelivery, priority, executionId, result',
  ],
  [
    'a heartbeat timeout that is no duration',
    INPUT,
    { heartbeatTimeout: 'often' },
    'heartbeatTimeout',
    'at least 1 second',
  ],
  ['an activity id with /', INPUT, { activityId: 'a/b' }, 'activityId', 'single URL path segment'],
])('refused before anything starts: %s', (_name, input, options, field, reason) => {
  let err: unknown;
  try {
    codikaActivityStart(input, options);
  } catch (e) {
    err = e;
  }

  expect(err).toBeInstanceOf(CodikaValidationError);
  expect((err as CodikaValidationError).field).toBe(field);
  expect((err as CodikaValidationError).message).toContain(reason);
});

test('the unknown-field message does not offer the operator options a standalone activity refuses', () => {
  let err: unknown;
  try {
    codikaActivityStart({ ...INPUT, tenant: 'x' } as never);
  } catch (e) {
    err = e;
  }

  expect((err as Error).message).not.toMatch(/onTriggerOutcomeUnknown|operatorTimeout|poll|cancelCheckInterval/);
});

test("options set to undefined are as good as absent: poll { strategy: undefined }, onTriggerOutcomeUnknown 'fail'", () => {
  const start = codikaActivityStart(
    { ...INPUT, onTriggerOutcomeUnknown: 'fail' },
    { poll: { strategy: undefined, activityTimeout: undefined, deadline: '5 minutes' } as never },
  );

  expect(start.scheduleToCloseTimeout).toBe(5 * 60_000 + DEADLINE_MARGIN_MS);
});

test('a cancel check of exactly 1 second is taken', () => {
  expect(codikaActivityStart(INPUT, { cancelCheckInterval: 1_000 }).args[0].cancelCheckInterval).toBe(1_000);
});

describe('a server that cannot run standalone activities', () => {
  const grpc = (code: number, details: string) =>
    new ServiceError('Failed to start activity', {
      cause: Object.assign(new Error(`${code} ${details}`), { code, details }),
    });

  test.each([
    [
      'a server before 1.31',
      grpc(12, 'unknown method StartActivityExecution for service temporal.api.workflowservice.v1.WorkflowService'),
    ],
    ['the feature off', grpc(12, 'Standalone activity is disabled')],
    ['the feature off, whatever the code', grpc(9, 'Standalone activity is disabled')],
  ])('is recognised: %s', (_name, err) => {
    expect(isStandaloneUnsupported(err)).toBe(true);
    expect(new CodikaStandaloneUnsupportedError(err).message).toContain(
      (err.cause as unknown as { details: string }).details,
    );
  });

  test.each([
    ['unavailable', grpc(14, 'connection refused')],
    ['an id in use', grpc(6, 'activity execution already started')],
    ['any other error', new Error('boom')],
  ])('is not mistaken for: %s', (_name, err) => {
    expect(isStandaloneUnsupported(err)).toBe(false);
  });
});

test('the keep-alive goes out at 80 % of the heartbeat timeout, never without one', () => {
  expect(keepaliveEveryMs(10 * 60_000)).toBe(8 * 60_000);
  expect(keepaliveEveryMs(3_000)).toBe(2_400);
  expect(keepaliveEveryMs(undefined)).toBeUndefined();
  expect(keepaliveEveryMs(0)).toBeUndefined();
});

test.each([
  [{ status: 'RUNNING', runState: 'STARTED', attempt: 1 }, false],
  [{ status: 'RUNNING', runState: 'CANCEL_REQUESTED', attempt: 1 }, true],
  [{ status: 'RUNNING', runState: 'PAUSE_REQUESTED', attempt: 1 }, true],
  [{ status: 'TERMINATED', runState: undefined, attempt: 1 }, true],
  [{ status: 'RUNNING', runState: 'SCHEDULED', attempt: 2 }, true],
])('attempt 1 stops for %j: %s', (view, stops) => {
  expect(attemptShouldStop(view, 1)).toBe(stops);
});
