import type { ApplicationFailure } from '@temporalio/common';

/**
 * Replaces a failure's stack with its first line. The frames would only be library internals and
 * the worker's install path, repeated into every history that records the failure.
 */
export function withoutStack<T extends ApplicationFailure>(failure: T): T {
  failure.stack = `${failure.name}: ${failure.message}`;
  return failure;
}
