import { CodikaError } from '../../../src/codika/errors';
import { type CodikaErrorKind } from '../../../src/shared/errors';
import type { MockFault } from '../../../src/testing/mock-codika/mock-scripts';
import { API_KEY, PI, clientFor, delayFault, rejectionOf, startMock, stopMocks } from '../../helpers/mock-fixture';

afterEach(stopMocks);

/** Starts a mock whose workflow `wf` answers the next trigger with `fault`, and returns the client's error. */
async function triggerError(fault: MockFault, timeoutMs?: number): Promise<CodikaError> {
  const mock = await startMock({ apiKey: API_KEY, scripts: { wf: { faults: { trigger: [fault] } } } });
  const err = await rejectionOf<CodikaError>(
    clientFor(mock, { timeoutMs }).trigger({ processInstanceId: PI, workflowId: 'wf' }),
  );
  expect(err).toBeInstanceOf(CodikaError);
  return err;
}

/** Triggers an execution of `wf`, then answers its next status request with `fault`; returns the client's error. */
async function statusError(fault: MockFault): Promise<CodikaError> {
  const mock = await startMock({ apiKey: API_KEY });
  const client = clientFor(mock);
  const { executionId } = await client.trigger({ processInstanceId: PI, workflowId: 'wf' });
  mock.injectFaults('wf', { status: [fault] });
  const err = await rejectionOf<CodikaError>(client.getStatus({ processInstanceId: PI, executionId }));
  expect(err).toBeInstanceOf(CodikaError);
  return err;
}

describe('HTTP error statuses', () => {
  test.each<[number, CodikaErrorKind, boolean]>([
    [400, 'bad_request', false],
    [403, 'auth', false],
    [409, 'conflict', true],
    [422, 'bad_request', false],
    [408, 'timeout', true],
    [500, 'server', true],
    [502, 'server', true],
    [503, 'server', true],
    [504, 'server', true],
  ])('status %i is reported as kind %s with retryable %s', async (status, kind, retryable) => {
    const err = await triggerError({ kind: 'http', status });

    expect(err.kind).toBe(kind);
    expect(err.status).toBe(status);
    expect(err.retryable).toBe(retryable);
    expect(err.request).toBe(`POST /webhook/${PI}/wf`);
    expect(err.message).toContain(`status ${status}`);
  });

  test('the status of an unknown executionId is a non-retryable not_found with status 404', async () => {
    const mock = await startMock({ apiKey: API_KEY });

    const err = await rejectionOf<CodikaError>(
      clientFor(mock).getStatus({ processInstanceId: PI, executionId: 'no-such-execution' }),
    );

    expect(err.kind).toBe('not_found');
    expect(err.status).toBe(404);
    expect(err.retryable).toBe(false);
    expect(err.request).toBe(`GET /status/${PI}/no-such-execution`);
    expect(err.body).toContain('not found');
  });

  test('an execution asked for under another process instance is not_found', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const client = clientFor(mock);
    const { executionId } = await client.trigger({ processInstanceId: PI, workflowId: 'wf' });

    const err = await rejectionOf<CodikaError>(client.getStatus({ processInstanceId: 'pi-other', executionId }));

    expect(err.kind).toBe('not_found');
  });

  test('an error status on the status endpoint carries the same kinds', async () => {
    const err = await statusError({ kind: 'http', status: 502 });

    expect(err.kind).toBe('server');
    expect(err.status).toBe(502);
    expect(err.retryable).toBe(true);
    expect(err.request).toMatch(/^GET \/status\/pi-test\//);
  });
});

describe('rate limiting and Retry-After', () => {
  test('429 with Retry-After in seconds is retryable rate_limited with retryAfterMs', async () => {
    const err = await triggerError({ kind: 'http', status: 429, retryAfter: 2 });

    expect(err.kind).toBe('rate_limited');
    expect(err.status).toBe(429);
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(2000);
  });

  test('429 with Retry-After as an HTTP date about 3 s ahead gives retryAfterMs of about 3000', async () => {
    // HTTP dates have whole seconds: aim at a whole second at least 3 s ahead.
    const target = Math.ceil((Date.now() + 3000) / 1000) * 1000;
    const err = await triggerError({ kind: 'http', status: 429, retryAfter: new Date(target).toUTCString() });
    const expected = target - Date.now();

    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBeGreaterThanOrEqual(2500);
    expect(err.retryAfterMs).toBeLessThanOrEqual(4000);
    expect(Math.abs(err.retryAfterMs! - expected)).toBeLessThan(500);
  });

  test('429 without Retry-After has no retryAfterMs', async () => {
    const err = await triggerError({ kind: 'http', status: 429 });

    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBeUndefined();
  });

  test('503 with Retry-After also carries retryAfterMs', async () => {
    const err = await triggerError({ kind: 'http', status: 503, retryAfter: 5 });

    expect(err.kind).toBe('server');
    expect(err.retryAfterMs).toBe(5000);
  });

  test('Retry-After on a non-retryable 400 is ignored', async () => {
    const err = await triggerError({ kind: 'http', status: 400, retryAfter: 5 });

    expect(err.kind).toBe('bad_request');
    expect(err.retryAfterMs).toBeUndefined();
  });
});

describe('transport failures', () => {
  test('a dropped connection is a retryable network error without a status', async () => {
    const err = await triggerError({ kind: 'drop' });

    expect(err.kind).toBe('network');
    expect(err.retryable).toBe(true);
    expect(err.status).toBeUndefined();
    expect(err.message).toContain('POST /webhook/pi-test/wf');
  });

  test('a response slower than timeoutMs is a retryable timeout, raised at the timeout', async () => {
    const started = Date.now();
    const err = await triggerError(delayFault(2000), 200);
    const elapsed = Date.now() - started;

    expect(err.kind).toBe('timeout');
    expect(err.retryable).toBe(true);
    expect(err.status).toBeUndefined();
    expect(err.message).toContain('200 ms');
    expect(elapsed).toBeLessThan(1500);
  });

  test('a slow response within timeoutMs succeeds', async () => {
    const mock = await startMock({
      apiKey: API_KEY,
      scripts: { wf: { faults: { trigger: [{ kind: 'delay', ms: 300 }] } } },
    });

    const result = await clientFor(mock, { timeoutMs: 2000 }).trigger({ processInstanceId: PI, workflowId: 'wf' });

    expect(mock.executions.has(result.executionId)).toBe(true);
  });

  test('an unreachable server is a retryable network error', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const client = clientFor(mock);
    await stopMocks();

    const err = await rejectionOf<CodikaError>(client.trigger({ processInstanceId: PI, workflowId: 'wf' }));

    expect(err.kind).toBe('network');
    expect(err.retryable).toBe(true);
  });
});

describe('protocol violations', () => {
  test('a 200 trigger response that is not JSON is a protocol error that is not retried: Codika may have started it', async () => {
    const err = await triggerError({ kind: 'malformed' });

    expect(err.kind).toBe('protocol');
    expect(err.status).toBe(200);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('not a JSON object');
    expect(err.message).toContain('may have started an execution');
  });

  test('a 200 trigger response without executionId or id is a protocol error', async () => {
    const err = await triggerError({ kind: 'missing_id' });

    expect(err.kind).toBe('protocol');
    expect(err.status).toBe(200);
    expect(err.message).toContain('no executionId or id');
    expect(err.retryable).toBe(false);
    expect(err.body).toContain('Execution started');
  });

  test('an HTML page answered with 200 is a protocol error quoting the page', async () => {
    const err = await triggerError({
      kind: 'http',
      status: 200,
      contentType: 'text/html',
      body: '<html><body>Maintenance</body></html>',
    });

    expect(err.kind).toBe('protocol');
    expect(err.status).toBe(200);
    expect(err.body).toContain('Maintenance');
  });

  test('a JSON array answered with 200 is a protocol error', async () => {
    const err = await triggerError({ kind: 'http', status: 200, body: '[{"executionId":"x"}]' });

    expect(err.kind).toBe('protocol');
  });

  test('a status body without an execution object is a protocol error', async () => {
    const err = await statusError({ kind: 'http', status: 200, body: '{"success":true}' });

    expect(err.kind).toBe('protocol');
    expect(err.status).toBe(200);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('without an execution object');
  });

  test('a malformed status body is a retryable protocol error: asking again is harmless', async () => {
    const err = await statusError({ kind: 'malformed' });

    expect(err.kind).toBe('protocol');
    expect(err.retryable).toBe(true);
  });
});
