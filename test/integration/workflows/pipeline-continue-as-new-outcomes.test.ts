/**
 * A pipeline ends the same whether or not it continued as new. Each test here reproduces a way a
 * continued run used to lose a fact the previous run held (a failed item, an empty forEach's result,
 * a poll schedule) or a failure that did not stop waiting work. The server of its own suggests
 * continuing as new after 40 events, so a run continues many times while items poll.
 */
import type { Client } from '@temporalio/client';
import type { CodikaPipelineResult } from '../../../src/pipeline/pipeline-types';
import type { MockCodikaServer, MockRequestRecord } from '../../../src/testing/mock-codika/mock-codika-server';
import type { MockFault } from '../../../src/testing/mock-codika/mock-scripts';
import { failureOf } from '../../helpers/temporal';
import { pipelinesOnOwnServer } from '../../helpers/own-server';

const POLL = { strategy: 'timer', firstPollAfter: 200, backoffCoefficient: 1, maxPollInterval: 200 } as const;

const bed = pipelinesOnOwnServer({
  suggestContinueAsNewAfter: 40,
  apiKey: 'ck_pipeline_outcomes_key_25',
  taskQueue: 'outcomes',
  defaults: { processInstanceId: 'pi_out', poll: POLL },
});
const start = bed.start;
let mock: MockCodikaServer;
let client: Client;
beforeAll(() => ({ mock, client } = bed.current()));

const runsOf = async (workflowId: string) => (await client.workflow.count(`WorkflowId = '${workflowId}'`)).count;

test('a forEach item that failed stays failed across continue-as-new: the step fails, nothing more starts, succeeded items are undone', async () => {
  mock.script('out-item', {
    // Item 5 fails at once; the others take long enough for the run to continue as new while they poll.
    durationMs: (p) => ((p as { n: number }).n === 5 ? 0 : 3_000),
    failIf: (p) => ((p as { n: number }).n === 5 ? 'item five refused' : undefined),
  });
  mock.script('out-undo', {});
  mock.script('out-after', {});
  const handle = await start(
    'outcomes-failed-item',
    {
      steps: [
        {
          id: 'send',
          workflowId: 'out-item',
          forEach: { items: { $ref: 'input.items' }, concurrency: 10 },
          payload: { n: { $ref: 'item' } },
          compensate: { workflowId: 'out-undo', payload: { n: { $ref: 'item' } } },
        },
        { id: 'after', workflowId: 'out-after', dependsOn: ['send'] },
      ],
    },
    { items: Array.from({ length: 40 }, (_, n) => n) },
  );

  const failure = await failureOf(handle);

  expect(failure.type).toBe('CodikaExecutionFailed');
  expect(failure.message).toContain('item 5');
  expect(await runsOf('outcomes-failed-item')).toBeGreaterThan(1);
  // The first ten started together; item 5 failed at once, so none after them starts.
  expect(mock.requestsTo('trigger', 'out-item')).toHaveLength(10);
  expect(mock.requestsTo('trigger', 'out-after')).toHaveLength(0);
  // Each of the nine that succeeded is undone once.
  const undone = mock.executionsOf('out-undo').map((e) => (e.payload as { n: number }).n);
  expect(undone.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9]);
}, 120_000);

test("an empty forEach's result, and one whose items all failed under onFailure 'continue', are [] after continue-as-new", async () => {
  mock.script('out-long', { durationMs: 5_000 });
  mock.script('out-never', {});
  mock.script('out-fails', { failWith: 'no' });
  mock.script('out-read', {});
  const handle = await start('outcomes-empty-for-each', {
    steps: [
      { id: 'long', workflowId: 'out-long' },
      { id: 'empty', workflowId: 'out-never', forEach: { items: [] } },
      { id: 'allFailed', workflowId: 'out-fails', forEach: { items: [1, 2] }, onFailure: 'continue' },
      {
        id: 'read',
        workflowId: 'out-read',
        dependsOn: ['long', 'empty', 'allFailed'],
        payload: { empty: { $ref: 'steps.empty.resultData' }, failed: { $ref: 'steps.allFailed.resultData' } },
      },
    ],
  });

  const result = (await handle.result()) as CodikaPipelineResult;

  expect(await runsOf('outcomes-empty-for-each')).toBeGreaterThan(1);
  expect(mock.executionsOf('out-read')[0]!.payload).toEqual({ empty: [], failed: [null, null] });
  expect(result.outputs.empty).toEqual([]);
  expect(result.outputs.allFailed).toEqual([null, null]);
}, 120_000);

test('polling goes on at the interval it reached: continue-as-new does not restart the backoff', async () => {
  mock.script('out-slow', { durationMs: 14_000 });
  mock.script('out-busy', { durationMs: 14_000 });
  const handle = await start('outcomes-backoff', {
    poll: { strategy: 'timer', firstPollAfter: 200, backoffCoefficient: 2, maxPollInterval: 3_200 },
    steps: [
      { id: 'slow', workflowId: 'out-slow' },
      // Polls every 100 ms, so the history outgrows 40 events while `slow` backs off.
      {
        id: 'busy',
        workflowId: 'out-busy',
        poll: { strategy: 'timer', firstPollAfter: 100, backoffCoefficient: 1, maxPollInterval: 100 },
      },
    ],
  });
  await handle.result();

  expect(await runsOf('outcomes-backoff')).toBeGreaterThan(2);
  const checks = mock.requestsTo('status', 'out-slow').map((r) => r.at);
  const gaps = checks.slice(1).map((at, i) => at - checks[i]!);
  // 200 ms to the first check, then 400, 800, 1600, 3200, 3200…: a restarted backoff would go back to
  // 200 ms after each new run (a loaded machine only makes a gap longer).
  gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(0.75 * Math.min(400 * 2 ** i, 3_200)));
  expect(checks.length).toBeLessThanOrEqual(9);
}, 120_000);

test('a failure stops waiting work: a startAfter delay, a retry backoff and an approval end stopped, triggering nothing', async () => {
  mock.script('out-boom', { durationMs: 1_500, failWith: 'boom' });
  mock.script('out-delayed', {});
  mock.script('out-flaky', { failWith: 'not yet' });
  const handle = await start('outcomes-stop-waiting', {
    steps: [
      { id: 'boom', workflowId: 'out-boom' },
      { id: 'delayed', workflowId: 'out-delayed', startAfter: '1 hour' },
      { id: 'flaky', workflowId: 'out-flaky', retry: { maximumAttempts: 3, initialInterval: '1 hour' } },
      { id: 'approve', approval: { prompt: 'Go on?' } },
    ],
  });

  const failure = await failureOf(handle);

  expect(failure.type).toBe('CodikaExecutionFailed');
  expect(failure.message).toContain('Step "boom" failed');
  expect(mock.requestsTo('trigger', 'out-delayed')).toHaveLength(0);
  expect(mock.requestsTo('trigger', 'out-flaky')).toHaveLength(1);
  const { steps } = (await handle.query('codikaPipelineState')) as CodikaPipelineResult;
  for (const id of ['delayed', 'flaky', 'approve']) {
    expect(steps[id]).toMatchObject({ status: 'failed', error: 'stopped after step "boom" failed' });
  }
}, 60_000);

test('a batch terminated by hand after its pipeline continued as new is noticed by the current run: its items end CodikaBatchLost', async () => {
  mock.script('out-batch-busy', { durationMs: 70_000 });
  mock.script('out-batch-item', { durationMs: Infinity });
  const handle = await start('outcomes-batch-lost', {
    steps: [
      // Quick checks at first, so the pipeline continues as new early; then every 5 s (the test waits a minute).
      {
        id: 'busy',
        workflowId: 'out-batch-busy',
        poll: { strategy: 'timer', firstPollAfter: 100, backoffCoefficient: 1.5, maxPollInterval: 5_000 },
      },
      {
        id: 'send',
        workflowId: 'out-batch-item',
        forEach: { items: [0, 1, 2, 3], concurrency: 2, batchSize: 2 },
        payload: { n: { $ref: 'item' } },
      },
    ],
  });
  let batchId: string | undefined;
  for (let i = 0; i < 200 && (batchId === undefined || (await runsOf('outcomes-batch-lost')) < 2); i += 1) {
    const state = await handle.query('codikaPipelineState').catch(() => undefined);
    batchId ??= (state as { steps: { send: { batches?: { workflowId: string }[] } } } | undefined)?.steps.send
      .batches?.[0]?.workflowId;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(await runsOf('outcomes-batch-lost')).toBeGreaterThan(1);
  await client.workflow.getHandle(batchId!).terminate('by hand');

  const failure = await failureOf(handle);

  expect(failure.type).toBe('CodikaBatchLost');
  const { steps } = (await handle.query('codikaPipelineState')) as CodikaPipelineResult;
  expect(steps.send!.items!.map((item) => [item.status, item.failureType])).toEqual([
    ['failed', 'CodikaBatchLost'],
    ['failed', 'CodikaBatchLost'],
    ['skipped', undefined],
    ['skipped', undefined],
  ]);
  expect(mock.requestsTo('trigger', 'out-batch-item')).toHaveLength(2);
}, 150_000);

test('a step whose slow status check ends it while the run continues as new finishes once and is undone once', async () => {
  mock.script('out-check-busy', { durationMs: 6_000 });
  // Every status answer takes 700 ms: a check is under way most of the time the run could continue.
  mock.script('out-check-slow', {
    durationMs: 2_500,
    faults: { status: [{ kind: 'delay', ms: 700, times: 50 }] },
  });
  mock.script('out-check-undo', {});
  mock.script('out-check-fail', { failWith: 'refused' });
  const handle = await start('outcomes-check-in-flight', {
    steps: [
      {
        id: 'busy',
        workflowId: 'out-check-busy',
        poll: { strategy: 'timer', firstPollAfter: 100, backoffCoefficient: 1, maxPollInterval: 100 },
      },
      { id: 'slow', workflowId: 'out-check-slow', compensate: { workflowId: 'out-check-undo' } },
      { id: 'fail', workflowId: 'out-check-fail', dependsOn: ['slow', 'busy'] },
    ],
  });

  const failure = await failureOf(handle);

  expect(failure.type).toBe('CodikaExecutionFailed');
  expect(await runsOf('outcomes-check-in-flight')).toBeGreaterThan(1);
  expect(mock.requestsTo('trigger', 'out-check-slow')).toHaveLength(1);
  expect(mock.executionsOf('out-check-undo')).toHaveLength(1);
}, 90_000);

test('a trigger Codika refuses for now waits across continue-as-new: the run continues meanwhile, and sends it again with the same key when what was left of its wait is over', async () => {
  // Item 0's trigger is refused three times: it waits 1 s, 3 s (Retry-After), then 4 s (the backoff doubled twice).
  const refusals: MockFault[] = [
    { kind: 'http', status: 503 },
    { kind: 'http', status: 429, retryAfter: 3 },
    { kind: 'http', status: 503 },
  ];
  const n = (payload: unknown) => (payload as { n: number }).n;
  mock.script('out-refused', {
    durationMs: 1_500,
    triggerFaultIf: (payload, earlier) => (n(payload) === 0 ? refusals[earlier] : undefined),
  });
  const items = Array.from({ length: 12 }, (_, i) => i);
  const handle = await start(
    'outcomes-trigger-wait',
    {
      steps: [
        {
          id: 'send',
          workflowId: 'out-refused',
          triggerDelivery: 'at-least-once',
          forEach: { items: { $ref: 'input.items' }, concurrency: 4 },
          payload: { n: { $ref: 'item' } },
        },
      ],
    },
    { items },
  );

  const result = (await handle.result()) as CodikaPipelineResult;

  expect(result.outputs.send).toEqual(items.map((i) => ({ echo: { n: i } })));
  // One execution per item: no trigger was sent twice once accepted.
  expect(
    mock
      .executionsOf('out-refused')
      .map((e) => n(e.payload))
      .sort((a, b) => a - b),
  ).toEqual(items);
  const first = mock.requestsTo('trigger', 'out-refused').filter((r) => n(payloadOf(r)) === 0);
  expect(first.map((r) => r.outcome)).toEqual([503, 429, 503, 200]);
  const keys = new Set(first.map((r) => r.headers['idempotency-key']));
  expect(keys.size).toBe(1);
  expect([...keys][0]).toMatch(/^codika-temporal-/);
  // Each wait as long as it was, though a new run took it up: none went back to the first backoff.
  const gaps = first.slice(1).map((r, i) => r.at - first[i]!.at);
  gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(0.9 * [1_000, 3_000, 4_000][i]!));
  // The run continued as new while the trigger waited: before, it held the items and itself until Codika accepted.
  const runs: number[] = [];
  for await (const run of client.workflow.list({ query: "WorkflowId = 'outcomes-trigger-wait'" }))
    runs.push(run.startTime.getTime());
  const whileWaiting = runs.filter((at) => at > first[0]!.at && at < first[3]!.at);
  expect(whileWaiting.length).toBeGreaterThan(0);
}, 120_000);

/** A trigger request's `payload`. */
function payloadOf(request: MockRequestRecord): unknown {
  return (JSON.parse(request.body) as { payload: unknown }).payload;
}
