/**
 * Trigger delivery on the real server: every trigger fault, striking before or after Codika created
 * the execution, × each delivery mode × a Codika that honours `Idempotency-Key` or ignores it (as
 * the documented API does). Each run counts the executions Codika started and how the step ended.
 */
import { type WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { CodikaExecutionResult } from '../../../src/shared/execution-types';
import type { CodikaTriggerDelivery } from '../../../src/shared/trigger-delivery';
import { CODIKA_TRIGGER_OUTCOME_UNKNOWN } from '../../../src/shared/errors';
import { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { MockFault } from '../../../src/testing/mock-codika/mock-scripts';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { connectTestEnv, createTestWorker, uniqueTaskQueue } from '../../helpers/temporal';
import { expectedTriggerEnd, type TriggerFaultClass } from '../../helpers/trigger-delivery-rules';

const API_KEY = 'ck_delivery_key_41';
const REQUEST_TIMEOUT_MS = 1_000;
const POLL = {
  strategy: 'timer',
  firstPollAfter: 100,
  backoffCoefficient: 1,
  maxPollInterval: 200,
  deadline: 40_000,
} as const;

interface FaultCase {
  name: string;
  fault: MockFault;
  class: TriggerFaultClass;
  /** The type a refused trigger ends with. */
  refusedAs?: string;
}

const noAnswer = (strikes: 'before' | 'after'): MockFault => ({ kind: 'delay', ms: 5_000, strikes });
const FAULTS: FaultCase[] = [
  { name: '503 before', fault: { kind: 'http', status: 503 }, class: 'not accepted' },
  { name: '429 (Retry-After 1) before', fault: { kind: 'http', status: 429, retryAfter: 1 }, class: 'not accepted' },
  { name: '408 before', fault: { kind: 'http', status: 408 }, class: 'not accepted' },
  { name: '400 before', fault: { kind: 'http', status: 400 }, class: 'refused', refusedAs: 'CodikaBadRequestError' },
  { name: '404 before', fault: { kind: 'http', status: 404 }, class: 'refused', refusedAs: 'CodikaNotFoundError' },
  ...(['before', 'after'] as const).flatMap((strikes): FaultCase[] => [
    { name: `500 ${strikes}`, fault: { kind: 'http', status: 500, strikes }, class: 'outcome unknown' },
    { name: `502 ${strikes}`, fault: { kind: 'http', status: 502, strikes }, class: 'outcome unknown' },
    { name: `504 ${strikes}`, fault: { kind: 'http', status: 504, strikes }, class: 'outcome unknown' },
    { name: `reset ${strikes}`, fault: { kind: 'drop', strikes }, class: 'outcome unknown' },
    { name: `no answer ${strikes}`, fault: noAnswer(strikes), class: 'outcome unknown' },
  ]),
  { name: 'unreadable 200 after', fault: { kind: 'malformed', strikes: 'after' }, class: 'outcome unknown' },
  { name: '200 without executionId after', fault: { kind: 'missing_id', strikes: 'after' }, class: 'outcome unknown' },
];
const MODES: CodikaTriggerDelivery[] = ['at-most-once', 'at-least-once'];

interface Row {
  fault: FaultCase;
  delivery: CodikaTriggerDelivery;
  honoured: boolean;
  codikaWorkflowId: string;
}
type End =
  { ok: true; result: CodikaExecutionResult } | { ok: false; type?: string; message: string; details: unknown[] };
interface Seen {
  end: End;
  executions: number;
  triggerCalls: { key: string; outcome: unknown }[];
}

const ROWS: Row[] = FAULTS.flatMap((fault, f) =>
  MODES.flatMap((delivery) =>
    [false, true].map((honoured) => ({
      fault,
      delivery,
      honoured,
      codikaWorkflowId: `d${f}-${delivery}-${honoured ? 'key' : 'nokey'}`,
    })),
  ),
);

/** What the design promises for a row: how it ends and how many executions Codika runs. */
function expected(row: Row): { type?: string; executions: number } {
  const afterAcceptance = 'strikes' in row.fault.fault && row.fault.fault.strikes === 'after';
  return expectedTriggerEnd({ ...row.fault, afterAcceptance }, row.delivery, row.honoured);
}

let env: TestWorkflowEnvironment;
const mocks = new Map<boolean, MockCodikaServer>();
const workers: { worker: Worker; running: Promise<void> }[] = [];
const seen = new Map<string, Seen>();

beforeAll(async () => {
  env = await connectTestEnv();
  const queues = new Map<boolean, string>();
  for (const honoured of [false, true]) {
    const mock = new MockCodikaServer({ apiKey: API_KEY, honourIdempotencyKey: honoured });
    await mock.start();
    mocks.set(honoured, mock);
    const taskQueue = uniqueTaskQueue(`delivery-${honoured ? 'key' : 'nokey'}`);
    queues.set(honoured, taskQueue);
    const worker = await createTestWorker(env, taskQueue, {
      baseUrl: mock.url,
      apiKey: API_KEY,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    workers.push({ worker, running: worker.run() });
  }
  await Promise.all(
    ROWS.map(async (row) => {
      // A process instance per row: a row's 429 holds back every call of its instance, on every worker
      // (the shared back-off), and must not shift the attempts of the rows running beside it.
      const processInstanceId = `pi_d_${row.codikaWorkflowId}`;
      const mock = mocks.get(row.honoured)!;
      mock.script(row.codikaWorkflowId, { durationMs: 200, faults: { trigger: [row.fault.fault] } });
      const taskQueue = queues.get(row.honoured)!;
      const end: End = await env.client.workflow
        .execute<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
          taskQueue,
          workflowId: `${taskQueue}-${row.codikaWorkflowId}`,
          args: [{ processInstanceId, workflowId: row.codikaWorkflowId, triggerDelivery: row.delivery, poll: POLL }],
        })
        .then(
          (result): End => ({ ok: true, result }),
          (err: unknown): End => {
            const cause = (err as WorkflowFailedError).cause as unknown as {
              type?: string;
              message: string;
              details?: unknown[];
            };
            return { ok: false, type: cause.type, message: cause.message, details: cause.details ?? [] };
          },
        );
      seen.set(row.codikaWorkflowId, {
        end,
        executions: mock.executionsOf(row.codikaWorkflowId).length,
        triggerCalls: mock
          .requestsTo('trigger', row.codikaWorkflowId)
          .map((r) => ({ key: String(r.headers['idempotency-key']), outcome: r.outcome })),
      });
    }),
  );
}, 120_000);

afterAll(async () => {
  for (const { worker, running } of workers) {
    worker.shutdown();
    await running;
  }
  for (const mock of mocks.values()) await mock.stop();
  await env?.teardown();
});

test.each(ROWS.map((row) => [row.fault.name, row.delivery, row.honoured ? 'honours' : 'ignores', row] as const))(
  'trigger %s, %s, Codika %s Idempotency-Key',
  (_fault, _delivery, _honoured, row) => {
    const run = seen.get(row.codikaWorkflowId)!;
    const want = expected(row);

    expect({ type: run.end.ok ? undefined : run.end.type, executions: run.executions }).toEqual(want);
    // Every attempt of a step carries the one key the step drew.
    expect(new Set(run.triggerCalls.map((call) => call.key)).size).toBe(1);
    expect(run.triggerCalls[0]!.key).toMatch(/^codika-temporal-[0-9a-f-]{36}$/);
    if (!run.end.ok && run.end.type === CODIKA_TRIGGER_OUTCOME_UNKNOWN) {
      // Sent once, never again; the failure says how to find the execution and how to opt in.
      expect(run.triggerCalls).toHaveLength(1);
      expect(run.end.details[0]).toMatchObject({
        attempt: 1,
        idempotencyKey: run.triggerCalls[0]!.key,
        sentAtExact: true,
      });
      expect(run.end.message).toContain(run.triggerCalls[0]!.key);
      expect(run.end.message).toContain("'at-least-once'");
    }
    if (run.end.ok) {
      const executions = mocks.get(row.honoured)!.executionsOf(row.codikaWorkflowId);
      expect(run.end.result.executionId).toBe(executions.at(-1)!.executionId);
    }
  },
);

test('at-least-once against a Codika that honours the key waits out its 409 while the first request is still answered', () => {
  const row = ROWS.find((r) => r.fault.name === 'no answer after' && r.delivery === 'at-least-once' && r.honoured)!;
  const calls = seen.get(row.codikaWorkflowId)!.triggerCalls.map((call) => call.outcome);

  expect(calls[0]).toBe('closed');
  expect(calls).toContain(409);
  expect(calls.at(-1)).toBe(200);
});
