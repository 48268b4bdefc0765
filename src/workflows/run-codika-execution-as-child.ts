import { ApplicationFailure, ChildWorkflowFailure, executeChild, workflowInfo } from '@temporalio/workflow';
import type { CodikaExecutionInput, CodikaExecutionResult } from '../shared/execution-types';
import type { CodikaPollOptions } from '../shared/poll-options';
import { executionStaticDetails, executionSummary } from '../shared/ui-summaries';
import { withoutStack } from '../shared/failures';
import { codikaExecutionWorkflow } from './codika-execution-workflow';
import { invalid } from './execution';

/** Options of {@link runCodikaExecutionAsChild}. */
export interface CodikaChildOptions {
  /** How the child waits for the result. */
  poll?: CodikaPollOptions;
  /** @default this workflow's task queue */
  taskQueue?: string;
}

const STEP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/**
 * Runs one Codika execution as a child workflow (`codikaExecutionWorkflow`): its own row in the
 * Temporal UI, with its own history, state query and `codikaPollNow` signal, that can be inspected,
 * or terminated alone. Prefer it to `runCodikaExecution` for long or many executions (each history
 * stays small) and when people follow executions in the UI; prefer `runCodikaExecution` for short
 * chains, where one history is simpler and costs fewer actions.
 *
 * The child's id is `<this workflow's id>/codika/<name>`: the same on every replay, so `name` must
 * be unique within a run.
 *
 * @throws ApplicationFailure `CodikaValidationError` when `name` is not 1–100 letters, digits, `_`, `.` or `-`.
 * @throws ApplicationFailure of the child's failure type (`CodikaExecutionFailed`, …), the child failure as its cause.
 */
export async function runCodikaExecutionAsChild<T = unknown>(
  name: string,
  input: CodikaExecutionInput,
  options: CodikaChildOptions = {},
): Promise<CodikaExecutionResult<T>> {
  if (!STEP_NAME.test(name)) {
    throw invalid('name', `"${name}" must be 1–100 letters, digits, "_", "." or "-", starting with a letter or digit`);
  }
  try {
    return (await executeChild(codikaExecutionWorkflow, {
      workflowId: `${workflowInfo().workflowId}/codika/${name}`,
      taskQueue: options.taskQueue,
      args: [{ ...input, poll: options.poll }],
      staticSummary: executionSummary(input),
      staticDetails: executionStaticDetails({ ...input, poll: options.poll }),
      ...(input.priority ? { priority: input.priority } : {}),
    })) as CodikaExecutionResult<T>;
  } catch (err) {
    if (!(err instanceof ChildWorkflowFailure) || !(err.cause instanceof ApplicationFailure)) throw err;
    // The same failure type as `runCodikaExecution` throws, so callers match one `type` either way.
    throw withoutStack(
      ApplicationFailure.create({
        type: err.cause.type ?? undefined,
        message: err.cause.message,
        nonRetryable: true,
        details: err.cause.details ?? undefined,
        cause: err,
      }),
    );
  }
}
