import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { CodikaError, CodikaValidationError } from '../codika/errors';
import { redact } from '../codika/redact';
import { CODIKA_CREDENTIALS_MISSING, CODIKA_FAILURE_TYPES, CODIKA_VALIDATION_FAILURE } from '../common/failure-types';
import { withoutStack } from '../common/without-stack';
import { CodikaCredentialsMissingError } from './credentials';

/**
 * Turns what the Codika client threw into the failure Temporal records and retries by:
 * non-retryable for what a retry cannot fix (auth, not found, bad request, validation, missing
 * credentials), `nextRetryDelay` from `Retry-After`, ordinary retries for the rest. Anything
 * unexpected keeps its type and stays retryable, with its message redacted in place. Temporal's own
 * failures (a cancellation) pass through untouched. Stacks are dropped: they would
 * only repeat library frames into the history.
 */
export function toApplicationFailure(err: unknown, secrets: readonly string[]): unknown {
  if (err instanceof CodikaValidationError) {
    return withoutStack(
      ApplicationFailure.create({
        type: CODIKA_VALIDATION_FAILURE,
        message: redact(err.message, secrets),
        nonRetryable: true,
        details: [{ field: err.field }],
      }),
    );
  }
  if (err instanceof CodikaCredentialsMissingError) {
    return withoutStack(
      ApplicationFailure.create({
        type: CODIKA_CREDENTIALS_MISSING,
        message: err.message,
        nonRetryable: true,
        details: [{ processInstanceId: err.processInstanceId }],
      }),
    );
  }
  if (err instanceof CodikaError) {
    return withoutStack(
      ApplicationFailure.create({
        type: CODIKA_FAILURE_TYPES[err.kind],
        message: redact(err.message, secrets),
        nonRetryable: !err.retryable,
        nextRetryDelay: err.retryable && err.retryAfterMs !== undefined ? err.retryAfterMs : undefined,
        details: [
          { kind: err.kind, request: err.request, status: err.status ?? null, retryAfterMs: err.retryAfterMs ?? null },
        ],
      }),
    );
  }
  if (err instanceof Error && !(err instanceof TemporalFailure)) {
    // The stack repeats the message it was built with, so both are cleaned.
    err.message = redact(err.message, secrets);
    if (err.stack) err.stack = redact(err.stack, secrets);
  }
  return err;
}
