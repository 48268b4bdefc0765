import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { MockCodikaServer } from '../../src/testing/mock-codika-server';
import type { codikaExecutionWorkflow } from '../../src/workflows/codika-execution-workflow';
import { createTestWorker, startTestbed, stopTestbed, uniqueTaskQueue } from '../helpers/temporal';

const API_KEY = 'ck_idempotency_key_3e1';
const LOST_ANSWER = { faults: { trigger: [{ kind: 'accept_then_drop' as const }] }, durationMs: 200 };

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
beforeAll(async () => ({ env, mock } = await startTestbed({ apiKey: API_KEY })));
afterAll(() => stopTestbed({ env, mock }));

async function runAgainst(server: MockCodikaServer, codikaWorkflowId: string) {
  const taskQueue = uniqueTaskQueue('idem');
  const worker = await createTestWorker(env, taskQueue, { baseUrl: server.url, apiKey: API_KEY });
  return worker.runUntil(
    env.client.workflow.execute<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
      taskQueue,
      workflowId: `${taskQueue}-wf`,
      args: [{ processInstanceId: 'pi_i', workflowId: codikaWorkflowId, poll: { firstPollAfter: 100 } }],
    }),
  );
}

test('a trigger whose answer was lost is retried with the same Idempotency-Key, and Codika runs it once', async () => {
  mock.script('lost-answer', LOST_ANSWER);
  const result = await runAgainst(mock, 'lost-answer');

  const triggers = mock.requestsTo('trigger', 'lost-answer');
  expect(triggers.map((r) => r.outcome)).toEqual(['dropped', 200]);
  expect(triggers[0].headers['idempotency-key']).toBeTruthy();
  expect(triggers[1].headers['idempotency-key']).toBe(triggers[0].headers['idempotency-key']);
  expect(mock.executionsOf('lost-answer')).toHaveLength(1);
  expect(result.executionId).toBe(mock.executionsOf('lost-answer')[0].executionId);
});

test('against a server that ignores Idempotency-Key, the same lost answer starts a second execution', async () => {
  const careless = new MockCodikaServer({
    apiKey: API_KEY,
    honourIdempotencyKey: false,
    scripts: { 'lost-answer': LOST_ANSWER },
  });
  await careless.start();
  try {
    const result = await runAgainst(careless, 'lost-answer');
    const executions = careless.executionsOf('lost-answer');
    // This is the at-least-once window the README documents: the first execution is orphaned.
    expect(executions).toHaveLength(2);
    expect(result.executionId).toBe(executions[1].executionId);
  } finally {
    await careless.stop();
  }
});
