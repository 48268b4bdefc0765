/**
 * `triggerDelivery` wherever a Codika execution is started: the step helper inline and as a child
 * run, pipelines (pipeline default, step override, saga, onFailure), and at the deadline.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CodikaExecutionInput } from '../../../src/shared/execution-types';
import { CODIKA_EXECUTION_TIMED_OUT, CODIKA_TRIGGER_OUTCOME_UNKNOWN } from '../../../src/shared/errors';
import type { CodikaPipelineResult } from '../../../src/pipeline/pipeline-types';
import type { CodikaPipelineDefinition } from '../../../src/pipeline/definition';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { MockFault } from '../../../src/testing/mock-codika/mock-scripts';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import type { oneStepWorkflow } from '../../fixtures/user-workflows';
import { failureOf, startRunningTestbed } from '../../helpers/temporal';

const API_KEY = 'ck_delivery_steps_key_8';
const LOST_ANSWER: MockFault = { kind: 'http', status: 502, strikes: 'after' };
const POLL = { strategy: 'timer', firstPollAfter: 100, backoffCoefficient: 1, maxPollInterval: 100 } as const;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(async () => ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'steps')));
afterAll(() => stop());

let counter = 0;
const nextId = () => `${taskQueue}-${++counter}`;

describe.each([
  ['inline (runCodikaExecution)', false],
  ['as a child run (runCodikaExecutionAsChild)', true],
])('the step helper %s', (_how, asChild) => {
  const run = (input: CodikaExecutionInput) =>
    env.client.workflow.start<typeof oneStepWorkflow>('oneStepWorkflow', {
      taskQueue,
      workflowId: nextId(),
      args: [input, asChild],
    });

  test('by default, a trigger whose answer was lost ends the step: one execution, CodikaTriggerOutcomeUnknown', async () => {
    const wf = `lost-default-${asChild}`;
    mock.script(wf, { durationMs: 100, faults: { trigger: [LOST_ANSWER] } });

    const failure = await failureOf(await run({ processInstanceId: 'pi_s', workflowId: wf }));

    expect(failure.type).toBe(CODIKA_TRIGGER_OUTCOME_UNKNOWN);
    expect(mock.executionsOf(wf)).toHaveLength(1);
    expect(mock.requestsTo('trigger', wf)).toHaveLength(1);
  });

  test("with triggerDelivery 'at-least-once', it is sent again and the step succeeds, at the price of a second execution", async () => {
    const wf = `lost-opted-in-${asChild}`;
    mock.script(wf, { durationMs: 100, faults: { trigger: [LOST_ANSWER] } });

    const result = await (
      await run({ processInstanceId: 'pi_s', workflowId: wf, triggerDelivery: 'at-least-once' })
    ).result();

    const executions = mock.executionsOf(wf);
    expect(executions).toHaveLength(2);
    expect(result.executionId).toBe(executions[1]!.executionId);
  });
});

describe('pipelines', () => {
  async function runPipeline(pipeline: CodikaPipelineDefinition): Promise<WorkflowHandle> {
    return env.client.workflow.start('codikaPipelineWorkflow', {
      taskQueue,
      workflowId: nextId(),
      args: [{ pipeline }],
    });
  }

  test('a step whose trigger outcome is unknown fails the pipeline with that type, and the saga undoes the steps before it', async () => {
    mock.script('p-book', { durationMs: 100, faults: { trigger: [LOST_ANSWER] } });
    mock.script('p-charge', { durationMs: 100, faults: { trigger: [LOST_ANSWER] } });
    mock.script('p-unbook', { durationMs: 100 });

    const failure = await failureOf(
      await runPipeline({
        processInstanceId: 'pi_p',
        poll: POLL,
        // Every step sends again after a lost answer, except the one that moves money.
        triggerDelivery: 'at-least-once',
        steps: [
          { id: 'book', workflowId: 'p-book', compensate: { workflowId: 'p-unbook' } },
          { id: 'charge', workflowId: 'p-charge', dependsOn: ['book'], triggerDelivery: 'at-most-once' },
        ],
      }),
    );

    expect(failure.type).toBe(CODIKA_TRIGGER_OUTCOME_UNKNOWN);
    expect(failure.message).toMatch(/^Step "charge" failed: Codika may have started an execution of "p-charge"/);
    expect(failure.details?.[0]).toMatchObject({
      stepId: 'charge',
      compensations: [{ stepId: 'book', status: 'succeeded' }],
    });
    expect(mock.executionsOf('p-book')).toHaveLength(2);
    expect(mock.executionsOf('p-charge')).toHaveLength(1);
    expect(mock.executionsOf('p-unbook')).toHaveLength(1);
  });

  test("with onFailure 'continue', only the steps that depend on it are skipped", async () => {
    mock.script('c-notify', { durationMs: 100, faults: { trigger: [LOST_ANSWER] } });
    mock.script('c-report', { durationMs: 100 });

    const handle = await runPipeline({
      processInstanceId: 'pi_p',
      poll: POLL,
      steps: [
        { id: 'notify', workflowId: 'c-notify', onFailure: 'continue' },
        { id: 'after-notify', workflowId: 'c-report', dependsOn: ['notify'] },
        { id: 'report', workflowId: 'c-report' },
      ],
    });
    const result = (await handle.result()) as CodikaPipelineResult;

    expect(result.steps.notify).toMatchObject({ status: 'failed', error: expect.stringContaining('Idempotency-Key') });
    expect(result.steps['after-notify']!.status).toBe('skipped');
    expect(result.steps.report!.status).toBe('succeeded');
    expect(mock.executionsOf('c-notify')).toHaveLength(1);
  });
});

describe('the deadline', () => {
  const runOne = (workflowId: string, deadline: string) =>
    env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
      taskQueue,
      workflowId: nextId(),
      args: [{ processInstanceId: 'pi_s', workflowId, poll: { ...POLL, deadline } }],
    });

  test('a trigger refused until the deadline times out, and says nothing was started', async () => {
    mock.script('always-503', { faults: { trigger: [{ kind: 'http', status: 503, times: 100 }] } });

    const failure = await failureOf(await runOne('always-503', '4 seconds'));

    expect(failure.type).toBe(CODIKA_EXECUTION_TIMED_OUT);
    expect(failure.message).toContain('Codika refused every attempt, so nothing was started');
    expect(mock.requestsTo('trigger', 'always-503').length).toBeGreaterThanOrEqual(2);
    expect(mock.executionsOf('always-503')).toHaveLength(0);
  });

  test('a trigger still unanswered at the deadline is an unknown outcome, not a timeout that hides it', async () => {
    mock.script('never-answers', {
      durationMs: 100,
      faults: { trigger: [{ kind: 'delay', ms: 10_000, strikes: 'after' }] },
    });

    const failure = await failureOf(await runOne('never-answers', '2 seconds'));

    expect(failure.type).toBe(CODIKA_TRIGGER_OUTCOME_UNKNOWN);
    expect(failure.message).toContain('was still unanswered when the step deadline passed');
    expect(mock.executionsOf('never-answers')).toHaveLength(1);
  });
});
