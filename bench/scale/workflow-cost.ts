/**
 * `npx tsx bench/scale/workflow-cost.ts [replays]`: what one run costs the worker's workflow thread,
 * library against the bare floor. It records one run of each on a fresh dev server (a 3 s mock
 * execution, `auto`), then replays each history: the promises the run's workflow code creates (the
 * SDK captures a stack trace for every one of them) and the time per whole replay (default 400
 * replays, three times). Each runner replays from its own bundle, as its users would deploy it.
 */
import { promiseHooks } from 'node:v8';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startCodikaExecution } from '../../src/client';
import { LocalTemporalServer } from '../../src/testing/local-temporal-server';
import { MockCodikaServer } from '../../src/testing/mock-codika/mock-codika-server';
import { createCodikaWorker } from '../../src/worker-setup/create-codika-worker';

type History = temporal.api.history.v1.IHistory;
const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error() {} };
const KEY = 'ck_cost';
const TASK_QUEUE = 'workflow-cost';

async function recordOneRunEach(): Promise<{ library: History; bare: History }> {
  const server = await LocalTemporalServer.start({ log: () => undefined });
  const mock = new MockCodikaServer({ apiKey: KEY });
  await mock.start();
  mock.script('wf-cost', { durationMs: 3_000, resultData: {} });
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  try {
    const client = new Client({ connection });
    const worker = await createCodikaWorker({
      connection: native,
      taskQueue: TASK_QUEUE,
      codika: { baseUrl: mock.url, apiKey: KEY },
      workerOptions: { workflowsPath: require.resolve('../shared/workflows'), shutdownGraceTime: '1 second' },
    });
    return await worker.runUntil(async () => {
      const execution = { processInstanceId: 'pi_cost', workflowId: 'wf-cost' };
      const library = await startCodikaExecution(client, execution, {
        taskQueue: TASK_QUEUE,
        poll: { strategy: 'auto' },
      });
      const bare = await client.workflow.start('bareAutoPoll', {
        taskQueue: TASK_QUEUE,
        workflowId: 'bare-wf-cost',
        args: [execution],
      });
      await Promise.all([library.result(), bare.result()]);
      return { library: await library.fetchHistory(), bare: await bare.fetchHistory() };
    });
  } finally {
    await native.close();
    await connection.close();
    await mock.stop();
    await server.stop();
  }
}

/** Promises created in workflow context (the SDK's own test for it) during one replay. */
async function promisesPerReplay(bundle: { code: string }, history: History): Promise<number> {
  let count = 0;
  const stop = promiseHooks.onInit((promise: Promise<unknown>) => {
    const fromWorkflow = promise.constructor !== Promise;
    if (fromWorkflow && promise.constructor.constructor('return globalThis.__TEMPORAL_ACTIVATOR__')()) count += 1;
  });
  try {
    await replay(bundle, history, 1);
  } finally {
    stop();
  }
  return count;
}

async function replay(bundle: { code: string }, history: History, times: number): Promise<number> {
  const started = process.hrtime.bigint();
  const histories = (async function* () {
    for (let i = 0; i < times; i++) yield { workflowId: `replay-${i}`, history };
  })();
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'cost' }, histories)) {
    if (result.error) throw result.error;
  }
  return Number(process.hrtime.bigint() - started) / 1e6 / times;
}

async function main(): Promise<void> {
  const replays = Number(process.argv[2] ?? 400);
  if (!Number.isInteger(replays) || replays < 1)
    throw new Error(`replays must be a positive whole number; got ${process.argv[2]}`);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  console.error('recording one run of each on a fresh dev server…');
  const histories = await recordOneRunEach();
  const entries = {
    library: require.resolve('../../src/workflows'),
    bare: require.resolve('../shared/bare-workflows'),
  };
  const lines = [
    '| runner | history events | workflow promises per run | ms per whole replay (three rounds) |',
    '| :-- | --: | --: | --: |',
  ];
  for (const runner of ['library', 'bare'] as const) {
    const bundle = await bundleWorkflowCode({ workflowsPath: entries[runner], logger: quiet });
    const history = histories[runner];
    const promises = await promisesPerReplay(bundle, history);
    await replay(bundle, history, 30); // warm-up
    const rounds = [
      await replay(bundle, history, replays),
      await replay(bundle, history, replays),
      await replay(bundle, history, replays),
    ];
    lines.push(
      `| ${runner} | ${history.events?.length ?? 0} | ${promises} | ${rounds.map((ms) => ms.toFixed(2)).join(' / ')} |`,
    );
  }
  console.log(lines.join('\n'));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`workflow-cost failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
