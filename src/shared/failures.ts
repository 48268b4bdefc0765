/** How the library builds the failures it raises (their `type`s are listed in `./errors.ts`). */
import { ApplicationFailure } from '@temporalio/common';

/**
 * Replaces a failure's stack with its first line. The frames would only be library internals and
 * the worker's install path, repeated into every history that records the failure.
 */
export function withoutStack<T extends ApplicationFailure>(failure: T): T {
  failure.stack = `${failure.name}: ${failure.message}`;
  return failure;
}

/**
 * A failure no retry can fix, with its one details object and the stack cut to its first line.
 * The shape every final failure of the library shares: `type`, a message that says what to do,
 * `details: [details]` for code that matches on it, and the failure that led to it as `cause`.
 */
export function nonRetryableFailure(
  type: string,
  message: string,
  details: unknown,
  cause?: Error,
): ApplicationFailure {
  return withoutStack(ApplicationFailure.create({ type, message, nonRetryable: true, details: [details], cause }));
}
