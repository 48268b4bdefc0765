/**
 * `onTriggerOutcomeUnknown: 'ask'`: a trigger whose answer was lost waits for an operator instead of
 * failing, and the operator's truthful answer leaves exactly one Codika execution per run, whether
 * the fault struck after Codika accepted the trigger or before.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CodikaExecutionState } from '../../../src/shared/execution-types';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { MockFault } from '../../../src/testing/mock-codika/mock-scripts';
import {
  codikaExecutionStateQuery,
  type codikaExecutionWorkflow,
} from '../../../src/workflows/codika-execution-workflow';
import { failureOf, startRunningTestbed } from '../../helpers/temporal';
import {
  LOST_AFTER_ACCEPTANCE as AFTER,
  LOST_BEFORE_ACCEPTANCE as BEFORE,
  refusal,
  resolve,
} from '../../helpers/operator-answers';
import { CODIKA_SEARCH_ATTRIBUTES } from '../../../src/shared/search-attribute-keys';
import { sleep } from '../../helpers/wait';

const API_KEY = 'ck_operator_resolve_key_26';
const PI = 'pi_operator';
const POLL = { strategy: 'timer', firstPollAfter: 200, backoffCoefficient: 1, maxPollInterval: 200 } as const;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(async () => ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'operator')));
afterAll(() => stop());

let counter = 0;
async function startAsking(
  workflowId: string,
  fault: MockFault,
  extra: Partial<Parameters<typeof codikaExecutionWorkflow>[0]> = {},
): Promise<WorkflowHandle<typeof codikaExecutionWorkflow>> {
  mock.script(workflowId, { durationMs: 300, resultData: { done: workflowId }, faults: { trigger: [fault] } });
  counter += 1;
  return env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-${counter}`,
    args: [{ processInstanceId: PI, workflowId, poll: POLL, onTriggerOutcomeUnknown: 'ask', ...extra }],
  });
}

/** The state once the run waits for an operator. */
async function waitingState(handle: WorkflowHandle): Promise<CodikaExecutionState> {
  for (let i = 0; i < 300; i++) {
    const state = await handle.query(codikaExecutionStateQuery);
    if (state.phase === 'awaiting_operator') return state;
    await sleep(100);
  }
  throw new Error('the run never waited for an operator');
}

/** Waits until a visibility query lists the run (visibility lags the run by a moment). */
async function waitUntilListed(query: string, workflowId: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    for await (const run of env.client.workflow.list({ query })) if (run.workflowId === workflowId) return;
    await sleep(200);
  }
  throw new Error(`${workflowId} never listed by ${query}`);
}

test("after acceptance: the run waits, shows the key, and 'started' polls the execution Codika started: one execution", async () => {
  const handle = await startAsking('ask-started', AFTER);
  const state = await waitingState(handle);
  expect(state.question).toMatchObject({ attempt: 1 });
  expect(state.question!.idempotencyKey).toMatch(/^codika-temporal-/);
  expect(Date.parse(state.question!.timeoutAt) - Date.parse(state.question!.askedAt)).toBe(24 * 3600_000);
  // Operators see it in the UI's details, and list every waiting run by its search attribute.
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  expect(metadata.currentDetails).toContain(
    `**waiting for an operator**: trigger outcome unknown, key \`${state.question!.idempotencyKey}\``,
  );
  expect((await handle.describe()).typedSearchAttributes.get(CODIKA_SEARCH_ATTRIBUTES.status)).toBe(
    'awaiting_operator',
  );
  await waitUntilListed(`CodikaStatus = "awaiting_operator"`, handle.workflowId);
  // The operator finds the execution by its key, as they would in Codika.
  const [execution] = mock.executionsOf('ask-started');
  expect(execution!.idempotencyKey).toBe(state.question!.idempotencyKey);

  const answer = await resolve(handle, { resolution: 'started', executionId: execution!.executionId });
  expect(answer).toMatchObject({ resolution: 'started', executionId: execution!.executionId, by: 'ops@example.com' });
  const result = await handle.result();
  expect(result).toMatchObject({ executionId: execution!.executionId, resultData: { done: 'ask-started' } });
  expect(mock.executionsOf('ask-started')).toHaveLength(1);
  expect(mock.requestsTo('trigger', 'ask-started')).toHaveLength(1);
  expect((await handle.describe()).typedSearchAttributes.get(CODIKA_SEARCH_ATTRIBUTES.status)).toBe('success');
  const after = await handle.query(codikaExecutionStateQuery);
  expect(after.answer).toMatchObject({ resolution: 'started', by: 'ops@example.com' });
  // Who answered is in history, with the answer.
  const history = JSON.stringify(await handle.fetchHistory());
  expect(history).toContain('codikaResolveTrigger');
});

test("before acceptance: 'not-started' sends the trigger again with the same key: one execution", async () => {
  const handle = await startAsking('ask-not-started', BEFORE);
  const state = await waitingState(handle);
  expect(mock.executionsOf('ask-not-started')).toHaveLength(0);
  await resolve(handle, { resolution: 'not-started' });
  const result = await handle.result();
  const executions = mock.executionsOf('ask-not-started');
  expect(executions).toHaveLength(1);
  expect(result.executionId).toBe(executions[0]!.executionId);
  const triggers = mock.requestsTo('trigger', 'ask-not-started');
  expect(triggers).toHaveLength(2);
  expect(triggers.map((t) => t.headers['idempotency-key'])).toEqual([
    state.question!.idempotencyKey,
    state.question!.idempotencyKey,
  ]);
});

test("'abandon' fails the run as 'fail' would, saying who abandoned it", async () => {
  const handle = await startAsking('ask-abandon', AFTER);
  await waitingState(handle);
  await resolve(handle, { resolution: 'abandon', by: 'night-shift' });
  const failure = await failureOf(handle);
  expect(failure.type).toBe('CodikaTriggerOutcomeUnknown');
  expect(failure.message).toContain('Abandoned by night-shift');
  expect(failure.details?.[0]).toMatchObject({ answer: { resolution: 'abandon', by: 'night-shift' } });
  expect(mock.requestsTo('trigger', 'ask-abandon')).toHaveLength(1);
});

test('no answer within operatorTimeout fails the run as today, saying nobody answered', async () => {
  const handle = await startAsking('ask-timeout', AFTER, { operatorTimeout: '2 seconds' });
  const state = await waitingState(handle);
  expect(Date.parse(state.question!.timeoutAt) - Date.parse(state.question!.askedAt)).toBe(2_000);
  const failure = await failureOf(handle);
  expect(failure.type).toBe('CodikaTriggerOutcomeUnknown');
  expect(failure.message).toContain('No operator answered within operatorTimeout');
  expect(mock.requestsTo('trigger', 'ask-timeout')).toHaveLength(1);
});

test('the validator refuses a second answer, an empty executionId, a stray executionId, and a run that does not wait', async () => {
  const handle = await startAsking('ask-refusals', AFTER, { poll: { ...POLL } });
  await waitingState(handle);
  expect(await refusal(resolve(handle, { resolution: 'started', executionId: '' }))).toMatch(
    /executionId: is required with 'started'/,
  );
  expect(await refusal(resolve(handle, { resolution: 'not-started', executionId: 'x' }))).toMatch(
    /goes only with 'started'/,
  );
  expect(await refusal(resolve(handle, { resolution: 'started', executionId: 'e1', by: ' ' }))).toMatch(/by:/);
  const [execution] = mock.executionsOf('ask-refusals');
  await resolve(handle, { resolution: 'started', executionId: execution!.executionId });
  expect(await refusal(resolve(handle, { resolution: 'abandon' }))).toMatch(/already answered \('started' by ops/);
  await handle.result();

  // A run that never asked: refused by the validator, nothing recorded.
  mock.script('never-asks', { durationMs: 5_000 });
  const calm = await env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-calm`,
    args: [{ processInstanceId: PI, workflowId: 'never-asks', poll: POLL }],
  });
  expect(await refusal(resolve(calm, { resolution: 'abandon' }))).toMatch(/nothing in this run waits/);
  await calm.cancel();
});

test("without 'ask' the run fails at once, as it always did", async () => {
  mock.script('no-ask', { faults: { trigger: [AFTER] } });
  const handle = await env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-no-ask`,
    args: [{ processInstanceId: PI, workflowId: 'no-ask', poll: POLL }],
  });
  expect((await failureOf(handle)).type).toBe('CodikaTriggerOutcomeUnknown');
});

test('bad options are refused before anything is sent, naming the field', async () => {
  const bad = await env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-bad`,
    args: [{ processInstanceId: PI, workflowId: 'bad-ask', operatorTimeout: '1 hour' }],
  });
  const failure = await failureOf(bad);
  expect(failure.type).toBe('CodikaValidationError');
  expect(failure.message).toContain('input.operatorTimeout');
  expect(mock.requestsTo('trigger', 'bad-ask')).toHaveLength(0);
});

test('two steps asking at once in your own workflow are named execution-1 and execution-2, and each is answered', async () => {
  mock.script('side-a', { durationMs: 200, resultData: { side: 'a' }, faults: { trigger: [BEFORE] } });
  mock.script('side-b', { durationMs: 200, resultData: { side: 'b' }, faults: { trigger: [BEFORE] } });
  const handle = await env.client.workflow.start('stepsSideBySideWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-side-by-side`,
    args: [
      ['side-a', 'side-b'].map((workflowId) => ({ processInstanceId: PI, workflowId, onTriggerOutcomeUnknown: 'ask' })),
    ],
  });
  // Both wait: an answer that names neither is refused, listing both names.
  let listed = '';
  for (let i = 0; i < 100 && !listed.includes('execution-2'); i++) {
    listed = await refusal(resolve(handle, { resolution: 'abandon' }));
    await sleep(100);
  }
  expect(listed).toMatch(/more than one step waits.*execution-1, execution-2/);
  // Nothing started in Codika for either: each, named, is sent again.
  expect(await resolve(handle, { step: 'execution-2', resolution: 'not-started' })).toMatchObject({
    resolution: 'not-started',
  });
  await resolve(handle, { step: 'execution-1', resolution: 'not-started' });
  const results = (await handle.result()) as { resultData: unknown }[];
  expect(results.map((r) => r.resultData)).toEqual([{ side: 'a' }, { side: 'b' }]);
  expect(mock.executionsOf('side-a')).toHaveLength(1);
  expect(mock.executionsOf('side-b')).toHaveLength(1);
});
