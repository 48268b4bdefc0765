import { CodikaError } from '../codika/errors';
import type { CodikaExecutionStatus } from '../codika/types';
import type { GetCodikaExecutionStatusInput } from '../shared/activity-types';
import { formatDuration } from '../shared/durations';

/** What the state query and the UI show while a `404` counts as "not visible yet". */
export const NOT_VISIBLE_YET = 'not found yet';

/**
 * Reads a status `404` with the step's grace window. Within it, the execution counts as pending (a
 * service whose status endpoint learns of an execution a moment after its webhook answered is
 * ordinary; the client in Codika's API description keeps polling on any non-OK answer). Past it, the failure says how
 * long the step waited, so an operator knows the id was given every chance.
 *
 * @throws CodikaError `not_found` past the grace (or without one, as it was), any other error as it is.
 */
export function withinNotFoundGrace(
  err: unknown,
  input: GetCodikaExecutionStatusInput,
  nowMs: number,
): CodikaExecutionStatus {
  const grace = input.notFoundGrace;
  if (!(err instanceof CodikaError) || err.kind !== 'not_found' || grace === undefined) throw err;
  const waitedMs = nowMs - grace.acceptedAtMs;
  if (waitedMs < grace.graceMs) return { status: 'pending', reportedStatus: NOT_VISIBLE_YET };
  throw new CodikaError(
    `Codika still answers 404 for execution ${input.executionId} ${formatDuration(waitedMs)} after it was ` +
      `accepted, past the grace of ${formatDuration(grace.graceMs)} (poll.notFoundGrace): Codika does not ` +
      `know this execution in process instance ${input.processInstanceId}. Check the executionId, or raise ` +
      `poll.notFoundGrace if Codika takes longer to show new executions.`,
    { kind: 'not_found', request: err.request, status: err.status, body: err.body },
  );
}
