import type { CodikaExecutionInput, CodikaExecutionResult } from '../shared/execution-types';
import type { CodikaPollOptions } from '../shared/poll-options';
import { executeCodikaStep, initialStepState, resolvePollSettings, validateExecutionInput } from './engine';

/**
 * Runs one Codika execution as a step of your workflow: triggers it once, then polls with durable
 * timers and backoff until Codika reports `success` or `failed`, or the deadline passes.
 *
 * ```ts
 * const { resultData } = await runCodikaExecution({ processInstanceId, workflowId: 'scheduled-report' });
 * ```
 *
 * Needs the activities from `createCodikaActivities` on the worker that runs your workflow.
 *
 * @throws ApplicationFailure `CodikaValidationError` before anything runs, on bad input or options.
 * @throws ApplicationFailure `CodikaExecutionFailed` with Codika's message and the executionId.
 * @throws ApplicationFailure `CodikaExecutionTimedOut` when the deadline passes (default 1 hour).
 * @throws ActivityFailure when Codika refuses a call for good (auth, not found, bad request).
 */
export async function runCodikaExecution<T = unknown>(
  input: CodikaExecutionInput,
  options: CodikaPollOptions = {},
): Promise<CodikaExecutionResult<T>> {
  const valid = validateExecutionInput(input);
  const settings = resolvePollSettings(options, 'options');
  return (await executeCodikaStep(valid, settings, initialStepState(valid))) as CodikaExecutionResult<T>;
}
