import { CodikaValidationError } from '../codika/errors';
import { validateId, validatePayload } from '../codika/validation';
import type { CodikaExecutionInput } from '../common/execution-types';
import { invalid } from './poll-settings';

const KNOWN_KEYS = new Set(['processInstanceId', 'workflowId', 'payload']);

/**
 * Checks a step's input before anything is triggered, with the same rules the HTTP client applies.
 *
 * @throws ApplicationFailure (non-retryable, type `CodikaValidationError`) naming the bad field.
 */
export function validateExecutionInput(input: CodikaExecutionInput, path = 'input'): CodikaExecutionInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid(path, 'expected an object with processInstanceId, workflowId and an optional payload');
  }
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key))
      throw invalid(`${path}.${key}`, 'unknown field; expected processInstanceId, workflowId, payload');
  }
  try {
    return {
      processInstanceId: validateId('processInstanceId', input.processInstanceId),
      workflowId: validateId('workflowId', input.workflowId),
      payload: validatePayload(input.payload),
    };
  } catch (err) {
    if (err instanceof CodikaValidationError)
      throw invalid(`${path}.${err.field}`, err.message.replace(/^Invalid [^:]+: /, ''));
    throw err;
  }
}
