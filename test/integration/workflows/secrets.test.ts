import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CodikaActivitiesOptions } from '../../../src/activities/create-codika-activities';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type {
  codikaExecutionWorkflow,
  CodikaExecutionWorkflowInput,
} from '../../../src/workflows/codika-execution-workflow';
import { readableHistory, stringifyAll } from '../../helpers/readable-history';
import { startTestbed, stopTestbed, createTestWorker, uniqueTaskQueue, workerLogs } from '../../helpers/temporal';

const DEFAULT_KEY = 'ck_default_secret_9d81f';
const INSTANCE_KEY = 'ck_instance_secret_4b7e2';
const WEBHOOK_SECRET = `whsec_${Buffer.from('webhook-secret-for-history-tests').toString('base64')}`;
const SECRETS = [DEFAULT_KEY, INSTANCE_KEY, WEBHOOK_SECRET, WEBHOOK_SECRET.slice('whsec_'.length)];
const POLL = { firstPollAfter: 100, maxPollInterval: 200 };

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;

beforeAll(async () => {
  ({ env, mock } = await startTestbed({
    apiKey: DEFAULT_KEY,
    apiKeys: { pi_vip: INSTANCE_KEY },
    webhookSecret: WEBHOOK_SECRET,
  }));
  mock.script('ok', { durationMs: 200 });
  mock.script('fails', { durationMs: 200, failWith: 'Template rendering failed' });
  mock.script('retried', {
    durationMs: 200,
    faults: { trigger: [{ kind: 'http', status: 500 }], status: [{ kind: 'drop' }] },
  });
  // A careless server that echoes the credential it was given in its error body.
  mock.script('echoes-key', {
    faults: { trigger: [{ kind: 'http', status: 400, body: `bad request for key ${INSTANCE_KEY}` }] },
  });
});
afterAll(() => stopTestbed({ env, mock }));

async function historyOf(codika: CodikaActivitiesOptions, input: CodikaExecutionWorkflowInput): Promise<string> {
  const taskQueue = uniqueTaskQueue('secrets');
  const worker = await createTestWorker(env, taskQueue, { baseUrl: mock.url, ...codika });
  const handle = await env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-wf`,
    args: [{ ...input, poll: POLL }],
  });
  await worker.runUntil(handle.result().catch(() => undefined));
  const described = await handle.describe();
  return [
    readableHistory(await handle.fetchHistory()),
    stringifyAll(described.memo),
    stringifyAll(described.searchAttributes),
  ].join('\n');
}

test.each([
  ['header', 'a success', { apiKey: DEFAULT_KEY, apiKeys: { pi_vip: INSTANCE_KEY } }, 'pi_vip', 'ok'],
  [
    'query',
    'a Codika failure',
    { authMode: 'query', apiKey: DEFAULT_KEY, apiKeys: { pi_vip: INSTANCE_KEY } },
    'pi_vip',
    'fails',
  ],
  ['query', 'retried calls', { authMode: 'query', apiKey: DEFAULT_KEY }, 'pi_other', 'retried'],
  ['signature', 'retried calls', { authMode: 'signature', webhookSecret: WEBHOOK_SECRET }, 'pi_other', 'retried'],
  ['header', 'an error body echoing the key', { apiKeys: { pi_vip: INSTANCE_KEY } }, 'pi_vip', 'echoes-key'],
] as const)(
  '%s auth: no secret in the history, memo or search attributes of %s',
  async (_mode, _what, codika, pi, workflowId) => {
    const before = mock.requestsTo('trigger', workflowId).length;
    const history = await historyOf(codika as CodikaActivitiesOptions, { processInstanceId: pi, workflowId });

    expect(mock.requestsTo('trigger', workflowId).length).toBeGreaterThan(before); // the secret really was used
    expect(history).toContain(workflowId);
    for (const secret of SECRETS) expect(history).not.toContain(secret);
  },
);

test('the echoed key is redacted, not dropped: the failure still says what happened', async () => {
  mock.injectFaults('echoes-key', {
    trigger: [{ kind: 'http', status: 400, body: `bad request for key ${INSTANCE_KEY}` }],
  });
  const history = await historyOf(
    { apiKeys: { pi_vip: INSTANCE_KEY } },
    { processInstanceId: 'pi_vip', workflowId: 'echoes-key' },
  );
  expect(history).toContain('bad request for key [REDACTED]');
});

test('worker logs of all these runs hold no secret', () => {
  const logs = stringifyAll(workerLogs);
  expect(workerLogs.length).toBeGreaterThan(0);
  for (const secret of SECRETS) expect(logs).not.toContain(secret);
});
