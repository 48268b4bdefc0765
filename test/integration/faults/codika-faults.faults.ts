/**
 * Every Codika fault the design names, through a real worker and server: on the trigger, striking
 * before or after Codika created the execution, under each delivery mode (against a Codika that
 * ignores `Idempotency-Key`, as the documented API does); on the status call. Each ends as the
 * design says (retried until it works, a clear non-retryable failure, or `CodikaTriggerOutcomeUnknown`),
 * with the executions the design allows, and none outlives its deadline. Prints the table docs/faults.md shows.
 */
import { type WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CodikaTriggerDelivery } from '../../../src/shared/trigger-delivery';
import type { MockFault, MockFaultStrike } from '../../../src/testing/mock-codika/mock-scripts';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { startRunningTestbed } from '../../helpers/temporal';
import { expectedTriggerEnd, type TriggerFaultClass } from '../../helpers/trigger-delivery-rules';
import { recordFaultRow } from '../../helpers/fault-report';
import { CODIKA_TRIGGER_OUTCOME_UNKNOWN } from '../../../src/shared/errors';

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

interface Scenario {
  endpoint: 'trigger' | 'status';
  name: string;
  faults: MockFault[];
  /** How the step must end (`type` undefined: success) and how many executions Codika runs. */
  expected: { type?: string; executions: number };
  strikes?: MockFaultStrike;
  delivery?: CodikaTriggerDelivery;
  /** The retry must wait at least this long after the fault (Retry-After). */
  waitsAtLeastMs?: number;
  /** Poll options beside the suite's. */
  poll?: { notFoundGrace?: string };
}

/** A trigger fault, before or after acceptance, under both delivery modes. */
function triggerScenarios(
  name: string,
  fault: MockFault,
  faultClass: TriggerFaultClass,
  options: { strikes?: MockFaultStrike[]; refusedAs?: string; waitsAtLeastMs?: number } = {},
): Scenario[] {
  return (options.strikes ?? ['before']).flatMap((strikes) =>
    (['at-most-once', 'at-least-once'] as const).map((delivery) => ({
      endpoint: 'trigger' as const,
      name,
      faults: [{ ...fault, strikes } as MockFault],
      strikes,
      delivery,
      waitsAtLeastMs: options.waitsAtLeastMs,
      expected: expectedTriggerEnd(
        { class: faultClass, afterAcceptance: strikes === 'after', refusedAs: options.refusedAs },
        delivery,
        false,
      ),
    })),
  );
}

const BOTH: MockFaultStrike[] = ['before', 'after'];
const TRIGGER: Scenario[] = [
  ...triggerScenarios('HTTP 500', { kind: 'http', status: 500 }, 'outcome unknown', { strikes: BOTH }),
  ...triggerScenarios('HTTP 502', { kind: 'http', status: 502 }, 'outcome unknown', { strikes: BOTH }),
  ...triggerScenarios('HTML error page (502)', { kind: 'http', status: 502, ...HTML }, 'outcome unknown', {
    strikes: BOTH,
  }),
  ...triggerScenarios('HTTP 504', { kind: 'http', status: 504 }, 'outcome unknown', { strikes: BOTH }),
  ...triggerScenarios('connection reset', { kind: 'drop' }, 'outcome unknown', { strikes: BOTH }),
  ...triggerScenarios(
    `no response (client timeout ${REQUEST_TIMEOUT_MS} ms)`,
    { kind: 'delay', ms: 5_000 },
    'outcome unknown',
    {
      strikes: BOTH,
    },
  ),
  ...triggerScenarios('malformed JSON (200)', { kind: 'malformed' }, 'outcome unknown', { strikes: BOTH }),
  ...triggerScenarios('missing executionId (200)', { kind: 'missing_id' }, 'outcome unknown', { strikes: BOTH }),
  ...triggerScenarios('HTTP 503', { kind: 'http', status: 503, times: 2 }, 'not accepted'),
  ...triggerScenarios('HTTP 408', { kind: 'http', status: 408 }, 'not accepted'),
  ...triggerScenarios('429, Retry-After: 2 (seconds)', { kind: 'http', status: 429, retryAfter: 2 }, 'not accepted', {
    waitsAtLeastMs: 1_900,
  }),
  // An HTTP date has one-second precision: "in 3 s" means at least 2 s from now.
  ...triggerScenarios(
    '429, Retry-After: <HTTP date>',
    { kind: 'http', status: 429, retryAfter: 'DATE+3' },
    'not accepted',
    {
      waitsAtLeastMs: 1_900,
    },
  ),
  ...triggerScenarios('HTTP 404', { kind: 'http', status: 404 }, 'refused', { refusedAs: 'CodikaNotFoundError' }),
];

const retried = { executions: 1 };
const STATUS: Scenario[] = [
  ...[500, 502, 503, 504].map((status) => ({
    endpoint: 'status' as const,
    name: `HTTP ${status}`,
    faults: [{ kind: 'http', status, times: 2 }] as MockFault[],
    expected: retried,
  })),
  {
    endpoint: 'status',
    name: '429, Retry-After: 2 (seconds)',
    faults: [{ kind: 'http', status: 429, retryAfter: 2 }],
    expected: retried,
    waitsAtLeastMs: 1_900,
  },
  {
    endpoint: 'status',
    name: '429, Retry-After: <HTTP date>',
    faults: [{ kind: 'http', status: 429, retryAfter: 'DATE+3' }],
    expected: retried,
    waitsAtLeastMs: 1_900,
  },
  { endpoint: 'status', name: 'connection reset', faults: [{ kind: 'drop', times: 2 }], expected: retried },
  {
    endpoint: 'status',
    name: `no response (client timeout ${REQUEST_TIMEOUT_MS} ms)`,
    faults: [{ kind: 'delay', ms: 5_000 }],
    expected: retried,
  },
  {
    endpoint: 'status',
    name: 'HTML error page (502)',
    faults: [{ kind: 'http', status: 502, ...HTML, times: 2 }],
    expected: retried,
  },
  { endpoint: 'status', name: 'malformed JSON (200)', faults: [{ kind: 'malformed', times: 2 }], expected: retried },
  {
    endpoint: 'status',
    name: 'unknown status value "running"',
    faults: [{ kind: 'status_value', value: 'running', times: 3 }],
    expected: retried,
  },
  {
    // Within poll.notFoundGrace (2 min by default) a 404 means "not visible yet": polled again.
    endpoint: 'status',
    name: 'HTTP 404 for the executionId, within notFoundGrace',
    faults: [{ kind: 'http', status: 404 }],
    expected: { executions: 1 },
  },
  {
    endpoint: 'status',
    name: 'HTTP 404 for the executionId, past notFoundGrace (1 s)',
    faults: [{ kind: 'http', status: 404, times: 1_000 }],
    poll: { notFoundGrace: '1 second' },
    expected: { type: 'CodikaNotFoundError', executions: 1 },
  },
];
const SCENARIOS: Scenario[] = [...TRIGGER, ...STATUS];

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
const rows: string[] = [];
const tally = { lost: 0, duplicates: 0, outcomeUnknown: 0, retried: 0, refused: 0, slowestMs: 0 };
beforeAll(
  async () =>
    ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'faults', {
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    })),
);
afterAll(async () => {
  await stop();
  recordFaultRow({
    scenario: `Codika faults, one run each: ${TRIGGER.length} on the trigger (before and after acceptance × both delivery modes, key ignored), ${STATUS.length} on the status call (docs/faults.md)`,
    runs: SCENARIOS.length,
    executions: SCENARIOS.length,
    lost: tally.lost,
    duplicates: tally.duplicates,
    outcomeUnknown: tally.outcomeUnknown,
    outcome: `${tally.retried} retried until they worked, ${tally.refused} clear non-retryable failures, ${tally.outcomeUnknown} unknown outcomes not sent again; slowest ${(tally.slowestMs / 1000).toFixed(1)} s (deadline ${DEADLINE_MS / 1000} s)`,
  });
  console.log(
    [
      '| call | fault | strikes | delivery | outcome | executions started | time |',
      '| --- | --- | --- | --- | --- | --: | --: |',
      ...rows,
    ].join('\n'),
  );
});

test.each(
  SCENARIOS.map(
    (s, i) => [`${s.endpoint}: ${s.name}${s.strikes ? ` (${s.strikes}, ${s.delivery})` : ''}`, s, i] as const,
  ),
)('%s', async (_label, scenario, index) => {
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
      args: [
        {
          processInstanceId: 'pi_faults',
          workflowId: id,
          triggerDelivery: scenario.delivery,
          poll: { ...POLL, ...scenario.poll },
        },
      ],
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
  const ended = outcome.ok
    ? 'retried, succeeded'
    : outcome.cause.type === CODIKA_TRIGGER_OUTCOME_UNKNOWN
      ? `${outcome.cause.type} (not sent again)`
      : `${outcome.cause.type} (non-retryable)`;
  rows.push(
    `| ${scenario.endpoint} | ${scenario.name} | ${scenario.strikes ?? ''} | ${scenario.delivery ?? ''} | ${ended} | ${executions} | ${(tookMs / 1000).toFixed(1)} s |`,
  );

  tally.slowestMs = Math.max(tally.slowestMs, tookMs);
  tally.duplicates += Math.max(executions - 1, 0);
  const type = outcome.ok ? undefined : outcome.cause.type;
  const endedAsDesigned = type === scenario.expected.type && executions === scenario.expected.executions;
  if (!endedAsDesigned) tally.lost += 1;
  else if (outcome.ok) tally.retried += 1;
  else if (type === CODIKA_TRIGGER_OUTCOME_UNKNOWN) tally.outcomeUnknown += 1;
  else tally.refused += 1;

  expect(tookMs).toBeLessThan(DEADLINE_MS + 5_000);
  expect({ type, executions }).toEqual(scenario.expected);
  if (outcome.ok) expect(outcome.result.resultData).toEqual({ id });
  else expect(outcome.cause.message).toMatch(/\S/);
  if (scenario.waitsAtLeastMs) {
    const calls = mock.requestsTo(scenario.endpoint, id).map((r) => r.at);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(scenario.waitsAtLeastMs);
  }
});
