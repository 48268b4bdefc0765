/** `createCodikaWorker`: a worker for the Codika workflows and activities, in any Node process. */
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { CodikaActivitiesOptions } from '../activities/create-codika-activities';
import { DEFAULT_TASK_QUEUE } from '../shared/task-queue';
import { registeredCodikaSearchAttributes } from './registered-search-attributes';
import { CodikaPlugin } from './codika-plugin';
import { RateLimitsWatch } from './rate-limits-watch';
import type { CodikaWorkerDeployment } from './worker-deployment';

export { DEFAULT_ACTIVITY_SLOTS } from './codika-plugin';

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
  /** Worker Deployment Versioning: this worker's deployment and build (docs/deploys.md). @default unversioned */
  deployment?: CodikaWorkerDeployment;
}

/**
 * Creates a worker that runs the Codika workflows and activities: `Worker.create` with a
 * {@link CodikaPlugin}, the library's workflows (unless `workerOptions` brings its own), and the
 * namespace's Codika search attributes asked of the server. Credentials stay in this process.
 *
 * @throws CodikaValidationError when the Codika options are unusable (checked before the worker is created).
 */
export async function createCodikaWorker(options: CodikaWorkerOptions): Promise<Worker> {
  const namespace = options.namespace ?? 'default';
  const taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  const searchAttributes =
    options.codika.searchAttributes ?? (await registeredCodikaSearchAttributes(options.connection, namespace));
  const limits = await RateLimitsWatch.start(options.connection, namespace, taskQueue);
  const plugin = new CodikaPlugin({
    codika: { checksThroughTaskQueue: () => limits.checksThroughTaskQueue, ...options.codika, searchAttributes },
    deployment: options.deployment,
  });
  const { workerOptions = {} } = options;
  const ownWorkflows = workerOptions.workflowBundle !== undefined || workerOptions.workflowsPath !== undefined;
  // An eager activity skips matching, and so the limits: none for a worker that starts under them.
  const eagerOff =
    limits.checksThroughTaskQueue && workerOptions.maxEagerActivityReservationsPerWorkflowTask === undefined;
  const worker = await Worker.create({
    connection: options.connection,
    namespace,
    taskQueue,
    ...(ownWorkflows ? {} : { workflowsPath: require.resolve('../workflows') }),
    ...(eagerOff ? { maxEagerActivityReservationsPerWorkflowTask: 0 } : {}),
    ...workerOptions,
    plugins: [plugin, ...(workerOptions.plugins ?? [])],
  });
  limits.follow(
    () => !['STOPPED', 'FAILED'].includes(worker.getState()),
    eagerOff || workerOptions.maxEagerActivityReservationsPerWorkflowTask === 0,
  );
  return worker;
}
