/**
 * The bundled worker's entry (`npm run worker`, the Docker image, `node dist/worker.js`): reads its
 * settings from the environment and runs the Codika workflows and activities until SIGINT or SIGTERM.
 * To build a worker in your own process, use `createCodikaWorker` from the root entry instead.
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createCodikaActivities } from './activities/create-codika-activities';
import { codecFromEnv } from './codec/aes-gcm-codec';
import { LoggerWithoutFailureText } from './codec/logger-without-failure-text';
import { createCodikaWorker } from './worker-setup/create-codika-worker';
import { codikaTracing } from './worker-setup/tracing';
import { readWorkerEnv } from './worker-setup/worker-env';

/** Runs the worker from environment variables until SIGINT or SIGTERM (the SDK drains on both). */
async function main(): Promise<void> {
  const env = readWorkerEnv(process.env);
  createCodikaActivities(env.codika); // fail on bad credentials before connecting
  const codec = codecFromEnv(process.env); // and on bad encryption keys
  if (env.metricsAddress || codec) {
    Runtime.install({
      // With payloads encrypted, log lines keep a failure's type and ids but not its text.
      ...(codec ? { logger: new LoggerWithoutFailureText(new DefaultLogger('INFO')) } : {}),
      // The SDK's worker metrics and the library's own (codika_*), scraped at /metrics.
      ...(env.metricsAddress
        ? { telemetryOptions: { metrics: { prometheus: { bindAddress: env.metricsAddress } } } }
        : {}),
    });
  }
  const { temporal } = env;
  const connection = await NativeConnection.connect(temporal.connectionOptions).catch((err: unknown) => {
    throw new Error(
      `cannot reach Temporal at ${temporal.description} (TEMPORAL_ADDRESS, TEMPORAL_PROFILE): ${String(err)}`,
    );
  });
  const tracing = env.tracing ? codikaTracing() : undefined;
  try {
    const worker = await createCodikaWorker({
      connection,
      namespace: temporal.namespace,
      taskQueue: env.taskQueue,
      codika: env.codika,
      deployment: env.deployment,
      workerOptions: {
        ...(codec ? { dataConverter: { payloadCodecs: [codec] } } : {}),
        ...(tracing ? { plugins: [tracing.plugin] } : {}),
      },
    });
    const extras = [
      env.metricsAddress && `metrics on http://${env.metricsAddress}/metrics`,
      tracing && 'tracing to OTLP',
      env.codika.contracts && `contracts of ${env.codika.contracts.map((c) => c.workflowId).join(', ')}`,
      env.deployment &&
        `deployment ${env.deployment.name}, build ${env.deployment.buildId} (it gets new runs once current: codika-temporal deployment set-current ${env.deployment.buildId})`,
    ].filter(Boolean);
    console.log(
      `codika-temporal worker: task queue "${env.taskQueue}" on ${temporal.description} (${temporal.namespace})` +
        (extras.length ? `; ${extras.join(', ')}` : ''),
    );
    await worker.run();
  } finally {
    await tracing?.shutdown();
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`codika-temporal worker failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
