/**
 * What people see of a run in the Temporal UI: its static summary, current details that follow the
 * run, summaries on activities and timers, the executionId in the memo, and the Codika search
 * attributes (registered by the local server) to filter by. None of it carries a payload value, a
 * result or a secret. Where the namespace lacks the attributes, runs work without them.
 */
import { randomUUID } from 'node:crypto';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startCodikaExecution, startCodikaPipeline } from '../../../src/client';
import { CODIKA_SEARCH_ATTRIBUTES } from '../../../src/shared/search-attribute-keys';
import { registeredCodikaSearchAttributes } from '../../../src/worker-setup/registered-search-attributes';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { createCodikaWorker } from '../../../src/worker-setup/create-codika-worker';
import { startRunningTestbed } from '../../helpers/temporal';
import { sleep } from '../../helpers/wait';

const API_KEY = 'ck_visibility_key_31';
const PHONE = '+32 470 12 34 56';
const RESULT_TEXT = 'result-only-text-7781';
const NEVER_SHOWN = [PHONE, RESULT_TEXT, API_KEY];
const TIMER_POLL = { strategy: 'timer', firstPollAfter: 300, backoffCoefficient: 1 } as const;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'visibility'));
  mock.script('http-direct-messaging', { durationMs: 1_200, resultData: { delivered: RESULT_TEXT } });
  mock.script('never-ends', { durationMs: Infinity });
});
afterAll(() => stop?.());

const decode = (payload: unknown) =>
  payload
    ? defaultPayloadConverter.fromPayload<string>(payload as Parameters<typeof defaultPayloadConverter.fromPayload>[0])
    : undefined;

/** The summaries on the run's activities and timers, in history order (the first event has the run's own). */
async function eventSummaries(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).slice(1).flatMap((event) => {
    const summary = decode(event.userMetadata?.summary);
    return summary ? [summary] : [];
  });
}

async function currentDetails(handle: WorkflowHandle): Promise<string> {
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await sleep(200);
  }
}

test('a finished run: summary, details, activity and timer summaries, memo and search attributes', async () => {
  const handle = await startCodikaExecution(
    env.client,
    { processInstanceId: 'pi_abc123', workflowId: 'http-direct-messaging', payload: { phone: PHONE } },
    { taskQueue, poll: TIMER_POLL },
  );
  const result = await handle.result();
  const described = await handle.describe();

  expect(await described.staticSummary()).toBe('Codika http-direct-messaging · pi_abc123');
  expect(await described.staticDetails()).toBe(
    [
      '- **Codika workflow** `http-direct-messaging`',
      '- **process instance** `pi_abc123`',
      '- **trigger delivery** at-most-once',
      '- **polling** timer',
    ].join('\n'),
  );
  expect(described.memo).toEqual({ codikaExecutionId: result.executionId });
  expect(described.typedSearchAttributes.get(CODIKA_SEARCH_ATTRIBUTES.executionId)).toBe(result.executionId);
  expect(described.typedSearchAttributes.get(CODIKA_SEARCH_ATTRIBUTES.workflowId)).toBe('http-direct-messaging');
  expect(described.typedSearchAttributes.get(CODIKA_SEARCH_ATTRIBUTES.status)).toBe('success');

  const summaries = await eventSummaries(handle);
  expect(summaries[0]).toBe('trigger');
  expect(summaries).toContain('wait 300 ms');
  expect(summaries).toContain('status #1');
  expect(summaries).toContain(`status #${result.polls}`);

  const details = await currentDetails(handle);
  expect(details).toContain('**phase** succeeded');
  expect(details).toContain(`**executionId** \`${result.executionId}\``);
  expect(details).toContain(`**polls so far** ${result.polls}`);
  expect(details).toMatch(/\*\*elapsed\*\* \d/);

  // People filter by the attributes in the UI; this is the same query.
  const found = await eventually(
    async () => {
      const ids: string[] = [];
      for await (const run of env.client.workflow.list({
        query: `CodikaStatus = "success" AND CodikaExecutionId = "${result.executionId}"`,
      }))
        ids.push(run.workflowId);
      return ids;
    },
    (ids) => ids.length > 0,
    'the run in a search by Codika attributes',
  );
  expect(found).toEqual([handle.workflowId]);

  const shown = [
    await described.staticSummary(),
    await described.staticDetails(),
    details,
    ...summaries,
    JSON.stringify(described.memo),
    JSON.stringify(described.typedSearchAttributes),
  ].join('\n');
  for (const text of NEVER_SHOWN) expect(shown).not.toContain(text);
});

test('a running run: its details follow the polls, and its status attribute says pending', async () => {
  const handle = await startCodikaExecution(
    env.client,
    { processInstanceId: 'pi_abc123', workflowId: 'never-ends', payload: { phone: PHONE } },
    { taskQueue, poll: TIMER_POLL },
  );
  const first = await eventually(
    () => currentDetails(handle),
    (d) => /\*\*polls so far\*\* [2-9]/.test(d),
    'two polls',
  );
  expect(first).toContain('**phase** polling');
  expect(first).toContain('**last status** pending');
  const polls = (d: string) => Number(/\*\*polls so far\*\* (\d+)/.exec(d)?.[1] ?? 0);
  const later = await eventually(
    () => currentDetails(handle),
    (d) => polls(d) > polls(first),
    'a later poll',
  );

  const described = await handle.describe();
  const executionId = described.memo?.codikaExecutionId as string;
  expect(mock.executions.get(executionId)?.workflowId).toBe('never-ends');
  expect(first).toContain(executionId);
  expect(described.typedSearchAttributes.get(CODIKA_SEARCH_ATTRIBUTES.status)).toBe('pending');
  for (const text of NEVER_SHOWN) expect(first + later).not.toContain(text);

  mock.finishNow(executionId);
  await handle.result();
});

test('auto polls in one activity whose summary says both phases of the schedule', async () => {
  const handle = await startCodikaExecution(
    env.client,
    { processInstanceId: 'pi_abc123', workflowId: 'http-direct-messaging' },
    { taskQueue },
  );
  await handle.result();
  expect(await eventSummaries(handle)).toEqual([
    'trigger',
    'status checks every 1 s for 1 min 15 s, then retried every 10 s to 3 min',
  ]);
});

test('a pipeline: its summary names it, its details list every step', async () => {
  const handle = await startCodikaPipeline(
    env.client,
    {
      name: 'sms-then-report',
      processInstanceId: 'pi_abc123',
      poll: TIMER_POLL,
      steps: [
        { id: 'notify', workflowId: 'http-direct-messaging', payload: { phone: PHONE } },
        { id: 'report', workflowId: 'http-direct-messaging', dependsOn: ['notify'] },
      ],
    },
    {},
    { taskQueue },
  );
  const result = await handle.result();
  const details = await currentDetails(handle);

  expect(await (await handle.describe()).staticSummary()).toBe('Codika pipeline sms-then-report · 2 steps');
  expect(details).toContain('**phase** succeeded');
  expect(details).toContain(`- **notify** succeeded (\`${result.steps.notify!.executionId}\``);
  expect(details).toContain(`- **report** succeeded (\`${result.steps.report!.executionId}\``);
  for (const text of NEVER_SHOWN) expect(details).not.toContain(text);
  // The timeline reads step by step: every activity and timer summary names its step.
  const summaries = await eventSummaries(handle);
  expect(summaries.slice(0, 3)).toEqual(['notify · trigger', 'notify · wait 300 ms', 'notify · status #1']);
  expect(summaries).toContain('report · trigger');
  expect(summaries.every((s) => s.startsWith('notify · ') || s.startsWith('report · '))).toBe(true);
});

test('in a namespace without the Codika search attributes, runs work without them', async () => {
  const namespace = `no-codika-attributes-${randomUUID().slice(0, 8)}`;
  await env.connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: msToTs('1 day'),
  });
  expect(await registeredCodikaSearchAttributes(env.nativeConnection, namespace)).toEqual([]);

  const worker = await createCodikaWorker({
    connection: env.nativeConnection,
    namespace,
    taskQueue,
    codika: { baseUrl: mock.url, apiKey: API_KEY },
    workerOptions: { workflowBundle: { codePath: process.env.CODIKA_TEST_WORKFLOW_BUNDLE! } },
  });
  const client = new Client({ connection: env.connection, namespace });
  const handle = await worker.runUntil(async () => {
    const started = await startCodikaExecution(
      client,
      { processInstanceId: 'pi_abc123', workflowId: 'http-direct-messaging' },
      { taskQueue, poll: TIMER_POLL },
    );
    await started.result();
    return started;
  });
  const described = await handle.describe();

  expect(described.status.name).toBe('COMPLETED');
  expect(described.memo).toEqual({ codikaExecutionId: expect.any(String) });
  expect(described.typedSearchAttributes.get(CODIKA_SEARCH_ATTRIBUTES.status)).toBeUndefined();
});
