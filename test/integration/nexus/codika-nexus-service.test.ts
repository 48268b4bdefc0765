/**
 * The Nexus service `codika` across two namespaces on the real server: a caller namespace whose
 * worker holds no Codika key and no Codika activity runs executions through an endpoint that the
 * project's own setup (`ensureCodikaNexusEndpoint`) points at the Codika worker's namespace.
 */
import { randomBytes } from 'node:crypto';
import { Client, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { ensureCodikaNexusEndpoint } from '../../../src/client/codika-nexus-endpoint';
import { AesGcmPayloadCodec } from '../../../src/codec/aes-gcm-codec';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { CodikaPlugin } from '../../../src/worker-setup/codika-plugin';
import type { codikaThroughNexusWorkflow } from '../../fixtures/nexus-caller-workflows';
import { NEXUS_CALLER_NAMESPACE, ensureNamespace } from '../../helpers/namespaces';
import { startTestbed, stopTestbed, uniqueTaskQueue } from '../../helpers/temporal';
import { sleep, waitUntil } from '../../helpers/wait';

const API_KEY = 'ck_nexus_handler_31';
const POLL = { strategy: 'timer', firstPollAfter: 100, maxPollInterval: 200 } as const;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
beforeAll(async () => {
  ({ env, mock } = await startTestbed({ apiKey: API_KEY }));
  await ensureNamespace(env.connection, NEXUS_CALLER_NAMESPACE);
});
afterAll(() => stopTestbed({ env, mock }));

/** The Codika side (namespace `default`) and the caller side, each with its own worker and task queue. */
async function twoNamespaces(codec?: AesGcmPayloadCodec) {
  const handlerQueue = uniqueTaskQueue('nexus-handler');
  const callerQueue = uniqueTaskQueue('nexus-caller');
  const endpoint = `codika-${randomBytes(4).toString('hex')}`;
  const setup = await ensureCodikaNexusEndpoint(env.connection, {
    name: endpoint,
    targetNamespace: 'default',
    targetTaskQueue: handlerQueue,
  });
  expect(setup.outcome).toBe('created');
  const plugins = (codika?: { baseUrl: string; apiKey: string }) => [new CodikaPlugin({ codika, codec })];
  const handler = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: handlerQueue,
    workflowBundle: { codePath: process.env.CODIKA_TEST_WORKFLOW_BUNDLE! },
    plugins: plugins({ baseUrl: mock.url, apiKey: API_KEY }),
  });
  // The caller's worker: its own namespace, its own workflows, no Codika options at all.
  const caller = await Worker.create({
    connection: env.nativeConnection,
    namespace: NEXUS_CALLER_NAMESPACE,
    taskQueue: callerQueue,
    workflowBundle: { codePath: process.env.CODIKA_TEST_WORKFLOW_BUNDLE! },
    plugins: plugins(),
  });
  expect(Object.keys(caller.options.activities ?? {})).toEqual([]);
  const callerClient = new Client({
    connection: env.connection,
    namespace: NEXUS_CALLER_NAMESPACE,
    plugins: plugins(),
  });
  const handlerClient = new Client({ connection: env.connection, plugins: plugins() });
  const start = (input: Parameters<typeof codikaThroughNexusWorkflow>[1], id: string) =>
    callerClient.workflow.start<typeof codikaThroughNexusWorkflow>('codikaThroughNexusWorkflow', {
      taskQueue: callerQueue,
      workflowId: `${callerQueue}-${id}`,
      args: [endpoint, input],
    });
  const run = <T>(work: () => Promise<T>) => handler.runUntil(caller.runUntil(work()));
  return { endpoint, handlerQueue, callerClient, handlerClient, start, run };
}

/** The Codika side's runs of one task queue. */
async function handlerRuns(client: Client, taskQueue: string) {
  const runs = [];
  for await (const run of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) runs.push(run);
  return runs;
}

test('a caller workflow in another namespace gets the execution result; one trigger, the key only on the Codika side', async () => {
  mock.script('summarize', { durationMs: 300, resultData: { summary: 'Q3 up 4%' } });
  const sides = await twoNamespaces();
  const result = await sides.run(async () => {
    const handle = await sides.start(
      { processInstanceId: 'pi_nexus', workflowId: 'summarize', payload: { text_input: 'numbers' }, poll: POLL },
      'result',
    );
    return handle.result();
  });
  const [execution] = mock.executionsOf('summarize').slice(-1);
  expect(result).toMatchObject({ executionId: execution!.executionId, resultData: { summary: 'Q3 up 4%' } });
  expect(mock.requestsTo('trigger', 'summarize').filter((r) => r.executionId === execution!.executionId)).toHaveLength(
    1,
  );

  // The handler's run is an ordinary codikaExecutionWorkflow: one row in the Codika namespace's UI.
  const [run] = await handlerRuns(sides.handlerClient, sides.handlerQueue);
  expect(run).toMatchObject({ type: 'codikaExecutionWorkflow', status: { name: 'COMPLETED' } });
  expect(run!.memo).toMatchObject({ codikaExecutionId: execution!.executionId });
});

test('a bad input fails the operation at once with the field named; nothing is started', async () => {
  const sides = await twoNamespaces();
  const triggersBefore = mock.requestsTo('trigger').length;
  const err = await sides.run(async () => {
    const handle = await sides.start({ processInstanceId: 'pi nexus', workflowId: 'summarize' }, 'bad');
    return handle.result().catch((e: unknown) => e);
  });
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const text = JSON.stringify(causes(err));
  expect(text).toContain('processInstanceId');
  expect(text).toContain('whitespace');
  expect(text).toContain('BAD_REQUEST');
  expect(mock.requestsTo('trigger').length).toBe(triggersBefore);
  expect(await handlerRuns(sides.handlerClient, sides.handlerQueue)).toEqual([]);
});

test('bad poll options fail the operation at once as BAD_REQUEST naming the option; nothing is started', async () => {
  const sides = await twoNamespaces();
  const triggersBefore = mock.requestsTo('trigger').length;
  const err = await sides.run(async () => {
    const input = { processInstanceId: 'pi_nexus', workflowId: 'summarize', poll: { strategy: 'sometimes' } };
    const handle = await sides.start(input as never, 'bad-poll');
    return handle.result().catch((e: unknown) => e);
  });
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const text = JSON.stringify(causes(err));
  expect(text).toContain('input.poll.strategy');
  expect(text).toContain('BAD_REQUEST');
  expect(mock.requestsTo('trigger').length).toBe(triggersBefore);
  expect(await handlerRuns(sides.handlerClient, sides.handlerQueue)).toEqual([]);
});

test('cancelling the caller cancels the polling; the Codika execution left running is recorded on the Codika side', async () => {
  mock.script('long-report', { durationMs: 120_000, resultData: { done: true } });
  const sides = await twoNamespaces();
  let handle: WorkflowHandle | undefined;
  const err = await sides.run(async () => {
    handle = await sides.start({ processInstanceId: 'pi_nexus', workflowId: 'long-report', poll: POLL }, 'cancel');
    await waitUntil(() => mock.requestsTo('status', 'long-report').length >= 2, 'status checks');
    await handle.cancel();
    return handle.result().catch((e: unknown) => e);
  });
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect(JSON.stringify(causes(err))).toMatch(/cancel/i);
  const [execution] = mock.executionsOf('long-report').slice(-1);
  const checks = mock.requestsTo('status', 'long-report').length;
  await sleep(1000);
  expect(mock.requestsTo('status', 'long-report').length).toBe(checks); // polling stopped

  const [run] = await handlerRuns(sides.handlerClient, sides.handlerQueue);
  expect(run!.status.name).toBe('CANCELLED');
  expect(run!.memo).toMatchObject({
    codikaExecutionId: execution!.executionId,
    codikaLeftRunning: execution!.executionId,
  });
});

test('with the Codika namespace encrypting payloads, a caller holding the same codec gets the result and neither history has it in clear', async () => {
  const secret = `Customer ${randomBytes(3).toString('hex')} owes 120 EUR`;
  mock.script('summarize', { durationMs: 200, resultData: { summary: secret } });
  const codec = new AesGcmPayloadCodec({ keys: { k1: randomBytes(32) }, currentKeyId: 'k1' });
  const sides = await twoNamespaces(codec);
  const { result, workflowId } = await sides.run(async () => {
    const handle = await sides.start(
      { processInstanceId: 'pi_nexus', workflowId: 'summarize', payload: { text_input: secret }, poll: POLL },
      'codec',
    );
    return { result: await handle.result(), workflowId: handle.workflowId };
  });
  expect(result.resultData).toEqual({ summary: secret });
  const [run] = await handlerRuns(sides.handlerClient, sides.handlerQueue);
  for (const [namespace, id] of [
    [NEXUS_CALLER_NAMESPACE, workflowId],
    ['default', run!.workflowId],
  ] as const) {
    const { history } = await env.client.workflowService.getWorkflowExecutionHistory({
      namespace,
      execution: { workflowId: id },
    });
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history!).finish()).toString('latin1');
    expect(raw).not.toContain(secret);
  }
});

/** Every failure in a chain, outermost first, as plain objects (message, type, cause names). */
function causes(err: unknown): unknown[] {
  const chain = [];
  for (
    let e = err as { message?: string; type?: string; name?: string; cause?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    chain.push({ name: e.name, type: e.type, message: e.message });
  }
  return chain;
}
