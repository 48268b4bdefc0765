/**
 * Attaching to an execution started elsewhere (`executionId`), against the mock over HTTP: the
 * execution is triggered directly on the mock with a plain `CodikaClient`, then each entry point
 * (the client helper, the step helper in a user workflow, inline and as a child, a pipeline step)
 * polls it to its end and triggers nothing. Refusals (a payload, a callback, forEach with an
 * executionId), an id Codika does not know, and an attached execution that fails.
 */
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startCodikaExecution } from '../../../src/client/start-codika-execution';
import { CodikaClient } from '../../../src/codika/client';
import type { CodikaPipelineResult } from '../../../src/pipeline/pipeline-types';
import { CodikaValidationError } from '../../../src/shared/errors';
import type { CodikaExecutionResult, CodikaExecutionState } from '../../../src/shared/execution-types';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { MockExecutionScript } from '../../../src/testing/mock-codika/mock-scripts';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { codikaExecutionStateQuery } from '../../../src/workflows/codika-execution-workflow';
import type { oneStepWorkflow } from '../../fixtures/user-workflows';
import { rejectionOf } from '../../helpers/mock-fixture';
import { codikaIds, FAST_POLL, pipelineStarter } from '../../helpers/pipeline-runs';
import { failureOf, startRunningTestbed } from '../../helpers/temporal';
import { sleep } from '../../helpers/wait';

const API_KEY = 'ck_attach_key_31';
const PI = 'pi_attach';
/** Steady polling, so a run sees the attached execution end within a fraction of a second. */
const POLL = { strategy: 'timer', firstPollAfter: 200, backoffCoefficient: 1, maxPollInterval: 200 } as const;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
/** "Elsewhere": a plain HTTP client, no Temporal, with the testbed's key. */
let elsewhere: CodikaClient;
beforeAll(async () => {
  ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'attach'));
  elsewhere = new CodikaClient({ baseUrl: mock.url, auth: { mode: 'header', apiKey: API_KEY } });
});
afterAll(() => stop());

const startPipeline = pipelineStarter(() => ({ env, taskQueue }), { processInstanceId: PI, poll: FAST_POLL });

let counter = 0;
function runId(): string {
  counter += 1;
  return `${taskQueue}-${counter}`;
}

/** Scripts `workflowId` and triggers one execution of it directly on the mock: the execution to attach to. */
async function startedElsewhere(
  workflowId: string,
  script: MockExecutionScript = { durationMs: 1_500, resultData: { summary: 'from elsewhere', words: 2 } },
): Promise<string> {
  mock.script(workflowId, script);
  const { executionId } = await elsewhere.trigger({ processInstanceId: PI, workflowId, payload: { by: 'elsewhere' } });
  return executionId;
}

/**
 * The attach triggered nothing: the mock saw exactly one trigger for `workflowId` (the direct one)
 * and started one execution; and the step did poll the attached execution.
 */
function expectOnlyTheDirectTrigger(workflowId: string, executionId: string): void {
  expect(mock.requestsTo('trigger', workflowId)).toHaveLength(1);
  expect(mock.executionsOf(workflowId).map((e) => e.executionId)).toEqual([executionId]);
}

/** The result is the attached execution's, seen at its end (not earlier). */
function expectAttachedResult(result: CodikaExecutionResult, executionId: string): void {
  const execution = mock.executions.get(executionId)!;
  expect(result.executionId).toBe(executionId);
  expect(result.resultData).toEqual({ summary: 'from elsewhere', words: 2 });
  expect(result.polls).toBeGreaterThanOrEqual(1);
  expect(Date.parse(result.completedAt)).toBeGreaterThanOrEqual(execution.finishesAt - 50);
  expect(mock.requestTimes('status', executionId).length).toBeGreaterThanOrEqual(1);
}

/** States the query shows until the run ends (a query before the first workflow task is skipped). */
async function statesUntilDone(handle: WorkflowHandle, done: Promise<unknown>): Promise<CodikaExecutionState[]> {
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  const states: CodikaExecutionState[] = [];
  while (!finished) {
    const state = await handle.query(codikaExecutionStateQuery).catch(() => undefined);
    if (state) states.push(state);
    await sleep(50);
  }
  return states;
}

describe('attaching from each entry point polls the execution to its end and triggers nothing', () => {
  test('startCodikaExecution with executionId: the result, the memo and the state query name the attached execution', async () => {
    const workflowId = 'attach-client';
    const executionId = await startedElsewhere(workflowId);
    const handle = await startCodikaExecution(
      env.client,
      { processInstanceId: PI, workflowId, executionId },
      { taskQueue, workflowId: runId(), poll: POLL },
    );
    const result = handle.result();
    const states = await statesUntilDone(handle, result);

    expectAttachedResult(await result, executionId);
    expectOnlyTheDirectTrigger(workflowId, executionId);
    // While it ran, the query showed it polling the attached execution, never triggering.
    expect(states.length).toBeGreaterThan(0);
    expect(states.map((s) => s.phase)).toContain('polling');
    expect(states.map((s) => s.phase)).not.toContain('triggering');
    for (const state of states) expect(state.executionId).toBe(executionId);
    const final = await handle.query(codikaExecutionStateQuery);
    expect(final).toMatchObject({ phase: 'succeeded', executionId });
    const { memo } = await handle.describe();
    expect(memo?.codikaExecutionId).toBe(executionId);
  });

  test.each([
    ['inline', false],
    ['as a child', true],
  ])('the step helper in a user workflow (%s) returns the attached execution', async (_name, asChild) => {
    const workflowId = `attach-step-${asChild ? 'child' : 'inline'}`;
    const executionId = await startedElsewhere(workflowId);
    const result = await env.client.workflow.execute<typeof oneStepWorkflow>('oneStepWorkflow', {
      taskQueue,
      workflowId: runId(),
      args: [{ processInstanceId: PI, workflowId, executionId }, asChild],
    });
    expectAttachedResult(result, executionId);
    expectOnlyTheDirectTrigger(workflowId, executionId);
  });

  test('a pipeline step with executionId: its result flows on to a step downstream', async () => {
    const w = codikaIds('attach-pipe', 'attached', 'notify');
    const executionId = await startedElsewhere(w.attached!);
    mock.script(w.notify!, { resultData: { sent: true } });
    const handle = await startPipeline({
      steps: [
        { id: 'attached', workflowId: w.attached, executionId },
        {
          id: 'notify',
          workflowId: w.notify,
          dependsOn: ['attached'],
          payload: { text: { $ref: 'steps.attached.resultData.summary' }, id: '${steps.attached.executionId}' },
        },
      ],
    });
    const result: CodikaPipelineResult = await handle.result();

    expect(result.steps.attached).toMatchObject({ status: 'succeeded', executionId });
    expect(result.outputs).toEqual({ attached: { summary: 'from elsewhere', words: 2 }, notify: { sent: true } });
    expectOnlyTheDirectTrigger(w.attached!, executionId);
    const [notify] = mock.executionsOf(w.notify!);
    expect(notify!.payload).toEqual({ text: 'from elsewhere', id: executionId });
    // The downstream step waited for the attached execution to end.
    expect(notify!.createdAt).toBeGreaterThanOrEqual(mock.executions.get(executionId)!.finishesAt);
  });
});

describe('what cannot go with executionId is refused, and nothing is triggered', () => {
  test('startCodikaExecution with a payload or a callback throws CodikaValidationError before anything starts', async () => {
    const workflowId = 'attach-refused-client';
    const executionId = await startedElsewhere(workflowId, { durationMs: 0, resultData: {} });
    const id = runId();

    const withPayload = await rejectionOf<CodikaValidationError>(
      startCodikaExecution(
        env.client,
        { processInstanceId: PI, workflowId, executionId, payload: { a: 1 } },
        { taskQueue, workflowId: id },
      ),
    );
    expect(withPayload).toBeInstanceOf(CodikaValidationError);
    expect(withPayload.field).toBe('payload');
    expect(withPayload.message).toContain('executionId');

    const withCallback = await rejectionOf<CodikaValidationError>(
      startCodikaExecution(
        env.client,
        { processInstanceId: PI, workflowId, executionId },
        {
          taskQueue,
          workflowId: id,
          callback: { receiver: { callbackUrlFor: () => 'http://127.0.0.1:1/callback' }, payloadField: 'callbackUrl' },
        },
      ),
    );
    expect(withCallback).toBeInstanceOf(CodikaValidationError);
    expect(withCallback.field).toBe('callback');

    // No run was started under that id, and Codika heard nothing about the execution.
    await expect(env.client.workflow.getHandle(id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expectOnlyTheDirectTrigger(workflowId, executionId);
    expect(mock.requestTimes('status', executionId)).toHaveLength(0);
  });

  test('a run started directly with a payload and an executionId fails CodikaValidationError naming input.payload', async () => {
    const workflowId = 'attach-refused-workflow';
    const executionId = await startedElsewhere(workflowId, { durationMs: 0, resultData: {} });
    const handle = await env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
      taskQueue,
      workflowId: runId(),
      args: [{ processInstanceId: PI, workflowId, executionId, payload: { a: 1 } }],
    });
    const failure = await failureOf(handle);
    expect(failure.type).toBe('CodikaValidationError');
    expect(failure.message).toContain('input.payload');
    expectOnlyTheDirectTrigger(workflowId, executionId);
    expect(mock.requestTimes('status', executionId)).toHaveLength(0);
  });

  test('a pipeline step with executionId and forEach (or a payload) fails CodikaPipelineInvalid naming the field', async () => {
    const w = codikaIds('attach-refused-pipe', 'each', 'with-payload');
    const executionId = await startedElsewhere(w.each!, { durationMs: 0, resultData: {} });
    mock.script(w['with-payload']!, {});
    const before = mock.requests.length;
    const handle = await startPipeline({
      steps: [
        { id: 'each', workflowId: w.each, executionId, forEach: { items: [1, 2] } },
        { id: 'paid', workflowId: w['with-payload'], executionId, payload: { a: 1 } },
      ],
    });
    const failure = await failureOf(handle);
    expect(failure.type).toBe('CodikaPipelineInvalid');
    expect(failure.message).toContain('steps[0].forEach: cannot go with executionId');
    expect(failure.message).toContain('steps[1].payload: cannot go with executionId');
    expect(mock.requests.length).toBe(before);
    expectOnlyTheDirectTrigger(w.each!, executionId);
    expect(mock.requestsTo('trigger', w['with-payload'])).toHaveLength(0);
  });
});

describe('an attached execution that does not end well', () => {
  test('an id Codika does not know fails CodikaNotFoundError once past poll.notFoundGrace, saying how long it waited', async () => {
    const workflowId = 'attach-unknown';
    mock.script(workflowId, {});
    const executionId = 'exec-nobody-started-this';
    const startedAt = Date.now();
    const handle = await startCodikaExecution(
      env.client,
      { processInstanceId: PI, workflowId, executionId },
      {
        taskQueue,
        workflowId: runId(),
        poll: { strategy: 'timer', firstPollAfter: 200, maxPollInterval: 200, notFoundGrace: '2 seconds' },
      },
    );
    const failure = await failureOf(handle);
    const elapsed = Date.now() - startedAt;

    expect(failure.type).toBe('CodikaNotFoundError');
    expect(failure.message).toMatch(
      new RegExp(`still answers 404 for execution ${executionId} 2(\\.\\d+)? s after it was accepted`),
    );
    expect(failure.message).toContain('past the grace of 2 s (poll.notFoundGrace)');
    // It kept asking through the grace (several 404s), then gave up; it never triggered.
    const checks = mock.requests.filter((r) => r.endpoint === 'status' && r.path.endsWith(`/${executionId}`));
    expect(checks.length).toBeGreaterThanOrEqual(3);
    expect(checks.every((r) => r.outcome === 404)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(2_000);
    expect(mock.requestsTo('trigger', workflowId)).toHaveLength(0);
  });

  test('an attached execution Codika reports failed fails the run CodikaExecutionFailed with its executionId', async () => {
    const workflowId = 'attach-failed';
    const executionId = await startedElsewhere(workflowId, { durationMs: 800, failWith: 'the elsewhere run broke' });
    const handle = await startCodikaExecution(
      env.client,
      { processInstanceId: PI, workflowId, executionId },
      { taskQueue, workflowId: runId(), poll: POLL },
    );
    const failure = await failureOf(handle);
    expect(failure.type).toBe('CodikaExecutionFailed');
    expect(failure.message).toContain(executionId);
    expect(failure.message).toContain('the elsewhere run broke');
    expect(failure.details?.[0]).toMatchObject({ executionId, codikaMessage: 'the elsewhere run broke' });
    expectOnlyTheDirectTrigger(workflowId, executionId);
    const state = await handle.query(codikaExecutionStateQuery);
    expect(state).toMatchObject({ phase: 'failed', executionId });
  });
});
