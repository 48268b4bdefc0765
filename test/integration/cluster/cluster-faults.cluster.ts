/**
 * The production shape under faults: a cluster on PostgreSQL with the four Temporal services as
 * separate processes (`LocalCluster`, what `npm run cluster` runs) and two worker processes. In each
 * scenario 50 executions are in flight (half `auto`, half `timer`) plus one pipeline, then one part of
 * the cluster is killed or restarted while every run polls. Every run must end as scripted, with one
 * Codika execution: 0 lost, 0 duplicates.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { startCodikaPipeline } from '../../../src/client';
import { LocalCluster } from '../../../src/testing/local-cluster/local-cluster';
import type { TemporalService } from '../../../src/testing/local-cluster/temporal-services';
import { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { tallyOutcomes, type ExpectedEnd, type Tally } from '../../helpers/fault-outcomes';
import { freeClusterPorts } from '../../helpers/cluster-ports';
import { recordFaultRow } from '../../helpers/fault-report';
import { uniqueTaskQueue } from '../../helpers/temporal';
import { sleep, waitUntil } from '../../helpers/wait';
import { WorkerProcess } from '../../helpers/worker-process';

const ROOT = join(__dirname, '..', '..', '..');
const API_KEY = 'ck_cluster_key_14';
const PI = 'pi_cluster';
const RUNS = 50;
const DOWN_MS = 3_000;
const durationOf = (i: number) => 10_000 + ((i * 2_711) % 15_000);

let cluster: LocalCluster;
let mock: MockCodikaServer;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  const ports = await freeClusterPorts();
  // PostgreSQL runs as the postgres user when the tests run as root: its folder must be reachable.
  const dir = mkdtempSync(join(tmpdir(), 'codika-cluster-'));
  chmodSync(dir, 0o755);
  cluster = await LocalCluster.start({ dir, ports, ui: false, log: () => {} });
  mock = new MockCodikaServer({ apiKey: API_KEY });
  await mock.start();
  connection = await Connection.connect({ address: cluster.address });
  client = new Client({ connection });
}, 600_000);

afterAll(async () => {
  await connection?.close();
  await mock?.stop();
  await cluster?.stop();
});

/** How a scenario ended. */
interface Outcome {
  tally: Tally;
  pipelineOk: boolean;
  pipelineDuplicates: number;
  workersAlive: number;
}

interface Scenario {
  name: string;
  /** Kills or restarts a part of the cluster; resolves once it is back (when it comes back). */
  fault(workers: WorkerProcess[]): Promise<void>;
}

/** Runs 50 executions and a pipeline on two fresh workers, strikes with `fault` once all are polling, and tallies. */
async function runScenario({ name, fault }: Scenario): Promise<Outcome> {
  const taskQueue = uniqueTaskQueue(`cluster-${name}`);
  const workers = await Promise.all(
    [1, 2].map(() => WorkerProcess.start({ address: cluster.address, taskQueue, baseUrl: mock.url, apiKey: API_KEY })),
  );
  try {
    // Codika ids allow no spaces; the task queue's name holds the scenario's words.
    const slug = taskQueue.replace(/[^A-Za-z0-9_-]+/g, '-');
    const ids = Array.from({ length: RUNS }, (_, i) => `${slug}-${i}`);
    ids.forEach((id, i) => mock.script(id, { durationMs: durationOf(i), resultData: { id } }));
    const expected: ExpectedEnd[] = ids.map((id) => ({ resultData: { id } }));
    const handles: WorkflowHandle[] = await Promise.all(
      ids.map((id, i) =>
        client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
          taskQueue,
          workflowId: id,
          args: [{ processInstanceId: PI, workflowId: id, poll: i % 2 ? { strategy: 'timer' } : {} }],
        }),
      ),
    );
    const steps = ['extract', 'summarize', 'notify'].map((step) => `${slug}-p-${step}`);
    steps.forEach((id) => mock.script(id, { durationMs: 8_000, resultData: { id } }));
    const pipeline = await startCodikaPipeline(
      client,
      {
        name: `cluster-${name}`,
        processInstanceId: PI,
        steps: [
          { id: 'extract', workflowId: steps[0] },
          { id: 'summarize', workflowId: steps[1], dependsOn: ['extract'] },
          { id: 'notify', workflowId: steps[2], dependsOn: ['summarize'] },
        ],
      },
      {},
      { taskQueue },
    );
    // The fault strikes while every run polls (its trigger answered and recorded): a kill during
    // triggers is the dev-server suite's worker-kill scenario.
    await waitUntil(() => ids.every((id) => mock.requestsTo('status', id).length > 0), 'every run polling', {
      timeoutMs: 120_000,
    });
    const faultAt = Date.now();
    await fault(workers);
    const backAt = Date.now();
    // Recovery: how long a new run takes from the moment the part is back (about 1 s on a healthy cluster).
    const probe = `${slug}-probe`;
    mock.script(probe, { durationMs: 0, resultData: { probe: true } });
    await client.workflow.execute<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
      taskQueue,
      workflowId: probe,
      workflowExecutionTimeout: '3 minutes',
      args: [{ processInstanceId: PI, workflowId: probe }],
    });
    const recoveryMs = Date.now() - backAt;
    cluster.assertAllRunning();
    const tally = await tallyOutcomes(handles, expected, ids, mock, 300_000);
    const pipelineOk = await pipeline.result().then(
      (result) => Object.values(result.steps).every((step) => step.status === 'succeeded'),
      () => false,
    );
    const pipelineDuplicates = steps.reduce((n, id) => n + Math.max(mock.executionsOf(id).length - 1, 0), 0);
    // How the runs in flight fared: the longest wait between Codika finishing an execution and its run ending.
    const closes = await Promise.all(handles.map(async (handle) => (await handle.describe()).closeTime?.getTime()));
    const lateness = ids
      .map((id, i) => (closes[i] ?? NaN) - (mock.executionsOf(id)[0]?.finishesAt ?? NaN))
      .filter(Number.isFinite);
    const slowestMs = Math.max(0, ...lateness);
    const workersAlive = workers.filter((worker) => worker.alive).length;
    recordFaultRow({
      scenario: `cluster: ${name}`,
      runs: 1,
      executions: RUNS + steps.length,
      lost: tally.lost + (pipelineOk ? 0 : 1),
      duplicates: tally.duplicates + pipelineDuplicates,
      outcomeUnknown: tally.outcomeUnknown,
      outcome:
        `${tally.succeeded} succeeded, ${tally.outcomeUnknown} outcome unknown; the pipeline ${pipelineOk ? 'succeeded' : 'did NOT succeed'}; ` +
        `runs in flight saw Codika's result ${(slowestMs / 1000).toFixed(1)} s late at most; ` +
        `down ${((backAt - faultAt) / 1000).toFixed(1)} s; a new run done ${(recoveryMs / 1000).toFixed(1)} s after it was back; ` +
        `${workersAlive} of 2 workers alive`,
    });
    return { tally, pipelineOk, pipelineDuplicates, workersAlive };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

/** Kills (or stops) one Temporal service, keeps it down a moment, and starts it again. */
function serviceDown(service: TemporalService, signal: NodeJS.Signals): Scenario['fault'] {
  return async () => {
    await cluster.stopService(service, signal);
    await sleep(DOWN_MS);
    await cluster.startService(service);
  };
}

/** Every run ended as scripted, each with exactly one Codika execution, and no worker died unless killed. */
function expectNothingLost(outcome: Outcome, { workersKilled = 0 } = {}): void {
  expect(outcome.tally.problems).toEqual([]);
  expect(outcome.tally.lost).toBe(0);
  expect(outcome.tally.duplicates).toBe(0);
  expect(outcome.pipelineOk).toBe(true);
  expect(outcome.pipelineDuplicates).toBe(0);
  expect(outcome.workersAlive).toBe(2 - workersKilled);
  expect(outcome.tally.outcomeUnknown).toBe(0);
}

test('the happy path: 50 executions and a pipeline through the client, and one of each through the CLI', async () => {
  const outcome = await runScenario({ name: 'no fault', fault: async () => {} });
  expectNothingLost(outcome);
  expect(outcome.tally.succeeded).toBe(RUNS);

  const taskQueue = uniqueTaskQueue('cluster-cli');
  const worker = await WorkerProcess.start({ address: cluster.address, taskQueue, baseUrl: mock.url, apiKey: API_KEY });
  try {
    mock.script('cluster-cli-run', { durationMs: 500, resultData: { via: 'cli' } });
    const cli = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          join(ROOT, 'src', 'cli', 'main.ts'),
          '--address',
          cluster.address,
          '--task-queue',
          taskQueue,
          ...args,
        ],
        {
          cwd: ROOT,
          env: { ...process.env, TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' },
        },
      );
    const run = await cli('run', PI, 'cluster-cli-run', '--json');
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'succeeded', result: { resultData: { via: 'cli' } } });
    const file = join(mkdtempSync(join(tmpdir(), 'cluster-cli-')), 'pipeline.json');
    writeFileSync(
      file,
      JSON.stringify({
        processInstanceId: PI,
        steps: [
          { id: 'first', workflowId: 'cluster-cli-step' },
          { id: 'second', workflowId: 'cluster-cli-step', dependsOn: ['first'] },
        ],
      }),
    );
    mock.script('cluster-cli-step', { durationMs: 500, resultData: { step: true } });
    const pipeline = await cli('pipeline', 'run', file, '--json');
    expect(JSON.parse(pipeline.stdout)).toMatchObject({
      status: 'succeeded',
      result: { outputs: { first: { step: true }, second: { step: true } } },
    });
  } finally {
    await worker.stop();
  }
});

test.each([
  ['the history service SIGKILLed mid-run and restarted', serviceDown('history', 'SIGKILL')],
  ['the matching service SIGKILLed mid-run and restarted', serviceDown('matching', 'SIGKILL')],
  [
    'the frontend restarted (SIGTERM) while workers and clients keep their connections',
    serviceDown('frontend', 'SIGTERM'),
  ],
] as const)('%s: nothing is lost', async (name, fault) => {
  expectNothingLost(await runScenario({ name, fault }));
});

test('PostgreSQL restarted (fast shutdown) mid-run: nothing is lost', async () => {
  expectNothingLost(
    await runScenario({
      name: 'PostgreSQL restarted (fast shutdown) mid-run',
      fault: () => cluster.restartPostgres(DOWN_MS),
    }),
  );
});

test('one of the two workers SIGKILLed, never restarted: the other ends every run', async () => {
  const outcome = await runScenario({
    name: 'one of two workers SIGKILLed, never restarted',
    fault: async (workers) => {
      await workers[0]!.kill();
    },
  });
  expectNothingLost(outcome, { workersKilled: 1 });
  expect(outcome.tally.succeeded).toBe(RUNS);
});
