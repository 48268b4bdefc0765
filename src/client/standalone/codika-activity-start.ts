import type { ActivityOptions } from '@temporalio/client';
import {
  checkCodikaExecutionActivityInput,
  type CodikaActivityPollOptions,
  type CodikaExecutionActivityInput,
} from '../../activities/codika-execution-input';
import { parseDuration, type Duration } from '../../shared/durations';
import { CodikaValidationError } from '../../shared/errors';
import type { CodikaExecutionInput } from '../../shared/execution-types';
import { isPositiveDuration } from '../../shared/poll-options';
import { executionPriority } from '../../shared/priority';
import { DEFAULT_TASK_QUEUE } from '../../shared/task-queue';
import { executionSummary } from '../../shared/ui-summaries';
import { validateId } from '../../shared/validation';
import { readableWorkflowId } from '../start-codika-execution';

/** Options of `startCodikaActivity` and `executeCodikaActivity`. */
export interface StartCodikaActivityOptions {
  /** The task queue a Codika worker serves. @default 'codika' */
  taskQueue?: string;
  /**
   * The activity id: with it, a second start while the first runs fails `ActivityExecutionAlreadyStartedError`.
   * @default `codika-<workflowId>-<processInstanceId>-<time><random>`
   */
  activityId?: string;
  /** How to wait for the result: the workflow path's options but `strategy` and `activityTimeout`. */
  poll?: CodikaActivityPollOptions;
  /**
   * How long a worker may stay silent before Temporal takes it for dead and another attempt resumes
   * polling the recorded execution. The activity heartbeats once per 80 % of it (a billable action on
   * Temporal Cloud each), so an execution shorter than that costs one heartbeat; a worker that shuts
   * down gracefully hands over at once. At least 1 second. @default '10 minutes'
   */
  heartbeatTimeout?: Duration;
  /**
   * How often the running activity describes itself to notice a cancellation (a read, not a billable
   * action): the cancellation then takes effect within about this long. `null`: only keep-alive
   * heartbeats bring it. At least 1 second (a bare number is milliseconds); each check gets a random
   * ±20 % so executions started together do not describe themselves in step. @default '2 seconds'
   */
  cancelCheckInterval?: Duration | null;
}

/** The default of {@link StartCodikaActivityOptions.heartbeatTimeout}. */
export const DEFAULT_ACTIVITY_HEARTBEAT_TIMEOUT_MS = 10 * 60_000;

/**
 * Past the deadline, the time the activity's own deadline failure (with one last status check) has
 * before Temporal's schedule-to-close timeout ends it untyped; that timeout only fires when no worker runs it.
 */
export const DEADLINE_MARGIN_MS = 2 * 60_000;

/** Attempts after a crash, a heartbeat timeout or a shutdown: soon, then backing off, until schedule-to-close. */
const ACTIVITY_RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' } as const;

/**
 * The checked input and start options of one standalone `codikaExecution`: the workflow path's input
 * checks, then the activity's options (timeouts from `poll.deadline` and `heartbeatTimeout`, retries,
 * priority, the UI summary).
 *
 * @throws CodikaValidationError naming the field and the fix, before anything starts.
 */
export function codikaActivityStart(
  input: CodikaExecutionInput,
  options: StartCodikaActivityOptions = {},
): ActivityOptions & { args: [CodikaExecutionActivityInput] } {
  // The input holds the execution's fields only: a start option inside it is refused, not dropped.
  const { execution, poll } = checkCodikaExecutionActivityInput(input, 'input', {
    poll: options.poll,
    cancelCheckInterval: options.cancelCheckInterval,
  });
  // What the activity records is the input as checked (defaults filled in), as a workflow's is.
  const activityInput: CodikaExecutionActivityInput = { ...execution };
  if (options.poll !== undefined) activityInput.poll = options.poll;
  if (options.cancelCheckInterval !== undefined) activityInput.cancelCheckInterval = options.cancelCheckInterval;
  const activityId =
    options.activityId === undefined
      ? readableWorkflowId(execution.processInstanceId, execution.workflowId)
      : validateId('activityId', options.activityId);
  return {
    id: activityId,
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    args: [activityInput],
    scheduleToCloseTimeout: poll.deadlineMs + DEADLINE_MARGIN_MS,
    heartbeatTimeout: heartbeatTimeoutMs(options.heartbeatTimeout),
    retry: ACTIVITY_RETRY,
    summary: executionSummary(execution),
    priority: executionPriority(execution.processInstanceId, execution.priority),
  };
}

function heartbeatTimeoutMs(value: Duration | undefined): number {
  if (value === undefined) return DEFAULT_ACTIVITY_HEARTBEAT_TIMEOUT_MS;
  const ms =
    (typeof value === 'string' || typeof value === 'number') && isPositiveDuration(value) ? parseDuration(value) : 0;
  if (ms < 1_000) {
    throw new CodikaValidationError(
      'heartbeatTimeout',
      `must be a duration of at least 1 second, such as "10 minutes" (got ${JSON.stringify(value)})`,
    );
  }
  return ms;
}
