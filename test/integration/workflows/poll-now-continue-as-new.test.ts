/**
 * A `codikaPollNow` that arrives while the last status check before a continue-as-new is in flight
 * is carried into the new run, which checks at once instead of at its next (here one-minute) timer.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { codikaPollNowSignal } from '../../../src/workflows';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { waitUntil } from '../../helpers/wait';
import { startRunningTestbed } from '../../helpers/temporal';

const API_KEY = 'ck_poll_now_can_key_3';

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(async () => ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'wake-can')));
afterAll(() => stop());

test('a wake-up during the check before continue-as-new makes the new run check at once', async () => {
  // The first check takes 2 s to answer "pending": the signal lands while it is in flight.
  mock.script('wake-can', { durationMs: 120_000, faults: { status: [{ kind: 'delay', ms: 2_000 }] } });
  const handle = await env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-wf`,
    args: [
      {
        processInstanceId: 'pi_w',
        workflowId: 'wake-can',
        // After the first check, the next one would be a minute away.
        poll: { strategy: 'timer', firstPollAfter: 100, backoffCoefficient: 600, maxPollInterval: '1 minute' },
        continueAsNewAfterPolls: 1,
      },
    ],
  });
  try {
    const checks = () => mock.requestsTo('status', 'wake-can');
    await waitUntil(() => checks().length === 1 && checks()[0]!.outcome === 0, 'the first check in flight');
    await handle.signal(codikaPollNowSignal);
    await waitUntil(() => checks().length >= 2, 'a second check', { timeoutMs: 15_000 });

    const [first, second] = checks();
    expect(second!.at - first!.endedAt!).toBeLessThan(5_000);
    // It was the continued run that checked.
    expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
    expect(mock.requestsTo('trigger', 'wake-can')).toHaveLength(1);
  } finally {
    await handle.terminate('test over');
  }
});
