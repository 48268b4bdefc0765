/**
 * The scale scenario's worker, in a process of its own so its memory is measured alone. Started by
 * worker-process.ts with `fork` (IPC channel) and its settings as JSON in the first argument (the
 * messages both ways are in worker-protocol.ts). Reports `ready`, then a `sample` (RSS, CPU time)
 * every second; shuts down on a `stop` message, or when the parent goes away.
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createCodikaWorker } from '../../src/worker-setup/create-codika-worker';
import type { ScaleWorkerConfig, ScaleWorkerMessage } from './worker-protocol';

const SAMPLE_EVERY_MS = 1_000;

async function main(): Promise<void> {
  const send = (message: ScaleWorkerMessage) => {
    if (process.connected) process.send?.(message);
  };
  const config = JSON.parse(process.argv[2] ?? '{}') as ScaleWorkerConfig;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    const cpu = process.cpuUsage();
    send({ type: 'sample', at: Date.now(), rss, heapUsed, cpuUs: cpu.user + cpu.system });
  };
  const sampler = setInterval(sample, SAMPLE_EVERY_MS);
  const connection = await NativeConnection.connect({ address: config.address });
  try {
    const worker = await createCodikaWorker({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      codika: { baseUrl: config.baseUrl, apiKey: config.apiKey },
      // Everything else at the library's defaults (what `createCodikaWorker` gives its users),
      // unless the run sets an option to try it.
      workerOptions: {
        ...config.workerOptions,
        workflowBundle: { codePath: config.workflowBundlePath },
        shutdownGraceTime: '1 second',
      },
    });
    const stop = () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    };
    process.on('message', (message: { type?: string }) => {
      if (message?.type === 'stop') stop();
    });
    process.once('disconnect', stop);
    process.once('SIGTERM', stop);
    const running = worker.run();
    send({ type: 'ready' });
    await running;
  } finally {
    clearInterval(sampler);
    sample();
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    if (process.connected) process.send?.({ type: 'error', message } satisfies ScaleWorkerMessage);
    console.error(`scale worker failed: ${message}`);
    process.exit(1);
  },
);
