import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { createTestWorker, startTestbed, stopTestbed, uniqueTaskQueue } from '../../helpers/temporal';

const API_KEY = 'ck_slots_key_58';
/** More than the SDK's default of 100 activity slots. */
const EXECUTIONS = 110;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
beforeAll(async () => ({ env, mock } = await startTestbed({ apiKey: API_KEY })));
afterAll(() => stopTestbed({ env, mock }));

test('more executions than the SDK default of 100 activity slots poll at once, and none of their triggers waits for another to finish', async () => {
  const taskQueue = uniqueTaskQueue('slots');
  const codikaWorkflowId = 'many-at-once';
  mock.script(codikaWorkflowId, { durationMs: 8_000, resultData: { ok: true } });
  const worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: API_KEY });

  const results = await worker.runUntil(() =>
    Promise.all(
      Array.from({ length: EXECUTIONS }, (_, i) =>
        env.client.workflow.execute<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
          taskQueue,
          workflowId: `${taskQueue}-${i}`,
          args: [{ processInstanceId: 'pi_slots', workflowId: codikaWorkflowId, poll: { strategy: 'activity' } }],
        }),
      ),
    ),
  );

  expect(results.every((r) => (r.resultData as { ok?: boolean }).ok)).toBe(true);
  // Each polling activity holds its slot until its execution finishes, so with 100 slots the last
  // ten triggers could only come after the first execution had finished.
  const executions = mock.executionsOf(codikaWorkflowId);
  expect(executions).toHaveLength(EXECUTIONS);
  const lastTrigger = Math.max(...executions.map((e) => e.createdAt));
  const firstFinish = Math.min(...executions.map((e) => e.finishesAt));
  expect(lastTrigger).toBeLessThan(firstFinish);
});
