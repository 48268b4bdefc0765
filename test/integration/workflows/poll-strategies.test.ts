import { type WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CodikaPollStrategy } from '../../../src/shared/poll-options';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { codikaPollNowSignal, type CodikaExecutionWorkflowInput } from '../../../src/workflows';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { createTestWorker, startTestbed, stopTestbed, uniqueTaskQueue } from '../../helpers/temporal';
import { sleep } from '../../helpers/wait';

const API_KEY = 'ck_strategies_key_77';
const FIXED_200MS = { firstPollAfter: 200, backoffCoefficient: 1, maxPollInterval: 200 };
const STRATEGIES: CodikaPollStrategy[] = ['timer', 'activity', 'retry', 'auto'];

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
beforeAll(async () => ({ env, mock } = await startTestbed({ apiKey: API_KEY })));
afterAll(() => stopTestbed({ env, mock }));

async function start(taskQueue: string, input: CodikaExecutionWorkflowInput) {
  return env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-wf`,
    args: [input],
  });
}

async function runWith(strategy: CodikaPollStrategy, codikaWorkflowId: string, poll = {}) {
  const taskQueue = uniqueTaskQueue(strategy);
  const worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: API_KEY });
  return worker.runUntil(async () => {
    const handle = await start(taskQueue, {
      processInstanceId: 'pi_s',
      workflowId: codikaWorkflowId,
      poll: { ...FIXED_200MS, ...poll, strategy },
    });
    const outcome = await handle.result().then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error: (error as WorkflowFailedError).cause }),
    );
    const history = await handle.fetchHistory();
    return { ...outcome, events: history.events ?? [] };
  });
}

describe.each(STRATEGIES)('strategy %s', (strategy) => {
  test('returns the result, counting every status check Codika answered', async () => {
    const id = `ok-${strategy}`;
    mock.script(id, { durationMs: 2_500, resultData: { strategy } });
    const { result } = await runWith(strategy, id);

    expect(result?.resultData).toEqual({ strategy });
    expect(mock.executionsOf(id)).toHaveLength(1);
    expect(result?.polls).toBe(mock.requestsTo('status', id).length);
    expect(result?.polls).toBeGreaterThanOrEqual(3);
  });

  test('counts only the status checks Codika answered, not the calls that failed', async () => {
    const id = `flaky-${strategy}`;
    mock.script(id, { durationMs: 2_000, faults: { status: [{ kind: 'http', status: 503, times: 2 }] } });
    const { result } = await runWith(strategy, id);

    const answered = mock.requestsTo('status', id).filter((r) => r.outcome === 200);
    expect(mock.requestsTo('status', id).length).toBe(answered.length + 2);
    expect(result?.polls).toBe(answered.length);
  });

  test("ends with Codika's failure message", async () => {
    const id = `fail-${strategy}`;
    mock.script(id, { durationMs: 500, failWith: `boom from ${strategy}` });
    const { error } = await runWith(strategy, id);
    expect(error).toMatchObject({ type: 'CodikaExecutionFailed' });
    expect(error?.message).toContain(`boom from ${strategy}`);
  });

  test('ends as CodikaExecutionTimedOut at the deadline', async () => {
    const id = `forever-${strategy}`;
    mock.script(id, { durationMs: Infinity });
    const started = Date.now();
    const { error } = await runWith(strategy, id, { deadline: '3 seconds' });
    expect(error).toMatchObject({ type: 'CodikaExecutionTimedOut' });
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

test('the activity and retry strategies write far less history per poll than timers', async () => {
  const events: Record<string, number> = {};
  for (const strategy of STRATEGIES) {
    const id = `cost-${strategy}`;
    // Long enough for eight checks at 200 ms even when a loaded machine stretches each timer poll to 450 ms.
    mock.script(id, { durationMs: 4_000 });
    const run = await runWith(strategy, id);
    expect(run.result?.polls).toBeGreaterThanOrEqual(8);
    events[strategy] = run.events.length;
  }
  // Timers add a timer and an activity (about 11 events) per check; the others a fixed handful in all
  // (about 22, 5 that index the run: the one patch marker and its attribute, the memo, two updates),
  // however many checks they make.
  expect(events.timer).toBeGreaterThan(80);
  expect(events.activity).toBeLessThan(34);
  expect(events.retry).toBeLessThan(34);
});

test('the polling activity resumes from its last heartbeat on a new worker instead of starting over', async () => {
  mock.script('handover-activity', { durationMs: 11_000, resultData: { done: true } });
  const taskQueue = uniqueTaskQueue('activity-handover');
  const first = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: API_KEY });
  const firstRun = first.run();
  const handle = await start(taskQueue, {
    processInstanceId: 'pi_s',
    workflowId: 'handover-activity',
    poll: { ...FIXED_200MS, strategy: 'activity' },
  });
  // Progress is recorded every 5 s: hand over after the first record (about 25 checks in).
  while (mock.requestsTo('status', 'handover-activity').length < 35) await sleep(50);
  first.shutdown();
  await firstRun;
  const checksBeforeHandover = mock.requestsTo('status', 'handover-activity').length;

  const second = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: API_KEY });
  const result = await second.runUntil(handle.result());

  expect(result.resultData).toEqual({ done: true });
  expect(mock.requestsTo('trigger', 'handover-activity')).toHaveLength(1);
  // Counting restarted at zero would report only the second worker's checks; the count carried over
  // is the last recorded one, so up to 5 s of the first worker's checks may be missing from it.
  const secondWorkerChecks = mock.requestsTo('status', 'handover-activity').length - checksBeforeHandover;
  expect(result.polls).toBeGreaterThanOrEqual(secondWorkerChecks + 20);
  expect(result.polls).toBeLessThanOrEqual(secondWorkerChecks + checksBeforeHandover);
});

test.each(STRATEGIES)(
  'the pollNow signal makes the %s strategy check at once instead of after its interval',
  async (strategy) => {
    const id = `woken-${strategy}`;
    mock.script(id, { durationMs: 300, resultData: { woke: true } });
    const taskQueue = uniqueTaskQueue('poll-now');
    const worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: API_KEY });
    const elapsed = await worker.runUntil(async () => {
      const handle = await start(taskQueue, {
        processInstanceId: 'pi_s',
        workflowId: id,
        poll: { strategy, firstPollAfter: '1 minute', maxPollInterval: '1 minute' },
      });
      while (mock.executionsOf(id).length === 0) await sleep(50);
      await sleep(500);
      const signalledAt = Date.now();
      await handle.signal(codikaPollNowSignal);
      const result = await handle.result();
      expect(result.resultData).toEqual({ woke: true });
      return Date.now() - signalledAt;
    });
    expect(elapsed).toBeLessThan(5_000);
    expect(mock.requestsTo('status', id)).toHaveLength(1);
  },
);

test('a new execution without poll options uses auto; interval options without a strategy keep timer', async () => {
  mock.script('defaults', { durationMs: 300 });
  const activityTypes = async (poll?: CodikaExecutionWorkflowInput['poll']) => {
    const taskQueue = uniqueTaskQueue('defaults');
    const worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: API_KEY });
    const history = await worker.runUntil(async () => {
      const handle = await start(taskQueue, { processInstanceId: 'pi_s', workflowId: 'defaults', poll });
      await handle.result();
      return handle.fetchHistory();
    });
    return new Set(
      history.events?.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean),
    );
  };
  expect(await activityTypes(undefined)).toEqual(new Set(['triggerCodikaExecution', 'pollCodikaExecution']));
  expect(await activityTypes({ firstPollAfter: 200 })).toEqual(
    new Set(['triggerCodikaExecution', 'getCodikaExecutionStatus']),
  );
});

test('an unknown strategy is refused before anything is triggered', async () => {
  const before = mock.requests.length;
  const { error } = await runWith('sometimes' as CodikaPollStrategy, 'never');
  expect(error).toMatchObject({ type: 'CodikaValidationError' });
  expect(error?.message).toMatch(/poll\.strategy.*timer, activity, retry, auto/);
  expect(mock.requests.length).toBe(before);
});
