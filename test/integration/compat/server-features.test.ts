/**
 * What the connected server serves, as a user on it meets it: the core path everywhere from the
 * oldest supported server; standalone activities from 1.31, and before that a clear error naming the
 * version, with nothing started. `npm test` runs this on the current server, `npm run test:compat`
 * on the oldest supported one.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { executeCodikaExecution } from '../../../src/client';
import { executeCodikaActivity } from '../../../src/client/standalone/start-codika-activity';
import { CodikaStandaloneUnsupportedError } from '../../../src/client/standalone/standalone-unsupported';
import { OLDEST_SUPPORTED_SERVER_VERSION, SERVER_VERSION_NEEDED } from '../../../src/shared/server-versions';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { createTestWorker, startTestbed, stopTestbed, uniqueTaskQueue } from '../../helpers/temporal';

const API_KEY = 'ck_server_features';
let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let serverVersion: string;

beforeAll(async () => {
  ({ env, mock } = await startTestbed({ apiKey: API_KEY }));
  serverVersion = (await env.client.connection.workflowService.getSystemInfo({})).serverVersion;
});
afterAll(() => stopTestbed({ env, mock }));

/** `a >= b` for dotted versions. */
function atLeast(a: string, b: string): boolean {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if ((x![i] ?? 0) !== (y![i] ?? 0)) return (x![i] ?? 0) > (y![i] ?? 0);
  return true;
}

test('the server is one this library supports', () => {
  expect(atLeast(serverVersion, OLDEST_SUPPORTED_SERVER_VERSION)).toBe(true);
  if (process.env.CODIKA_TEMPORAL_SERVER === 'oldest-supported')
    expect(serverVersion).toBe(OLDEST_SUPPORTED_SERVER_VERSION);
});

test('an execution as a workflow runs on it', async () => {
  mock.script('features-workflow', { durationMs: 200, resultData: { via: 'workflow' } });
  const taskQueue = uniqueTaskQueue('features-wf');
  const worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: API_KEY });
  const result = await worker.runUntil(
    executeCodikaExecution(
      env.client,
      { processInstanceId: 'pi_f', workflowId: 'features-workflow' },
      { taskQueue, poll: { firstPollAfter: 100 } },
    ),
  );
  expect(result.resultData).toEqual({ via: 'workflow' });
});

test(`a standalone activity runs from ${SERVER_VERSION_NEEDED.standaloneActivities}; before, a clear error and nothing triggered`, async () => {
  mock.script('features-standalone', { durationMs: 200, resultData: { via: 'activity' } });
  const taskQueue = uniqueTaskQueue('features-sa');
  const worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, apiKey: API_KEY });
  const run = worker.runUntil(
    executeCodikaActivity(
      env.client,
      { processInstanceId: 'pi_f', workflowId: 'features-standalone' },
      { taskQueue, poll: { firstPollAfter: 100 } },
    ),
  );
  if (atLeast(serverVersion, SERVER_VERSION_NEEDED.standaloneActivities)) {
    await expect(run).resolves.toMatchObject({ resultData: { via: 'activity' } });
    expect(mock.requestsTo('trigger', 'features-standalone')).toHaveLength(1);
  } else {
    const error = await run.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(CodikaStandaloneUnsupportedError);
    expect((error as Error).message).toContain('they need Temporal server 1.31 or later');
    expect(mock.requestsTo('trigger', 'features-standalone')).toHaveLength(0);
  }
});
