/**
 * A pipeline whose items wait in line for a key's permits continues as new while they wait (its
 * server suggests it every 40 events): each continued run asks again under the same lease, in its
 * place, so every item runs exactly once, never two at once, and the pipeline ends as it would have.
 */
import { pipelinesOnOwnServer } from '../../helpers/own-server';

const bed = pipelinesOnOwnServer({
  suggestContinueAsNewAfter: 40,
  apiKey: 'ck_permits_can_key_28',
  taskQueue: 'permits-can',
  defaults: {
    processInstanceId: 'pi_permits_can',
    poll: { strategy: 'timer', firstPollAfter: 100, backoffCoefficient: 1, maxPollInterval: 100 },
  },
});

test('items waiting for a permit survive the pipeline continuing as new: each runs once, one at a time', async () => {
  const { mock, client } = bed.current();
  mock.script('in-line-item', { durationMs: 600 });
  const handle = await bed.start('permits-can-1', {
    concurrency: { key: 'in-line', limit: 1 },
    steps: [
      {
        id: 'send',
        workflowId: 'in-line-item',
        payload: { n: { $ref: 'item' } } as never,
        forEach: { items: [1, 2, 3, 4, 5, 6], concurrency: 3 },
      },
    ],
  });
  const result = await handle.result();
  expect((result.outputs.send as unknown[]).length).toBe(6);

  const executions = mock.executionsOf('in-line-item');
  expect(executions.map((e) => (e.payload as { n: number }).n).sort()).toEqual([1, 2, 3, 4, 5, 6]);
  // One at a time: each execution was triggered after the one before had finished.
  const sorted = [...executions].sort((a, b) => a.createdAt - b.createdAt);
  for (let i = 1; i < sorted.length; i++)
    expect(sorted[i]!.createdAt).toBeGreaterThanOrEqual(sorted[i - 1]!.finishesAt);

  // It did continue as new (more than once) while items waited.
  const runs = (await client.workflow.count(`WorkflowId = 'permits-can-1'`)).count;
  console.log(`pipeline of 6 items under a limit of 1: ${runs} runs`);
  expect(runs).toBeGreaterThan(1);
}, 120_000);
