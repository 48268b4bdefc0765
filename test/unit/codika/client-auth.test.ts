import { Webhook } from 'standardwebhooks';
import { CodikaClient } from '../../../src/codika/client';
import { CodikaError } from '../../../src/codika/errors';
import {
  API_KEY,
  OTHER_KEY,
  PI,
  WEBHOOK_SECRET,
  clientFor,
  rejectionOf,
  startMock,
  stopMocks,
} from '../../helpers/mock-fixture';

afterEach(stopMocks);

describe('header auth', () => {
  test('sends the API key in the X-API-Key header and not in the URL', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const client = clientFor(mock, { auth: { mode: 'header', apiKey: API_KEY } });

    const { executionId } = await client.trigger({ processInstanceId: PI, workflowId: 'wf' });
    await client.getStatus({ processInstanceId: PI, executionId });

    expect(mock.requests).toHaveLength(2);
    for (const record of mock.requests) {
      expect(record.auth).toBe('header');
      expect(record.headers['x-api-key']).toBe(API_KEY);
      expect(record.query).not.toHaveProperty('api_key');
      expect(record.outcome).toBe(200);
    }
  });

  test('a wrong key is refused with a non-retryable auth error carrying status 401', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const client = clientFor(mock, { auth: { mode: 'header', apiKey: OTHER_KEY } });

    const err = await rejectionOf<CodikaError>(client.trigger({ processInstanceId: PI, workflowId: 'wf' }));

    expect(err).toBeInstanceOf(CodikaError);
    expect(err.kind).toBe('auth');
    expect(err.status).toBe(401);
    expect(err.retryable).toBe(false);
    expect(mock.executions.size).toBe(0);
  });
});

describe('query auth', () => {
  test('sends the API key as the api_key query parameter and no X-API-Key header', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const client = clientFor(mock, { auth: { mode: 'query', apiKey: API_KEY } });

    const { executionId } = await client.trigger({ processInstanceId: PI, workflowId: 'wf' });
    const status = await client.getStatus({ processInstanceId: PI, executionId });

    expect(status.status).toBe('success');
    for (const record of mock.requests) {
      expect(record.auth).toBe('query');
      expect(record.query.api_key).toBe(API_KEY);
      expect(record.headers['x-api-key']).toBeUndefined();
    }
  });

  test('a wrong key in the query is refused with kind auth', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const client = clientFor(mock, { auth: { mode: 'query', apiKey: OTHER_KEY } });

    const err = await rejectionOf<CodikaError>(client.trigger({ processInstanceId: PI, workflowId: 'wf' }));

    expect(err.kind).toBe('auth');
    expect(err.retryable).toBe(false);
  });
});

describe('signature auth', () => {
  test('signs trigger and status with Standard Webhooks headers the mock verifies', async () => {
    const mock = await startMock({ webhookSecret: WEBHOOK_SECRET });
    const client = clientFor(mock, { auth: { mode: 'signature', webhookSecret: WEBHOOK_SECRET } });

    const before = Math.floor(Date.now() / 1000);
    const { executionId } = await client.trigger({ processInstanceId: PI, workflowId: 'wf', payload: { a: 1 } });
    const status = await client.getStatus({ processInstanceId: PI, executionId });

    expect(status).toEqual({ status: 'success', resultData: { echo: { a: 1 } } });
    expect(mock.requests).toHaveLength(2);
    for (const record of mock.requests) {
      expect(record.auth).toBe('signature');
      expect(record.outcome).toBe(200);
      expect(record.headers['x-api-key']).toBeUndefined();
      expect(record.query).not.toHaveProperty('api_key');
      expect(record.headers['webhook-id']).toMatch(/^msg_/);
      expect(Number(record.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(before);
      expect(Number(record.headers['webhook-timestamp'])).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
      expect(record.headers['webhook-signature']).toMatch(/^v1,/);
    }
    // A fresh webhook-id per request, or the second one would be refused as a replay.
    expect(mock.requests[0].headers['webhook-id']).not.toBe(mock.requests[1].headers['webhook-id']);
  });

  test('the signature covers the exact body bytes sent', async () => {
    const mock = await startMock({ webhookSecret: WEBHOOK_SECRET });
    const client = clientFor(mock, { auth: { mode: 'signature', webhookSecret: WEBHOOK_SECRET } });

    await client.trigger({ processInstanceId: PI, workflowId: 'wf', payload: { text: 'héllo ✓' } });

    const record = mock.requests[0];
    const headers = {
      'webhook-id': String(record.headers['webhook-id']),
      'webhook-timestamp': String(record.headers['webhook-timestamp']),
      'webhook-signature': String(record.headers['webhook-signature']),
    };
    expect(() => new Webhook(WEBHOOK_SECRET).verify(record.body, headers)).not.toThrow();
    expect(() => new Webhook(WEBHOOK_SECRET).verify(record.body + ' ', headers)).toThrow();
  });

  test('a signature made with another secret is refused with kind auth', async () => {
    const mock = await startMock({ webhookSecret: WEBHOOK_SECRET });
    const otherSecret = 'whsec_' + Buffer.from('another-32-byte-secret-for-tests').toString('base64');
    const client = clientFor(mock, { auth: { mode: 'signature', webhookSecret: otherSecret } });

    const err = await rejectionOf<CodikaError>(client.trigger({ processInstanceId: PI, workflowId: 'wf' }));

    expect(err.kind).toBe('auth');
    expect(err.status).toBe(401);
    expect(err.retryable).toBe(false);
    expect(mock.executions.size).toBe(0);
  });
});

describe('per-instance keys', () => {
  const keys: Record<string, string> = { 'pi-a': API_KEY, 'pi-b': OTHER_KEY };

  test('an auth function picks the key of each process instance', async () => {
    const mock = await startMock({ apiKeys: keys });
    const client = new CodikaClient({ baseUrl: mock.url, auth: (pi) => ({ mode: 'header', apiKey: keys[pi] }) });

    const a = await client.trigger({ processInstanceId: 'pi-a', workflowId: 'wf' });
    const b = await client.trigger({ processInstanceId: 'pi-b', workflowId: 'wf' });
    await client.getStatus({ processInstanceId: 'pi-b', executionId: b.executionId });

    expect(mock.executions.get(a.executionId)?.processInstanceId).toBe('pi-a');
    expect(mock.executions.get(b.executionId)?.processInstanceId).toBe('pi-b');
    expect(mock.requests.map((r) => [r.processInstanceId, r.headers['x-api-key']])).toEqual([
      ['pi-a', API_KEY],
      ['pi-b', OTHER_KEY],
      ['pi-b', OTHER_KEY],
    ]);
  });

  test("another instance's key is refused with kind auth", async () => {
    const mock = await startMock({ apiKeys: keys });
    const client = new CodikaClient({ baseUrl: mock.url, auth: { mode: 'header', apiKey: keys['pi-a'] } });

    await expect(client.trigger({ processInstanceId: 'pi-a', workflowId: 'wf' })).resolves.toHaveProperty(
      'executionId',
    );
    const err = await rejectionOf<CodikaError>(client.trigger({ processInstanceId: 'pi-b', workflowId: 'wf' }));

    expect(err.kind).toBe('auth');
    expect(err.retryable).toBe(false);
    expect(mock.executionsOf('wf').map((e) => e.processInstanceId)).toEqual(['pi-a']);
  });
});
