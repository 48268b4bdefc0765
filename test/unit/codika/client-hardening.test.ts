import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodikaClient } from '../../../src/codika/client';
import { CodikaError } from '../../../src/codika/errors';
import { CodikaValidationError } from '../../../src/shared/errors';
import { parseRetryAfter } from '../../../src/codika/retry-after';
import { API_KEY, PI, clientFor, rejectionOf, startMock, stopMocks } from '../../helpers/mock-fixture';

afterEach(stopMocks);

/** A plain server that records what reached it and answers with `answer`. */
async function listen(answer: (path: string) => { status: number; headers?: Record<string, string>; body?: string }) {
  const seen: { path: string; apiKey?: string }[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', apiKey: req.headers['x-api-key'] as string | undefined });
    const { status, headers, body } = answer(req.url ?? '');
    res.writeHead(status, headers);
    res.end(body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('does not follow a redirect, so the API key never reaches the host it points to', async () => {
  const elsewhere = await listen(() => ({ status: 200, body: '{"executionId":"stolen"}' }));
  const redirecting = await listen(() => ({ status: 307, headers: { Location: `${elsewhere.url}/steal` } }));
  try {
    const client = new CodikaClient({ baseUrl: redirecting.url, auth: { mode: 'header', apiKey: API_KEY } });
    const err = await rejectionOf<CodikaError>(client.trigger({ processInstanceId: PI, workflowId: 'wf' }));
    expect(err).toBeInstanceOf(CodikaError);
    expect(err).toMatchObject({ kind: 'bad_request', status: 307, retryable: false });
    expect(err.message).toMatch(/redirected.*check baseUrl/);
    expect(elsewhere.seen).toHaveLength(0);
  } finally {
    await elsewhere.close();
    await redirecting.close();
  }
});

test.each(['processInstanceId', 'workflowId'] as const)(
  'rejects "." as %s: URL parsing would drop the segment',
  async (field) => {
    const mock = await startMock({ apiKey: API_KEY });
    const request = { processInstanceId: PI, workflowId: 'wf', [field]: '.' };
    const err = await rejectionOf<CodikaValidationError>(clientFor(mock).trigger(request));
    expect(err).toBeInstanceOf(CodikaValidationError);
    expect(err.field).toBe(field);
    expect(mock.requests).toHaveLength(0);
  },
);

test.each(['http://codika.example/#x', 'http://codika.example?', 'http://codika.example/?a=1'])(
  'rejects a baseUrl with a query or fragment (%s): paths appended to it would go nowhere',
  (baseUrl) => {
    expect(() => new CodikaClient({ baseUrl, auth: { mode: 'header', apiKey: API_KEY } })).toThrow(/Invalid baseUrl/);
  },
);

test.each(['-1', 'soon 1', 'Tue 3', '1,5', 'tomorrow'])(
  'ignores a Retry-After that is neither seconds nor an HTTP date: %s',
  (value) => {
    expect(parseRetryAfter(value)).toBeUndefined();
  },
);

test('an execution object without a status is a protocol error, not an endless pending', async () => {
  const server = await listen(() => ({ status: 200, body: '{"execution":{}}' }));
  try {
    const client = new CodikaClient({ baseUrl: server.url, auth: { mode: 'header', apiKey: API_KEY } });
    const err = await rejectionOf<CodikaError>(client.getStatus({ processInstanceId: PI, executionId: 'e1' }));
    expect(err).toMatchObject({ kind: 'protocol', retryable: true });
    expect(err.message).toMatch(/no status/);
  } finally {
    await server.close();
  }
});

test('the mock answers 400 to a malformed percent-escape instead of hanging', async () => {
  const mock = await startMock({ apiKey: API_KEY });
  const response = await fetch(`${mock.url}/webhook/%E0%A4%A/wf`, {
    method: 'POST',
    headers: { 'X-API-Key': API_KEY },
    signal: AbortSignal.timeout(5_000),
  });
  expect(response.status).toBe(400);
});
