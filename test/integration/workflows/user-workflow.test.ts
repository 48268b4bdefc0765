import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { chainedReportWorkflow } from '../../fixtures/user-workflows';
import { startTestbed, stopTestbed, createTestWorker, uniqueTaskQueue } from '../../helpers/temporal';

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;

beforeAll(async () => ({ env, mock } = await startTestbed({ apiKey: 'ck_user_wf_key' })));
afterAll(() => stopTestbed({ env, mock }));

test('a user workflow chains two Codika steps, feeding the first result into the second', async () => {
  mock.script('summarize', { durationMs: 300, resultData: { summary: 'Q3 sales up 12%' } });
  mock.script('notify', { durationMs: 300, resultData: (payload: unknown) => ({ sent: payload }) });
  const taskQueue = uniqueTaskQueue('user');
  const worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: 'ck_user_wf_key' });
  const result = await worker.runUntil(
    env.client.workflow.execute<typeof chainedReportWorkflow>('chainedReportWorkflow', {
      taskQueue,
      workflowId: `${taskQueue}-wf`,
      args: ['pi_user', 'Long quarterly report text'],
    }),
  );

  expect(result).toEqual({
    summary: { summary: 'Q3 sales up 12%' },
    sent: { sent: { message_content: 'Q3 sales up 12%' } },
  });
  const [summarize] = mock.requestsTo('trigger', 'summarize');
  const [notify] = mock.requestsTo('trigger', 'notify');
  expect(notify.at).toBeGreaterThan(summarize.at);
});
