import { CodikaValidationError } from '../../shared/errors';
import { refuseAttachedPayload, validateId, validatePayload } from '../../shared/validation';
import type { CheckedExecutionInput, CodikaExecutionInput } from '../../shared/execution-types';
import { checkTriggerDelivery, ON_TRIGGER_OUTCOME_UNKNOWN } from '../../shared/trigger-delivery';
import { checkPriority } from '../../shared/priority';
import { checkConcurrency } from '../../shared/flow-control';
import { validateResultOptions } from '../../shared/result-options';
import { invalid } from './poll-settings';
import { isPositiveDuration } from '../../shared/poll-options';

/** The fields of an execution's input; the execution workflow's input adds its own to them. */
export const EXECUTION_INPUT_KEYS = [
  'processInstanceId',
  'workflowId',
  'payload',
  'triggerDelivery',
  'priority',
  'concurrency',
  'executionId',
  'result',
  'onTriggerOutcomeUnknown',
  'operatorTimeout',
] as const satisfies readonly (keyof CodikaExecutionInput)[];
const KNOWN_KEYS = new Set<string>(EXECUTION_INPUT_KEYS);

/**
 * Checks a step's input before anything is triggered, with the same rules the HTTP client applies.
 *
 * @throws ApplicationFailure (non-retryable, type `CodikaValidationError`) naming the bad field.
 */
export function validateExecutionInput(input: CodikaExecutionInput, path = 'input'): CheckedExecutionInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid(path, 'expected an object with processInstanceId, workflowId and an optional payload');
  }
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key)) throw invalid(`${path}.${key}`, `unknown field; expected ${[...KNOWN_KEYS].join(', ')}`);
  }
  return underPath(path, () => {
    const checked: CheckedExecutionInput = {
      processInstanceId: validateId('processInstanceId', input.processInstanceId),
      workflowId: validateId('workflowId', input.workflowId),
      payload: validatePayload(input.payload),
      triggerDelivery: checkTriggerDelivery(input.triggerDelivery),
    };
    // Set only when given: an input without it checks to the same object as before priorities existed.
    const priority = checkPriority(input.priority);
    if (priority) checked.priority = priority;
    const concurrency = checkConcurrency(input.concurrency);
    if (concurrency) checked.concurrency = concurrency;
    if (input.executionId !== undefined) {
      checked.executionId = validateId('executionId', input.executionId);
      refuseAttachedPayload(checked.payload);
    }
    const result = validateResultOptions(input.result, 'result');
    if (result) checked.result = result;
    checkOperatorOptions(input, checked);
    return checked;
  });
}

/**
 * Runs the client's pure checks in workflow code, reporting a failure as a non-retryable
 * validation failure whose field is prefixed with `path` (a plain error would only retry the task).
 */
export function underPath<T>(path: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof CodikaValidationError) throw invalid(`${path}.${err.field}`, err.reason);
    throw err;
  }
}

/** `onTriggerOutcomeUnknown` and its `operatorTimeout`, set on `checked` only when given. */
function checkOperatorOptions(input: CodikaExecutionInput, checked: CheckedExecutionInput): void {
  const { onTriggerOutcomeUnknown: choice, operatorTimeout } = input;
  if (choice !== undefined) {
    if (!(ON_TRIGGER_OUTCOME_UNKNOWN as readonly unknown[]).includes(choice)) {
      throw new CodikaValidationError(
        'onTriggerOutcomeUnknown',
        `must be one of ${ON_TRIGGER_OUTCOME_UNKNOWN.join(', ')}, got ${JSON.stringify(choice)}`,
      );
    }
    checked.onTriggerOutcomeUnknown = choice;
  }
  if (operatorTimeout === undefined) return;
  if (choice !== 'ask') {
    throw new CodikaValidationError(
      'operatorTimeout',
      "applies only with onTriggerOutcomeUnknown 'ask'; set that too, or remove operatorTimeout",
    );
  }
  if (!isPositiveDuration(operatorTimeout)) {
    throw new CodikaValidationError(
      'operatorTimeout',
      `is not a positive duration such as "4 hours" or a number of milliseconds (got ${JSON.stringify(operatorTimeout)})`,
    );
  }
  checked.operatorTimeout = operatorTimeout;
}
