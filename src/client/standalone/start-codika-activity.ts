import type { ActivityHandle, Client } from '@temporalio/client';
import { CODIKA_EXECUTION_ACTIVITY } from '../../activities/codika-execution-input';
import type { CodikaExecutionInput, CodikaExecutionResult } from '../../shared/execution-types';
import { codikaActivityStart, type StartCodikaActivityOptions } from './codika-activity-start';
import { CodikaStandaloneUnsupportedError, isStandaloneUnsupported } from './standalone-unsupported';

/**
 * Starts one Codika execution as a standalone activity (`codikaExecution`, no workflow around it) and
 * returns its handle at once: `result()` waits for the end, `describe()` shows its attempt and
 * heartbeats, `cancel(reason)` stops it. The input is checked here first, so bad input fails before
 * anything is started. Needs Temporal server 1.31 or later with standalone activities enabled, and a
 * Codika worker (`CodikaPlugin`, `createCodikaWorker`) on the task queue.
 *
 * `result()` throws `ActivityExecutionFailedError` whose cause is the workflow path's typed failure
 * (`CodikaExecutionFailed`, `CodikaExecutionTimedOut`, `CodikaTriggerOutcomeUnknown`…) or, once
 * cancelled, a `CancelledFailure`.
 *
 * @throws CodikaValidationError naming the field and the fix, before anything starts.
 * @throws CodikaStandaloneUnsupportedError when the server cannot run standalone activities.
 * @throws ActivityExecutionAlreadyStartedError when `activityId` names an activity that is running.
 */
export async function startCodikaActivity<T = unknown>(
  client: Client,
  input: CodikaExecutionInput,
  options: StartCodikaActivityOptions = {},
): Promise<ActivityHandle<CodikaExecutionResult<T>>> {
  const start = codikaActivityStart(input, options);
  try {
    return await client.activity.start<CodikaExecutionResult<T>>(CODIKA_EXECUTION_ACTIVITY, start);
  } catch (err) {
    if (isStandaloneUnsupported(err)) throw new CodikaStandaloneUnsupportedError(err);
    throw err;
  }
}

/**
 * Runs one Codika execution as a standalone activity and waits for its result: {@link startCodikaActivity}, then `result()`.
 *
 * @throws CodikaValidationError or CodikaStandaloneUnsupportedError before anything starts;
 *   `ActivityExecutionFailedError` whose cause is the typed failure.
 */
export async function executeCodikaActivity<T = unknown>(
  client: Client,
  input: CodikaExecutionInput,
  options: StartCodikaActivityOptions = {},
): Promise<CodikaExecutionResult<T>> {
  const handle = await startCodikaActivity<T>(client, input, options);
  return handle.result();
}
