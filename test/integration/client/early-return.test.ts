/**
 * Early return: `startCodikaExecution(…, { waitForTrigger: true })` answers once Codika accepted the
 * trigger, through update-with-start, with the executionId Codika gave; one workflow id is one
 * execution however many times (and however concurrently) it is asked for; a trigger failure comes
 * back typed. And the CLI's `run --detach`.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startCodikaExecution, startCodikaPipeline } from '../../../src/client';
import { CodikaValidationError } from '../../../src/shared/errors';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { startRunningTestbed } from '../../helpers/temporal';

const API_KEY = 'ck_early_return_key_17';
const ROOT = join(__dirname, '..', '..', '..');
const POLL = { strategy: 'timer', firstPollAfter: 200, backoffCoefficient: 1 } as const;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(async () => ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'early')));
afterAll(() => stop());

test('returns the executionId Codika gave as soon as the trigger is accepted, long before the execution ends', async () => {
  mock.script('er-slow', { durationMs: 6_000, resultData: { done: true } });
  const startedAt = Date.now();
  const { handle, executionId } = await startCodikaExecution(
    env.client,
    { processInstanceId: 'pi_er', workflowId: 'er-slow' },
    { taskQueue, workflowId: `${taskQueue}-order-1`, poll: POLL, waitForTrigger: true },
  );
  const tookMs = Date.now() - startedAt;

  const [execution] = mock.executionsOf('er-slow');
  expect(executionId).toBe(execution!.executionId);
  expect(tookMs).toBeLessThan(execution!.finishesAt - startedAt);
  expect((await handle.describe()).status.name).toBe('RUNNING');
  expect((await handle.result()).executionId).toBe(executionId);
});

test('one workflow id is one execution: concurrent calls, and calls after the run closed, all get the same executionId', async () => {
  mock.script('er-once', { durationMs: 1_500 });
  const call = () =>
    startCodikaExecution(
      env.client,
      { processInstanceId: 'pi_er', workflowId: 'er-once' },
      { taskQueue, workflowId: `${taskQueue}-order-2`, poll: POLL, waitForTrigger: true },
    );
  const [first, second, third] = await Promise.all([call(), call(), call()]);
  expect(new Set([first.executionId, second.executionId, third.executionId]).size).toBe(1);
  expect(mock.requestsTo('trigger', 'er-once')).toHaveLength(1);

  await first.handle.result();
  const afterwards = await call();
  expect(afterwards.executionId).toBe(first.executionId);
  expect(mock.requestsTo('trigger', 'er-once')).toHaveLength(1);
  expect((await afterwards.handle.describe()).status.name).toBe('COMPLETED');
});

test('a trigger that fails comes back as the update’s failure, typed; a run that never triggered is not started again', async () => {
  // A 502 after Codika accepted: under at-most-once, the outcome is unknown and the run fails.
  mock.script('er-lost', { durationMs: 500, faults: { trigger: [{ kind: 'http', status: 502, strikes: 'after' }] } });
  const call = () =>
    startCodikaExecution(
      env.client,
      { processInstanceId: 'pi_er', workflowId: 'er-lost' },
      { taskQueue, workflowId: `${taskQueue}-order-3`, poll: POLL, waitForTrigger: true },
    );
  const err = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((err as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'CodikaTriggerOutcomeUnknown' });
  await expect(call()).rejects.toThrow(/already ran \(FAILED\) and never triggered a Codika execution/);
  expect(mock.requestsTo('trigger', 'er-lost')).toHaveLength(1);
});

test('waitForTrigger needs a workflow id of the caller’s, checked before anything starts', async () => {
  await expect(
    startCodikaExecution(
      env.client,
      { processInstanceId: 'pi_er', workflowId: 'er-x' },
      { taskQueue, waitForTrigger: true },
    ),
  ).rejects.toThrow(CodikaValidationError);
  expect(mock.requestsTo('trigger', 'er-x')).toHaveLength(0);
});

test('the CLI: run --detach prints the executionId and the workflow id, and leaves the run going', async () => {
  mock.script('er-cli', { durationMs: 5_000 });
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) =>
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'src', 'cli', 'main.ts'),
        'run',
        'pi_er',
        'er-cli',
        '--detach',
        '--id',
        `${taskQueue}-cli`,
        '--json',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS, CODIKA_TASK_QUEUE: taskQueue },
        timeout: 60_000,
      },
      (e, out) => resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, stdout: out }),
    ),
  );
  expect(code).toBe(0);
  const printed = JSON.parse(stdout) as { workflowId: string; executionId: string };
  expect(printed).toMatchObject({
    workflowId: `${taskQueue}-cli`,
    executionId: mock.executionsOf('er-cli')[0]!.executionId,
  });
  const handle = env.client.workflow.getHandle(printed.workflowId);
  expect((await handle.describe()).status.name).toBe('RUNNING');
  await handle.result();
});

describe('pipelines', () => {
  const pipeline = (first: string, then: string) => ({
    processInstanceId: 'pi_er',
    poll: POLL,
    steps: [
      { id: 'extract', workflowId: first },
      { id: 'send', workflowId: 'er-send', forEach: { items: [1, 2, 3], concurrency: 2 } },
      { id: 'notify', workflowId: then, dependsOn: ['extract'] },
    ],
  });

  test('return once the first steps are triggered, with their executionIds by step; two calls, one run', async () => {
    mock.script('er-extract', { durationMs: 3_000 });
    mock.script('er-send', { durationMs: 3_000 });
    mock.script('er-notify', {});
    const call = () =>
      startCodikaPipeline(
        env.client,
        pipeline('er-extract', 'er-notify'),
        {},
        {
          taskQueue,
          workflowId: `${taskQueue}-pipeline-1`,
          waitForTrigger: true,
        },
      );
    const [first, second] = await Promise.all([call(), call()]);

    const [extract] = mock.executionsOf('er-extract');
    const sends = mock.executionsOf('er-send');
    expect(first.executionIds.extract).toBe(extract!.executionId);
    expect(sends.map((e) => e.executionId)).toEqual(
      expect.arrayContaining([first.executionIds['send[0]'], first.executionIds['send[1]']]),
    );
    expect(first.executionIds.notify).toBeUndefined();
    expect(second.executionIds).toEqual(first.executionIds);
    expect(mock.requestsTo('trigger', 'er-extract')).toHaveLength(1);
    expect((await first.handle.describe()).status.name).toBe('RUNNING');
    await first.handle.result();
  });

  test("a first step's trigger failure comes back typed", async () => {
    mock.script('er-extract-lost', { faults: { trigger: [{ kind: 'http', status: 502, strikes: 'after' }] } });
    const err = await startCodikaPipeline(
      env.client,
      pipeline('er-extract-lost', 'er-notify'),
      {},
      {
        taskQueue,
        workflowId: `${taskQueue}-pipeline-2`,
        waitForTrigger: true,
      },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((err as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'CodikaTriggerOutcomeUnknown' });
  });
});
