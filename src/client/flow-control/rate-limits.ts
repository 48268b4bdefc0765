/**
 * Rates held by the Temporal server for every worker at once: the task queue's activity tasks, as a
 * whole and per fairness key (a Codika activity's fairness key is its process instance unless the
 * execution names another). Matching hands a task to a worker only within the limit, so two workers
 * or two hundred share one budget per Codika instance (docs/flow-control.md).
 */
import type { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { CodikaValidationError } from '../../shared/errors';
import { DEFAULT_TASK_QUEUE } from '../../shared/task-queue';
import { validateId } from '../../shared/validation';

/** `TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY`: only activity tasks call Codika (workflow tasks cannot be limited). */
const ACTIVITY_TASK_QUEUE = 2;

/** Who changed the limits, in the server's record of them. */
const IDENTITY = 'codika-temporal';

/** The rate limits of a Codika task queue, as the server holds them. */
export interface CodikaRateLimits {
  /** The task queue whose activity tasks the limits pace. */
  taskQueue: string;
  /** Activity tasks per second over the whole queue (every key); absent: no limit set through the API. */
  queuePerSecond?: number;
  /** Activity tasks per second of each fairness key (each process instance), scaled by the key's weight. */
  perKeyPerSecond?: number;
  /** Fairness weights set on the queue for given keys: a key of weight 2 gets twice the per-key rate. */
  weightOverrides: Record<string, number>;
  /** The whole-queue rate matching applies now, from whichever source wins (API, worker or system). */
  effectiveQueuePerSecond?: number;
  /** Why the limits were last set, and when (the `reason` given to {@link ensureCodikaRateLimits}). */
  reason?: string;
  /** When the limits were last set. */
  updatedAt?: Date;
}

/** Options of {@link ensureCodikaRateLimits}: `undefined` leaves a limit as it is, `null` removes it. */
export interface CodikaRateLimitsOptions {
  /** @default 'codika' */
  taskQueue?: string;
  /** Codika calls per second of each process instance (each fairness key), across every worker. */
  perKeyPerSecond?: number | null;
  /** Codika calls per second over the whole task queue, across every worker. */
  queuePerSecond?: number | null;
  /** Kept by the server beside the limit, shown by `codika-temporal limits show`. */
  reason?: string;
}

/** The part of a connection these calls use: a client's `connection` or a worker's `NativeConnection`. */
export type TaskQueueConfigService = Pick<Connection, 'workflowService'>;

/**
 * Sets the task queue's rate limits on the server and returns them as the server now holds them.
 * A worker of this library reads them when it starts and every half minute after (see
 * docs/flow-control.md for what that changes in the worker, and what a burst allows).
 *
 * @throws CodikaValidationError when a rate is not a number of 0 or more, or the task queue is unusable.
 * @throws ServiceError from the server (for example an older server without task queue configuration).
 */
export async function ensureCodikaRateLimits(
  client: Client,
  options: CodikaRateLimitsOptions,
): Promise<CodikaRateLimits> {
  const taskQueue = validateId('taskQueue', options.taskQueue ?? DEFAULT_TASK_QUEUE);
  const perKey = checkedRate('perKeyPerSecond', options.perKeyPerSecond);
  const queue = checkedRate('queuePerSecond', options.queuePerSecond);
  const reason = options.reason ?? 'codika-temporal rate limits';
  const update = (rate: number | null | undefined) =>
    rate === undefined ? undefined : { rateLimit: rate === null ? undefined : { requestsPerSecond: rate }, reason };
  await client.connection.workflowService.updateTaskQueueConfig({
    namespace: client.options.namespace,
    identity: IDENTITY,
    taskQueue,
    taskQueueType: ACTIVITY_TASK_QUEUE,
    updateQueueRateLimit: update(queue),
    updateFairnessKeyRateLimitDefault: update(perKey),
  });
  return readCodikaRateLimits(client.connection, client.options.namespace, taskQueue);
}

/**
 * The task queue's rate limits as the server holds them.
 *
 * @throws CodikaValidationError when the task queue is unusable.
 * @throws ServiceError from the server.
 */
export async function describeCodikaRateLimits(
  client: Client,
  taskQueue = DEFAULT_TASK_QUEUE,
): Promise<CodikaRateLimits> {
  return readCodikaRateLimits(client.connection, client.options.namespace, validateId('taskQueue', taskQueue));
}

/** The activity task queue's configuration, read through any connection (the worker reads it too). */
export async function readCodikaRateLimits(
  connection: TaskQueueConfigService,
  namespace: string,
  taskQueue: string,
): Promise<CodikaRateLimits> {
  const response = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: ACTIVITY_TASK_QUEUE,
    reportConfig: true,
  });
  return limitsFrom(taskQueue, response);
}

/** Whether any limit is set: the worker then sends every Codika call as a task of its own. */
export function hasRateLimits(limits: CodikaRateLimits): boolean {
  return limits.queuePerSecond !== undefined || limits.perKeyPerSecond !== undefined;
}

function limitsFrom(
  taskQueue: string,
  response: temporal.api.workflowservice.v1.IDescribeTaskQueueResponse,
): CodikaRateLimits {
  const config = response.config;
  const queue = config?.queueRateLimit;
  const perKey = config?.fairnessKeysRateLimitDefault;
  // The later of the two changes says why the limits are what they are.
  const metadata = [queue?.metadata, perKey?.metadata]
    .filter((m) => m?.updateTime)
    .sort((a, b) => seconds(b?.updateTime) - seconds(a?.updateTime))[0];
  const effective = response.effectiveRateLimit?.requestsPerSecond;
  return {
    taskQueue,
    ...(queue?.rateLimit ? { queuePerSecond: queue.rateLimit.requestsPerSecond ?? 0 } : {}),
    ...(perKey?.rateLimit ? { perKeyPerSecond: perKey.rateLimit.requestsPerSecond ?? 0 } : {}),
    weightOverrides: { ...(config?.fairnessWeightOverrides ?? {}) },
    ...(typeof effective === 'number' ? { effectiveQueuePerSecond: effective } : {}),
    ...(metadata?.reason ? { reason: metadata.reason } : {}),
    ...(metadata?.updateTime ? { updatedAt: new Date(seconds(metadata.updateTime) * 1000) } : {}),
  };
}

function seconds(timestamp: temporal.api.taskqueue.v1.IConfigMetadata['updateTime']): number {
  if (!timestamp) return 0;
  return Number(timestamp.seconds ?? 0) + (timestamp.nanos ?? 0) / 1e9;
}

function checkedRate(field: string, value: number | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new CodikaValidationError(
      field,
      `expected a number of calls per second, 0 or more (0 pauses them; null removes the limit); got ${String(value)}`,
    );
  }
  return value;
}
