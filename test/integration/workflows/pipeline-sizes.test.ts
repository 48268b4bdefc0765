/**
 * Sizes checked before Temporal's 2 MB payload limit bites. Over it, the server refuses a command and
 * the run's workflow task fails again and again: each test here left its run stuck before the check.
 * The server of its own suggests continuing as new after 40 events, so runs try to continue often.
 */
import type { Client } from '@temporalio/client';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { codikaPipelineStateQuery } from '../../../src/workflows';
import { failureOf } from '../../helpers/temporal';
import { pipelinesOnOwnServer } from '../../helpers/own-server';

const POLL = { strategy: 'timer', firstPollAfter: 100, backoffCoefficient: 1, maxPollInterval: 100 } as const;
/** About 800 KB as JSON: three of them are over the limit, two are not. */
const heavy = (tag: string) => ({ tag, blob: 'x'.repeat(800_000) });

const bed = pipelinesOnOwnServer({
  suggestContinueAsNewAfter: 40,
  apiKey: 'ck_pipeline_sizes_key_25',
  taskQueue: 'sizes',
  defaults: { processInstanceId: 'pi_sizes', poll: POLL },
});
const start = bed.start;
let mock: MockCodikaServer;
let client: Client;
beforeAll(() => ({ mock, client } = bed.current()));

/** The event count of each run of a chain, oldest first. */
async function eventsPerRun(workflowId: string): Promise<number[]> {
  const runs: { startTime: number; events: number }[] = [];
  for await (const run of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
    const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    runs.push({ startTime: run.startTime.getTime(), events: history.events?.length ?? 0 });
  }
  return runs.sort((a, b) => a.startTime - b.startTime).map((r) => r.events);
}

test('outputs over 2 MB fail the pipeline typed, naming the heaviest steps, and its saga runs', async () => {
  for (const name of ['a', 'b', 'c']) mock.script(`size-out-${name}`, { resultData: heavy(name) });
  mock.script('size-out-undo', {});
  const handle = await start('sizes-outputs', {
    steps: ['a', 'b', 'c'].map((name) => ({
      id: name,
      workflowId: `size-out-${name}`,
      ...(name === 'a' ? { compensate: { workflowId: 'size-out-undo' } } : {}),
    })),
  });

  const failure = await failureOf(handle);

  expect(failure.type).toBe('CodikaResultTooLarge');
  expect(failure.message).toMatch(
    /^The pipeline could not return its result: its result .* takes 2\.\d+ MB .*largest outputs: [abc] \(0\.7\d MB\)/,
  );
  expect(mock.requestsTo('trigger', 'size-out-undo')).toHaveLength(1);
}, 60_000);

test('a result holds outputs and step states without forEach items; the state query, after the end too, lists them', async () => {
  mock.script('size-items', { resultData: (p: unknown) => p });
  const handle = await start('sizes-lean-result', {
    steps: [{ id: 'send', workflowId: 'size-items', forEach: { items: [1, 2, 3] }, payload: { n: { $ref: 'item' } } }],
  });

  const result = await handle.result();

  expect(result.outputs.send).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  expect(result.steps.send!.items).toBeUndefined();
  expect(result.steps.send!.itemCounts).toMatchObject({ total: 3, done: 3 });
  const state = await handle.query(codikaPipelineStateQuery);
  expect(state.steps.send!.items!.map((item) => item.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
}, 60_000);

test('a state too large to carry: the run goes on in its own history and succeeds', async () => {
  mock.script('size-carry-big', { resultData: heavy('big') });
  // Many quick checks: Temporal suggests continuing long before this step ends.
  mock.script('size-carry-slow', { durationMs: 4_000 });
  const handle = await start(
    'sizes-carry',
    {
      steps: [
        { id: 'big', workflowId: 'size-carry-big' },
        { id: 'slow', workflowId: 'size-carry-slow', dependsOn: ['big'] },
      ],
    },
    { notes: 'n'.repeat(1_300_000) },
  );

  const result = await handle.result();

  expect(result.outputs.big).toEqual(heavy('big'));
  const runs = await eventsPerRun('sizes-carry');
  // The last run held the slow step's every check: far past the 40 events where it was asked to continue.
  expect(runs[runs.length - 1]).toBeGreaterThan(80);
  expect(mock.requestsTo('trigger', 'size-carry-slow')).toHaveLength(1);
}, 90_000);

test('a batch whose results are over 2 MB reports without them: the step fails CodikaResultTooLarge and each item that succeeded is undone once', async () => {
  mock.script('size-batch', { resultData: (p: unknown) => heavy(String((p as { n: number }).n)) });
  mock.script('size-batch-undo', {});
  const handle = await start('sizes-batch', {
    steps: [
      {
        id: 'send',
        workflowId: 'size-batch',
        forEach: { items: [0, 1, 2, 3, 4, 5], concurrency: 3, batchSize: 3 },
        payload: { n: { $ref: 'item' } },
        compensate: { workflowId: 'size-batch-undo', payload: { n: { $ref: 'item' } } },
      },
    ],
  });

  const failure = await failureOf(handle);

  expect(failure.type).toBe('CodikaResultTooLarge');
  expect(failure.message).toContain('the report of one of its batches');
  const triggered = mock.executionsOf('size-batch').map((e) => (e.payload as { n: number }).n);
  const undone = mock.executionsOf('size-batch-undo').map((e) => (e.payload as { n: number }).n);
  expect(undone.sort()).toEqual(triggered.sort());
}, 90_000);

test('a long saga continues as new between compensations: each item undone once, no run holds the whole saga', async () => {
  mock.script('size-saga-item', {});
  mock.script('size-saga-undo', {});
  mock.script('size-saga-last', { failWith: 'refused at the end' });
  const items = Array.from({ length: 30 }, (_, i) => i);
  const handle = await start('sizes-saga', {
    steps: [
      {
        id: 'send',
        workflowId: 'size-saga-item',
        forEach: { items, concurrency: 10 },
        payload: { n: { $ref: 'item' } },
        compensate: { workflowId: 'size-saga-undo', payload: { n: { $ref: 'item' } } },
      },
      { id: 'last', workflowId: 'size-saga-last', dependsOn: ['send'] },
    ],
  });

  const failure = await failureOf(handle);

  expect(failure.type).toBe('CodikaExecutionFailed');
  const undone = mock.executionsOf('size-saga-undo').map((e) => (e.payload as { n: number }).n);
  expect(undone.sort((a, b) => a - b)).toEqual(items);
  // Thirty compensations take some 200 events: in one run, its history would hold them all.
  const runs = await eventsPerRun('sizes-saga');
  expect(Math.max(...runs)).toBeLessThan(120);
}, 120_000);
