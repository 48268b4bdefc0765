/**
 * A Codika worker in a process of its own, so a fault test can kill it with SIGKILL as a crash or a
 * host failure would. Forked by worker-process.ts with its settings as JSON in the first argument;
 * says `ready` on the IPC channel once its worker runs (polling starts with it).
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createCodikaWorker } from '../../src/worker-setup/create-codika-worker';

/** What the parent passes in `process.argv[2]`. */
export interface WorkerProcessConfig {
  address: string;
  taskQueue: string;
  baseUrl: string;
  apiKey: string;
  workflowBundlePath: string;
  /** @default the client's (30 s) */
  requestTimeoutMs?: number;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerProcessConfig;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const connection = await NativeConnection.connect({ address: config.address });
  try {
    const worker = await createCodikaWorker({
      connection,
      taskQueue: config.taskQueue,
      codika: { baseUrl: config.baseUrl, apiKey: config.apiKey, requestTimeoutMs: config.requestTimeoutMs },
      workerOptions: { workflowBundle: { codePath: config.workflowBundlePath }, shutdownGraceTime: '1 second' },
    });
    const stop = () => worker.getState() === 'RUNNING' && worker.shutdown();
    process.once('SIGTERM', stop);
    process.once('disconnect', stop);
    const running = worker.run();
    process.send?.('ready');
    await running;
  } finally {
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`worker process failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
