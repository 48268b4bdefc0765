/**
 * Every Codika fault the design names, on the trigger and on the status call, through a real worker
 * and server: each ends as the design says (retried until it works, or a clear non-retryable failure)
 * and none outlives its deadline. Prints the table the README shows.
 */
import { type WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MockFault } from '../../src/testing/mock-scripts';
import type { MockCodikaServer } from '../../src/testing/mock-codika-server';
import type { codikaExecutionWorkflow } from '../../src/workflows/codika-execution-workflow';
import { startRunningTestbed } from '../helpers/temporal';
import { recordFaultRow } from './fault-report';

const API_KEY = 'ck_faults_key_27';
const REQUEST_TIMEOUT_MS = 1_000;
const DEADLINE_MS = 20_000;
const POLL = {
  strategy: 'timer',
  firstPollAfter: 100,
  backoffCoefficient: 1,
  maxPollInterval: 200,
  deadline: DEADLINE_MS,
} as const;
const HTML = { contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' };

type Expected = { ok: true } | { ok: false; type: string };
interface Scenario {
  endpoint: 'trigger' | 'status';
  name: string;
  faults: MockFault[];
  expected: Expected;
  /** The retry must wait at least this long after the fault (Retry-After). */
  waitsAtLeastMs?: number;
}

const retried: Expected = { ok: true };
const transient = (endpoint: Scenario['endpoint']): Scenario[] => [
  ...[500, 502, 503, 504].map((status) => ({
    endpoint,
    name: `HTTP ${status}`,
    faults: [{ kind: 'http', status, times: 2 }] as MockFault[],
    expected: retried,
  })),
  {
    endpoint,
    name: '429, Retry-After: 2 (seconds)',
    faults: [{ kind: 'http', status: 429, retryAfter: 2 }],
    expected: retried,
    waitsAtLeastMs: 1_900,
  },
  // An HTTP date has one-second precision: "in 3 s" means at least 2 s from now.
  {
    endpoint,
    name: '429, Retry-After: <HTTP date>',
    faults: [{ kind: 'http', status: 429, retryAfter: 'DATE+3' }],
    expected: retried,
    waitsAtLeastMs: 1_900,
  },
  { endpoint, name: 'connection reset', faults: [{ kind: 'drop', times: 2 }], expected: retried },
  {
    endpoint,
    name: `no response (client timeout ${REQUEST_TIMEOUT_MS} ms)`,
    faults: [{ kind: 'delay', ms: 5_000 }],
    expected: retried,
  },
  {
    endpoint,
    name: 'HTML error page (502)',
    faults: [{ kind: 'http', status: 502, ...HTML, times: 2 }],
    expected: retried,
  },
];

const SCENARIOS: Scenario[] = [
  ...transient('trigger'),
  {
    endpoint: 'trigger',
    name: 'malformed JSON (200)',
    faults: [{ kind: 'malformed' }],
    expected: { ok: false, type: 'CodikaProtocolError' },
  },
  {
    endpoint: 'trigger',
    name: 'missing executionId (200)',
    faults: [{ kind: 'missing_id' }],
    expected: { ok: false, type: 'CodikaProtocolError' },
  },
  {
    endpoint: 'trigger',
    name: 'HTTP 404',
    faults: [{ kind: 'http', status: 404 }],
    expected: { ok: false, type: 'CodikaNotFoundError' },
  },
  ...transient('status'),
  { endpoint: 'status', name: 'malformed JSON (200)', faults: [{ kind: 'malformed', times: 2 }], expected: retried },
  {
    endpoint: 'status',
    name: 'unknown status value "running"',
    faults: [{ kind: 'status_value', value: 'running', times: 3 }],
    expected: retried,
  },
  {
    endpoint: 'status',
    name: 'HTTP 404 for the executionId',
    faults: [{ kind: 'http', status: 404 }],
    expected: { ok: false, type: 'CodikaNotFoundError' },
  },
];

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
const rows: string[] = [];
const tally = { lost: 0, duplicates: 0, retried: 0, refused: 0, slowestMs: 0 };
beforeAll(
  async () =>
    ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'faults', {
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    })),
);
afterAll(async () => {
  await stop();
  recordFaultRow({
    scenario: `Codika faults, one run each: ${SCENARIOS.length} kinds on trigger and status (table below)`,
    runs: SCENARIOS.length,
    executions: SCENARIOS.length,
    lost: tally.lost,
    duplicates: tally.duplicates,
    outcome: `${tally.retried} retried until they worked, ${tally.refused} clear non-retryable failures; slowest ${(tally.slowestMs / 1000).toFixed(1)} s (deadline ${DEADLINE_MS / 1000} s)`,
  });
  console.log(
    ['| call | fault | outcome | executions started | time |', '| --- | --- | --- | --: | --: |', ...rows].join('\n'),
  );
});

test.each(SCENARIOS.map((s, i) => [`${s.endpoint}: ${s.name}`, s, i] as const))(
  '%s',
  async (_label, scenario, index) => {
    const id = `fault-${index}`;
    const faults = scenario.faults.map((f) =>
      f.kind === 'http' && f.retryAfter === 'DATE+3'
        ? { ...f, retryAfter: new Date(Date.now() + 3_000).toUTCString() }
        : f,
    );
    mock.script(id, { durationMs: 300, resultData: { id }, faults: { [scenario.endpoint]: faults } });
    const started = Date.now();
    const outcome = await env.client.workflow
      .execute<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
        taskQueue,
        workflowId: `${taskQueue}-${id}`,
        args: [{ processInstanceId: 'pi_faults', workflowId: id, poll: POLL }],
      })
      .then(
        (result) => ({ ok: true as const, result }),
        (err: unknown) => ({
          ok: false as const,
          cause: (err as WorkflowFailedError).cause as unknown as { type?: string; message: string },
        }),
      );
    const tookMs = Date.now() - started;
    const executions = mock.executionsOf(id).length;
    rows.push(
      `| ${scenario.endpoint} | ${scenario.name} | ${outcome.ok ? 'retried, succeeded' : `${outcome.cause.type} (non-retryable)`} | ${executions} | ${(tookMs / 1000).toFixed(1)} s |`,
    );

    tally.slowestMs = Math.max(tally.slowestMs, tookMs);
    tally.duplicates += Math.max(executions - 1, 0);
    const endedAsDesigned = scenario.expected.ok
      ? outcome.ok
      : !outcome.ok && outcome.cause.type === scenario.expected.type;
    if (!endedAsDesigned) tally.lost += 1;
    else if (outcome.ok) tally.retried += 1;
    else tally.refused += 1;

    expect(tookMs).toBeLessThan(DEADLINE_MS + 5_000);
    if (scenario.expected.ok) {
      expect(outcome).toMatchObject({ ok: true, result: { resultData: { id } } });
      expect(executions).toBe(1);
    } else {
      expect(outcome.ok).toBe(false);
      expect(!outcome.ok && outcome.cause.type).toBe(scenario.expected.type);
      expect(!outcome.ok && outcome.cause.message).toMatch(/\S/);
    }
    if (scenario.waitsAtLeastMs) {
      const calls = mock.requestsTo(scenario.endpoint, id).map((r) => r.at);
      expect(calls.length).toBeGreaterThanOrEqual(2);
      expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(scenario.waitsAtLeastMs);
    }
  },
);
