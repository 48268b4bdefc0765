import { NativeConnection, Worker } from '@temporalio/worker';
import { CodikaPlugin } from 'codika-temporal';
import { sendMessage, summarize } from './contracts';
import { TASK_QUEUE } from './task-queue';

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS || '127.0.0.1:7233' });
  const worker = await Worker.create({
    connection,
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve('./workflows'),
    plugins: [
      new CodikaPlugin({
        codika: {
          apiKey: process.env.CODIKA_API_KEY, // only the worker holds the key
          baseUrl: process.env.CODIKA_BASE_URL || undefined, // unset: Codika's public API
          contracts: [summarize, sendMessage],
        },
      }),
    ],
  });
  console.log(`worker ready on task queue ${TASK_QUEUE}`);
  await worker.run(); // until Ctrl+C, then drains
  await connection.close();
}

main().catch((err) => {
  console.error(String(err)); // the message, not a stack: e.g. no Temporal server at TEMPORAL_ADDRESS
  process.exit(1);
});
