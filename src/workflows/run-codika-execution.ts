import type { CodikaExecutionInput, CodikaExecutionResult } from '../shared/execution-types';
import type { CodikaPollOptions } from '../shared/poll-options';
import {
  isCodikaWorkflowContract,
  type CodikaPayloadOf,
  type CodikaResultOf,
  type AnyCodikaWorkflowContract,
} from '../shared/contracts';
import { executeCodikaStep, initialStepState, resolvePollSettings, validateExecutionInput } from './execution';

/** The input of a step run through a contract: the contract names the workflow and types the payload. */
export type CodikaContractInput<C> = Omit<CodikaExecutionInput, 'workflowId' | 'payload'> & {
  /** Input fields for the Codika workflow, as its contract's input schema takes them. */
  payload: CodikaPayloadOf<C>;
};

/**
 * Runs one Codika execution as a step of your workflow: triggers it once, then waits with the poll
 * strategy (`auto` by default: an activity checks every second for 75 s, then Temporal's retries back
 * off to 3 minutes) until Codika reports `success` or `failed`, or the deadline passes.
 *
 * ```ts
 * const { resultData } = await runCodikaExecution({ processInstanceId, workflowId: 'scheduled-report' });
 * const { resultData: digest } = await runCodikaExecution(summarize, { processInstanceId, payload: { text_input: text } });
 * ```
 *
 * With a contract (`defineCodikaWorkflow`), the payload and `resultData` are typed, and the worker's
 * activities check both against the contract registered for that workflow.
 *
 * Needs the activities from `createCodikaActivities` on the worker that runs your workflow.
 *
 * @throws ApplicationFailure `CodikaValidationError` before anything runs, on bad input or options.
 * @throws ApplicationFailure `CodikaPayloadInvalid` when the payload breaks the worker's contract (nothing is sent).
 * @throws ApplicationFailure `CodikaExecutionFailed` with Codika's message and the executionId.
 * @throws ApplicationFailure `CodikaResultInvalid` when a `success` result breaks the worker's contract.
 * @throws ApplicationFailure `CodikaExecutionTimedOut` when the deadline passes (default 1 hour).
 * @throws ApplicationFailure `CodikaTriggerOutcomeUnknown` under `at-most-once` delivery (the default) when
 *   Codika may have started the execution but its answer was lost.
 * @throws ApplicationFailure of the activity failure's type (`CodikaAuthError`, `CodikaNotFoundError`,
 *   `CodikaResultTooLarge`…) when a call fails for good, with the activity's `ActivityFailure` as its cause.
 */
export async function runCodikaExecution<C extends AnyCodikaWorkflowContract>(
  contract: C,
  input: CodikaContractInput<C>,
  options?: CodikaPollOptions,
): Promise<CodikaExecutionResult<CodikaResultOf<C>>>;
export async function runCodikaExecution<T = unknown>(
  input: CodikaExecutionInput,
  options?: CodikaPollOptions,
): Promise<CodikaExecutionResult<T>>;
export async function runCodikaExecution(
  first: CodikaExecutionInput | AnyCodikaWorkflowContract,
  second?: unknown,
  third?: CodikaPollOptions,
): Promise<CodikaExecutionResult> {
  const [input, options] = isCodikaWorkflowContract(first)
    ? [{ ...(second as Omit<CodikaExecutionInput, 'workflowId'>), workflowId: first.workflowId }, third]
    : [first, second as CodikaPollOptions | undefined];
  const valid = validateExecutionInput(input);
  const settings = resolvePollSettings(options ?? {}, 'options');
  return executeCodikaStep(valid, settings, initialStepState(valid));
}
