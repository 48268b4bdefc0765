import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { CodikaClient } from '../../../src/codika/client';
import { CodikaPlugin } from '../../../src/worker-setup/codika-plugin';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import {
  codikaExecutionStateQuery,
  type codikaExecutionWorkflow,
} from '../../../src/workflows/codika-execution-workflow';
import { quickDemoScripts, startRunningTestbed } from '../../helpers/temporal';
import { runCli, type CliRun } from '../../helpers/cli-process';
import { sleep } from '../../helpers/wait';

const API_KEY = 'ck_cli_key_40';
const ROOT = join(__dirname, '..', '..', '..');

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(
  async () =>
    ({ env, mock, taskQueue, stop } = await startRunningTestbed(
      { apiKey: API_KEY, scripts: quickDemoScripts() },
      'cli',
    )),
);
afterAll(() => stop());

/** The real CLI against the test server and this file's worker. */
function cli(...args: string[]): Promise<CliRun> {
  return runCli(args, { CODIKA_TASK_QUEUE: taskQueue, TEMPORAL_UI_URL: 'http://ui.test:8233' });
}

test('run: prints the result as JSON with --json, links the run in the UI, exits 0', async () => {
  const { code, stdout, stderr } = await cli(
    'run',
    'pi_demo',
    'summarize',
    '--payload',
    '{"text": "one two three", "language": "en"}',
    '--json',
  );
  expect({ code, stderr }).toMatchObject({ code: 0 });
  const printed = JSON.parse(stdout) as { status: string; result: { executionId: string; resultData: unknown } };
  expect(printed.status).toBe('succeeded');
  expect(printed.result.resultData).toEqual({ summary: '[en] one two three…', language: 'en' });
  expect(stderr).toMatch(
    /http:\/\/ui\.test:8233\/namespaces\/default\/workflows\/codika-summarize-pi_demo-\w+\/[0-9a-f-]+\/history/,
  );
});

test('run --trigger-delivery at-least-once: the run carries the choice, and the UI shows it', async () => {
  const id = `${taskQueue}-delivery`;
  const { code } = await cli('run', 'pi_demo', 'summarize', '--trigger-delivery', 'at-least-once', '--id', id);
  expect(code).toBe(0);
  const described = await env.client.workflow.getHandle(id).describe();
  expect(await described.staticDetails()).toContain('**trigger delivery** at-least-once');
  const history = await env.client.workflow.getHandle(id).fetchHistory();
  const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!.data!;
  expect(JSON.parse(Buffer.from(input).toString())).toMatchObject({ triggerDelivery: 'at-least-once' });
});

test('run --priority --fairness-key: the run and its activities carry them; a bad one exits 2', async () => {
  const id = `${taskQueue}-priority`;
  const { code } = await cli(
    'run',
    'pi_demo',
    'summarize',
    '--priority',
    '2',
    '--fairness-key',
    'tenant-9',
    '--id',
    id,
  );
  expect(code).toBe(0);
  const described = await env.client.workflow.getHandle(id).describe();
  expect(described.raw.workflowExecutionInfo?.priority).toMatchObject({ priorityKey: 2, fairnessKey: 'tenant-9' });
  const bad = await cli('run', 'pi_demo', 'summarize', '--priority', '0');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('priority.priorityKey: must be a positive integer');
  expect((await cli('run', 'pi_demo', 'summarize', '--priority', 'high')).code).toBe(2);
});

test("run: a failed execution exits 1 with Codika's message, on stderr and in the JSON", async () => {
  const { code, stdout, stderr } = await cli('run', 'pi_demo', 'invoice-check', '--json');
  expect(code).toBe(1);
  expect(JSON.parse(stdout)).toMatchObject({ status: 'failed', error: { type: 'CodikaExecutionFailed' } });
  expect(stdout).toContain('Invoice total does not match the sum of its line items');
  expect(stderr).toContain('Invoice total does not match the sum of its line items');
});

test('bad input exits 2 naming the problem, before anything starts; an unreachable Temporal exits 3', async () => {
  const before = mock.requests.length;
  const [badId, badPayload, badStrategy, badDelivery, unreachable] = await Promise.all([
    cli('run', 'pi_demo', '../etc'),
    cli('run', 'pi_demo', 'summarize', '--payload', '[1,2]'),
    cli('run', 'pi_demo', 'summarize', '--strategy', 'sometimes'),
    cli('run', 'pi_demo', 'summarize', '--trigger-delivery', 'exactly-once'),
    cli('--address', '127.0.0.1:1', 'run', 'pi_demo', 'summarize'),
  ]);
  expect(badId.code).toBe(2);
  expect(badId.stderr).toContain('workflowId');
  expect(badPayload.code).toBe(2);
  expect(badPayload.stderr).toContain('--payload: must be a JSON object');
  expect(badStrategy.code).toBe(2);
  expect(badStrategy.stderr).toContain('sometimes');
  expect(badDelivery.code).toBe(2);
  expect(badDelivery.stderr).toContain('exactly-once');
  expect(badDelivery.stderr).toContain('at-least-once');
  expect(unreachable.code).toBe(3);
  expect(unreachable.stderr).toContain('cannot reach Temporal at 127.0.0.1:1');
  expect(mock.requests.length).toBe(before);
});

test('run --execution-id: attaches to an execution started elsewhere, prints its result (--select keeps a part), triggers nothing; with --payload exits 2', async () => {
  const workflowId = 'cli-attach';
  mock.script(workflowId, { durationMs: 1_000, resultData: { summary: 'from elsewhere', words: 2 } });
  const elsewhere = new CodikaClient({ baseUrl: mock.url, auth: { mode: 'header', apiKey: API_KEY } });
  const { executionId } = await elsewhere.trigger({ processInstanceId: 'pi_demo', workflowId, payload: {} });

  const { code, stdout, stderr } = await cli('run', 'pi_demo', workflowId, '--execution-id', executionId, '--json');
  expect({ code, stderr }).toMatchObject({ code: 0 });
  const printed = JSON.parse(stdout) as { status: string; result: { executionId: string; resultData: unknown } };
  expect(printed.status).toBe('succeeded');
  expect(printed.result.executionId).toBe(executionId);
  expect(printed.result.resultData).toEqual({ summary: 'from elsewhere', words: 2 });
  expect(mock.requestsTo('status').filter((r) => r.executionId === executionId).length).toBeGreaterThanOrEqual(1);

  // Attached again, now that it ended, keeping only a part of the result.
  const selected = await cli(
    'run',
    'pi_demo',
    workflowId,
    '--execution-id',
    executionId,
    '--select',
    '/summary',
    '--json',
  );
  expect({ code: selected.code, stderr: selected.stderr }).toMatchObject({ code: 0 });
  expect(JSON.parse(selected.stdout)).toMatchObject({
    status: 'succeeded',
    result: { executionId, resultData: { summary: 'from elsewhere' } },
  });

  const refused = await cli('run', 'pi_demo', workflowId, '--execution-id', executionId, '--payload', '{"a":1}');
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('Invalid payload');
  expect(refused.stderr).toContain('executionId');
  // Only the direct trigger: neither run triggered anything.
  expect(mock.requestsTo('trigger', workflowId)).toHaveLength(1);
  expect(mock.executionsOf(workflowId).map((e) => e.executionId)).toEqual([executionId]);
});

test('resolve: answers a run waiting for an operator (--json prints the answer, exit 0, the run polls that execution); two answers or a run that does not wait exit 2', async () => {
  const workflowId = 'cli-resolve';
  mock.script(workflowId, {
    durationMs: 300,
    resultData: { resolved: true },
    faults: { trigger: [{ kind: 'http', status: 502, strikes: 'after' }] },
  });
  mock.script('cli-resolve-calm', { durationMs: 60_000 });
  const poll = { strategy: 'timer', firstPollAfter: 200, backoffCoefficient: 1, maxPollInterval: 200 } as const;
  const start = (id: string, codikaWorkflowId: string, ask: boolean) =>
    env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
      taskQueue,
      workflowId: id,
      args: [
        {
          processInstanceId: 'pi_demo',
          workflowId: codikaWorkflowId,
          poll,
          ...(ask ? { onTriggerOutcomeUnknown: 'ask' } : {}),
        },
      ],
    });
  const [asking, calm] = [
    await start(`${taskQueue}-resolve`, workflowId, true),
    await start(`${taskQueue}-resolve-calm`, 'cli-resolve-calm', false),
  ];
  let state = await asking.query(codikaExecutionStateQuery);
  for (let i = 0; i < 100 && state.phase !== 'awaiting_operator'; i += 1) {
    await sleep(100);
    state = await asking.query(codikaExecutionStateQuery);
  }
  expect(state.phase).toBe('awaiting_operator');
  const [execution] = mock.executionsOf(workflowId);
  expect(execution!.idempotencyKey).toBe(state.question!.idempotencyKey);

  // Refused before connecting (an unreachable address would exit 3), and by the run that does not wait.
  const [twoAnswers, notWaiting] = await Promise.all([
    cli(
      '--address',
      '127.0.0.1:1',
      'resolve',
      asking.workflowId,
      '--execution-id',
      execution!.executionId,
      '--abandon',
    ),
    cli('resolve', calm.workflowId, '--execution-id', execution!.executionId, '--by', 'alice'),
  ]);
  expect(twoAnswers.code).toBe(2);
  expect(twoAnswers.stderr).toContain('give exactly one answer');
  expect(notWaiting.code).toBe(2);
  expect(notWaiting.stderr).toContain('nothing in this run waits for an operator');
  await calm.cancel();

  const { code, stdout, stderr } = await cli(
    'resolve',
    asking.workflowId,
    '--execution-id',
    execution!.executionId,
    '--by',
    'alice',
    '--json',
  );
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  const printed = JSON.parse(stdout) as { resolution: string; executionId: string; by: string; at: string };
  expect(printed).toMatchObject({ resolution: 'started', executionId: execution!.executionId, by: 'alice' });
  expect(Number.isNaN(Date.parse(printed.at))).toBe(false);
  const result = await asking.result();
  expect(result).toMatchObject({ executionId: execution!.executionId, resultData: { resolved: true } });
  expect(mock.executionsOf(workflowId)).toHaveLength(1);
  expect(mock.requestsTo('trigger', workflowId)).toHaveLength(1);
});

test('pipeline run: follows the steps and prints every output as JSON', async () => {
  const { code, stdout, stderr } = await cli(
    'pipeline',
    'run',
    'examples/pipelines/document-digest.json',
    '--input',
    '@examples/pipelines/document-digest.input.json',
    '--json',
  );
  expect({ code, stderr }).toMatchObject({ code: 0 });
  const printed = JSON.parse(stdout) as { status: string; result: { outputs: Record<string, unknown> } };
  expect(Object.keys(printed.result.outputs).sort()).toEqual(['extract', 'notify', 'summarize_en', 'summarize_fr']);
  // Progress lines went to stderr, one per step.
  expect(stderr).toMatch(/✔ notify\s+succeeded, execution \S+/);
});

test('pipeline status and approve: an approval answered through the CLI; refusals exit 2 with the reason', async () => {
  const id = `${taskQueue}-approval`;
  const running = cli(
    'pipeline',
    'run',
    'examples/pipelines/order-approval.json',
    '--input',
    '@examples/pipelines/order-approval.input.json',
    '--id',
    `${id}-2`,
    '--json',
  );
  let status: CliRun | undefined;
  for (let i = 0; i < 100; i += 1) {
    status = await cli('pipeline', 'status', `${id}-2`);
    if (status.stdout.includes('waits for an answer')) break;
    await sleep(200);
  }
  expect(status!.code).toBe(0);
  expect(status!.stdout).toContain(
    'approve  running, waits for an approval from manager@example.com, ops@example.com until',
  );
  expect(status!.stdout).toContain('Ship order A-1043 (2 × SKU-RED-42) to cus_7?');
  expect(status!.stdout).toContain(`codika-temporal pipeline approve ${id}-2 approve [--reject]`);

  const [wrongStep, approved] = [
    await cli('pipeline', 'approve', `${id}-2`, 'ship'),
    await cli('pipeline', 'approve', `${id}-2`, 'approve', '--by', 'manager@example.com', '--comment', 'stock checked'),
  ];
  expect(wrongStep.code).toBe(2);
  expect(wrongStep.stderr).toContain('step "ship" runs a Codika execution; only approval steps take an answer');
  expect({ code: approved.code, stderr: approved.stderr }).toEqual({ code: 0, stderr: '' });
  expect(approved.stdout).toMatch(/^✔ approve approved by manager@example\.com at \d{4}-/);
  const again = await cli('pipeline', 'approve', `${id}-2`, 'approve', '--reject');
  expect(again.code).toBe(2);
  expect(again.stderr).toContain('step "approve" was already answered: approved by manager@example.com');

  const run = await running;
  expect(run.code).toBe(0);
  const printed = JSON.parse(run.stdout) as { result: { outputs: { approve: unknown; ship: unknown } } };
  expect(printed.result.outputs.approve).toMatchObject({
    approved: true,
    by: 'manager@example.com',
    comment: 'stock checked',
  });
  const missing = await cli('pipeline', 'status', 'no-such-pipeline');
  expect(missing.code).toBe(2);
});

test('pipeline validate: exit 0 with the order, or exit 2 with every problem (and JSON with --json)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codika-cli-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(
    bad,
    JSON.stringify({
      processInstanceId: 'pi_demo',
      steps: [
        { id: 'a', workflowId: 'w', dependsOn: ['b'] },
        { id: 'b', workflowId: 'w', dependsOn: ['a'] },
        { id: 'c', payload: { x: { $ref: 'steps.a.resultData' } } },
      ],
    }),
  );
  const [good, invalid, invalidJson, missing] = await Promise.all([
    cli('pipeline', 'validate', 'examples/pipelines/order-fulfilment.json'),
    cli('pipeline', 'validate', bad),
    cli('pipeline', 'validate', bad, '--json'),
    cli('pipeline', 'validate', join(dir, 'nope.json')),
  ]);
  expect(good.code).toBe(0);
  expect(good.stdout).toContain('3 steps, in order reserve → charge → ship');
  expect(invalid.code).toBe(2);
  expect(invalid.stderr).toContain('The pipeline has 3 problems');
  expect(invalid.stderr).toContain('steps[2].workflowId: is required');
  expect(invalid.stderr).toContain('cycle');
  expect(invalid.stderr).toContain('steps[2].payload.x.$ref: reads step "a", which is not upstream of "c"');
  expect(invalidJson.code).toBe(2);
  expect(JSON.parse(invalidJson.stdout)).toMatchObject({
    valid: false,
    problems: expect.arrayContaining([expect.objectContaining({ path: 'steps[2].workflowId' })]),
  });
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('cannot read');
});

test('schedule create, list and delete a recurring pipeline', async () => {
  const id = `${taskQueue}-daily`;
  const created = await cli(
    'schedule',
    'create',
    id,
    '--pipeline',
    'examples/pipelines/daily-report.json',
    '--cron',
    '0 7 * * *',
    '--note',
    'morning report',
  );
  expect(created).toMatchObject({ code: 0 });
  expect(created.stdout).toMatch(new RegExp(`schedule ${id} created; next run \\d{4}-\\d\\d-\\d\\dT07:00:00`));
  const described = await env.client.schedule.getHandle(id).describe();
  expect(described.action).toMatchObject({ workflowType: 'codikaPipelineWorkflow', taskQueue });

  // The list is read from visibility, which may trail the create by a moment.
  let listed: { scheduleId: string; note?: string }[] = [];
  for (let i = 0; i < 20 && !listed.some((s) => s.scheduleId === id); i += 1) {
    const list = await cli('schedule', 'list', '--json');
    listed = JSON.parse(list.stdout) as typeof listed;
    if (!listed.some((s) => s.scheduleId === id)) await sleep(500);
  }
  expect(listed.find((s) => s.scheduleId === id)).toMatchObject({ note: 'morning report' });

  const twice = await cli(
    'schedule',
    'create',
    id,
    '--pipeline',
    'examples/pipelines/daily-report.json',
    '--every',
    '1 day',
    '--cron',
    '* * * * *',
  );
  expect(twice.code).toBe(2);
  expect((await cli('schedule', 'delete', id)).code).toBe(0);
  await expect(env.client.schedule.getHandle(id).describe()).rejects.toThrow(/not found/i);
});

test('nexus endpoint: creates the endpoint that targets this worker, then finds it unchanged, then follows a new task queue', async () => {
  const name = `codika-cli-${Date.now().toString(36)}`;
  const created = await cli('nexus', 'endpoint', '--name', name);
  expect(created).toMatchObject({ code: 0 });
  expect(created.stdout).toContain(`Nexus endpoint ${name} created`);
  expect(created.stdout).toContain(`namespace default, task queue ${taskQueue}`);
  expect((await cli('nexus', 'endpoint', '--name', name)).stdout).toContain('unchanged');
  const moved = await cli('nexus', 'endpoint', '--name', name, '--task-queue', `${taskQueue}-v2`);
  expect(moved.stdout).toContain('updated');
  const { endpoints } = await env.connection.operatorService.listNexusEndpoints({ name });
  expect(endpoints?.[0]?.spec?.target?.worker).toMatchObject({ namespace: 'default', taskQueue: `${taskQueue}-v2` });
  expect((await cli('nexus', 'endpoint', '--name', 'bad name')).code).toBe(2);
});

test('deployment set-current: makes a polling build current, then says what it replaced; no worker of the build: exit 1, named', async () => {
  const deploymentName = `codika-cli-${Date.now().toString(36)}`;
  const versioned = (buildId: string) =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue: `${taskQueue}-versioned`,
      workflowBundle: { codePath: process.env.CODIKA_TEST_WORKFLOW_BUNDLE! },
      plugins: [
        new CodikaPlugin({
          codika: { baseUrl: mock.url, apiKey: API_KEY },
          deployment: { name: deploymentName, buildId },
        }),
      ],
    });
  const [v1, v2] = [await versioned('v1'), await versioned('v2')];
  await v1.runUntil(
    v2.runUntil(async () => {
      const first = await cli('deployment', 'set-current', 'v1', '--deployment-name', deploymentName);
      expect(first).toMatchObject({ code: 0 });
      expect(first.stdout).toContain(`${deploymentName}: build v1 is current`);
      const second = await cli('deployment', 'set-current', 'v2', '--deployment-name', deploymentName);
      expect(second.stdout).toContain('build v2 is current (was v1)');
    }),
  );
  const none = await cli('deployment', 'set-current', 'v9', '--deployment-name', deploymentName, '--wait', '1');
  expect(none.code).toBe(1);
  expect(none.stderr).toContain(`no worker of deployment ${deploymentName}, build v9 has polled`);
  const badWait = await cli('deployment', 'set-current', 'v9', '--wait', 'soon');
  expect(badWait.code).toBe(2);
  expect(badWait.stderr).toContain('expected a number of seconds, e.g. 60; got "soon"');
});

test('pipeline validate --contracts: literal payloads checked whole, templated ones for their fields; contracts schema prints JSON Schema, or says why not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codika-contracts-'));
  const file = join(dir, 'sms.json');
  writeFileSync(
    file,
    JSON.stringify({
      processInstanceId: 'pi_demo',
      steps: [
        { id: 'literal', workflowId: 'contract-send-sms', payload: { phone: '0470', text: 'hi' } },
        { id: 'templated', workflowId: 'contract-send-sms', payload: { text: '${input.text}', phon: '+32470123456' } },
        { id: 'fine', workflowId: 'contract-send-sms', payload: { phone: '+32470123456', text: '${input.text}' } },
      ],
    }),
  );
  const contracts = join(ROOT, 'test', 'fixtures', 'contracts.ts');
  const checked = await cli('pipeline', 'validate', file, '--contracts', contracts, '--json');
  expect(checked.code).toBe(2);
  const { problems } = JSON.parse(checked.stdout) as { problems: { path: string; message: string }[] };
  expect(problems.map((p) => p.path)).toEqual(['steps[0].payload.phone', 'steps[1].payload', 'steps[1].payload.phon']);
  expect(problems[1]!.message).toBe('missing field "phone" (breaks the contract of "contract-send-sms")');
  expect(problems[2]!.message).toContain('unknown field; expected one of phone, text, channel');

  const schema = await cli('contracts', 'schema', '--contracts', contracts, '--workflow', 'contract-send-sms');
  expect(schema.code).toBe(0);
  const printed = JSON.parse(schema.stdout) as Record<string, { input: { required: string[] }; result: unknown }>;
  expect(printed['contract-send-sms']!.input.required).toEqual(['phone', 'text']);
  const valibot = await cli('contracts', 'schema', '--contracts', contracts);
  expect(valibot.code).toBe(2);
  expect(valibot.stderr).toContain(
    'contract-summarize.input: its schema (valibot) does not implement Standard JSON Schema',
  );
});

test('pipeline redrive: keeps the step that succeeded, runs the failed one again, prints the outputs; an unknown trigger outcome exits 2 naming the step', async () => {
  mock.script('cli-redrive-a', { resultData: { a: 1 } });
  mock.script('cli-redrive-b', { failIf: (_payload, attempt) => (attempt === 1 ? 'not yet' : undefined) });
  const definition = {
    processInstanceId: 'pi_demo',
    poll: { strategy: 'timer', firstPollAfter: 100, maxPollInterval: 100 },
    steps: [
      { id: 'a', workflowId: 'cli-redrive-a' },
      { id: 'b', workflowId: 'cli-redrive-b', dependsOn: ['a'], payload: { a: { $ref: 'steps.a.resultData.a' } } },
    ],
  };
  const old = await env.client.workflow.start('codikaPipelineWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-redrive-old`,
    args: [{ pipeline: definition, input: {} }],
  });
  await old.result().catch(() => undefined);

  const { code, stdout, stderr } = await cli('pipeline', 'redrive', old.workflowId, '--json');
  expect({ code, stderr }).toMatchObject({ code: 0 });
  expect(stderr).toContain(`a redrive of ${old.workflowId}`);
  expect(stderr).toContain('kept: a; polled: none; run again: b');
  expect(JSON.parse(stdout)).toMatchObject({ status: 'succeeded', result: { outputs: { a: { a: 1 } } } });
  expect(mock.requestsTo('trigger', 'cli-redrive-a')).toHaveLength(1);
  expect(mock.requestsTo('trigger', 'cli-redrive-b')).toHaveLength(2);

  mock.script('cli-redrive-lost', { faults: { trigger: [{ kind: 'http', status: 502, strikes: 'after' }] } });
  const lost = await env.client.workflow.start('codikaPipelineWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-redrive-lost`,
    args: [{ pipeline: { ...definition, steps: [{ id: 'send', workflowId: 'cli-redrive-lost' }] }, input: {} }],
  });
  await lost.result().catch(() => undefined);
  const refused = await cli('pipeline', 'redrive', lost.workflowId);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain("send: its trigger's outcome is unknown");
  expect(refused.stderr).toContain('--execution-id send=<id>');
  expect(mock.requestsTo('trigger', 'cli-redrive-lost')).toHaveLength(1);
});
