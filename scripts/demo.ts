/**
 * The demo (`npm run demo`): a local Temporal server with its Web UI, the mock Codika API, the
 * worker, five Codika executions run to the end (one failing with Codika's message), then the
 * example pipeline of examples/pipelines/document-digest.json.
 * Stays up for browsing the UI until Ctrl+C; `--once` (or no terminal, as in CI) exits at the end.
 * `--address host:port` (and `--ui-url`) runs it on a Temporal server that is already up, such as
 * `npm run cluster`, with a worker and task queue of its own so the server's workers are not involved.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { startCodikaExecution, startCodikaPipeline } from '../src/client';
import { DEMO_SCRIPTS } from '../src/testing/mock-codika/demo-scripts';
import { isPortFree, LocalTemporalServer } from '../src/testing/local-temporal-server';
import { MockCodikaServer } from '../src/testing/mock-codika/mock-codika-server';
import { createCodikaWorker } from '../src/worker-setup/create-codika-worker';
import { setCurrentCodikaVersion } from '../src/client/worker-deployment-version';
import { version } from '../package.json';
import * as exampleContracts from '../examples/contracts';
import type { CodikaExecutionInput } from '../src/shared/execution-types';

const DEMO_KEY = 'ck_demo_key';
const log = (line: string) => console.log(line);
const INSTANCE = 'pi_demo';
const RUNS: { input: CodikaExecutionInput; expect: 'success' | 'failed' }[] = [
  {
    input: {
      processInstanceId: INSTANCE,
      workflowId: 'text-summarizer',
      payload: { text_input: 'Temporal makes Codika executions durable across crashes and deploys' },
    },
    expect: 'success',
  },
  {
    input: {
      processInstanceId: INSTANCE,
      workflowId: 'http-direct-messaging',
      payload: { phone_numbers: ['32477123456', '32477654321'], message_content: 'Hello!' },
    },
    expect: 'success',
  },
  { input: { processInstanceId: INSTANCE, workflowId: 'scheduled-report' }, expect: 'success' },
  { input: { processInstanceId: INSTANCE, workflowId: 'flaky-import', payload: { source: 'crm' } }, expect: 'success' },
  {
    input: { processInstanceId: INSTANCE, workflowId: 'invoice-check', payload: { invoice: 'INV-2026-118' } },
    expect: 'failed',
  },
];

/** The demo's worker as a Worker Deployment Version (docs/deploys.md). */
const DEMO_DEPLOYMENT = { name: 'codika-demo', buildId: `demo-${version}` };

async function main(): Promise<void> {
  // The demo prints its own story; the SDK's per-run INFO and WARN lines (the failing run is
  // expected) would drown it. Errors still show.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const once = process.argv.includes('--once') || !process.stdout.isTTY;
  const server = await temporalServer();
  const mock = new MockCodikaServer({ apiKey: DEMO_KEY, scripts: DEMO_SCRIPTS });
  await mock.start();
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const shutdown = async () => {
    await nativeConnection.close();
    await connection.close();
    await mock.stop();
    await server.stop();
  };

  try {
    log(`Temporal ${server.address} · Web UI ${server.uiUrl} · mock Codika ${mock.url}`);
    const worker = await createCodikaWorker({
      connection: nativeConnection,
      taskQueue: server.taskQueue,
      // The contracts of the demo's Codika workflows: every payload and result is checked against them.
      codika: { baseUrl: mock.url, apiKey: DEMO_KEY, contracts: Object.values(exampleContracts) },
      deployment: DEMO_DEPLOYMENT,
    });
    // The SDK stops the worker on Ctrl+C (SIGINT) or SIGTERM by itself.
    const running = worker.run();
    // A versioned worker gets no run until its version is current: the last step of every deploy.
    await setCurrentCodikaVersion(connection, {
      deploymentName: DEMO_DEPLOYMENT.name,
      buildId: DEMO_DEPLOYMENT.buildId,
    });
    log(
      `Worker deployment ${DEMO_DEPLOYMENT.name}, build ${DEMO_DEPLOYMENT.buildId}: current (the UI's Deployments page).`,
    );
    const outcomes = await (async () => {
      const handles = await Promise.all(
        RUNS.map((run) => startCodikaExecution(client, run.input, { taskQueue: server.taskQueue })),
      );
      log(`Started ${handles.length} Codika executions; each is a workflow: trigger once, then durable polling.\n`);
      return Promise.all(
        handles.map(async (handle, i) => {
          const { workflowId } = RUNS[i].input;
          const link = `${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}`;
          try {
            const result = await handle.result();
            log(
              `✔ ${workflowId.padEnd(22)} success after ${result.polls} poll${result.polls === 1 ? '' : 's'}: ${JSON.stringify(result.resultData)}\n    ${link}`,
            );
            return RUNS[i].expect === 'success';
          } catch (err) {
            const message = err instanceof WorkflowFailedError ? (err.cause?.message ?? err.message) : String(err);
            log(`✘ ${workflowId.padEnd(22)} failed: ${message}\n    ${link}`);
            return RUNS[i].expect === 'failed';
          }
        }),
      );
    })();
    outcomes.push(await runDemoPipeline(client, server.uiUrl, server.address, server.taskQueue));
    const requests = mock.requests.length;
    log(
      `\nThe mock answered ${requests} requests (${mock.requestsTo('trigger').length} triggers, two of them refused with 503 and retried by Temporal).`,
    );
    if (once) worker.shutdown();
    else log(`\nOpen ${server.uiUrl} to inspect the runs. The worker keeps running: press Ctrl+C to stop everything.`);
    await running;
    if (!outcomes.every(Boolean)) throw new Error('an execution did not end as the demo expects');
  } finally {
    await shutdown();
  }
}

/** The example pipeline: four Codika executions, two of them side by side, as one workflow. */
async function runDemoPipeline(client: Client, uiUrl: string, address: string, taskQueue: string): Promise<boolean> {
  const file = 'examples/pipelines/document-digest.json';
  const definition: unknown = JSON.parse(readFileSync(join(__dirname, '..', file), 'utf8'));
  const input: unknown = JSON.parse(readFileSync(join(__dirname, '..', file.replace('.json', '.input.json')), 'utf8'));
  const handle = await startCodikaPipeline(client, definition, input, { taskQueue });
  const link = `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}`;
  log(`\nStarted the pipeline in ${file}: extract, then two summaries side by side, then a message.`);
  try {
    const { steps } = await handle.result();
    const done = Object.entries(steps).map(([id, step]) => `${id} (${step.polls} polls)`);
    log(`✔ pipeline document-digest       ${done.join(', ')}\n    ${link}`);
    log(
      `    Run it yourself: npm run cli -- --address ${address} pipeline run ${file} --input @${file.replace('.json', '.input.json')}`,
    );
    return true;
  } catch (err) {
    const message = err instanceof WorkflowFailedError ? (err.cause?.message ?? err.message) : String(err);
    log(`✘ pipeline document-digest failed: ${message}\n    ${link}`);
    return false;
  }
}

/** The server the demo runs on: one of its own with the Web UI, or the one `--address` names. */
async function temporalServer(): Promise<{ address: string; uiUrl: string; taskQueue: string; stop(): Promise<void> }> {
  const address = argument('--address');
  if (address) {
    const uiUrl = argument('--ui-url') ?? 'http://localhost:8080';
    log(`Running on the Temporal server at ${address} (task queue codika-demo, a worker of the demo's own)…`);
    return { address, uiUrl, taskQueue: 'codika-demo', stop: async () => {} };
  }
  log('Starting a local Temporal server with the Web UI (the first run builds the Temporal CLI: several minutes)…');
  const server = await LocalTemporalServer.start({
    ui: true,
    port: (await isPortFree(7233)) ? 7233 : undefined,
    uiPort: (await isPortFree(8233)) ? 8233 : undefined,
    log,
  });
  return { address: server.address, uiUrl: server.uiUrl!, taskQueue: 'codika', stop: () => server.stop() };
}

/** The value after `name` on the command line (`--address 127.0.0.1:7233` or `--address=…`). */
function argument(name: string): string | undefined {
  const args = process.argv.slice(2);
  const inline = args.find((arg) => arg.startsWith(`${name}=`));
  if (inline) return inline.slice(name.length + 1);
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
