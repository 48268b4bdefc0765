import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import type { CheckedExecutionInput, CodikaExecutionState } from '../../shared/execution-types';
import { CODIKA_EXECUTION_FAILED, CODIKA_EXECUTION_TIMED_OUT } from '../../shared/errors';
import { nonRetryableFailure, withoutStack } from '../../shared/failures';
import { formatDuration } from '../../shared/durations';

/**
 * The deadline ended it: the activity's schedule-to-close timeout fired, or the server refused to
 * schedule a retry past it (the failure then carries the last error with retry state TIMEOUT).
 * `undefined` stands for the loop finding no time left.
 */
export function reachedDeadline(err: unknown): boolean {
  if (err === undefined) return true;
  if (!(err instanceof ActivityFailure)) return false;
  return (
    err.retryState === 'TIMEOUT' ||
    (err.cause instanceof TimeoutFailure && err.cause.timeoutType === 'SCHEDULE_TO_CLOSE')
  );
}

/**
 * Surfaces a Codika failure (auth, not found, bad request…) as the `ApplicationFailure` the
 * activity raised, so callers match one `type` whether the failure came from the activity or the
 * workflow. The activity failure stays attached as the cause.
 */
export function codikaFailureOf(err: unknown): unknown {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure)) return err;
  const failure = err.cause;
  return withoutStack(
    ApplicationFailure.create({
      type: failure.type ?? undefined,
      message: failure.message,
      nonRetryable: true,
      details: failure.details ?? undefined,
      cause: err,
    }),
  );
}

/** Codika reported `failed`: its message, with the ids to find the execution. */
export function executionFailed(
  input: CheckedExecutionInput,
  executionId: string,
  codikaMessage: string,
  polls: number,
): ApplicationFailure {
  return nonRetryableFailure(
    CODIKA_EXECUTION_FAILED,
    `Codika execution ${executionId} of "${input.workflowId}" failed: ${codikaMessage}`,
    { ...ids(input, executionId), codikaMessage, polls },
  );
}

/**
 * The deadline passed; says whether the execution may still be running in Codika. `refused`: the
 * last trigger attempt was provably not accepted, so nothing was started.
 */
export function executionTimedOut(
  input: CheckedExecutionInput,
  state: CodikaExecutionState,
  deadlineMs: number,
  cause: unknown,
  refused = false,
): ApplicationFailure {
  const what = state.executionId
    ? `Codika execution ${state.executionId} of "${input.workflowId}" did not finish`
    : `Codika workflow "${input.workflowId}" was not confirmed as triggered`;
  const where = state.executionId
    ? '; it may still be running in Codika'
    : refused
      ? '; Codika refused every attempt, so nothing was started'
      : '; a last attempt may still have started it';
  return nonRetryableFailure(
    CODIKA_EXECUTION_TIMED_OUT,
    `${what} within the ${formatDuration(deadlineMs)} deadline (${state.polls} status checks answered)${where}`,
    { ...ids(input, state.executionId), polls: state.polls, lastStatus: state.lastStatus ?? null },
    cause instanceof Error ? cause : undefined,
  );
}

function ids(input: CheckedExecutionInput, executionId: string | undefined) {
  return { processInstanceId: input.processInstanceId, workflowId: input.workflowId, executionId: executionId ?? null };
}
