import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CodikaPipelineResult, CodikaPipelineState } from '../../../src/pipeline/pipeline-types';
import type { CodikaPipelineDefinition } from '../../../src/pipeline/definition';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { codikaPipelineStateQuery } from '../../../src/workflows';
import type { codikaPipelineWorkflow } from '../../../src/workflows/codika-pipeline-workflow';
import { failureOf, startRunningTestbed } from '../../helpers/temporal';
import { sleep } from '../../helpers/wait';

const API_KEY = 'ck_pipeline_key_64';
/** Quick, steady polling so the timing assertions measure the pipeline, not the poll schedule. */
const FAST_POLL = { strategy: 'timer', firstPollAfter: 100, backoffCoefficient: 1, maxPollInterval: 100 } as const;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(async () => ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'pipeline')));
afterAll(() => stop());

let counter = 0;
async function start(pipeline: unknown, input?: unknown): Promise<WorkflowHandle<typeof codikaPipelineWorkflow>> {
  counter += 1;
  return env.client.workflow.start<typeof codikaPipelineWorkflow>('codikaPipelineWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-${counter}`,
    args: [{ pipeline: pipeline as CodikaPipelineDefinition, input }],
  });
}

/** Codika workflow ids unique to one test, so the mock's records of each test stay apart. */
function ids(prefix: string, ...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, `${prefix}-${n}`]));
}

test('runs steps in dependsOn order, independent ones side by side (each of two 2 s steps starts before the other ends)', async () => {
  const w = ids('order', 'a', 'b', 'join');
  mock.script(w.a!, { durationMs: 2_000, resultData: { from: 'a' } });
  mock.script(w.b!, { durationMs: 2_000, resultData: { from: 'b' } });
  mock.script(w.join!, { durationMs: 0 });
  const handle = await start({
    processInstanceId: 'pi_p',
    poll: FAST_POLL,
    steps: [
      {
        id: 'join',
        workflowId: w.join,
        dependsOn: ['a', 'b'],
        payload: { got: [{ $ref: 'steps.a.resultData.from' }, { $ref: 'steps.b.resultData.from' }] },
      },
      { id: 'a', workflowId: w.a },
      { id: 'b', workflowId: w.b },
    ],
  });
  const result: CodikaPipelineResult = await handle.result();

  const [a] = mock.executionsOf(w.a!);
  const [b] = mock.executionsOf(w.b!);
  const [join] = mock.executionsOf(w.join!);
  expect(Math.abs(a!.createdAt - b!.createdAt)).toBeLessThan(1_000);
  expect(join!.createdAt).toBeGreaterThanOrEqual(Math.max(a!.finishesAt, b!.finishesAt));
  // Side by side: each started before the other finished (one after the other, b would start after a's end).
  expect(a!.createdAt).toBeLessThan(b!.finishesAt);
  expect(b!.createdAt).toBeLessThan(a!.finishesAt);
  expect(join!.payload).toEqual({ got: ['a', 'b'] });
  expect(result.outputs).toMatchObject({ a: { from: 'a' }, b: { from: 'b' } });
  expect(Object.values(result.steps).map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  expect(result.steps.a!.executionId).toBe(a!.executionId);
});

test('templates read nested values of the input and of earlier results, by $ref and inside strings', async () => {
  const w = ids('tpl', 'extract', 'notify');
  mock.script(w.extract!, { resultData: { text: 'Quarterly numbers are up', meta: { pages: [3, 4], lang: 'en' } } });
  mock.script(w.notify!, {});
  const handle = await start(
    {
      processInstanceId: 'pi_p',
      poll: FAST_POLL,
      steps: [
        { id: 'extract', workflowId: w.extract, payload: { url: { $ref: 'input.document.url' } } },
        {
          id: 'notify',
          workflowId: w.notify,
          dependsOn: ['extract'],
          payload: {
            message:
              'For ${input.customer.name}: ${steps.extract.resultData.text} (${steps.extract.resultData.meta.pages.1} pages, ${steps.extract.resultData.meta})',
            meta: { $ref: 'steps.extract.resultData.meta' },
            list: [{ $ref: 'input.customer.phone' }, 'id $${not.a.path} ${steps.extract.executionId}'],
          },
        },
      ],
    },
    { document: { url: 'https://files.example/q3.pdf' }, customer: { name: 'Ada', phone: '+32470000000' } },
  );
  await handle.result();

  const [extract] = mock.executionsOf(w.extract!);
  const [notify] = mock.executionsOf(w.notify!);
  expect(extract!.payload).toEqual({ url: 'https://files.example/q3.pdf' });
  expect(notify!.payload).toEqual({
    message: 'For Ada: Quarterly numbers are up (4 pages, {"pages":[3,4],"lang":"en"})',
    meta: { pages: [3, 4], lang: 'en' },
    list: ['+32470000000', `id \${not.a.path} ${extract!.executionId}`],
  });
});

test('a reference to a value that is not there fails the step with the place and what is there instead', async () => {
  const w = ids('missing', 'extract', 'notify');
  mock.script(w.extract!, { resultData: { text: 'hello' } });
  mock.script(w.notify!, {});
  const handle = await start({
    processInstanceId: 'pi_p',
    poll: FAST_POLL,
    steps: [
      { id: 'extract', workflowId: w.extract },
      {
        id: 'notify',
        workflowId: w.notify,
        dependsOn: ['extract'],
        payload: { body: { $ref: 'steps.extract.resultData.summary' } },
      },
    ],
  });
  const failure = await failureOf(handle);
  expect(failure.type).toBe('CodikaTemplateError');
  expect(failure.message).toContain('Step "notify" failed');
  expect(failure.message).toContain('steps[1].payload.body.$ref');
  expect(failure.message).toMatch(
    /steps\.extract\.resultData\.summary does not exist: steps\.extract\.resultData has text/,
  );
  expect(mock.executionsOf(w.notify!)).toHaveLength(0);
});

test("onFailure 'continue' skips only the steps that depend on the failed one; the pipeline succeeds", async () => {
  const w = ids('cont', 'flaky', 'after', 'other');
  mock.script(w.flaky!, { durationMs: 200, failWith: 'upstream API down' });
  mock.script(w.after!, {});
  mock.script(w.other!, { durationMs: 500, resultData: { ok: 1 } });
  const handle = await start({
    processInstanceId: 'pi_p',
    poll: FAST_POLL,
    steps: [
      { id: 'flaky', workflowId: w.flaky, onFailure: 'continue' },
      { id: 'after', workflowId: w.after, dependsOn: ['flaky'] },
      { id: 'other', workflowId: w.other },
    ],
  });
  const result: CodikaPipelineResult = await handle.result();
  expect(result.steps.flaky).toMatchObject({ status: 'failed', error: expect.stringContaining('upstream API down') });
  expect(result.steps.after).toMatchObject({ status: 'skipped', error: 'step "flaky" did not succeed' });
  expect(result.steps.other!.status).toBe('succeeded');
  expect(result.outputs).toEqual({ other: { ok: 1 } });
  expect(mock.executionsOf(w.after!)).toHaveLength(0);
});

test("a failing step (onFailure 'fail') stops the pipeline, compensates the finished steps last-first, and keeps Codika's error", async () => {
  const w = ids('saga', 'reserve', 'charge', 'ship', 'release', 'refund', 'audit');
  mock.script(w.reserve!, { durationMs: 200, resultData: { reservation: 'r-1' } });
  mock.script(w.charge!, { durationMs: 800, resultData: { payment: 'p-9' } });
  mock.script(w.ship!, { durationMs: 300, failWith: 'carrier rejected the parcel' });
  mock.script(w.audit!, {});
  mock.script(w.release!, {});
  mock.script(w.refund!, {});
  const handle = await start({
    processInstanceId: 'pi_p',
    poll: FAST_POLL,
    steps: [
      {
        id: 'reserve',
        workflowId: w.reserve,
        compensate: { workflowId: w.release, payload: { id: { $ref: 'steps.reserve.resultData.reservation' } } },
      },
      {
        id: 'charge',
        workflowId: w.charge,
        compensate: { workflowId: w.refund, payload: { id: { $ref: 'steps.charge.resultData.payment' } } },
      },
      { id: 'ship', workflowId: w.ship, dependsOn: ['reserve', 'charge'] },
      { id: 'audit', workflowId: w.audit, dependsOn: ['ship'] },
    ],
  });
  const failure = await failureOf(handle);

  expect(failure.type).toBe('CodikaExecutionFailed');
  expect(failure.message).toMatch(/^Step "ship" failed: .*carrier rejected the parcel/);
  const [refund] = mock.executionsOf(w.refund!);
  const [release] = mock.executionsOf(w.release!);
  expect(refund!.payload).toEqual({ id: 'p-9' });
  expect(release!.payload).toEqual({ id: 'r-1' });
  // charge finished after reserve, so it is undone first.
  expect(refund!.createdAt).toBeLessThan(release!.createdAt);
  expect(mock.executionsOf(w.audit!)).toHaveLength(0);
  const state: CodikaPipelineState = await handle.query(codikaPipelineStateQuery);
  expect(state.phase).toBe('failed');
  expect(state.steps.reserve).toMatchObject({
    status: 'compensated',
    compensation: { status: 'succeeded', executionId: release!.executionId },
  });
  expect(state.steps.charge!.status).toBe('compensated');
  expect(state.steps.ship!.status).toBe('failed');
  expect(state.steps.audit).toMatchObject({ status: 'skipped' });
});

test('reports every problem of a bad definition at once, with its path, before any request reaches Codika', async () => {
  const before = mock.requests.length;
  const handle = await start({
    poll: { strategy: 'sometimes' },
    steps: [
      { id: 'a', workflowId: 'wf-a', dependsOn: ['c'] },
      { id: 'a', workflowId: '../etc' },
      { id: 'b', workflowId: 'wf-b', dependsOn: ['zz'], payload: { x: { $ref: 'steps.a.resultData' } } },
      { id: 'c', workflowId: 'wf-c', dependsOn: ['a'] },
    ],
  });
  const failure = await failureOf(handle);
  expect(failure.type).toBe('CodikaPipelineInvalid');
  for (const expected of [
    'poll.strategy',
    'steps[1].id: "a" is already the id of steps[0]',
    'steps[1].workflowId',
    'steps[2].dependsOn[0]: no step has the id "zz"',
    'steps[2].payload.x.$ref: reads step "a", which is not upstream of "b"',
    'dependsOn forms a cycle: a → c → a',
    'steps[0].processInstanceId: is required',
  ]) {
    expect(failure.message).toContain(expected);
  }
  expect(mock.requests.length).toBe(before);
});

test('cancelling stops polling of running steps and records the Codika executions left running', async () => {
  const w = ids('cancel', 'slow', 'quick', 'never');
  mock.script(w.slow!, { durationMs: Infinity });
  mock.script(w.quick!, { durationMs: 0, resultData: {} });
  mock.script(w.never!, {});
  const handle = await start({
    processInstanceId: 'pi_p',
    poll: FAST_POLL,
    steps: [
      { id: 'slow', workflowId: w.slow },
      { id: 'quick', workflowId: w.quick },
      { id: 'never', workflowId: w.never, dependsOn: ['slow'] },
    ],
  });
  // Wait until the slow one is being polled, visible through the state query.
  let state: CodikaPipelineState | undefined;
  for (let i = 0; i < 100; i += 1) {
    state = await handle.query(codikaPipelineStateQuery);
    if ((state.steps.slow?.polls ?? 0) >= 2 && state.steps.quick?.status === 'succeeded') break;
    await sleep(100);
  }
  expect(state!.steps.slow).toMatchObject({ status: 'running', executionId: expect.any(String) });
  await handle.cancel();
  await expect(handle.result()).rejects.toThrow(WorkflowFailedError);

  const [slow] = mock.executionsOf(w.slow!);
  const description = await handle.describe();
  expect(description.status.name).toBe('CANCELLED');
  expect(description.memo?.codikaLeftRunning).toEqual([{ stepId: 'slow', executionId: slow!.executionId }]);
  const final: CodikaPipelineState = await handle.query(codikaPipelineStateQuery);
  expect(final.phase).toBe('cancelled');
  expect(final.leftRunning).toEqual([{ stepId: 'slow', executionId: slow!.executionId }]);
  expect(final.steps.slow!.status).toBe('cancelled');

  const polled = mock.requestsTo('status', w.slow!).length;
  await sleep(600);
  expect(mock.requestsTo('status', w.slow!).length).toBe(polled);
  expect(mock.executionsOf(w.never!)).toHaveLength(0);
});
