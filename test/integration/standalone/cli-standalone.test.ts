/** `codika-temporal run --standalone`: the real CLI in its own process, against the test server and a worker. */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { quickDemoScripts, startRunningTestbed } from '../../helpers/temporal';
import { runCli, type CliRun } from '../../helpers/cli-process';

const API_KEY = 'ck_cli_standalone_key_62';

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(
  async () =>
    ({ env, mock, taskQueue, stop } = await startRunningTestbed(
      { apiKey: API_KEY, scripts: quickDemoScripts() },
      'cli-standalone',
    )),
);
afterAll(() => stop());

/** The real CLI against the test server and this file's worker. */
function cli(...args: string[]): Promise<CliRun> {
  return runCli(args, { CODIKA_TASK_QUEUE: taskQueue, TEMPORAL_UI_URL: 'http://ui.test:8233' });
}

test('run --standalone: one activity, no workflow; the result printed as run prints it, the activity linked in the UI', async () => {
  const id = `${taskQueue}-summarize`;
  const { code, stdout, stderr } = await cli(
    'run',
    'pi_demo',
    'summarize',
    '--standalone',
    '--id',
    id,
    '--payload',
    '{"text": "one two three", "language": "en"}',
    '--json',
  );

  expect({ code, stderr }).toMatchObject({ code: 0 });
  const printed = JSON.parse(stdout) as { status: string; result: { executionId: string; resultData: unknown } };
  expect(printed).toMatchObject({ status: 'succeeded', result: { resultData: { summary: '[en] one two three…' } } });
  expect(printed.result.executionId).toBe(mock.executionsOf('summarize').at(-1)!.executionId);
  expect(stderr).toMatch(new RegExp(`http://ui\\.test:8233/namespaces/default/activities/${id}/[0-9a-f-]+/details`));
  const described = await env.client.activity.getHandle(id).describe();
  expect(described).toMatchObject({ activityType: 'codikaExecution', status: 'COMPLETED' });
  await expect(env.client.workflow.getHandle(id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
});

test("run --standalone: a failed execution exits 1 with its type and Codika's message", async () => {
  const { code, stdout, stderr } = await cli('run', 'pi_demo', 'invoice-check', '--standalone', '--json');

  expect(code).toBe(1);
  expect(JSON.parse(stdout)).toMatchObject({ status: 'failed', error: { type: 'CodikaExecutionFailed' } });
  expect(stderr).toContain('CodikaExecutionFailed: ');
  expect(stderr).toContain('Invoice total does not match the sum of its line items');
});

test('run --standalone: without --json, the summary line and the result', async () => {
  const { code, stdout } = await cli('run', 'pi_demo', 'summarize', '--standalone', '--payload', '{"text": "a b"}');

  expect(code).toBe(0);
  expect(stdout).toMatch(/^✔ summarize succeeded: execution \S+, \d+ status checks\n\{/);
});

test.each([
  [['--standalone', '--detach'], '--detach: not with --standalone'],
  [['--standalone', '--strategy', 'timer'], '--strategy: not with --standalone'],
  [['--standalone', '--on-trigger-outcome-unknown', 'ask'], '--on-trigger-outcome-unknown ask: not with --standalone'],
  [['--standalone', '--operator-timeout', '1 hour'], '--operator-timeout: not with --standalone'],
  [['--standalone', '--deadline', 'soon'], 'Invalid poll.deadline'],
  [['--standalone', '--heartbeat-timeout', '0.5s'], 'Invalid heartbeatTimeout'],
  [['--heartbeat-timeout', '1 minute'], '--heartbeat-timeout: applies only with --standalone'],
])('run %j exits 2 before anything starts: %s', async (flags, message) => {
  const before = mock.requestsTo('trigger').length;
  const { code, stderr } = await cli('run', 'pi_demo', 'summarize', ...flags);

  expect(code).toBe(2);
  expect(stderr).toContain(message);
  expect(mock.requestsTo('trigger')).toHaveLength(before);
});
