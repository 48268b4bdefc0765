import { Webhook } from 'standardwebhooks';
import { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { MockFault } from '../../../src/testing/mock-codika/mock-scripts';
import { API_KEY, OTHER_KEY, WEBHOOK_SECRET, startMock, stopMocks } from '../../helpers/mock-fixture';
import { sleep } from '../../helpers/wait';

// Response bodies are asserted by shape with toEqual/toMatchObject, so they need no precise type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ResponseBody = Record<string, any>;

afterEach(stopMocks);

/** Raw HTTP against the mock, so these tests see its wire behaviour and not the client's. */
async function post(mock: MockCodikaServer, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(mock.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as ResponseBody };
}

async function get(mock: MockCodikaServer, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(mock.url + path, { headers });
  return { status: res.status, json: (await res.json()) as ResponseBody };
}

function signedHeaders(id: string, at: Date, body: string, secret = WEBHOOK_SECRET): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

const KEY = { 'X-API-Key': API_KEY };

describe('lifecycle', () => {
  test('url throws before start and is an http URL on 127.0.0.1 after', async () => {
    const mock = new MockCodikaServer();
    expect(() => mock.url).toThrow(/not started/);

    await mock.start();
    try {
      expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await mock.stop();
    }
  });

  test('after stop the port refuses connections, and stopping twice is harmless', async () => {
    const mock = await startMock();
    const url = mock.url;
    await mock.stop();
    await mock.stop();

    await expect(fetch(`${url}/status/pi/x`)).rejects.toThrow();
  });
});

describe('signature verification', () => {
  test('a correctly signed trigger is accepted and recorded as signature auth', async () => {
    const mock = await startMock({ webhookSecret: WEBHOOK_SECRET });
    const body = JSON.stringify({ payload: { a: 1 } });

    const res = await post(mock, '/webhook/pi/wf', body, signedHeaders('msg_ok', new Date(), body));

    expect(res.status).toBe(200);
    expect(mock.requests[0].auth).toBe('signature');
    expect(mock.executions.size).toBe(1);
  });

  test('a signature with a timestamp 10 minutes old is rejected', async () => {
    const mock = await startMock({ webhookSecret: WEBHOOK_SECRET });
    const body = JSON.stringify({ payload: {} });
    const old = new Date(Date.now() - 10 * 60_000);

    const res = await post(mock, '/webhook/pi/wf', body, signedHeaders('msg_stale', old, body));

    expect(res.status).toBe(401);
    expect(res.json.error).toMatch(/timestamp/i);
    expect(mock.executions.size).toBe(0);
    expect(mock.requests[0]).toMatchObject({ auth: 'signature', outcome: 401 });
  });

  test('a replayed webhook-id is rejected the second time', async () => {
    const mock = await startMock({ webhookSecret: WEBHOOK_SECRET });
    const body = JSON.stringify({ payload: {} });
    const headers = signedHeaders('msg_replayed', new Date(), body);

    const first = await post(mock, '/webhook/pi/wf', body, headers);
    const second = await post(mock, '/webhook/pi/wf', body, headers);

    expect(first.status).toBe(200);
    expect(second.status).toBe(401);
    expect(second.json.error).toContain('Replayed webhook-id msg_replayed');
    expect(mock.executions.size).toBe(1);
  });

  test('a signature over a different body is rejected', async () => {
    const mock = await startMock({ webhookSecret: WEBHOOK_SECRET });
    const headers = signedHeaders('msg_tampered', new Date(), JSON.stringify({ payload: { amount: 1 } }));

    const res = await post(mock, '/webhook/pi/wf', { payload: { amount: 1000 } }, headers);

    expect(res.status).toBe(401);
    expect(res.json.error).toMatch(/Invalid webhook signature/);
    expect(mock.executions.size).toBe(0);
  });

  test('a signature with another secret is rejected', async () => {
    const mock = await startMock({ webhookSecret: WEBHOOK_SECRET });
    const body = '{}';
    const otherSecret = 'whsec_' + Buffer.from('another-32-byte-secret-for-tests').toString('base64');

    const res = await post(mock, '/webhook/pi/wf', body, signedHeaders('msg_other', new Date(), body, otherSecret));

    expect(res.status).toBe(401);
  });

  test('a signed request is refused when the mock only accepts API keys', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const body = '{}';

    const res = await post(mock, '/webhook/pi/wf', body, signedHeaders('msg_x', new Date(), body));

    expect(res.status).toBe(401);
    expect(res.json.error).toMatch(/not enabled/);
  });
});

describe('API keys', () => {
  test('without any configured credential every request is accepted', async () => {
    const mock = await startMock();

    const res = await post(mock, '/webhook/pi/wf', { payload: {} });

    expect(res.status).toBe(200);
    expect(mock.requests[0].auth).toBe('none');
  });

  test('a missing key is refused with 401', async () => {
    const mock = await startMock({ apiKey: API_KEY });

    const res = await post(mock, '/webhook/pi/wf', { payload: {} });

    expect(res).toMatchObject({ status: 401, json: { success: false, error: 'Missing API key' } });
  });

  test('the key is accepted in the header or the api_key query parameter', async () => {
    const mock = await startMock({ apiKey: API_KEY });

    const header = await post(mock, '/webhook/pi/wf', { payload: {} }, KEY);
    const query = await post(mock, `/webhook/pi/wf?api_key=${API_KEY}`, { payload: {} });

    expect([header.status, query.status]).toEqual([200, 200]);
    expect(mock.requests.map((r) => r.auth)).toEqual(['header', 'query']);
  });

  test('an instance listed in apiKeys accepts only its own key, others take the default', async () => {
    const mock = await startMock({ apiKey: API_KEY, apiKeys: { 'pi-own': OTHER_KEY } });

    const defaultOnOwn = await post(mock, '/webhook/pi-own/wf', { payload: {} }, KEY);
    const ownOnOwn = await post(mock, '/webhook/pi-own/wf', { payload: {} }, { 'X-API-Key': OTHER_KEY });
    const defaultElsewhere = await post(mock, '/webhook/pi-any/wf', { payload: {} }, KEY);
    const ownElsewhere = await post(mock, '/webhook/pi-any/wf', { payload: {} }, { 'X-API-Key': OTHER_KEY });

    expect([defaultOnOwn.status, ownOnOwn.status, defaultElsewhere.status, ownElsewhere.status]).toEqual([
      401, 200, 200, 401,
    ]);
  });
});

describe('Idempotency-Key', () => {
  test('is ignored by default, as Codika documents no such header: the same key starts two executions', async () => {
    const mock = await startMock();

    const a = await post(mock, '/webhook/pi/wf', {}, { 'Idempotency-Key': 'k1' });
    const b = await post(mock, '/webhook/pi/wf', {}, { 'Idempotency-Key': 'k1' });

    expect(b.json.executionId).not.toBe(a.json.executionId);
    expect(mock.executions.size).toBe(2);
  });

  test('honoured on request: the same key returns the same executionId and starts one execution', async () => {
    const mock = await startMock({ honourIdempotencyKey: true });

    const a = await post(mock, '/webhook/pi/wf', { payload: { n: 1 } }, { 'Idempotency-Key': 'k1' });
    const b = await post(mock, '/webhook/pi/wf', { payload: { n: 2 } }, { 'Idempotency-Key': 'k1' });
    const c = await post(mock, '/webhook/pi/wf', { payload: { n: 3 } }, { 'Idempotency-Key': 'k2' });

    expect(b.json.executionId).toBe(a.json.executionId);
    expect(c.json.executionId).not.toBe(a.json.executionId);
    expect(mock.executions.size).toBe(2);
    expect(mock.executions.get(a.json.executionId)?.payload).toEqual({ n: 1 });
  });

  test('honoured, a repeated key is answered 409 while its first request is still being answered', async () => {
    const mock = await startMock({
      honourIdempotencyKey: true,
      scripts: { wf: { faults: { trigger: [{ kind: 'delay', ms: 500, strikes: 'after' }] } } },
    });

    const first = post(mock, '/webhook/pi/wf', {}, { 'Idempotency-Key': 'k1' });
    await sleep(100);
    const meanwhile = await post(mock, '/webhook/pi/wf', {}, { 'Idempotency-Key': 'k1' });
    const answered = await first;
    const later = await post(mock, '/webhook/pi/wf', {}, { 'Idempotency-Key': 'k1' });

    expect(meanwhile.status).toBe(409);
    expect(meanwhile.headers.get('retry-after')).toBe('1');
    expect(answered.status).toBe(200);
    expect(later.json.executionId).toBe(answered.json.executionId);
    expect(mock.executions.size).toBe(1);
  });

  test('the key is scoped to one process instance and workflow', async () => {
    const mock = await startMock({ honourIdempotencyKey: true });

    const a = await post(mock, '/webhook/pi/wf', {}, { 'Idempotency-Key': 'k' });
    const otherWorkflow = await post(mock, '/webhook/pi/wf2', {}, { 'Idempotency-Key': 'k' });
    const otherInstance = await post(mock, '/webhook/pi2/wf', {}, { 'Idempotency-Key': 'k' });

    expect(new Set([a.json.executionId, otherWorkflow.json.executionId, otherInstance.json.executionId]).size).toBe(3);
  });
});

describe('scripted executions', () => {
  test('an execution is pending during durationMs and succeeds after it', async () => {
    const mock = await startMock({ scripts: { wf: { durationMs: 400, resultData: { ok: true } } } });
    const { json } = await post(mock, '/webhook/pi/wf', { payload: {} });

    const before = await get(mock, `/status/pi/${json.executionId}`);
    await sleep(500);
    const after = await get(mock, `/status/pi/${json.executionId}`);

    expect(before.json).toEqual({ execution: { status: 'pending' } });
    expect(after.json).toEqual({ execution: { status: 'success', resultData: { ok: true } } });
  });

  test('the default script succeeds at once echoing the payload', async () => {
    const mock = await startMock();
    const { json } = await post(mock, '/webhook/pi/any-workflow', { payload: { hello: 'world' } });

    const status = await get(mock, `/status/pi/${json.executionId}`);

    expect(json).toEqual({ success: true, executionId: expect.any(String), message: 'Execution started' });
    expect(status.json).toEqual({ execution: { status: 'success', resultData: { echo: { hello: 'world' } } } });
  });

  test('a body without the payload wrapper is passed through as the payload', async () => {
    const mock = await startMock();
    const { json } = await post(mock, '/webhook/pi/wf', { text_input: 'Hello world' });

    expect(mock.executions.get(json.executionId)?.payload).toEqual({ text_input: 'Hello world' });
  });

  test('a trigger body that is not JSON is refused with 400', async () => {
    const mock = await startMock();

    const res = await post(mock, '/webhook/pi/wf', '{not json');

    expect(res.status).toBe(400);
    expect(mock.executions.size).toBe(0);
  });

  test('defaultScript applies to workflows without a script', async () => {
    const mock = await startMock({ defaultScript: { failWith: 'default failure' }, scripts: { special: {} } });
    const plain = await post(mock, '/webhook/pi/plain', {});
    const special = await post(mock, '/webhook/pi/special', {});

    expect((await get(mock, `/status/pi/${plain.json.executionId}`)).json.execution.status).toBe('failed');
    expect((await get(mock, `/status/pi/${special.json.executionId}`)).json.execution.status).toBe('success');
  });

  test('failWith ends the execution failed with that errorDetails.message', async () => {
    const mock = await startMock({ scripts: { wf: { failWith: 'Quota exceeded' } } });
    const { json } = await post(mock, '/webhook/pi/wf', {});

    const status = await get(mock, `/status/pi/${json.executionId}`);

    expect(status.json).toEqual({ execution: { status: 'failed', errorDetails: { message: 'Quota exceeded' } } });
  });

  test('failWithoutMessage ends the execution failed with no errorDetails', async () => {
    const mock = await startMock({ scripts: { wf: { failWithoutMessage: true } } });
    const { json } = await post(mock, '/webhook/pi/wf', {});

    expect((await get(mock, `/status/pi/${json.executionId}`)).json).toEqual({ execution: { status: 'failed' } });
  });

  test('finishNow ends an execution that would never finish', async () => {
    const mock = await startMock({ scripts: { wf: { durationMs: Infinity, resultData: 'done' } } });
    const { json } = await post(mock, '/webhook/pi/wf', {});

    const before = await get(mock, `/status/pi/${json.executionId}`);
    mock.finishNow(json.executionId);
    const after = await get(mock, `/status/pi/${json.executionId}`);

    expect(before.json.execution.status).toBe('pending');
    expect(after.json).toEqual({ execution: { status: 'success', resultData: 'done' } });
  });

  test('finishNow throws for an unknown execution', async () => {
    const mock = await startMock();

    expect(() => mock.finishNow('nope')).toThrow(/no execution nope/);
  });

  test('status for an execution under another process instance is 404', async () => {
    const mock = await startMock();
    const { json } = await post(mock, '/webhook/pi/wf', {});

    const res = await get(mock, `/status/other-pi/${json.executionId}`);

    expect(res.status).toBe(404);
  });
});

describe('status lag (notFoundChecks)', () => {
  test('the first N status checks are answered 404 exactly as for an unknown execution, then normally', async () => {
    const mock = await startMock({ scripts: { wf: { notFoundChecks: 2, durationMs: Infinity, resultData: 'done' } } });
    const { json } = await post(mock, '/webhook/pi/wf', {});
    const id = json.executionId;

    const unknown = await get(mock, '/status/pi/no-such-execution');
    const first = await get(mock, `/status/pi/${id}`);
    const second = await get(mock, `/status/pi/${id}`);
    const third = await get(mock, `/status/pi/${id}`);
    mock.finishNow(id);
    const fourth = await get(mock, `/status/pi/${id}`);

    expect(unknown).toEqual({ status: 404, json: { success: false, error: 'Execution no-such-execution not found' } });
    expect(first).toEqual({ status: 404, json: { success: false, error: `Execution ${id} not found` } });
    expect(second).toEqual(first);
    expect(third).toEqual({ status: 200, json: { execution: { status: 'pending' } } });
    expect(fourth).toEqual({ status: 200, json: { execution: { status: 'success', resultData: 'done' } } });
    expect(mock.executions.get(id)?.statusChecks).toBe(4);
    expect(mock.requestsTo('status', 'wf').map((r) => r.outcome)).toEqual([404, 404, 200, 200]);
  });

  test('the checks are counted per execution', async () => {
    const mock = await startMock({ scripts: { wf: { notFoundChecks: 2 } } });
    const a = (await post(mock, '/webhook/pi/wf', { payload: { n: 1 } })).json.executionId;
    const statusOf = async (id: string) => (await get(mock, `/status/pi/${id}`)).status;

    const a1 = await statusOf(a);
    const a2 = await statusOf(a);
    const b = (await post(mock, '/webhook/pi/wf', { payload: { n: 2 } })).json.executionId;
    const b1 = await statusOf(b);
    const a3 = await statusOf(a);
    const b2 = await statusOf(b);
    const b3 = await statusOf(b);

    expect([a1, a2, a3]).toEqual([404, 404, 200]);
    expect([b1, b2, b3]).toEqual([404, 404, 200]);
    expect([mock.executions.get(a)?.statusChecks, mock.executions.get(b)?.statusChecks]).toEqual([3, 3]);
  });

  test('an unknown execution stays 404, and a check under another process instance does not count', async () => {
    const mock = await startMock({ scripts: { wf: { notFoundChecks: 1 } } });
    const { json } = await post(mock, '/webhook/pi/wf', {});

    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) unknown.push((await get(mock, '/status/pi/unknown')).status);
    const elsewhere = await get(mock, `/status/other-pi/${json.executionId}`);
    const lagging = await get(mock, `/status/pi/${json.executionId}`);
    const visible = await get(mock, `/status/pi/${json.executionId}`);

    expect(unknown).toEqual([404, 404, 404, 404, 404]);
    expect([elsewhere.status, lagging.status, visible.status]).toEqual([404, 404, 200]);
    expect(mock.executions.get(json.executionId)?.statusChecks).toBe(2);
  });

  test('checks refused for auth or answered by an injected fault do not count', async () => {
    const mock = await startMock({
      apiKey: API_KEY,
      scripts: { wf: { notFoundChecks: 1, faults: { status: [{ kind: 'http', status: 503 }] } } },
    });
    const { json } = await post(mock, '/webhook/pi/wf', {}, KEY);
    const path = `/status/pi/${json.executionId}`;

    const refused = await get(mock, path);
    const faulted = await get(mock, path, KEY);
    const lagging = await get(mock, path, KEY);
    const visible = await get(mock, path, KEY);

    expect([refused.status, faulted.status, lagging.status, visible.status]).toEqual([401, 503, 404, 200]);
    expect(mock.executions.get(json.executionId)?.statusChecks).toBe(2);
  });

  test('without notFoundChecks the first check already finds the execution', async () => {
    const mock = await startMock();
    const { json } = await post(mock, '/webhook/pi/wf', {});

    expect((await get(mock, `/status/pi/${json.executionId}`)).status).toBe(200);
  });
});

describe('large results (resultBytes)', () => {
  test.each([1, 1_000, 3 * 1024 * 1024])(
    'resultBytes %i gives a resultData of about that many bytes with a small summary',
    async (bytes) => {
      const mock = await startMock({ scripts: { wf: { resultBytes: bytes } } });
      const { json } = await post(mock, '/webhook/pi/wf', {});

      const first = await get(mock, `/status/pi/${json.executionId}`);
      const again = await get(mock, `/status/pi/${json.executionId}`);

      const { status, resultData } = first.json.execution;
      expect(status).toBe('success');
      const size = Buffer.byteLength(JSON.stringify(resultData));
      expect(size).toBeGreaterThanOrEqual(bytes);
      expect(size).toBeLessThanOrEqual(bytes + 64);
      expect(resultData.summary).toEqual({ ok: true, bytes });
      expect(Buffer.byteLength(JSON.stringify(resultData.summary))).toBeLessThan(64);
      expect(typeof resultData.blob).toBe('string');
      expect(again.json).toEqual(first.json);
    },
  );

  test('executions of the same size get the same result', async () => {
    const mock = await startMock({ scripts: { wf: { resultBytes: 5_000 } } });
    const a = (await post(mock, '/webhook/pi/wf', { payload: { n: 1 } })).json.executionId;
    const b = (await post(mock, '/webhook/pi/wf', { payload: { n: 2 } })).json.executionId;

    const [ra, rb] = [await get(mock, `/status/pi/${a}`), await get(mock, `/status/pi/${b}`)];

    expect(rb.json).toEqual(ra.json);
    expect(Buffer.byteLength(JSON.stringify(ra.json.execution.resultData))).toBe(5_000);
  });

  test('resultBytes with a failing script still fails', async () => {
    const mock = await startMock({ scripts: { wf: { resultBytes: 1_000, failWith: 'boom' } } });
    const { json } = await post(mock, '/webhook/pi/wf', {});

    expect((await get(mock, `/status/pi/${json.executionId}`)).json).toEqual({
      execution: { status: 'failed', errorDetails: { message: 'boom' } },
    });
  });

  test('resultBytes together with resultData is refused when the script is set', () => {
    const both = { resultData: { ok: true }, resultBytes: 100 };

    expect(() => new MockCodikaServer({ scripts: { wf: both } })).toThrow(/both resultData and resultBytes/);
    expect(() => new MockCodikaServer({ defaultScript: both })).toThrow(/both resultData and resultBytes/);
    expect(() => new MockCodikaServer().script('wf', both)).toThrow(/both resultData and resultBytes/);
  });

  test('a resultBytes or notFoundChecks that is not a whole number of at least 0 is refused', () => {
    const mock = new MockCodikaServer();

    expect(() => mock.script('wf', { resultBytes: -1 })).toThrow(RangeError);
    expect(() => mock.script('wf', { resultBytes: 1.5 })).toThrow(/resultBytes 1.5/);
    expect(() => mock.script('wf', { notFoundChecks: -1 })).toThrow(/notFoundChecks -1/);
    expect(() => mock.script('wf', { notFoundChecks: Number.NaN })).toThrow(RangeError);
    expect(() => mock.script('wf', { notFoundChecks: Infinity, resultBytes: 0 })).not.toThrow();
  });
});

describe('faults', () => {
  test('trigger faults are consumed in order, then responses are normal', async () => {
    const mock = await startMock({
      scripts: {
        wf: {
          faults: {
            trigger: [
              { kind: 'http', status: 503, retryAfter: 4 },
              { kind: 'drop' },
              { kind: 'malformed' },
              { kind: 'missing_id' },
            ],
          },
        },
      },
    });

    const r1 = await fetch(`${mock.url}/webhook/pi/wf`, { method: 'POST', body: '{}' });
    const r2 = await fetch(`${mock.url}/webhook/pi/wf`, { method: 'POST', body: '{}' }).then(
      () => 'answered',
      () => 'dropped',
    );
    const r3 = await fetch(`${mock.url}/webhook/pi/wf`, { method: 'POST', body: '{}' });
    const r4 = await post(mock, '/webhook/pi/wf', {});
    const r5 = await post(mock, '/webhook/pi/wf', {});

    expect(r1.status).toBe(503);
    expect(r1.headers.get('retry-after')).toBe('4');
    expect(r2).toBe('dropped');
    expect(r3.status).toBe(200);
    await expect(r3.json()).rejects.toThrow();
    expect(r4.json).toEqual({ success: true, message: 'Execution started' });
    expect(r5.json.executionId).toEqual(expect.any(String));
    expect(mock.requests.map((r) => r.outcome)).toEqual([503, 'dropped', 200, 200, 200]);
    expect(mock.executions.size).toBe(1);
  });

  test('times repeats a fault', async () => {
    const mock = await startMock({
      scripts: { wf: { faults: { trigger: [{ kind: 'http', status: 500, times: 3 }] } } },
    });

    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(mock, '/webhook/pi/wf', {})).status);

    expect(statuses).toEqual([500, 500, 500, 200]);
  });

  test('an http fault answers with its body, content type and status', async () => {
    const mock = await startMock({
      scripts: {
        wf: {
          faults: { trigger: [{ kind: 'http', status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' }] },
        },
      },
    });

    const res = await fetch(`${mock.url}/webhook/pi/wf`, { method: 'POST', body: '{}' });

    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(await res.text()).toBe('<h1>Bad gateway</h1>');
  });

  test('status faults apply to the workflow of the execution asked about', async () => {
    const mock = await startMock();
    const { json } = await post(mock, '/webhook/pi/wf', {});
    const other = await post(mock, '/webhook/pi/other', {});
    mock.injectFaults('wf', {
      status: [
        { kind: 'status_value', value: 'running' },
        { kind: 'http', status: 429 },
      ],
    });

    const otherStatus = await get(mock, `/status/pi/${other.json.executionId}`);
    const s1 = await get(mock, `/status/pi/${json.executionId}`);
    const s2 = await get(mock, `/status/pi/${json.executionId}`);
    const s3 = await get(mock, `/status/pi/${json.executionId}`);

    expect(otherStatus.json.execution.status).toBe('success');
    expect(s1.json).toEqual({ execution: { status: 'running' } });
    expect(s2.status).toBe(429);
    expect(s3.json.execution.status).toBe('success');
  });

  test('a delay fault holds the response for its duration', async () => {
    const mock = await startMock({ scripts: { wf: { faults: { trigger: [{ kind: 'delay', ms: 400 }] } } } });

    const started = Date.now();
    const res = await post(mock, '/webhook/pi/wf', {});

    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(res.status).toBe(200);
  });

  test('injectFaults appends after the scripted faults', async () => {
    const mock = await startMock({ scripts: { wf: { faults: { trigger: [{ kind: 'http', status: 500 }] } } } });
    mock.injectFaults('wf', { trigger: [{ kind: 'http', status: 429 }] });

    const statuses = [(await post(mock, '/webhook/pi/wf', {})).status, (await post(mock, '/webhook/pi/wf', {})).status];

    expect(statuses).toEqual([500, 429]);
  });

  test('script() replaces the fault queues of a workflow', async () => {
    const mock = await startMock({ scripts: { wf: { faults: { trigger: [{ kind: 'http', status: 500 }] } } } });
    mock.script('wf', {});

    expect((await post(mock, '/webhook/pi/wf', {})).status).toBe(200);
  });

  test('a request refused for auth does not consume a fault', async () => {
    const mock = await startMock({
      apiKey: API_KEY,
      scripts: { wf: { faults: { trigger: [{ kind: 'http', status: 503 }] } } },
    });

    const refused = await post(mock, '/webhook/pi/wf', {});
    const faulted = await post(mock, '/webhook/pi/wf', {}, KEY);

    expect([refused.status, faulted.status]).toEqual([401, 503]);
  });

  test('a delay striking after acceptance starts the execution at once and answers only after its delay', async () => {
    const mock = await startMock({
      scripts: { wf: { faults: { trigger: [{ kind: 'delay', ms: 400, strikes: 'after' }] } } },
    });

    const sent = Date.now();
    const answer = post(mock, '/webhook/pi/wf', {});
    await sleep(100);
    expect(mock.executionsOf('wf')).toHaveLength(1);
    expect(mock.requestsTo('trigger')[0].outcome).toBe(0);
    const { status, json } = await answer;

    expect(status).toBe(200);
    expect(json.executionId).toBe(mock.executionsOf('wf')[0].executionId);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(390);
  });

  test.each<[string, Exclude<MockFault, { kind: 'status_value' }>]>([
    ['HTTP 500', { kind: 'http', status: 500 }],
    ['HTTP 502', { kind: 'http', status: 502 }],
    ['HTTP 504', { kind: 'http', status: 504 }],
    ['a reset', { kind: 'drop' }],
    ['an unreadable 200', { kind: 'malformed' }],
    ['a 200 without executionId', { kind: 'missing_id' }],
  ])('%s strikes before the execution is created by default, or after it when told', async (_label, fault) => {
    const mock = await startMock({
      scripts: {
        before: { faults: { trigger: [fault] } },
        after: { faults: { trigger: [{ ...fault, strikes: 'after' }] } },
      },
    });
    const attempt = (workflowId: string) =>
      fetch(`${mock.url}/webhook/pi/${workflowId}`, { method: 'POST', body: '{}' }).then(
        async (res) => `${res.status} ${await res.text()}`,
        () => 'no answer',
      );

    const before = await attempt('before');
    const after = await attempt('after');

    expect(after).toBe(before); // the client sees the same either way
    expect(before).not.toContain('"executionId":"');
    expect(mock.executionsOf('before')).toHaveLength(0);
    expect(mock.executionsOf('after')).toHaveLength(1);
    expect(mock.requestsTo('trigger', 'after')[0]!.executionId).toBe(mock.executionsOf('after')[0]!.executionId);
  });

  test('random trigger faults that a gateway can send after acceptance strike on both sides; 503 and 429 only before', async () => {
    const mock = await startMock({ randomFaults: { rate: 1, seed: 7 } });
    for (let i = 0; i < 120; i++)
      await fetch(`${mock.url}/webhook/pi/wf`, { method: 'POST', body: '{}' }).catch(() => 'dropped');

    const faults = mock.requestsTo('trigger').map((r) => r.fault!);
    const after = faults.filter((f) => 'strikes' in f && f.strikes === 'after');
    expect(faults).toHaveLength(120);
    expect(after.length).toBeGreaterThan(20);
    expect(after.length).toBeLessThan(faults.length - 20);
    expect(after.every((f) => f.kind === 'drop' || (f.kind === 'http' && [500, 502, 504].includes(f.status)))).toBe(
      true,
    );
    // Exactly the faults that struck after acceptance left an execution behind.
    expect(mock.executions.size).toBe(after.length);
  });

  test("random faults with strikes 'before' never leave an execution behind", async () => {
    const mock = await startMock({ randomFaults: { rate: 1, seed: 7, strikes: 'before' } });
    for (let i = 0; i < 40; i++)
      await fetch(`${mock.url}/webhook/pi/wf`, { method: 'POST', body: '{}' }).catch(() => 'dropped');

    expect(mock.executions.size).toBe(0);
  });

  test('random faults hit about the share asked for, only transient kinds, and the same seed repeats them', async () => {
    const faultsOf = async (seed: number) => {
      const mock = await startMock({ randomFaults: { rate: 0.2, seed } });
      const { executionId } = (await post(mock, '/webhook/pi/wf', {})).json;
      for (let i = 0; i < 200; i++)
        await fetch(`${mock.url}/status/pi/${executionId ?? 'none'}`).catch(() => 'dropped');
      return mock.requests.map((r) => (r.fault ? `${r.fault.kind}:${'status' in r.fault ? r.fault.status : ''}` : '-'));
    };
    // A seed whose first trigger is answered normally, so every status call has a real execution.
    const first = await faultsOf(3);
    const again = await faultsOf(3);
    const other = await faultsOf(4);

    expect(first[0]).toBe('-');
    const share = first.filter((f) => f !== '-').length / first.length;
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.3);
    expect(new Set(first.filter((f) => f !== '-'))).toEqual(
      new Set(['http:500', 'http:502', 'http:503', 'http:504', 'http:429', 'drop:']),
    );
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  test('a random fault rate outside 0..1 is refused', () => {
    expect(() => new MockCodikaServer({ randomFaults: { rate: 10 } })).toThrow(
      /randomFaults.rate must be between 0 and 1/,
    );
  });
});

describe('request records', () => {
  test('records endpoint, ids, headers, query, body and outcome', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    const trigger = await post(
      mock,
      '/webhook/pi%40x/wf?trace=1',
      { payload: { a: 1 } },
      { ...KEY, 'Idempotency-Key': 'idem' },
    );
    await get(mock, `/status/pi%40x/${trigger.json.executionId}`, KEY);
    await get(mock, '/status/pi/unknown', KEY);
    await get(mock, '/nowhere');

    const [t, s, unknown, other] = mock.requests;
    expect(t).toMatchObject({
      method: 'POST',
      endpoint: 'trigger',
      path: '/webhook/pi%40x/wf',
      processInstanceId: 'pi@x',
      workflowId: 'wf',
      executionId: trigger.json.executionId,
      query: { trace: '1' },
      body: '{"payload":{"a":1}}',
      auth: 'header',
      outcome: 200,
    });
    expect(t.headers['idempotency-key']).toBe('idem');
    expect(s).toMatchObject({
      method: 'GET',
      endpoint: 'status',
      processInstanceId: 'pi@x',
      workflowId: 'wf',
      executionId: trigger.json.executionId,
      outcome: 200,
    });
    expect(unknown).toMatchObject({ endpoint: 'status', executionId: 'unknown', workflowId: undefined, outcome: 404 });
    expect(other).toMatchObject({ endpoint: 'other', path: '/nowhere', outcome: 404 });
    expect(mock.requestsTo('trigger')).toEqual([t]);
    expect(mock.requestsTo('status', 'wf')).toEqual([s]);
  });

  test('a dropped request is recorded with outcome dropped', async () => {
    const mock = await startMock({ scripts: { wf: { faults: { trigger: [{ kind: 'drop' }] } } } });

    await expect(fetch(`${mock.url}/webhook/pi/wf`, { method: 'POST', body: '{}' })).rejects.toThrow();

    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]).toMatchObject({ endpoint: 'trigger', workflowId: 'wf', outcome: 'dropped' });
    expect(mock.executions.size).toBe(0);
  });

  test('requestTimes gives the arrival times of one endpoint, optionally for one execution, in order', async () => {
    const mock = await startMock();
    const a = (await post(mock, '/webhook/pi/wf', { payload: { n: 1 } })).json.executionId;
    await get(mock, `/status/pi/${a}`);
    await sleep(5);
    const b = (await post(mock, '/webhook/pi/wf', { payload: { n: 2 } })).json.executionId;
    await get(mock, `/status/pi/${b}`);
    await sleep(5);
    await get(mock, `/status/pi/${a}`);
    await get(mock, '/status/pi/unknown');
    const atOf = (filter: (r: (typeof mock.requests)[number]) => boolean) =>
      mock.requests.filter(filter).map((r) => r.at);

    const triggers = mock.requestTimes('trigger');
    const statuses = mock.requestTimes('status');
    const ofA = mock.requestTimes('status', a);

    expect(triggers).toEqual(atOf((r) => r.endpoint === 'trigger'));
    expect(triggers).toHaveLength(2);
    expect(statuses).toHaveLength(4);
    expect(statuses).toEqual([...statuses].sort((x, y) => x - y));
    expect(ofA).toEqual(atOf((r) => r.endpoint === 'status' && r.executionId === a));
    expect(ofA).toHaveLength(2);
    expect(ofA[1]).toBeGreaterThan(ofA[0]);
    expect(mock.requestTimes('status', b)).toHaveLength(1);
    expect(mock.requestTimes('trigger', b)).toEqual(atOf((r) => r.endpoint === 'trigger' && r.executionId === b));
    expect(mock.requestTimes('status', 'unknown')).toHaveLength(1);
    expect(mock.requestTimes('status', 'never-asked')).toEqual([]);
    expect(ofA.every((t) => typeof t === 'number' && t > 0)).toBe(true);
  });

  test('executionsOf lists the executions of one workflow', async () => {
    const mock = await startMock();
    await post(mock, '/webhook/pi/a', { payload: { n: 1 } });
    await post(mock, '/webhook/pi/b', {});
    await post(mock, '/webhook/pi/a', { payload: { n: 2 } });

    expect(mock.executionsOf('a').map((e) => e.payload)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(mock.executionsOf('b')).toHaveLength(1);
  });
});
