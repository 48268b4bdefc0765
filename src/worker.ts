import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createCodikaActivities, type CodikaActivitiesOptions } from './activities/create-codika-activities';
import { REPORT_MARGIN_MS, requestFits } from './activities/request-timeout-fit';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './codika/client';
import { DEFAULT_TASK_QUEUE } from './client/start-codika-execution';
import { codecFromEnv } from './codec/aes-gcm-codec';
import { ENCODED_FAILURE_CONVERTER_PATH } from './codec/codec-data-converter';
import { LoggerWithoutFailureText } from './codec/logger-without-failure-text';
import { registeredCodikaSearchAttributes } from './worker-setup/registered-search-attributes';
import { codikaTracing } from './worker-setup/tracing';
import { readWorkerEnv } from './worker-setup/worker-env';
import { DEFAULT_POLL_SETTINGS } from './workflows/engine/poll-settings';

/** Options of {@link createCodikaWorker}. */
export interface CodikaWorkerOptions {
  /** Connection to Temporal; the caller owns (and closes) it. */
  connection: NativeConnection;
  /** @default 'default' */
  namespace?: string;
  /** @default 'codika' */
  taskQueue?: string;
  /**
   * Codika base URL and the worker's credentials. Its `searchAttributes`, when not given, are the
   * Codika search attributes the namespace has, asked of the server here.
   */
  codika: CodikaActivitiesOptions;
  /**
   * Anything else for `Worker.create`: extra activities, concurrency, a prebuilt `workflowBundle`.
   * A `workflowsPath` of your own replaces the library's: re-export `codikaExecutionWorkflow` from
   * `codika-temporal/workflows` in it if you also start that workflow.
   */
  workerOptions?: Partial<WorkerOptions>;
}

/**
 * Activity slots when the caller sets neither `maxConcurrentActivityTaskExecutions` nor a `tuner`.
 * The `auto` and `activity` strategies hold a slot per execution while they poll, idle most of the
 * time (the status-check cap, not the slots, bounds the load). With the SDK's default of 100, the
 * 101st execution's trigger would wait until some other execution finished.
 */
export const DEFAULT_ACTIVITY_SLOTS = 10_000;

/**
 * Creates a worker that runs the Codika workflows and activities. Credentials stay in this process.
 *
 * @throws CodikaValidationError when the Codika options are unusable (checked before the worker is created).
 */
export async function createCodikaWorker(options: CodikaWorkerOptions): Promise<Worker> {
  const namespace = options.namespace ?? 'default';
  const searchAttributes =
    options.codika.searchAttributes ?? (await registeredCodikaSearchAttributes(options.connection, namespace));
  const activities = createCodikaActivities({ ...options.codika, searchAttributes });
  warnWhenRequestsOutlastCalls(options.codika.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const { workerOptions = {} } = options;
  const dataConverter = withEncodedFailures(workerOptions.dataConverter);
  const slotsChosen =
    workerOptions.tuner !== undefined || workerOptions.maxConcurrentActivityTaskExecutions !== undefined;
  return Worker.create({
    connection: options.connection,
    namespace,
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    ...(workerOptions.workflowBundle ? {} : { workflowsPath: require.resolve('./workflows') }),
    ...(slotsChosen ? {} : { maxConcurrentActivityTaskExecutions: DEFAULT_ACTIVITY_SLOTS }),
    ...workerOptions,
    ...(dataConverter ? { dataConverter } : {}),
    activities: { ...activities, ...(workerOptions.activities ?? {}) },
  });
}

/**
 * With a payload codec and no failure converter of the caller's, failure messages are encoded (and
 * so encrypted) too: otherwise Codika's messages, which hold personal data, stay in clear in history.
 */
function withEncodedFailures(dataConverter: WorkerOptions['dataConverter']): WorkerOptions['dataConverter'] {
  if (!dataConverter?.payloadCodecs?.length || dataConverter.failureConverterPath) return dataConverter;
  return { ...dataConverter, failureConverterPath: ENCODED_FAILURE_CONVERTER_PATH };
}

/**
 * The worker cannot know each run's `poll.activityTimeout`, only the default: say at start that runs
 * keeping it would have every call refused (each such call fails with `CodikaConfigurationError`).
 */
function warnWhenRequestsOutlastCalls(requestTimeoutMs: number): void {
  const activityTimeoutMs = DEFAULT_POLL_SETTINGS.activityTimeoutMs;
  if (requestFits(requestTimeoutMs, activityTimeoutMs)) return;
  Runtime.instance().logger.warn(
    `codika-temporal: the request timeout (requestTimeoutMs, CODIKA_REQUEST_TIMEOUT_MS: ${requestTimeoutMs} ms) ` +
      `does not fit the default poll.activityTimeout (${activityTimeoutMs} ms): runs that keep the default fail ` +
      `with CodikaConfigurationError before any request. Set poll.activityTimeout to at least ` +
      `${requestTimeoutMs + REPORT_MARGIN_MS} ms in every run, or lower the request timeout.`,
    { requestTimeoutMs, activityTimeoutMs },
  );
}

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
      workerOptions: {
        ...(codec ? { dataConverter: { payloadCodecs: [codec] } } : {}),
        ...(tracing ? { plugins: [tracing.plugin] } : {}),
      },
    });
    const extras = [
      env.metricsAddress && `metrics on http://${env.metricsAddress}/metrics`,
      tracing && 'tracing to OTLP',
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
