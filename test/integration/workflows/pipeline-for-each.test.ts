/**
 * forEach steps on the real server against the mock: items in item order, at most `concurrency`
 * Codika executions in flight, `onFailure` per item, compensation per succeeded item, the state's
 * items and counts, and results too large for one payload.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CodikaPipelineState } from '../../../src/pipeline/pipeline-types';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { MockExecution } from '../../../src/testing/mock-codika/mock-codika-server';
import { codikaPipelineStateQuery } from '../../../src/workflows';
import { startCodikaPipeline } from '../../../src/client';
import { failureOf, startRunningTestbed } from '../../helpers/temporal';
import { FAST_POLL, pipelineStarter } from '../../helpers/pipeline-runs';
import { sleep } from '../../helpers/wait';

const API_KEY = 'ck_for_each_key_27';

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(async () => ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'for-each')));
afterAll(() => stop());

const start = pipelineStarter(() => ({ env, taskQueue }), { processInstanceId: 'pi_fe', poll: FAST_POLL });

/** The most executions of `executions` that were running at one moment (created, not yet finished). */
function peakInFlight(executions: MockExecution[]): number {
  const edges = executions.flatMap((e) => [
    { at: e.createdAt, delta: 1 },
    { at: e.finishesAt, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let peak = 0;
  for (const { delta } of edges) peak = Math.max(peak, (now += delta));
  return peak;
}

const recipients = (n: number) => Array.from({ length: n }, (_, i) => ({ email: `user${i}@example.com`, n: i }));

test('items run at most `concurrency` at a time; results come back in item order with ${item} and ${index} rendered', async () => {
  const wf = 'fe-send';
  mock.script(wf, { durationMs: 400, resultData: (p: unknown) => ({ sent: (p as { to: string }).to }) });
  const handle = await start(
    {
      steps: [
        {
          id: 'send',
          workflowId: wf,
          forEach: { items: { $ref: 'input.recipients' }, concurrency: 3 },
          payload: { to: { $ref: 'item.email' }, line: 'Hello #${index} (${item.n})' },
        },
        {
          id: 'report',
          workflowId: 'fe-report',
          dependsOn: ['send'],
          payload: { all: { $ref: 'steps.send.resultData' } },
        },
      ],
    },
    { recipients: recipients(8) },
  );
  const result = await handle.result();
  const executions = mock.executionsOf(wf);

  expect(executions).toHaveLength(8);
  expect(peakInFlight(executions)).toBeLessThanOrEqual(3);
  expect(peakInFlight(executions)).toBe(3);
  expect(
    executions.map((e) => e.payload).sort((a, b) => ((a as { to: string }).to < (b as { to: string }).to ? -1 : 1)),
  ).toContainEqual({
    to: 'user5@example.com',
    line: 'Hello #5 (5)',
  });
  const inOrder = recipients(8).map((r) => ({ sent: r.email }));
  expect(result.outputs.send).toEqual(inOrder);
  expect(mock.executionsOf('fe-report')[0]!.payload).toEqual({ all: inOrder });
  // The result counts the items; the state query (after the end too) lists them.
  const { items } = (await handle.query(codikaPipelineStateQuery)).steps.send!;
  expect(items!.map((i) => i.status)).toEqual(Array(8).fill('succeeded'));
  expect(items![2]!.executionId).toBe(
    executions.find((e) => (e.payload as { to: string }).to === 'user2@example.com')!.executionId,
  );
  expect(result.steps.send!.itemCounts).toEqual({ total: 8, done: 8, running: 0, failed: 0, left: 0 });
});

test("onFailure 'continue': failed items are recorded (null in the results) and the others go on", async () => {
  const wf = 'fe-continue';
  mock.script(wf, {
    failIf: (p) => ((p as { n: number }).n % 3 === 1 ? 'mailbox full' : undefined),
    resultData: { ok: true },
  });
  const handle = await start({
    steps: [
      {
        id: 'send',
        workflowId: wf,
        onFailure: 'continue',
        forEach: { items: [0, 1, 2, 3, 4], concurrency: 2 },
        payload: { n: { $ref: 'item' } },
      },
    ],
  });
  const result = await handle.result();
  expect(result.outputs.send).toEqual([{ ok: true }, null, { ok: true }, { ok: true }, null]);
  expect(result.steps.send!.status).toBe('succeeded');
  const { items } = (await handle.query(codikaPipelineStateQuery)).steps.send!;
  expect(items!.map((i) => i.status)).toEqual(['succeeded', 'failed', 'succeeded', 'succeeded', 'failed']);
  expect(items![1]!.error).toContain('mailbox full');
  expect(result.steps.send!.itemCounts).toMatchObject({ done: 3, failed: 2, left: 0 });
});

test("onFailure 'fail': the first failed item stops the rest, and compensate runs once per succeeded item, last finished first", async () => {
  const [wf, undo] = ['fe-fail', 'fe-undo'];
  mock.script(wf, {
    durationMs: 300,
    failIf: (p) => ((p as { n: number }).n === 3 ? 'quota exceeded' : undefined),
    resultData: (p: unknown) => ({ id: `msg-${(p as { n: number }).n}` }),
  });
  mock.script(undo, {});
  const handle = await start({
    steps: [
      {
        id: 'send',
        workflowId: wf,
        forEach: { items: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], concurrency: 2 },
        payload: { n: { $ref: 'item' } },
        compensate: { workflowId: undo, payload: { id: { $ref: 'steps.send.resultData.id' }, n: '${index}' } },
      },
    ],
  });
  const failure = await failureOf(handle);
  const state: CodikaPipelineState = await handle.query(codikaPipelineStateQuery);

  expect(failure.type).toBe('CodikaExecutionFailed');
  expect(failure.message).toMatch(/^Step "send" failed: item 3: .*quota exceeded/);
  const started = mock.executionsOf(wf).map((e) => (e.payload as { n: number }).n);
  expect(started.length).toBeLessThan(10);
  const items = state.steps.send!.items!;
  expect(items.filter((i) => i.status === 'skipped').length).toBe(10 - started.length);
  const succeeded = items.flatMap((item, i) => (item.status === 'compensated' ? [i] : []));
  expect(succeeded.length).toBe(started.length - 1);
  // One compensation per succeeded item, reading that item's own result, last finished first.
  const undone = mock.executionsOf(undo).map((e) => e.payload as { id: string; n: string });
  expect(undone.map((u) => u.id).sort()).toEqual(succeeded.map((i) => `msg-${i}`).sort());
  const finishOrder = mock
    .executionsOf(wf)
    .filter((e) => (e.payload as { n: number }).n !== 3)
    .sort((a, b) => a.finishesAt - b.finishesAt)
    .map((e) => `msg-${(e.payload as { n: number }).n}`);
  // Last finished first (two items that finish within one poll of each other may come in either order).
  const finishedAt = new Map(mock.executionsOf(wf).map((e) => [`msg-${(e.payload as { n: number }).n}`, e.finishesAt]));
  for (let k = 1; k < undone.length; k += 1) {
    expect(finishedAt.get(undone[k - 1]!.id)!).toBeGreaterThanOrEqual(finishedAt.get(undone[k]!.id)! - 150);
  }
  expect(new Set(undone.map((u) => u.id))).toEqual(new Set(finishOrder));
  expect(undone.every((u) => u.id === `msg-${u.n}`)).toBe(true);
});

test('the state shows every item and the counts while the step runs', async () => {
  const wf = 'fe-watch';
  mock.script(wf, { durationMs: 1_500 });
  const handle = await start({
    steps: [{ id: 'send', workflowId: wf, forEach: { items: [1, 2, 3, 4, 5], concurrency: 2 } }],
  });
  let state: CodikaPipelineState | undefined;
  for (let i = 0; i < 50; i += 1) {
    state = await handle.query(codikaPipelineStateQuery);
    if (state.steps.send!.itemCounts?.running === 2) break;
    await sleep(100);
  }
  expect(state!.steps.send!.itemCounts).toEqual({ total: 5, done: 0, running: 2, failed: 0, left: 3 });
  expect(state!.steps.send!.items!.slice(0, 2).every((i) => i.status === 'running')).toBe(true);
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  expect(metadata.currentDetails).toContain('- **send** running (items: 0 done, 2 running, 0 failed, 3 left)');
  await handle.result();
});

test('items that are not an array, and results over 2 MB, fail the step with a clear error', async () => {
  const notArray = await start(
    { steps: [{ id: 'send', workflowId: 'fe-x', forEach: { items: { $ref: 'input.to' } } }] },
    { to: 'a@b.c' },
  );
  const failure = await failureOf(notArray);
  expect(failure.type).toBe('CodikaTemplateError');
  expect(failure.message).toBe('Step "send" failed: steps[0].forEach.items: expected an array of items, got string');

  const big = 'x'.repeat(600_000);
  mock.script('fe-big', { resultData: { big } });
  const tooLarge = await start({ steps: [{ id: 'fetch', workflowId: 'fe-big', forEach: { items: [1, 2, 3, 4] } }] });
  const large = await failureOf(tooLarge);
  expect(large.type).toBe('CodikaResultTooLarge');
  expect(large.message).toContain("over Temporal's 2 MB payload limit");
});

test('an empty list succeeds at once with an empty result', async () => {
  const handle = await start(
    { steps: [{ id: 'send', workflowId: 'fe-none', forEach: { items: { $ref: 'input.list' } } }] },
    { list: [] },
  );
  const result = await handle.result();
  expect(result.outputs.send).toEqual([]);
  expect(mock.executionsOf('fe-none')).toHaveLength(0);
});

/** Every run's events of a workflow id (a run that continued as new, and each later one). */
async function eventsOfAllRuns(workflowId: string): Promise<number> {
  let events = 0;
  for await (const run of env.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
    const history = await env.client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    events += history.events?.length ?? 0;
  }
  return events;
}

test('500 items with concurrency 20 run in batch child workflows: never more than 20 in flight, results in order, history per item reported', async () => {
  const wf = 'fe-newsletter';
  mock.script(wf, { durationMs: 300, resultData: (p: unknown) => ({ to: (p as { to: string }).to }) });
  const list = recipients(500);
  const handle = await start(
    {
      poll: {},
      steps: [
        {
          id: 'send',
          workflowId: wf,
          forEach: { items: { $ref: 'input.recipients' }, concurrency: 20 },
          payload: { to: '${item.email}', n: { $ref: 'index' } },
        },
      ],
    },
    { recipients: list },
  );
  const result = await handle.result();
  const executions = mock.executionsOf(wf);

  // In flight: from the trigger until the status check that saw the end.
  const lastCheck = new Map<string, number>();
  for (const r of mock.requestsTo('status', wf))
    lastCheck.set(r.executionId!, Math.max(lastCheck.get(r.executionId!) ?? 0, r.at));
  const edges = executions.flatMap((e) => [
    { at: e.createdAt, delta: 1 },
    { at: lastCheck.get(e.executionId)!, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let peak = 0;
  for (const { delta } of edges) peak = Math.max(peak, (now += delta));

  expect(executions).toHaveLength(500);
  expect(new Set(executions.map((e) => (e.payload as { n: number }).n)).size).toBe(500);
  expect(peak).toBeLessThanOrEqual(20);
  expect(peak).toBeGreaterThanOrEqual(15);
  expect(result.outputs.send).toEqual(list.map((r) => ({ to: r.email })));
  const batches = result.steps.send!.batches!;
  expect(batches.map((b) => [b.from, b.to, b.status])).toEqual([
    [0, 200, 'done'],
    [200, 400, 'done'],
    [400, 500, 'done'],
  ]);
  expect(result.steps.send!.itemCounts).toEqual({ total: 500, done: 500, running: 0, failed: 0, left: 0 });

  const parentEvents = await eventsOfAllRuns(handle.workflowId);
  let childEvents = 0;
  for (const batch of batches) childEvents += await eventsOfAllRuns(batch.workflowId);
  const perItem = (parentEvents + childEvents) / 500;
  process.stdout.write(
    `forEach of 500 items (auto polling, 300 ms executions): ${parentEvents} events in the pipeline, ${childEvents} in its 3 batches: ${perItem.toFixed(1)} events per item\n`,
  );
  // A handful of events per batch, and about six each time a draining batch hands on a quarter of its room.
  expect(parentEvents).toBeLessThan(200);
  expect(perItem).toBeLessThan(20);
}, 240_000);

test('cancelling a pipeline cancels the batch it is running (batches outlive the run that started them)', async () => {
  const wf = 'fe-cancel-batch';
  mock.script(wf, { durationMs: Infinity });
  const handle = await start(
    { steps: [{ id: 'send', workflowId: wf, forEach: { items: { $ref: 'input.items' }, concurrency: 5 } }] },
    { items: Array.from({ length: 201 }, (_, i) => i) },
  );
  let batchId: string | undefined;
  for (let i = 0; i < 100 && batchId === undefined; i += 1) {
    const state = await handle.query(codikaPipelineStateQuery);
    batchId = state.steps.send!.batches?.find((b) => b.status === 'running')?.workflowId;
    if (batchId === undefined || mock.executionsOf(wf).length < 5) {
      batchId = undefined;
      await sleep(100);
    }
  }
  expect(batchId).toBeDefined();
  await handle.cancel();
  await expect(handle.result()).rejects.toThrow();
  const batch = env.client.workflow.getHandle(batchId!);
  for (let i = 0; i < 100 && (await batch.describe()).status.name === 'RUNNING'; i += 1) await sleep(100);
  expect((await batch.describe()).status.name).toBe('CANCELLED');
  // The batch records the Codika executions it left running, as any cancelled pipeline does.
  const memo = (await batch.describe()).memo as { codikaLeftRunning?: unknown[] };
  expect(memo.codikaLeftRunning).toHaveLength(5);
});

test('batch payloads are data: 201 items holding ${…}, a $ref-shaped object and $${ reach Codika as they are', async () => {
  const wf = 'fe-merge-tags';
  mock.script(wf, {});
  const people = Array.from({ length: 201 }, (_, i) => ({
    text: `Hi \${firstName}, #${i}`,
    tag: { $ref: 'input.secret' },
    price: 'costs $${price}',
  }));
  const handle = await start(
    {
      steps: [
        {
          id: 'send',
          workflowId: wf,
          forEach: { items: { $ref: 'input.people' }, concurrency: 20 },
          payload: { person: { $ref: 'item' }, n: { $ref: 'index' } },
        },
      ],
    },
    { people, secret: 'never read' },
  );
  const result = await handle.result();

  expect(result.steps.send!.batches!.length).toBeGreaterThan(1);
  const sent = mock.executionsOf(wf).map((e) => e.payload as { person: unknown; n: number });
  expect(sent).toHaveLength(201);
  for (const { person, n } of sent) expect(person).toEqual(people[n]);
});

test('a batch item that fails stops the step; the pipeline undoes each item that succeeded once, and starts no later batch', async () => {
  const ids = { send: 'fe-batch-fail', undo: 'fe-batch-undo' };
  // Batch 1's other items outlast item 4's failure: no room frees up in between, so no later batch
  // may start (when they ended together, a room freed in the same moment could go on first).
  const durations: Record<number, number> = { 3: 3_000, 4: 0, 5: 3_000 };
  mock.script(ids.send, {
    durationMs: (p) => durations[(p as { n: number }).n] ?? 600,
    failIf: (p) => ((p as { n: number }).n === 4 ? 'item four refused' : undefined),
  });
  mock.script(ids.undo, {});
  const handle = await start({
    steps: [
      {
        id: 'send',
        workflowId: ids.send,
        forEach: { items: [0, 1, 2, 3, 4, 5, 6], concurrency: 3, batchSize: 3 },
        payload: { n: { $ref: 'item' } },
        compensate: { workflowId: ids.undo, payload: { n: { $ref: 'item' } } },
      },
    ],
  });

  const failure = await failureOf(handle);

  expect(failure.type).toBe('CodikaExecutionFailed');
  expect(failure.message).toContain('item 4');
  // Batch 1 gets room as batch 0's items end: item 5 starts only if its room came before item 4 failed.
  const started = mock.executionsOf(ids.send).map((e) => (e.payload as { n: number }).n);
  expect(started.sort()).toEqual(started.includes(5) ? [0, 1, 2, 3, 4, 5] : [0, 1, 2, 3, 4]);
  const undone = mock.executionsOf(ids.undo).map((e) => (e.payload as { n: number }).n);
  expect(undone.sort()).toEqual(started.filter((n) => n !== 4).sort());
});

test('batches slide as a window: a slow item holds one place of `concurrency`, not the next batch', async () => {
  const wf = 'fe-window';
  // Item 0 takes 5 s; every other item 300 ms. One batch at a time, batch 1 would wait for item 0.
  mock.script(wf, { durationMs: (p) => ((p as { n: number }).n === 0 ? 5_000 : 300), resultData: (p: unknown) => p });
  const handle = await start({
    steps: [
      {
        id: 'send',
        workflowId: wf,
        forEach: { items: [0, 1, 2, 3, 4, 5, 6, 7, 8], concurrency: 3, batchSize: 3 },
        payload: { n: { $ref: 'item' } },
      },
    ],
  });
  const result = await handle.result();

  const executions = mock.executionsOf(wf);
  const slow = executions.find((e) => (e.payload as { n: number }).n === 0)!;
  expect(executions).toHaveLength(9);
  for (const e of executions) expect(e.createdAt).toBeLessThan(slow.finishesAt);
  expect(peakInFlight(executions)).toBeLessThanOrEqual(3);
  expect(result.outputs.send).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ n })));
  expect(result.steps.send!.batches!.map((b) => b.status)).toEqual(['done', 'done', 'done']);
}, 60_000);

test('waitForTrigger: a batched first step returns once its first items triggered, with their executionIds', async () => {
  const wf = 'fe-batched-first';
  mock.script(wf, { durationMs: 3_000 });
  const started = await startCodikaPipeline(
    env.client,
    {
      processInstanceId: 'pi_fe',
      poll: FAST_POLL,
      steps: [{ id: 'send', workflowId: wf, forEach: { items: [0, 1, 2, 3, 4], concurrency: 2, batchSize: 2 } }],
    },
    {},
    { taskQueue, workflowId: `${taskQueue}-batched-first`, waitForTrigger: true },
  );

  const ids = mock.executionsOf(wf).map((e) => e.executionId);
  expect(Object.keys(started.executionIds).sort()).toEqual(['send[0]', 'send[1]']);
  expect(ids).toEqual(expect.arrayContaining([started.executionIds['send[0]'], started.executionIds['send[1]']]));
  await started.handle.result();
}, 60_000);

test("a lost batch runs again where `retry` and 'at-least-once' allow it: the pipeline succeeds", async () => {
  const wf = 'fe-batch-again';
  // The first execution of each of items 0 and 1 never ends: their batch is terminated by hand meanwhile.
  const seen = new Set<number>();
  mock.script(wf, {
    durationMs: (p) => {
      const n = (p as { n: number }).n;
      const first = !seen.has(n);
      seen.add(n);
      return n < 2 && first ? Infinity : 200;
    },
    resultData: (p: unknown) => p,
  });
  const handle = await start({
    triggerDelivery: 'at-least-once',
    steps: [
      {
        id: 'send',
        workflowId: wf,
        forEach: { items: [0, 1, 2, 3], concurrency: 2, batchSize: 2 },
        payload: { n: { $ref: 'item' } },
        retry: { maximumAttempts: 2, initialInterval: '500 ms' },
      },
    ],
  });
  for (let i = 0; i < 100 && mock.executionsOf(wf).length < 2; i += 1) await sleep(100);
  const state = await handle.query(codikaPipelineStateQuery);
  await env.client.workflow.getHandle(state.steps.send!.batches![0]!.workflowId).terminate('by hand');

  const result = await handle.result();

  const batch = result.steps.send!.batches![0]!;
  expect(batch).toMatchObject({ status: 'done', attempt: 2 });
  expect(batch.workflowId).toMatch(/-attempt-2$/);
  const triggers = mock.executionsOf(wf).map((e) => (e.payload as { n: number }).n);
  expect(triggers.sort()).toEqual([0, 0, 1, 1, 2, 3]);
  expect(result.outputs.send).toEqual([0, 1, 2, 3].map((n) => ({ n })));
}, 60_000);

test('a report from a batch of an earlier chain under the same workflow id is refused', async () => {
  const wf = 'fe-stale-batch';
  mock.script(wf, { durationMs: 3_000, resultData: (p: unknown) => p });
  const pipeline = {
    processInstanceId: 'pi_fe',
    poll: FAST_POLL,
    steps: [
      {
        id: 'send',
        workflowId: wf,
        forEach: { items: [0, 1, 2, 3], concurrency: 2, batchSize: 2 },
        payload: { n: { $ref: 'item' } },
      },
    ],
  };
  const workflowId = `${taskQueue}-stale`;
  const first = await env.client.workflow.start('codikaPipelineWorkflow', {
    taskQueue,
    workflowId,
    args: [{ pipeline }],
  });
  for (let i = 0; i < 100 && mock.executionsOf(wf).length < 2; i += 1) await sleep(100);
  // Terminated while its batch runs: the batch (ABANDON) goes on and reports to the workflow id.
  await first.terminate('started again');
  const secondStartedAt = Date.now();
  const second = await env.client.workflow.start('codikaPipelineWorkflow', {
    taskQueue,
    workflowId,
    args: [{ pipeline }],
  });
  await second.result();

  const ownExecutions = new Set(
    mock
      .executionsOf(wf)
      .filter((e) => e.createdAt >= secondStartedAt)
      .map((e) => e.executionId),
  );
  expect(ownExecutions.size).toBe(4);
  for (const item of (await second.query(codikaPipelineStateQuery)).steps.send!.items!)
    expect(ownExecutions.has(item.executionId!)).toBe(true);
}, 60_000);
