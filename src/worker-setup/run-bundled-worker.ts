/** `runBundledWorker`: the ready-made worker, configured by environment variables, run until a stop signal. */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createCodikaActivities } from '../activities/create-codika-activities';
import { codecFromEnv } from '../codec/aes-gcm-codec';
import { LoggerWithoutFailureText } from '../codec/logger-without-failure-text';
import { createCodikaWorker } from './create-codika-worker';
import { codikaTracing } from './tracing';
import { readWorkerEnv } from './worker-env';

/** Thrown when the bundled worker cannot connect to Temporal at start. */
export class BundledWorkerConnectError extends Error {
  override readonly name = 'BundledWorkerConnectError';
  constructor(
    /** Where it tried: the address and how it authenticates, never a key. */
    readonly address: string,
    /** The connection's own failure. */
    override readonly cause: unknown,
  ) {
    super(`cannot reach Temporal at ${address} (TEMPORAL_ADDRESS, TEMPORAL_PROFILE): ${String(cause)}`);
  }
}

/** Options of {@link runBundledWorker}. */
export interface RunBundledWorkerOptions {
  /** Where the line saying what runs goes, once the worker is created. @default console.log */
  log?: (line: string) => void;
}

/**
 * Runs the Codika workflows and activities with the settings of `env` (the variables of
 * docs/operations.md, read by `readWorkerEnv`) until SIGINT or SIGTERM, on which the SDK drains the
 * worker; resolves once it stopped. What `npm run worker`, `node dist/worker.js`, the Docker image
 * and `codika-temporal worker` run. It installs the SDK's `Runtime` when metrics or encryption are
 * on, so call it once per process, before anything else connects to Temporal. With `CODIKA_TRACING`
 * on, the OpenTelemetry exporter reads its own `OTEL_*` variables from the process environment.
 *
 * @throws CodikaValidationError naming the variable when a setting is malformed or the credentials
 *   are unusable, before anything connects.
 * @throws BundledWorkerConnectError when Temporal cannot be reached.
 */
export async function runBundledWorker(env: NodeJS.ProcessEnv, options: RunBundledWorkerOptions = {}): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const settings = readWorkerEnv(env);
  createCodikaActivities(settings.codika); // fail on bad credentials before connecting
  const codec = codecFromEnv(env); // and on bad encryption keys
  if (settings.metricsAddress || codec) {
    Runtime.install({
      // With payloads encrypted, log lines keep a failure's type and ids but not its text.
      ...(codec ? { logger: new LoggerWithoutFailureText(new DefaultLogger('INFO')) } : {}),
      // The SDK's worker metrics and the library's own (codika_*), scraped at /metrics.
      ...(settings.metricsAddress
        ? { telemetryOptions: { metrics: { prometheus: { bindAddress: settings.metricsAddress } } } }
        : {}),
    });
  }
  const { temporal } = settings;
  const connection = await NativeConnection.connect(temporal.connectionOptions).catch((err: unknown) => {
    throw new BundledWorkerConnectError(temporal.description, err);
  });
  const tracing = settings.tracing ? codikaTracing() : undefined;
  try {
    const worker = await createCodikaWorker({
      connection,
      namespace: temporal.namespace,
      taskQueue: settings.taskQueue,
      codika: settings.codika,
      deployment: settings.deployment,
      workerOptions: {
        ...(codec ? { dataConverter: { payloadCodecs: [codec] } } : {}),
        ...(tracing ? { plugins: [tracing.plugin] } : {}),
      },
    });
    const extras = [
      settings.metricsAddress && `metrics on http://${settings.metricsAddress}/metrics`,
      tracing && 'tracing to OTLP',
      settings.codika.contracts && `contracts of ${settings.codika.contracts.map((c) => c.workflowId).join(', ')}`,
      settings.deployment &&
        `deployment ${settings.deployment.name}, build ${settings.deployment.buildId} (it gets new runs once current: codika-temporal deployment set-current ${settings.deployment.buildId})`,
    ].filter(Boolean);
    log(
      `codika-temporal worker: task queue "${settings.taskQueue}" on ${temporal.description} (${temporal.namespace})` +
        (extras.length ? `; ${extras.join(', ')}` : ''),
    );
    await worker.run();
  } finally {
    await tracing?.shutdown();
    await connection.close();
  }
}
