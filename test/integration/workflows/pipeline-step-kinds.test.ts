/**
 * Pipelines for business processes, on the real server against the mock: `when` conditions and
 * `runIfSkipped`, `startAfter` delays, opt-in `retry` of executions Codika reports `failed`, and
 * approval steps answered through the `codikaPipelineApprove` update (its validator included).
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CodikaPipelineResult, CodikaPipelineState } from '../../../src/pipeline/pipeline-types';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { codikaPipelineApproveUpdate, codikaPipelineStateQuery } from '../../../src/workflows';
import type { CodikaApprovalRequest } from '../../../src/workflows';
import { failureOf, startRunningTestbed } from '../../helpers/temporal';
import { codikaIds, FAST_POLL, pipelineStarter } from '../../helpers/pipeline-runs';
import { sleep, waitUntil } from '../../helpers/wait';

const API_KEY = 'ck_step_kinds_key_18';

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(async () => ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'step-kinds')));
afterAll(() => stop());

const start = pipelineStarter(() => ({ env, taskQueue }), { processInstanceId: 'pi_k', poll: FAST_POLL });

const stateOf = (handle: WorkflowHandle) => handle.query(codikaPipelineStateQuery);

async function waitForState(
  handle: WorkflowHandle,
  ok: (state: CodikaPipelineState) => boolean,
  what: string,
): Promise<CodikaPipelineState> {
  let state: CodikaPipelineState | undefined;
  const deadline = Date.now() + 20_000;
  for (;;) {
    state = await stateOf(handle);
    if (ok(state)) return state;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(state)}`);
    await sleep(100);
  }
}

describe('when and runIfSkipped', () => {
  test('an order refunds only when its check fails: the refund is skipped with its reason, its dependents too, runIfSkipped ones run', async () => {
    const w = codikaIds('refund', 'check', 'refund', 'apologise', 'close');
    mock.script(w.check!, { resultData: { passed: true, score: 9 } });
    for (const id of [w.refund!, w.apologise!, w.close!]) mock.script(id, {});
    const handle = await start({
      steps: [
        { id: 'check', workflowId: w.check },
        {
          id: 'refund',
          workflowId: w.refund,
          dependsOn: ['check'],
          when: { not: { $ref: 'steps.check.resultData.passed' } },
        },
        { id: 'apologise', workflowId: w.apologise, dependsOn: ['refund'] },
        {
          id: 'close',
          workflowId: w.close,
          dependsOn: ['apologise'],
          runIfSkipped: true,
          payload: { refunded: { $ref: 'steps.check.resultData.score' } },
        },
      ],
    });
    const result: CodikaPipelineResult = await handle.result();

    expect(result.steps.refund).toMatchObject({
      status: 'skipped',
      skippedBy: 'condition',
      error: 'its condition was false: when {"not":{"$ref":"steps.check.resultData.passed"}}',
    });
    expect(result.steps.apologise).toMatchObject({ status: 'skipped', skippedBy: 'condition' });
    expect(result.steps.close!.status).toBe('succeeded');
    expect(mock.executionsOf(w.refund!)).toHaveLength(0);
    expect(mock.executionsOf(w.apologise!)).toHaveLength(0);
    expect(mock.executionsOf(w.close!)[0]!.payload).toEqual({ refunded: 9 });
    expect(Object.keys(result.outputs).sort()).toEqual(['check', 'close']);
  });

  test('the same order whose check failed does refund: comparisons decide', async () => {
    const w = codikaIds('refund2', 'check', 'refund');
    mock.script(w.check!, { resultData: { passed: false, score: 3, country: 'BE' } });
    mock.script(w.refund!, {});
    const handle = await start({
      steps: [
        { id: 'check', workflowId: w.check },
        {
          id: 'refund',
          workflowId: w.refund,
          dependsOn: ['check'],
          when: {
            and: [
              { equals: [{ $ref: 'steps.check.resultData.passed' }, false] },
              { lessThan: [{ $ref: 'steps.check.resultData.score' }, 5] },
              { in: [{ $ref: 'steps.check.resultData.country' }, ['BE', 'NL']] },
              { not: { exists: 'steps.check.resultData.refundedAlready' } },
            ],
          },
        },
      ],
    });
    const result = await handle.result();
    expect(result.steps.refund!.status).toBe('succeeded');
    expect(mock.executionsOf(w.refund!)).toHaveLength(1);
  });

  test('runIfSkipped never covers a failed dependency', async () => {
    const w = codikaIds('rif', 'flaky', 'after');
    mock.script(w.flaky!, { failWith: 'upstream API down' });
    mock.script(w.after!, {});
    const handle = await start({
      steps: [
        { id: 'flaky', workflowId: w.flaky, onFailure: 'continue' },
        { id: 'after', workflowId: w.after, dependsOn: ['flaky'], runIfSkipped: true },
      ],
    });
    const result = await handle.result();
    expect(result.steps.after).toMatchObject({ status: 'skipped', error: 'step "flaky" did not succeed' });
    expect(result.steps.after!.skippedBy).toBeUndefined();
    expect(mock.executionsOf(w.after!)).toHaveLength(0);
  });

  test('a condition whose path leads nowhere fails its step with CodikaTemplateError, naming the place', async () => {
    const w = codikaIds('cond-missing', 'check', 'refund');
    mock.script(w.check!, { resultData: { passed: true } });
    mock.script(w.refund!, {});
    const handle = await start({
      steps: [
        { id: 'check', workflowId: w.check },
        { id: 'refund', workflowId: w.refund, dependsOn: ['check'], when: { $ref: 'steps.check.resultData.verdict' } },
      ],
    });
    const failure = await failureOf(handle);
    expect(failure.type).toBe('CodikaTemplateError');
    expect(failure.message).toContain(
      'Step "refund" failed: steps[1].when.$ref: steps.check.resultData.verdict does not exist',
    );
    expect(mock.executionsOf(w.refund!)).toHaveLength(0);
  });
});

test('startAfter waits with a durable timer once the step may start; the state shows when it starts', async () => {
  const w = codikaIds('delay', 'first', 'later');
  mock.script(w.first!, {});
  mock.script(w.later!, {});
  const handle = await start({
    steps: [
      { id: 'first', workflowId: w.first },
      { id: 'later', workflowId: w.later, dependsOn: ['first'], startAfter: '2 seconds' },
    ],
  });
  const waiting = await waitForState(handle, (s) => s.steps.later!.startsAt !== undefined, 'later to wait');
  expect(waiting.steps.later!.status).toBe('running');
  expect(mock.executionsOf(w.later!)).toHaveLength(0);
  await handle.result();

  const [first] = mock.executionsOf(w.first!);
  const [later] = mock.executionsOf(w.later!);
  expect(later!.createdAt - first!.finishesAt).toBeGreaterThanOrEqual(2_000);
  expect(later!.createdAt).toBeGreaterThanOrEqual(Date.parse(waiting.steps.later!.startsAt!));
});

describe('retry of executions Codika reports failed', () => {
  test('a failed execution runs again as a new execution; every attempt is in the state', async () => {
    const w = codikaIds('retry', 'charge');
    mock.script(w.charge!, { failWith: 'card declined (transient)' });
    const handle = await start({
      steps: [{ id: 'charge', workflowId: w.charge, retry: { maximumAttempts: 3, initialInterval: '1 second' } }],
    });
    await waitUntil(() => mock.executionsOf(w.charge!).length === 2, 'the second attempt');
    mock.script(w.charge!, { resultData: { charged: true } });
    const result = await handle.result();

    const executions = mock.executionsOf(w.charge!);
    expect(executions).toHaveLength(3);
    expect(executions[1]!.createdAt - executions[0]!.finishesAt).toBeGreaterThanOrEqual(1_000);
    // The second wait doubles (backoffCoefficient 2 by default).
    expect(executions[2]!.createdAt - executions[1]!.finishesAt).toBeGreaterThanOrEqual(2_000);
    expect(result.steps.charge!.attempts).toEqual([
      { status: 'failed', executionId: executions[0]!.executionId, error: expect.stringContaining('card declined') },
      { status: 'failed', executionId: executions[1]!.executionId, error: expect.stringContaining('card declined') },
      { status: 'succeeded', executionId: executions[2]!.executionId },
    ]);
    expect(result.steps.charge!.executionId).toBe(executions[2]!.executionId);
    expect(result.outputs.charge).toEqual({ charged: true });
  });

  test('when the attempts run out the step fails with the last failure; other failures are never retried', async () => {
    const w = codikaIds('retry-out', 'charge', 'missing');
    mock.script(w.charge!, { failWith: 'card declined' });
    const handle = await start({
      steps: [{ id: 'charge', workflowId: w.charge, retry: { maximumAttempts: 2, initialInterval: 200 } }],
    });
    const failure = await failureOf(handle);
    expect(failure.type).toBe('CodikaExecutionFailed');
    expect(failure.message).toContain('Step "charge" failed');
    expect(mock.executionsOf(w.charge!)).toHaveLength(2);

    // A template that leads nowhere is not Codika's `failed`: one attempt, no retry.
    const template = await start({
      steps: [
        { id: 'send', workflowId: w.missing, retry: { maximumAttempts: 5 }, payload: { to: { $ref: 'input.nobody' } } },
      ],
    });
    expect((await failureOf(template)).type).toBe('CodikaTemplateError');
    expect(mock.executionsOf(w.missing!)).toHaveLength(0);
  });
});

describe('approval steps', () => {
  const approve = (handle: WorkflowHandle, request: CodikaApprovalRequest) =>
    handle.executeUpdate(codikaPipelineApproveUpdate, { args: [request] });
  const refusal = async (handle: WorkflowHandle, request: unknown) => {
    const err = await approve(handle, request as CodikaApprovalRequest).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    return ((err as WorkflowUpdateFailedError).cause as Error).message;
  };

  test('an order ships after approval: the validator refuses what cannot be an answer, the answer is the result', async () => {
    const w = codikaIds('approve', 'prepare', 'ship');
    mock.script(w.prepare!, { durationMs: 1_000 });
    mock.script(w.ship!, {});
    const handle = await start(
      {
        steps: [
          { id: 'prepare', workflowId: w.prepare },
          {
            id: 'approve',
            dependsOn: ['prepare'],
            approval: { prompt: 'Ship order ${input.orderId}?', timeout: '1 hour', approvers: ['ops@example.com'] },
          },
          {
            id: 'ship',
            workflowId: w.ship,
            dependsOn: ['approve'],
            payload: { order: { $ref: 'input.orderId' }, by: { $ref: 'steps.approve.resultData.by' } },
          },
        ],
      },
      { orderId: 'A-1042' },
    );
    await waitForState(handle, (s) => s.steps.prepare!.status === 'running', 'prepare to run');
    expect(await refusal(handle, { stepId: 'approve', approved: true, by: 'ops@example.com' })).toBe(
      'step "approve" is not waiting for an answer: it has not started (it waits for the steps it depends on)',
    );
    const waiting = await waitForState(handle, (s) => s.steps.approve!.approval !== undefined, 'the approval to wait');
    expect(waiting.steps.approve!.approval).toMatchObject({
      prompt: 'Ship order A-1042?',
      onTimeout: 'fail',
      approvers: ['ops@example.com'],
    });
    expect(await refusal(handle, { stepId: 'aprove', approved: true, by: 'x' })).toBe(
      'no step "aprove" in this pipeline; its approval steps: approve',
    );
    expect(await refusal(handle, { stepId: 'prepare', approved: true, by: 'x' })).toBe(
      'step "prepare" runs a Codika execution; only approval steps take an answer',
    );
    expect(await refusal(handle, { stepId: 'approve', approved: 'yes', by: 'x' })).toContain(
      'approved: true to approve',
    );
    expect(await refusal(handle, { stepId: 'approve', approved: true, by: ' ' })).toContain('by: who answers');
    expect(await refusal(handle, { stepId: 'approve', approved: true, by: 'intern@example.com' })).toBe(
      '"intern@example.com" may not answer step "approve": its approvers are ops@example.com',
    );

    const answer = await approve(handle, {
      stepId: 'approve',
      approved: true,
      by: 'ops@example.com',
      comment: 'stock ok',
    });
    expect(answer).toEqual({ approved: true, by: 'ops@example.com', comment: 'stock ok', at: expect.any(String) });
    const result = await handle.result();

    expect(result.outputs.approve).toEqual(answer);
    expect(mock.executionsOf(w.ship!)[0]!.payload).toEqual({ order: 'A-1042', by: 'ops@example.com' });
    expect(result.steps.approve).toMatchObject({ status: 'succeeded', approval: { answer } });
    expect(result.steps.approve!.workflowId).toBeUndefined();
    // Validator refusals leave nothing in the history: one accepted update only.
    const history = await handle.fetchHistory();
    const updates = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(updates).toHaveLength(1);
  });

  test('a rejection fails the step with CodikaApprovalRejected, runs the saga, and a second answer is refused', async () => {
    const w = codikaIds('reject', 'reserve', 'release', 'ship');
    mock.script(w.reserve!, { resultData: { reservation: 'R-7' } });
    mock.script(w.release!, {});
    mock.script(w.ship!, {});
    const handle = await start({
      steps: [
        {
          id: 'reserve',
          workflowId: w.reserve,
          compensate: { workflowId: w.release, payload: { id: { $ref: 'steps.reserve.resultData.reservation' } } },
        },
        { id: 'approve', dependsOn: ['reserve'], approval: { prompt: 'Ship?' } },
        { id: 'ship', workflowId: w.ship, dependsOn: ['approve'] },
      ],
    });
    await waitForState(handle, (s) => s.steps.approve!.approval !== undefined, 'the approval to wait');
    await approve(handle, { stepId: 'approve', approved: false, by: 'manager', comment: 'customer cancelled' });
    const failure = await failureOf(handle);

    expect(failure.type).toBe('CodikaApprovalRejected');
    expect(failure.message).toBe('Step "approve" failed: rejected by manager: customer cancelled');
    expect(mock.executionsOf(w.release!)[0]!.payload).toEqual({ id: 'R-7' });
    expect(mock.executionsOf(w.ship!)).toHaveLength(0);
    // Once the run has ended, the server itself refuses the update.
    await expect(approve(handle, { stepId: 'approve', approved: true, by: 'x' })).rejects.toThrow(/completed/);
  });

  test('a repeated answer is refused while the run still goes on', async () => {
    const w = codikaIds('twice', 'slow');
    mock.script(w.slow!, { durationMs: 3_000 });
    const handle = await start({
      steps: [
        { id: 'approve', approval: { prompt: 'Go?' } },
        { id: 'slow', workflowId: w.slow, dependsOn: ['approve'] },
      ],
    });
    await waitForState(handle, (s) => s.steps.approve!.approval !== undefined, 'the approval to wait');
    await approve(handle, { stepId: 'approve', approved: true, by: 'ada' });
    expect(await refusal(handle, { stepId: 'approve', approved: false, by: 'bob' })).toMatch(
      /^step "approve" was already answered: approved by ada at \d{4}-/,
    );
    await handle.result();
  });

  test('no answer in time: onTimeout fail fails the step, onTimeout approve goes on', async () => {
    const failing = await start({ steps: [{ id: 'approve', approval: { prompt: 'Go?', timeout: '1 second' } }] });
    const failure = await failureOf(failing);
    expect(failure.type).toBe('CodikaApprovalTimedOut');
    expect(failure.message).toBe('Step "approve" failed: no answer within 1 s');

    const approving = await start({
      steps: [{ id: 'approve', approval: { prompt: 'Go?', timeout: '1 second', onTimeout: 'approve' } }],
    });
    const result = await approving.result();
    expect(result.outputs.approve).toEqual({ approved: true, by: 'onTimeout', at: expect.any(String) });
    expect(result.steps.approve!.approval!.answer).toMatchObject({ timedOut: true });
  });
});
