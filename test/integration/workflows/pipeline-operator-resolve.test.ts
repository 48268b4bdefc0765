/**
 * `onTriggerOutcomeUnknown: 'ask'` in pipelines, on the real server against the mock: a step (or a
 * forEach item, inline or in a batch child) whose trigger's answer was lost waits for an operator,
 * shows the question in the pipeline's state, and a truthful answer leaves exactly one Codika
 * execution per step and item; 'abandon' fails the pipeline and runs its saga; refusals name what is
 * wrong and record nothing; no answer within operatorTimeout fails the step.
 */
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveCodikaTrigger } from '../../../src/client/resolve-codika-trigger';
import type { CodikaPipelineItemState, CodikaPipelineState } from '../../../src/pipeline/pipeline-types';
import type { CodikaTriggerQuestion } from '../../../src/shared/execution-types';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { codikaPipelineStateQuery } from '../../../src/workflows';
import { failureOf, startRunningTestbed } from '../../helpers/temporal';
import {
  LOST_AFTER_ACCEPTANCE as AFTER,
  LOST_BEFORE_ACCEPTANCE as BEFORE,
  refusal,
  resolve,
} from '../../helpers/operator-answers';
import { CODIKA_SEARCH_ATTRIBUTES } from '../../../src/shared/search-attribute-keys';
import { codikaIds, FAST_POLL, pipelineStarter } from '../../helpers/pipeline-runs';
import { sleep } from '../../helpers/wait';

const API_KEY = 'ck_pipeline_operator_key_31';

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(
  async () => ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'pipeline-operator')),
);
afterAll(() => stop());

const start = pipelineStarter(() => ({ env, taskQueue }), { processInstanceId: 'pi_pop', poll: FAST_POLL });

/** Polls `handle`'s pipeline state until `found` returns something, and returns that and the state. */
async function waitForState<T>(
  handle: WorkflowHandle,
  found: (state: CodikaPipelineState) => T | undefined,
  what: string,
): Promise<{ value: T; state: CodikaPipelineState }> {
  for (let i = 0; i < 300; i++) {
    // A batch child is listed in its pipeline's state a moment before it starts.
    const state = await handle.query(codikaPipelineStateQuery).catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    });
    const value = state && found(state);
    if (state && value !== undefined) return { value, state };
    if (state && state.phase !== 'running') {
      const why = Object.entries(state.steps).map(([id, step]) => `${id}: ${step.status} ${step.error ?? ''}`);
      throw new Error(`the run ended (${state.phase}) before ${what}:\n${why.join('\n')}`);
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The question on the step `id` once it waits for an operator. */
async function stepQuestion(handle: WorkflowHandle, id: string): Promise<CodikaTriggerQuestion> {
  const { value } = await waitForState(handle, (s) => s.steps[id]?.question, `step "${id}" to ask`);
  return value;
}

/** The updates a run's history accepted (a refused one leaves nothing). */
async function acceptedUpdates(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const accepted = e.workflowExecutionUpdateAcceptedEventAttributes;
    return accepted ? [String(accepted.acceptedRequest?.input?.name)] : [];
  });
}

const nOf = (payload: unknown) => (payload as { n: number }).n;

test("a step that asks, fault after acceptance: 'started' with the execution found by its key polls it; the next step reads its result; one execution", async () => {
  const w = codikaIds('pop-started', 'fetch', 'report');
  mock.script(w.fetch!, { durationMs: 300, resultData: { doc: 'd-17' }, faults: { trigger: [AFTER] } });
  mock.script(w.report!, {});
  const handle = await start({
    steps: [
      { id: 'fetch', workflowId: w.fetch, onTriggerOutcomeUnknown: 'ask' },
      {
        id: 'report',
        workflowId: w.report,
        dependsOn: ['fetch'],
        payload: { doc: { $ref: 'steps.fetch.resultData.doc' } },
      },
    ],
  });
  const question = await stepQuestion(handle, 'fetch');
  const waiting = await handle.query(codikaPipelineStateQuery);
  expect(waiting.steps.fetch!.status).toBe('running');
  expect(waiting.steps.report!.status).toBe('pending');
  // Listed among the runs waiting for an operator, and said so in the UI's details.
  expect((await handle.describe()).typedSearchAttributes.get(CODIKA_SEARCH_ATTRIBUTES.status)).toBe(
    'awaiting_operator',
  );
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  expect(metadata.currentDetails).toContain(`**fetch** running · waiting for an operator: trigger outcome unknown`);
  expect(question).toMatchObject({ attempt: 1 });
  expect(Date.parse(question.timeoutAt) - Date.parse(question.askedAt)).toBe(24 * 3600_000);
  // The operator finds the execution in Codika by the key the question shows.
  const [execution] = mock.executionsOf(w.fetch!);
  expect(execution!.idempotencyKey).toBe(question.idempotencyKey);

  const answer = await resolve(handle, { step: 'fetch', resolution: 'started', executionId: execution!.executionId });
  expect(answer).toMatchObject({ resolution: 'started', executionId: execution!.executionId, by: 'ops@example.com' });
  const result = await handle.result();

  expect(result.outputs.fetch).toEqual({ doc: 'd-17' });
  expect(mock.executionsOf(w.report!).map((e) => e.payload)).toEqual([{ doc: 'd-17' }]);
  expect(mock.executionsOf(w.fetch!)).toHaveLength(1);
  expect(mock.requestsTo('trigger', w.fetch)).toHaveLength(1);
  expect(result.steps.fetch).toMatchObject({ status: 'succeeded', executionId: execution!.executionId });
  const after = await handle.query(codikaPipelineStateQuery);
  expect(after.steps.fetch!.answer).toMatchObject({ resolution: 'started', by: 'ops@example.com' });
  expect(after.steps.fetch!.question).toBeUndefined();
  // Once none waits, the attribute is gone: the run no longer shows up among those waiting.
  expect((await handle.describe()).typedSearchAttributes.get(CODIKA_SEARCH_ATTRIBUTES.status)).toBeUndefined();
});

test("the pipeline's default 'ask', fault before acceptance: 'not-started' triggers the step again with the same key; one execution", async () => {
  const w = codikaIds('pop-not-started', 'send');
  mock.script(w.send!, { durationMs: 200, resultData: { sent: true }, faults: { trigger: [BEFORE] } });
  const handle = await start({ onTriggerOutcomeUnknown: 'ask', steps: [{ id: 'send', workflowId: w.send }] });
  const question = await stepQuestion(handle, 'send');
  expect(mock.executionsOf(w.send!)).toHaveLength(0);

  await resolve(handle, { step: 'send', resolution: 'not-started', by: 'night-shift' });
  const result = await handle.result();

  const executions = mock.executionsOf(w.send!);
  expect(executions).toHaveLength(1);
  expect(result.outputs.send).toEqual({ sent: true });
  expect(result.steps.send).toMatchObject({
    status: 'succeeded',
    executionId: executions[0]!.executionId,
    answer: { resolution: 'not-started', by: 'night-shift' },
  });
  const triggers = mock.requestsTo('trigger', w.send);
  expect(triggers.map((t) => t.headers['idempotency-key'])).toEqual([question.idempotencyKey, question.idempotencyKey]);
});

test("'abandon' fails the pipeline CodikaTriggerOutcomeUnknown, saying who, and compensates the step that succeeded before", async () => {
  const w = codikaIds('pop-abandon', 'reserve', 'release', 'charge', 'ship');
  mock.script(w.reserve!, { durationMs: 100, resultData: { reservation: 'r-5' } });
  mock.script(w.release!, {});
  mock.script(w.charge!, { faults: { trigger: [AFTER] } });
  mock.script(w.ship!, {});
  const handle = await start({
    steps: [
      {
        id: 'reserve',
        workflowId: w.reserve,
        compensate: { workflowId: w.release, payload: { id: { $ref: 'steps.reserve.resultData.reservation' } } },
      },
      { id: 'charge', workflowId: w.charge, dependsOn: ['reserve'], onTriggerOutcomeUnknown: 'ask' },
      { id: 'ship', workflowId: w.ship, dependsOn: ['charge'] },
    ],
  });
  await stepQuestion(handle, 'charge');
  expect(mock.executionsOf(w.release!)).toHaveLength(0);

  await resolve(handle, { step: 'charge', resolution: 'abandon', by: 'night-shift' });
  const failure = await failureOf(handle);

  expect(failure.type).toBe('CodikaTriggerOutcomeUnknown');
  expect(failure.message).toMatch(/^Step "charge" failed: /);
  expect(failure.message).toContain('Abandoned by night-shift');
  expect(mock.executionsOf(w.release!).map((e) => e.payload)).toEqual([{ id: 'r-5' }]);
  expect(mock.requestsTo('trigger', w.charge)).toHaveLength(1);
  expect(mock.executionsOf(w.ship!)).toHaveLength(0);
  const state = await handle.query(codikaPipelineStateQuery);
  expect(state.phase).toBe('failed');
  expect(state.steps.reserve).toMatchObject({ status: 'compensated', compensation: { status: 'succeeded' } });
  expect(state.steps.charge).toMatchObject({
    status: 'failed',
    answer: { resolution: 'abandon', by: 'night-shift' },
  });
  expect(state.steps.ship!.status).toBe('skipped');
});

test('forEach items that ask show their questions; an answer without an item is refused naming both; step and item answer each; one execution per item', async () => {
  const wf = 'pop-items';
  mock.script(wf, {
    durationMs: 200,
    resultData: (p: unknown) => ({ n: nOf(p) }),
    // Items 1 and 2: their first trigger's answer is lost after Codika started it.
    triggerFaultIf: (p, earlier) => (earlier === 0 && (nOf(p) === 1 || nOf(p) === 2) ? AFTER : undefined),
  });
  const handle = await start({
    steps: [
      {
        id: 'send',
        workflowId: wf,
        onTriggerOutcomeUnknown: 'ask',
        forEach: { items: [0, 1, 2, 3], concurrency: 4 },
        payload: { n: { $ref: 'item' } },
      },
    ],
  });
  const { value: questions, state } = await waitForState(
    handle,
    (s) => {
      const items = s.steps.send?.items ?? [];
      return items[1]?.question && items[2]?.question ? [items[1].question, items[2].question] : undefined;
    },
    'items 1 and 2 to ask',
  );
  expect(state.steps.send!.status).toBe('running');
  expect(state.steps.send!.question).toBeUndefined();
  const executionOf = (n: number) => mock.executionsOf(wf).find((e) => nOf(e.payload) === n)!;
  expect(questions.map((q) => q.idempotencyKey)).toEqual([
    executionOf(1).idempotencyKey,
    executionOf(2).idempotencyKey,
  ]);

  // Two wait: an answer that names no item is refused, naming both.
  const bothNamed = /item 1 of step "send".*item 2 of step "send"/;
  const stepOnly = await refusal(
    resolve(handle, { step: 'send', resolution: 'started', executionId: executionOf(1).executionId }),
  );
  expect(stepOnly).toMatch(bothNamed);
  const nothingNamed = await refusal(
    resolve(handle, { resolution: 'started', executionId: executionOf(1).executionId }),
  );
  expect(nothingNamed).toMatch(/more than one/);
  expect(nothingNamed).toMatch(bothNamed);

  const first = await resolve(handle, {
    step: 'send',
    item: 1,
    resolution: 'started',
    executionId: executionOf(1).executionId,
  });
  expect(first).toMatchObject({ resolution: 'started', executionId: executionOf(1).executionId });
  // Item 2 still waits, and is answered by its own address.
  expect((await handle.query(codikaPipelineStateQuery)).steps.send!.items![2]!.question).toBeDefined();
  await resolve(handle, { step: 'send', item: 2, resolution: 'started', executionId: executionOf(2).executionId });
  const result = await handle.result();

  expect(result.outputs.send).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
  const executions = mock.executionsOf(wf);
  expect(executions.map((e) => nOf(e.payload)).sort()).toEqual([0, 1, 2, 3]);
  expect(mock.requestsTo('trigger', wf)).toHaveLength(4);
  const items = (await handle.query(codikaPipelineStateQuery)).steps.send!.items!;
  expect(items.map((i) => i.status)).toEqual(Array(4).fill('succeeded'));
  expect(items.map((i) => i.executionId)).toEqual([0, 1, 2, 3].map((n) => executionOf(n).executionId));
  expect(items[1]!.answer).toMatchObject({ resolution: 'started', by: 'ops@example.com' });
  expect(items[0]!.answer).toBeUndefined();
});

test('one forEach item waits: an answer naming the step and no item reaches it', async () => {
  const wf = 'pop-one-item';
  mock.script(wf, {
    durationMs: 200,
    resultData: (p: unknown) => ({ n: nOf(p) }),
    triggerFaultIf: (p, earlier) => (earlier === 0 && nOf(p) === 2 ? AFTER : undefined),
  });
  const handle = await start({
    steps: [
      {
        id: 'send',
        workflowId: wf,
        onTriggerOutcomeUnknown: 'ask',
        forEach: { items: [0, 1, 2], concurrency: 3 },
        payload: { n: { $ref: 'item' } },
      },
    ],
  });
  const { value: question } = await waitForState(handle, (s) => s.steps.send?.items?.[2]?.question, 'item 2 to ask');
  const execution = mock.executionsOf(wf).find((e) => nOf(e.payload) === 2)!;
  expect(execution.idempotencyKey).toBe(question.idempotencyKey);

  // `item` is needed only when more than one item of the step waits.
  const answer = await resolve(handle, { step: 'send', resolution: 'started', executionId: execution.executionId });
  expect(answer).toMatchObject({ resolution: 'started', executionId: execution.executionId });
  const result = await handle.result();
  expect(result.outputs.send).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
  expect(mock.executionsOf(wf)).toHaveLength(3);
  expect(mock.requestsTo('trigger', wf)).toHaveLength(3);
  expect((await handle.query(codikaPipelineStateQuery)).steps.send!.items![2]).toMatchObject({
    executionId: execution.executionId,
    answer: { by: 'ops@example.com' },
  });
});

test('an item of a large forEach waits in its batch child: resolveCodikaTrigger, given the pipeline and the item, reaches it; one execution per item', async () => {
  const wf = 'pop-batched';
  mock.script(wf, {
    durationMs: 300,
    resultData: (p: unknown) => ({ n: nOf(p) }),
    triggerFaultIf: (p, earlier) => (earlier === 0 && nOf(p) === 4 ? AFTER : undefined),
  });
  const handle = await start({
    steps: [
      {
        id: 'send',
        workflowId: wf,
        onTriggerOutcomeUnknown: 'ask',
        forEach: { items: [0, 1, 2, 3, 4, 5], concurrency: 2, batchSize: 2 },
        payload: { n: { $ref: 'item' } },
      },
    ],
  });
  // Item 4 is the third batch's first item: its question is in that batch's state.
  const { value: batch } = await waitForState(
    handle,
    (s) => s.steps.send?.batches?.find((b) => b.from <= 4 && b.to > 4 && b.status === 'running'),
    'the batch of item 4 to run',
  );
  expect(batch.from).toBe(4);
  const batchHandle = env.client.workflow.getHandle(batch.workflowId);
  const { value: question } = await waitForState(
    batchHandle,
    (s) => Object.values(s.steps).flatMap((step) => step.items ?? [])[0]?.question,
    'item 4 to ask in its batch',
  );
  const execution = mock.executionsOf(wf).find((e) => nOf(e.payload) === 4)!;
  expect(execution.idempotencyKey).toBe(question.idempotencyKey);
  // The pipeline itself does not run the item: the answer must go to the batch.
  expect(
    await refusal(
      resolve(handle, { step: 'send', item: 4, resolution: 'started', executionId: execution.executionId }),
    ),
  ).toContain('item 4 of step "send" is not waiting');

  const answer = await resolveCodikaTrigger(env.client, handle.workflowId, {
    step: 'send',
    item: 4,
    resolution: 'started',
    executionId: execution.executionId,
    by: 'alice',
  });
  expect(answer).toMatchObject({ resolution: 'started', executionId: execution.executionId, by: 'alice' });
  const result = await handle.result();

  expect(result.outputs.send).toEqual([0, 1, 2, 3, 4, 5].map((n) => ({ n })));
  expect(
    mock
      .executionsOf(wf)
      .map((e) => nOf(e.payload))
      .sort(),
  ).toEqual([0, 1, 2, 3, 4, 5]);
  expect(mock.requestsTo('trigger', wf)).toHaveLength(6);
  const items: CodikaPipelineItemState[] = (await handle.query(codikaPipelineStateQuery)).steps.send!.items!;
  expect(items.map((i) => i.status)).toEqual(Array(6).fill('succeeded'));
  expect(items[4]!.executionId).toBe(execution.executionId);
  expect(items[4]!.answer).toMatchObject({ resolution: 'started', by: 'alice' });
});

test('refusals on a pipeline: a step that does not wait, an item that does not wait; each named, nothing recorded', async () => {
  const w = codikaIds('pop-refusals', 'wait', 'other', 'list');
  mock.script(w.wait!, { durationMs: 200, faults: { trigger: [AFTER] } });
  mock.script(w.other!, { durationMs: 1_000 });
  mock.script(w.list!, { durationMs: 1_000 });
  const handle = await start({
    onTriggerOutcomeUnknown: 'ask',
    steps: [
      { id: 'wait', workflowId: w.wait },
      { id: 'other', workflowId: w.other },
      { id: 'list', workflowId: w.list, forEach: { items: [0, 1] }, payload: { n: { $ref: 'item' } } },
    ],
  });
  await stepQuestion(handle, 'wait');
  const [execution] = mock.executionsOf(w.wait!);
  const started = { resolution: 'started', executionId: execution!.executionId } as const;

  const otherStep = await refusal(resolve(handle, { step: 'other', ...started }));
  expect(otherStep).toContain('step "other" is not waiting for an operator');
  expect(otherStep).toContain('waiting: step "wait"');
  const otherItem = await refusal(resolve(handle, { step: 'list', item: 1, ...started }));
  expect(otherItem).toContain('item 1 of step "list" is not waiting for an operator');
  const unknownStep = await refusal(resolve(handle, { step: 'nope', ...started }));
  expect(unknownStep).toContain('step "nope" is not waiting');
  // Nothing recorded: no update in history, the step still waits.
  expect(await acceptedUpdates(handle)).toEqual([]);
  expect((await handle.query(codikaPipelineStateQuery)).steps.wait!.question?.idempotencyKey).toBe(
    execution!.idempotencyKey,
  );

  await resolve(handle, { step: 'wait', ...started });
  // Answered once: a second answer is refused, saying who answered.
  expect(await refusal(resolve(handle, { step: 'wait', resolution: 'abandon' }))).toMatch(
    /step "wait" was already answered \('started' by ops@example\.com/,
  );
  await handle.result();
  expect(await acceptedUpdates(handle)).toEqual(['codikaResolveTrigger']);
  expect(mock.executionsOf(w.wait!)).toHaveLength(1);
});

test("no answer within the step's own operatorTimeout (under the pipeline's longer one) fails the pipeline, saying nobody answered", async () => {
  const w = codikaIds('pop-timeout', 'send');
  mock.script(w.send!, { faults: { trigger: [AFTER] } });
  const handle = await start({
    operatorTimeout: '1 hour',
    steps: [{ id: 'send', workflowId: w.send, onTriggerOutcomeUnknown: 'ask', operatorTimeout: '2 seconds' }],
  });
  const question = await stepQuestion(handle, 'send');
  expect(Date.parse(question.timeoutAt) - Date.parse(question.askedAt)).toBe(2_000);
  const failure = await failureOf(handle);

  expect(failure.type).toBe('CodikaTriggerOutcomeUnknown');
  expect(failure.message).toMatch(/^Step "send" failed: /);
  expect(failure.message).toContain('No operator answered within operatorTimeout');
  expect(mock.requestsTo('trigger', w.send)).toHaveLength(1);
  const state = await handle.query(codikaPipelineStateQuery);
  expect(state.steps.send).toMatchObject({ status: 'failed' });
  expect(state.steps.send!.question).toBeUndefined();
  expect(state.steps.send!.answer).toBeUndefined();
});
