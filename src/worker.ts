/**
 * The bundled worker's entry (`npm run worker`, the Docker image, `node dist/worker.js`; the same as
 * `codika-temporal worker`): reads its settings from the environment and runs the Codika workflows
 * and activities until SIGINT or SIGTERM. To build a worker in your own process, use
 * `createCodikaWorker` from the root entry instead.
 */
import { runBundledWorker } from './worker-setup/run-bundled-worker';

if (require.main === module) {
  runBundledWorker(process.env).catch((err: unknown) => {
    console.error(`codika-temporal worker failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
