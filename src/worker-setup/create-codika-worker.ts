/** `createCodikaWorker`: a worker for the Codika workflows and activities, in any Node process. */
import { Runtime, Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createCodikaActivities, type CodikaActivitiesOptions } from '../activities/create-codika-activities';
import { REPORT_MARGIN_MS, requestFits } from '../activities/request-timeout-fit';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../codika/client';
import { DEFAULT_TASK_QUEUE } from '../shared/task-queue';
import { ENCODED_FAILURE_CONVERTER_PATH } from '../codec/codec-data-converter';
import { registeredCodikaSearchAttributes } from './registered-search-attributes';
import { DEFAULT_POLL_SETTINGS } from '../shared/poll-options';

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
    ...(workerOptions.workflowBundle ? {} : { workflowsPath: require.resolve('../workflows') }),
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
