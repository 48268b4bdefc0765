/**
 * The bundled worker (`src/worker.ts`, what `npm run worker` and the Docker image run) with its
 * opt-in telemetry on: Prometheus metrics (the SDK's and the library's) scraped from its port,
 * OpenTelemetry spans received by a local OTLP endpoint, and log lines that carry the ids and no
 * secret. The worker runs in its own process, as in production.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startCodikaExecution } from '../../../src/client';
import { freePort } from '../../../src/testing/local-temporal-server';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { startBundledWorker, type BundledWorker } from '../../helpers/bundled-worker';
import { startTestbed, stopTestbed, uniqueTaskQueue } from '../../helpers/temporal';

const API_KEY = 'ck_observability_key_77';
const POLL = { strategy: 'timer', firstPollAfter: 200, backoffCoefficient: 1 } as const;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let otlp: Server;
const spans: string[] = [];
let worker: BundledWorker;
let metricsUrl: string;
const taskQueue = uniqueTaskQueue('observability');

beforeAll(async () => {
  ({ env, mock } = await startTestbed({ apiKey: API_KEY }));
  mock.script('ok', { durationMs: 500, resultData: { done: true } });
  mock.script('refused', { durationMs: 300, failWith: 'Template rendering failed' });
  mock.script('slow', { durationMs: Infinity });
  mock.script('flaky', { durationMs: 300, faults: { status: [{ kind: 'http', status: 503 }] } });

  // A stand-in for an OpenTelemetry collector: it keeps the names of the spans it receives.
  otlp = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      type Otlp = { resourceSpans?: { scopeSpans?: { spans?: { name: string }[] }[] }[] };
      for (const resource of (JSON.parse(body || '{}') as Otlp).resourceSpans ?? [])
        for (const scope of resource.scopeSpans ?? []) for (const span of scope.spans ?? []) spans.push(span.name);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => otlp.listen(0, '127.0.0.1', resolve));
  const metricsAddress = `127.0.0.1:${await freePort()}`;
  metricsUrl = `http://${metricsAddress}/metrics`;

  worker = await startBundledWorker({
    TEMPORAL_ADDRESS: env.address,
    CODIKA_TASK_QUEUE: taskQueue,
    CODIKA_BASE_URL: mock.url,
    CODIKA_API_KEY: API_KEY,
    CODIKA_METRICS_ADDRESS: metricsAddress,
    CODIKA_TRACING: 'on',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(otlp.address() as AddressInfo).port}`,
    OTEL_BSP_SCHEDULE_DELAY: '200',
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await new Promise((resolve) => otlp?.close(resolve));
  await stopTestbed({ env, mock });
});

/** Runs one execution of each kind and returns their Temporal workflow ids and executionIds. */
async function runOneOfEach() {
  const runs: Record<string, { workflowId: string; executionId?: string }> = {};
  for (const [name, poll] of [
    ['ok', POLL],
    ['refused', POLL],
    ['flaky', POLL],
    ['slow', { ...POLL, deadline: '2 seconds' }],
  ] as const) {
    const handle = await startCodikaExecution(
      env.client,
      { processInstanceId: 'pi_obs', workflowId: name },
      { taskQueue, poll },
    );
    await handle.result().catch(() => undefined);
    const executionId = (await handle.describe()).memo?.codikaExecutionId as string | undefined;
    runs[name] = { workflowId: handle.workflowId, executionId };
  }
  return runs;
}

let runs: Awaited<ReturnType<typeof runOneOfEach>>;
beforeAll(async () => (runs = await runOneOfEach()), 60_000);

test('metrics: the SDK worker metrics and the library own, scraped in Prometheus format', async () => {
  const text = await (await fetch(metricsUrl)).text();
  const value = (name: string, ...labels: string[]) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  expect(text).toMatch(/^temporal_workflow_completed\{/m);
  expect(text).toMatch(/^temporal_activity_execution_latency_bucket\{/m);
  expect(value('codika_executions_started', 'codika_workflow_id="ok"')).toBe(1);
  expect(value('codika_executions_succeeded', 'codika_workflow_id="ok"')).toBe(1);
  expect(value('codika_executions_failed', 'codika_workflow_id="refused"')).toBe(1);
  expect(value('codika_executions_timed_out', 'codika_workflow_id="slow"')).toBe(1);
  expect(value('codika_time_to_result_count', 'codika_workflow_id="ok"')).toBe(1);
  expect(value('codika_http_responses', 'endpoint="trigger"', 'status_code="200"')).toBe(4);
  expect(value('codika_http_responses', 'endpoint="status"', 'status_code="503"')).toBe(1);
  expect(value('codika_status_checks')).toBeGreaterThanOrEqual(6);
});

test('traces: workflow runs and the trigger and status activities reach the OTLP endpoint', async () => {
  await worker.stop(); // the worker sends what it still holds when it stops
  expect(spans).toEqual(
    expect.arrayContaining([
      'RunWorkflow:codikaExecutionWorkflow',
      'RunActivity:triggerCodikaExecution',
      'RunActivity:getCodikaExecutionStatus',
    ]),
  );
});

test('logs: every entry the library writes names the run and the Codika executionId, never the key', () => {
  // The SDK's default logger writes an entry as a first line and its attributes below it.
  const entries = worker.output().split(/\n(?=\d{4}-\d\d-\d\dT[\d:.]+Z \[)/);
  const ours = entries.filter((entry) => /\[(INFO|WARN)\] Codika (execution|call|status check)/.test(entry));
  const about = (name: string) => ours.filter((entry) => entry.includes(`workflowId: '${runs[name]!.workflowId}'`));
  expect(about('ok').some((e) => e.includes('Codika execution triggered'))).toBe(true);
  expect(about('ok').some((e) => e.includes('Codika execution succeeded'))).toBe(true);
  expect(
    about('refused').some((e) => e.includes('Codika execution failed') && e.includes('Template rendering failed')),
  ).toBe(true);
  expect(about('flaky').some((e) => e.includes('Codika call failed; Temporal retries it'))).toBe(true);
  expect(about('slow').some((e) => e.includes('Codika execution timed out'))).toBe(true);
  expect(ours.length).toBeGreaterThanOrEqual(9);
  for (const entry of ours) {
    const run = Object.values(runs).find((r) => entry.includes(`workflowId: '${r.workflowId}'`));
    expect(run).toBeDefined(); // every entry names its run…
    expect(entry).toContain(`executionId: '${run!.executionId}'`); // …and its Codika execution
  }
  expect(worker.output()).not.toContain(API_KEY);
});
