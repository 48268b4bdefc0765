import { CancelledFailure } from '@temporalio/common';
import { createCodikaActivities, type CodikaActivitiesOptions } from '../../../src/activities/create-codika-activities';
import { CodikaValidationError } from '../../../src/shared/errors';
import { API_KEY, PI, WEBHOOK_SECRET, delayFault, rejectionOf, startMock, stopMocks } from '../../helpers/mock-fixture';
import { sleep } from '../../helpers/wait';
import { activityEnv } from '../../helpers/activity-env';

afterEach(stopMocks);

describe('while a request is in flight', () => {
  test('cancelling the activity aborts a hanging status request promptly, long before Codika would answer', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY });
    const { executionId } = await activityEnv().run(activities.triggerCodikaExecution, {
      processInstanceId: PI,
      workflowId: 'wf',
    });
    mock.injectFaults('wf', { status: [delayFault(5_000)] });
    const env = activityEnv();

    const started = Date.now();
    const running = env.run(activities.getCodikaExecutionStatus, { processInstanceId: PI, executionId });
    setTimeout(() => env.cancel(), 300);
    const err = await rejectionOf(running);
    const elapsed = Date.now() - started;

    expect(err).toBeInstanceOf(CancelledFailure);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
    expect(mock.requestsTo('status')).toHaveLength(1);
  });

  test('the activity heartbeats so that cancellation can reach it', async () => {
    const mock = await startMock({
      apiKey: API_KEY,
      scripts: { wf: { faults: { trigger: [{ kind: 'delay', ms: 2300 }] } } },
    });
    const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY });
    const env = activityEnv();
    let heartbeats = 0;
    env.on('heartbeat', () => heartbeats++);

    await env.run(activities.triggerCodikaExecution, { processInstanceId: PI, workflowId: 'wf' });

    expect(heartbeats).toBeGreaterThanOrEqual(1);
  });

  test('cancellation closes the connection: the mock never gets to answer it', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY });
    const { executionId } = await activityEnv().run(activities.triggerCodikaExecution, {
      processInstanceId: PI,
      workflowId: 'wf',
    });
    mock.injectFaults('wf', { status: [{ kind: 'delay', ms: 1200 }] });
    const env = activityEnv();

    const running = env.run(activities.getCodikaExecutionStatus, { processInstanceId: PI, executionId });
    setTimeout(() => env.cancel(), 200);
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    // Past the delay, the mock looks at the response: destroyed, so it writes nothing (outcome stays 0).
    // Had the connection stayed open, it would have answered 200.
    await sleep(1400);

    const [status] = mock.requestsTo('status');
    expect(status.outcome).toBe('closed');
  });
});

describe('createCodikaActivities checks its configuration at creation', () => {
  test.each<[string, CodikaActivitiesOptions, string]>([
    ['no credentials at all', {}, 'apiKey'],
    ['an empty apiKeys map and no apiKey', { apiKeys: {} }, 'apiKey'],
    ['header mode with only a webhook secret', { authMode: 'header', webhookSecret: WEBHOOK_SECRET }, 'apiKey'],
    ['signature mode without a secret', { authMode: 'signature', apiKey: API_KEY }, 'webhookSecret'],
    ['an unknown authMode', { authMode: 'bearer' as never, apiKey: API_KEY }, 'authMode'],
    ['a baseUrl that is not http(s)', { baseUrl: 'ftp://codika', apiKey: API_KEY }, 'baseUrl'],
    ['a non-positive request timeout', { apiKey: API_KEY, requestTimeoutMs: 0 }, 'timeoutMs'],
    [
      'a webhook secret that is not base64',
      { authMode: 'signature', webhookSecret: 'whsec_not base64!' },
      'webhookSecret',
    ],
    ['an API key with a trailing newline', { apiKey: `${API_KEY}\n` }, 'apiKey'],
    ['an instance key with a space', { apiKeys: { pi_a: 'ck one' } }, 'apiKeys["pi_a"]'],
  ])('throws CodikaValidationError for %s', (_label, options, field) => {
    let err: unknown;
    try {
      createCodikaActivities(options);
    } catch (e) {
      err = e;
    }

    expect(err).toBeInstanceOf(CodikaValidationError);
    expect((err as CodikaValidationError).field).toBe(field);
  });
});

describe('trigger and status activities', () => {
  test('triggerCodikaExecution starts an execution and returns its executionId', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY });

    const result = await activityEnv().run(activities.triggerCodikaExecution, {
      processInstanceId: PI,
      workflowId: 'wf',
      payload: { text_input: 'Hello' },
    });

    // runIndex tells the workflow it may index the run; with no search attributes given, it sets none.
    expect(result).toEqual({
      executionId: expect.any(String),
      message: 'Execution started',
      runIndex: { searchAttributes: [] },
    });
    expect(mock.executions.get(result.executionId)).toMatchObject({
      processInstanceId: PI,
      workflowId: 'wf',
      payload: { text_input: 'Hello' },
    });
    expect(mock.requests[0].headers['x-api-key']).toBe(API_KEY);
  });

  test('getCodikaExecutionStatus reports the execution outcome', async () => {
    const mock = await startMock({
      apiKey: API_KEY,
      scripts: { wf: { durationMs: Infinity, resultData: { total_sent: 2 } } },
    });
    const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY });
    const env = activityEnv();
    const { executionId } = await env.run(activities.triggerCodikaExecution, {
      processInstanceId: PI,
      workflowId: 'wf',
    });

    const pending = await env.run(activities.getCodikaExecutionStatus, { processInstanceId: PI, executionId });
    mock.finishNow(executionId);
    const done = await env.run(activities.getCodikaExecutionStatus, { processInstanceId: PI, executionId });

    expect(pending).toEqual({ status: 'pending' });
    expect(done).toEqual({ status: 'success', resultData: { total_sent: 2 } });
  });

  test('with only a webhook secret, requests are signed', async () => {
    const mock = await startMock({ webhookSecret: WEBHOOK_SECRET });
    const activities = createCodikaActivities({ baseUrl: mock.url, webhookSecret: WEBHOOK_SECRET });

    await activityEnv().run(activities.triggerCodikaExecution, { processInstanceId: PI, workflowId: 'wf' });

    expect(mock.requests[0]).toMatchObject({ auth: 'signature', outcome: 200 });
  });

  test('authMode query sends the key of the process instance in the query', async () => {
    const mock = await startMock({ apiKeys: { [PI]: API_KEY } });
    const activities = createCodikaActivities({ baseUrl: mock.url, authMode: 'query', apiKeys: { [PI]: API_KEY } });

    await activityEnv().run(activities.triggerCodikaExecution, { processInstanceId: PI, workflowId: 'wf' });

    expect(mock.requests[0]).toMatchObject({ auth: 'query', query: { api_key: API_KEY }, outcome: 200 });
  });
});

describe('Idempotency-Key of the trigger activity, when the workflow does not give one (runs recorded before it did)', () => {
  const info = { activityId: 'trigger-1', workflowExecution: { workflowId: 'order-42', runId: 'run-a' } };

  async function triggerWith(mockUrl: string, overrides: Partial<typeof info> & { attempt?: number }) {
    const activities = createCodikaActivities({ baseUrl: mockUrl, apiKey: API_KEY });
    return activityEnv({ ...info, ...overrides }).run(activities.triggerCodikaExecution, {
      processInstanceId: PI,
      workflowId: 'wf',
    });
  }

  test('is the same on every attempt of one activity, so a retried trigger reuses the execution', async () => {
    const mock = await startMock({ apiKey: API_KEY, honourIdempotencyKey: true });

    const first = await triggerWith(mock.url, { attempt: 1 });
    const retry = await triggerWith(mock.url, { attempt: 2 });

    const [k1, k2] = mock.requests.map((r) => r.headers['idempotency-key']);
    expect(k1).toMatch(/^codika-temporal-[0-9a-f]{40}$/);
    expect(k2).toBe(k1);
    expect(retry.executionId).toBe(first.executionId);
    expect(mock.executions.size).toBe(1);
  });

  test('differs for another activityId or another run of the workflow', async () => {
    const mock = await startMock({ apiKey: API_KEY, honourIdempotencyKey: true });

    await triggerWith(mock.url, {});
    await triggerWith(mock.url, { activityId: 'trigger-2' });
    await triggerWith(mock.url, { workflowExecution: { workflowId: 'order-42', runId: 'run-b' } });
    await triggerWith(mock.url, { workflowExecution: { workflowId: 'order-43', runId: 'run-a' } });

    const keys = mock.requests.map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(4);
    expect(mock.executions.size).toBe(4);
  });

  test('is the one the workflow gives, when it gives one', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const activities = createCodikaActivities({ baseUrl: mock.url, apiKey: API_KEY });

    await activityEnv(info).run(activities.triggerCodikaExecution, {
      processInstanceId: PI,
      workflowId: 'wf',
      idempotencyKey: 'codika-temporal-given-by-the-step',
    });

    expect(mock.requests[0].headers['idempotency-key']).toBe('codika-temporal-given-by-the-step');
  });

  test('does not carry the workflow id into the header', async () => {
    const mock = await startMock({ apiKey: API_KEY });

    await triggerWith(mock.url, { workflowExecution: { workflowId: 'customer-jane@example.com', runId: 'r' } });

    expect(String(mock.requests[0].headers['idempotency-key'])).not.toContain('jane');
  });
});
