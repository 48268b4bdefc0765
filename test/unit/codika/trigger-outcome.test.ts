import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodikaClient } from '../../../src/codika/client';
import { CodikaError } from '../../../src/codika/errors';
import { triggerOutcomeOfTransportFailure } from '../../../src/codika/trigger-outcome';
import type { MockFault } from '../../../src/testing/mock-codika/mock-scripts';
import { API_KEY, PI, clientFor, rejectionOf, startMock, stopMocks } from '../../helpers/mock-fixture';

afterEach(stopMocks);

/** The client's error for a trigger whose answer is `fault`, and how many executions the mock started. */
async function trigger(fault: MockFault, timeoutMs?: number) {
  const mock = await startMock({ apiKey: API_KEY, scripts: { wf: { faults: { trigger: [fault] } } } });
  const err = await rejectionOf<CodikaError>(
    clientFor(mock, { timeoutMs }).trigger({ processInstanceId: PI, workflowId: 'wf' }),
  );
  expect(err).toBeInstanceOf(CodikaError);
  return { err, executions: mock.executions.size };
}

describe('a refused trigger started nothing, and says so', () => {
  test.each([301, 400, 401, 403, 404, 408, 409, 413, 422, 429, 503])('HTTP %i is not_accepted', async (status) => {
    const { err, executions } = await trigger({ kind: 'http', status });

    expect(err.triggerOutcome).toBe('not_accepted');
    expect(executions).toBe(0);
  });

  test('a 409 (a deduplicating Codika still answering the same key) is retryable and honours Retry-After', async () => {
    const { err } = await trigger({ kind: 'http', status: 409, retryAfter: 2 });

    expect(err.kind).toBe('conflict');
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(2_000);
  });

  test('a refused connection is not_accepted: nothing was sent', async () => {
    const port = await closedPort();
    const client = new CodikaClient({ baseUrl: `http://127.0.0.1:${port}`, auth: { mode: 'header', apiKey: API_KEY } });

    const err = await rejectionOf<CodikaError>(client.trigger({ processInstanceId: PI, workflowId: 'wf' }));

    expect(err.kind).toBe('network');
    expect(err.triggerOutcome).toBe('not_accepted');
  });

  test('a failed TLS handshake (self-signed certificate) is not_accepted, and the server saw no request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codika-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    let requests = 0;
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_req, res) => {
        requests += 1;
        res.end('{}');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = new CodikaClient({
        baseUrl: `https://127.0.0.1:${port}`,
        auth: { mode: 'header', apiKey: API_KEY },
      });

      const err = await rejectionOf<CodikaError>(client.trigger({ processInstanceId: PI, workflowId: 'wf' }));

      expect(err.triggerOutcome).toBe('not_accepted');
      expect(requests).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('DNS and connect-timeout failures count as unsent; anything without a known code does not', () => {
    const fetchFailure = (cause: unknown) => Object.assign(new TypeError('fetch failed'), { cause });
    expect(triggerOutcomeOfTransportFailure(fetchFailure({ code: 'ENOTFOUND' }), false)).toBe('not_accepted');
    expect(triggerOutcomeOfTransportFailure(fetchFailure({ code: 'UND_ERR_CONNECT_TIMEOUT' }), false)).toBe(
      'not_accepted',
    );
    // Happy eyeballs: every address refused.
    const aggregate = { errors: [{ code: 'ECONNREFUSED' }, { code: 'ECONNREFUSED' }] };
    expect(triggerOutcomeOfTransportFailure(fetchFailure(aggregate), false)).toBe('not_accepted');
    expect(triggerOutcomeOfTransportFailure(fetchFailure({ code: 'ECONNRESET' }), false)).toBe('outcome_unknown');
    expect(triggerOutcomeOfTransportFailure(fetchFailure({ code: 'UND_ERR_SOCKET' }), false)).toBe('outcome_unknown');
    expect(triggerOutcomeOfTransportFailure(new Error('odd'), false)).toBe('outcome_unknown');
    // Our own timeout: the request may have gone out.
    expect(triggerOutcomeOfTransportFailure(fetchFailure({ code: 'ECONNREFUSED' }), true)).toBe('outcome_unknown');
  });
});

describe('a trigger that may have started an execution is outcome_unknown', () => {
  test.each<[string, MockFault, number]>([
    ['HTTP 500 before acceptance', { kind: 'http', status: 500 }, 0],
    ['HTTP 502 after acceptance', { kind: 'http', status: 502, strikes: 'after' }, 1],
    ['HTTP 504 after acceptance', { kind: 'http', status: 504, strikes: 'after' }, 1],
    ['HTTP 599', { kind: 'http', status: 599 }, 0],
    ['a reset before acceptance', { kind: 'drop' }, 0],
    ['a reset after acceptance', { kind: 'drop', strikes: 'after' }, 1],
    ['a non-JSON 200', { kind: 'malformed', strikes: 'after' }, 1],
    ['a 200 without executionId', { kind: 'missing_id', strikes: 'after' }, 1],
  ])('%s', async (_label, fault, startedExecutions) => {
    const { err, executions } = await trigger(fault);

    expect(err.triggerOutcome).toBe('outcome_unknown');
    // The client cannot tell these apart: the mock can.
    expect(executions).toBe(startedExecutions);
  });

  test('no answer within the request timeout, although Codika started it', async () => {
    const { err, executions } = await trigger({ kind: 'delay', ms: 2_000, strikes: 'after' }, 300);

    expect(err.kind).toBe('timeout');
    expect(err.triggerOutcome).toBe('outcome_unknown');
    expect(executions).toBe(1);
  });

  test('status requests carry no trigger outcome', async () => {
    const mock = await startMock({ apiKey: API_KEY });
    mock.injectFaults('wf', { status: [{ kind: 'http', status: 502 }] });
    const client = clientFor(mock);
    const { executionId } = await client.trigger({ processInstanceId: PI, workflowId: 'wf' });

    const err = await rejectionOf<CodikaError>(client.getStatus({ processInstanceId: PI, executionId }));

    expect(err.status).toBe(502);
    expect(err.triggerOutcome).toBeUndefined();
  });
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
