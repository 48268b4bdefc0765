import type { CodikaAuth } from '../../../src/codika/auth';
import { CodikaError } from '../../../src/codika/errors';
import { MAX_BODY_IN_ERROR } from '../../../src/codika/redact';
import type { MockFault } from '../../../src/testing/mock-codika/mock-scripts';
import {
  API_KEY,
  PI,
  WEBHOOK_SECRET,
  clientFor,
  delayFault,
  rejectionOf,
  startMock,
  stopMocks,
} from '../../helpers/mock-fixture';

afterEach(stopMocks);

async function triggerError(
  fault: MockFault,
  auth: CodikaAuth = { mode: 'header', apiKey: API_KEY },
): Promise<CodikaError> {
  const mock = await startMock({ scripts: { wf: { faults: { trigger: [fault] } } } });
  const err = await rejectionOf<CodikaError>(
    clientFor(mock, { auth }).trigger({ processInstanceId: PI, workflowId: 'wf' }),
  );
  expect(err).toBeInstanceOf(CodikaError);
  return err;
}

/** Everything about an error a log line could show. */
function printed(err: CodikaError): string {
  const cause = err.cause instanceof Error ? `${err.cause.name}: ${err.cause.message}` : String(err.cause ?? '');
  return [err.message, err.body ?? '', err.request, String(err.stack), cause].join('\n');
}

describe('secrets never reach error text', () => {
  test('an API key echoed in an error body is replaced by [REDACTED]', async () => {
    const err = await triggerError({ kind: 'http', status: 500, body: `{"error":"key ${API_KEY} is over quota"}` });

    expect(printed(err)).not.toContain(API_KEY);
    expect(err.body).toBe('{"error":"key [REDACTED] is over quota"}');
    expect(err.message).toContain('[REDACTED]');
  });

  test('an API key echoed several times in a 403 body is redacted everywhere', async () => {
    const err = await triggerError({ kind: 'http', status: 403, body: `${API_KEY} / ${API_KEY} / ${API_KEY}` });

    expect(err.kind).toBe('auth');
    expect(printed(err)).not.toContain(API_KEY);
    expect(err.body).toBe('[REDACTED] / [REDACTED] / [REDACTED]');
  });

  test('an echoed request URL loses its api_key value in query mode', async () => {
    const body = `Bad request for /webhook/${PI}/wf?api_key=${API_KEY}&x=1`;
    const err = await triggerError({ kind: 'http', status: 400, body }, { mode: 'query', apiKey: API_KEY });

    expect(printed(err)).not.toContain(API_KEY);
    expect(err.body).toBe(`Bad request for /webhook/${PI}/wf?api_key=[REDACTED]&x=1`);
  });

  test('any api_key= value in an error body is redacted, even one that is not ours', async () => {
    const err = await triggerError({ kind: 'http', status: 400, body: 'seen ?api_key=ck_someone_else_entirely' });

    expect(err.body).not.toContain('ck_someone_else_entirely');
    expect(err.body).toContain('api_key=[REDACTED]');
  });

  test('a webhook secret echoed in an error body is redacted in signature mode', async () => {
    const err = await triggerError(
      { kind: 'http', status: 502, body: `secret=${WEBHOOK_SECRET}` },
      { mode: 'signature', webhookSecret: WEBHOOK_SECRET },
    );

    expect(printed(err)).not.toContain(WEBHOOK_SECRET);
    expect(err.body).toBe('secret=[REDACTED]');
  });

  test('a key echoed in a 200 HTML page (protocol error) is redacted', async () => {
    const err = await triggerError({ kind: 'http', status: 200, contentType: 'text/html', body: `<p>${API_KEY}</p>` });

    expect(err.kind).toBe('protocol');
    expect(printed(err)).not.toContain(API_KEY);
    expect(err.body).toBe('<p>[REDACTED]</p>');
  });

  test('a network failure in query mode does not show api_key=<key>', async () => {
    const err = await triggerError({ kind: 'drop' }, { mode: 'query', apiKey: API_KEY });

    expect(err.kind).toBe('network');
    expect(printed(err)).not.toContain(`api_key=${API_KEY}`);
    expect(printed(err)).not.toContain(API_KEY);
  });

  test('a timeout in query mode does not show the key', async () => {
    const mock = await startMock({ scripts: { wf: { faults: { trigger: [delayFault(2000)] } } } });
    const client = clientFor(mock, { auth: { mode: 'query', apiKey: API_KEY }, timeoutMs: 150 });

    const err = await rejectionOf<CodikaError>(client.trigger({ processInstanceId: PI, workflowId: 'wf' }));

    expect(err.kind).toBe('timeout');
    expect(printed(err)).not.toContain(API_KEY);
  });
});

describe('long bodies', () => {
  test('a long error body is cut to a bounded length with a (N chars) marker', async () => {
    const long = 'E'.repeat(5000);
    const err = await triggerError({ kind: 'http', status: 500, body: long });

    expect(err.body).toBe(`${'E'.repeat(MAX_BODY_IN_ERROR)}… (5000 chars)`);
    expect(err.message.endsWith('… (5000 chars)')).toBe(true);
    expect(err.message.length).toBeLessThan(MAX_BODY_IN_ERROR + 150);
  });

  test('a body of exactly the limit is quoted whole', async () => {
    const err = await triggerError({ kind: 'http', status: 500, body: 'E'.repeat(MAX_BODY_IN_ERROR) });

    expect(err.body).toBe('E'.repeat(MAX_BODY_IN_ERROR));
  });

  test('a key placed around the cut is redacted before the body is cut', async () => {
    const body = `${'a'.repeat(MAX_BODY_IN_ERROR - 5)}${API_KEY}${'b'.repeat(3000)}${API_KEY}`;
    const err = await triggerError({ kind: 'http', status: 500, body });

    expect(printed(err)).not.toContain(API_KEY);
    // No leading fragment of the key survives the cut either.
    expect(err.body).not.toContain(API_KEY.slice(0, 5));
    expect(err.body).toMatch(/… \(\d+ chars\)$/);
  });
});
