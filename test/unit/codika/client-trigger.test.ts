import { API_KEY, PI, clientFor, onlyRequest, startMock, stopMocks } from '../../helpers/mock-fixture';

afterEach(stopMocks);

describe('trigger request', () => {
  test('posts the payload wrapped as {"payload": …} with a JSON content type', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const payload = { phone_numbers: ['32477123456'], message_content: 'Hello!', nested: { n: 1, ok: true } };

    const result = await clientFor(mock).trigger({
      processInstanceId: PI,
      workflowId: 'http-direct-messaging',
      payload,
    });

    const record = onlyRequest(mock);
    expect(record.method).toBe('POST');
    expect(record.endpoint).toBe('trigger');
    expect(record.path).toBe(`/webhook/${PI}/http-direct-messaging`);
    expect(record.headers['content-type']).toBe('application/json');
    expect(JSON.parse(record.body)).toEqual({ payload });
    expect(mock.executions.get(result.executionId)?.payload).toEqual(payload);
  });

  test('without a payload it sends {"payload": {}}', async () => {
    const mock = await startMock({ apiKey: API_KEY });

    await clientFor(mock).trigger({ processInstanceId: PI, workflowId: 'scheduled-report' });

    expect(onlyRequest(mock).body).toBe('{"payload":{}}');
  });

  test('a payload of {} is sent as {"payload": {}} too', async () => {
    const mock = await startMock({ apiKey: API_KEY });

    await clientFor(mock).trigger({ processInstanceId: PI, workflowId: 'scheduled-report', payload: {} });

    expect(onlyRequest(mock).body).toBe('{"payload":{}}');
  });

  test("returns the executionId and Codika's message", async () => {
    const mock = await startMock({ apiKey: API_KEY });

    const result = await clientFor(mock).trigger({ processInstanceId: PI, workflowId: 'wf' });

    expect(result).toEqual({ executionId: expect.any(String), message: 'Execution started' });
    expect([...mock.executions.keys()]).toEqual([result.executionId]);
  });

  test('falls back to the id field when the response has no executionId', async () => {
    const mock = await startMock({ apiKey: API_KEY, scripts: { wf: { idField: 'id' } } });

    const result = await clientFor(mock).trigger({ processInstanceId: PI, workflowId: 'wf' });

    expect([...mock.executions.keys()]).toEqual([result.executionId]);
  });

  test('sends the Idempotency-Key header when one is given', async () => {
    const mock = await startMock({ apiKey: API_KEY });

    await clientFor(mock).trigger({ processInstanceId: PI, workflowId: 'wf', idempotencyKey: 'key-123' });

    expect(onlyRequest(mock).headers['idempotency-key']).toBe('key-123');
  });

  test('sends no Idempotency-Key header when none is given', async () => {
    const mock = await startMock({ apiKey: API_KEY });

    await clientFor(mock).trigger({ processInstanceId: PI, workflowId: 'wf' });

    expect(onlyRequest(mock).headers).not.toHaveProperty('idempotency-key');
  });

  test('a retried trigger with the same Idempotency-Key returns the first execution, where Codika honours it', async () => {
    const mock = await startMock({ apiKey: API_KEY, honourIdempotencyKey: true });
    const client = clientFor(mock);

    const first = await client.trigger({ processInstanceId: PI, workflowId: 'wf', idempotencyKey: 'k' });
    const second = await client.trigger({ processInstanceId: PI, workflowId: 'wf', idempotencyKey: 'k' });

    expect(second.executionId).toBe(first.executionId);
    expect(mock.executions.size).toBe(1);
  });
});

describe('ids in the URL', () => {
  test('ids with every allowed character (letters, digits and . _ - : ~) reach Codika unchanged', async () => {
    const processInstanceId = 'pi_Org-2026.eu:prod~A';
    const workflowId = 'flux_v2.1-beta:x~y';
    const mock = await startMock({ apiKey: API_KEY });
    const client = clientFor(mock);

    const { executionId } = await client.trigger({ processInstanceId, workflowId, payload: { x: 1 } });
    const status = await client.getStatus({ processInstanceId, executionId });

    expect(status.status).toBe('success');
    const [trigger, poll] = mock.requests;
    expect(trigger).toMatchObject({ endpoint: 'trigger', processInstanceId, workflowId, query: {} });
    expect(poll).toMatchObject({ endpoint: 'status', processInstanceId, executionId });
    expect(mock.executions.get(executionId)).toMatchObject({ processInstanceId, workflowId });
  });

  test.each([
    ['? and #, which would cut the URL short', 'wf?x=1#frag', '"?"'],
    ['%, which would smuggle an escape', '%2F%2e%2E', '"%"'],
    ['@', 'pi@org', '"@"'],
    ['unicode', 'flux-ü', '"ü"'],
  ])('ids with %s are refused before any request', async (_label, id, found) => {
    const mock = await startMock({ apiKey: API_KEY });
    const err = await clientFor(mock)
      .trigger({ processInstanceId: PI, workflowId: id })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ field: 'workflowId' });
    expect((err as Error).message).toContain(`found ${found}`);
    expect(mock.requests).toHaveLength(0);
  });
});
