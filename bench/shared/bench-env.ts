import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { LocalTemporalServer } from '../../src/testing/local-temporal-server';
import { MockCodikaServer } from '../../src/testing/mock-codika/mock-codika-server';
import { createCodikaWorker } from '../../src/worker-setup/create-codika-worker';

/** The API key the mock accepts and both the worker and the baseline send. */
export const BENCH_API_KEY = 'ck_bench';
/** Process instance every benchmark execution runs under. */
export const BENCH_INSTANCE = 'pi_bench';
const TASK_QUEUE = 'codika-bench';

/** Everything one benchmark run talks to, all on 127.0.0.1 and in (or started by) this process. */
export interface BenchEnv {
  server: LocalTemporalServer;
  mock: MockCodikaServer;
  client: Client;
  taskQueue: string;
  /** Where the baseline fetch loop sends its requests: the same mock, with the same key, as the worker. */
  target: { baseUrl: string; apiKey: string };
  /** Stops the worker, the connections, the mock and the server, in that order. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a local Temporal dev server, the mock Codika API and a Codika worker on its own task
 * queue (no worker with `worker: false`: the scale scenario runs its own in a child process).
 * Whatever started is stopped again if a later piece fails.
 *
 * @throws Error when a piece does not start (the message says which).
 */
export async function startBenchEnv(
  log: (message: string) => void,
  options: { worker?: boolean } = {},
): Promise<BenchEnv> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stops.splice(0).reverse()) {
      await stopOne().catch((err: unknown) => log(`while stopping: ${String(err)}`));
    }
  };
  try {
    log('starting the Temporal dev server…');
    const server = await LocalTemporalServer.start({ log });
    stops.push(() => server.stop());
    const mock = new MockCodikaServer({ apiKey: BENCH_API_KEY });
    await mock.start();
    stops.push(() => mock.stop());
    const connection = await Connection.connect({ address: server.address });
    stops.push(() => connection.close());
    const env = {
      server,
      mock,
      client: new Client({ connection }),
      taskQueue: TASK_QUEUE,
      target: { baseUrl: mock.url, apiKey: BENCH_API_KEY },
      stop,
    };
    if (options.worker === false) return env;
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    stops.push(() => nativeConnection.close());

    log('bundling the workflows and starting the worker…');
    const worker = await createCodikaWorker({
      connection: nativeConnection,
      taskQueue: TASK_QUEUE,
      codika: { baseUrl: mock.url, apiKey: BENCH_API_KEY },
      workerOptions: {
        // The library's workflows and the bare Temporal loop the overhead scenario compares them with.
        workflowsPath: require.resolve('./workflows'),
        // Long-running polling activities would otherwise hold up the end of the run.
        shutdownGraceTime: '1 second',
      },
    });
    // A worker that dies mid-run leaves executions unfinished; the batch time limits then end the run.
    const running = worker.run().catch((err: unknown) => log(`the worker stopped: ${String(err)}`));
    stops.push(() => stopWorker(worker, running));

    return env;
  } catch (err) {
    await stop();
    throw err;
  }
}

async function stopWorker(worker: Worker, running: Promise<void>): Promise<void> {
  if (worker.getState() === 'RUNNING') worker.shutdown();
  await running;
}
