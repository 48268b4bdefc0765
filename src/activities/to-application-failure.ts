import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { CodikaError } from '../codika/errors';
import { CodikaValidationError } from '../shared/errors';
import { redact } from '../codika/redact';
import type { TriggerFailureDetails } from '../shared/activity-types';
import type { CodikaTriggerDelivery } from '../shared/trigger-delivery';
import { CODIKA_CREDENTIALS_MISSING, CODIKA_FAILURE_TYPES, CODIKA_VALIDATION_FAILURE } from '../shared/errors';
import { nonRetryableFailure, withoutStack } from '../shared/failures';
import { CodikaCredentialsMissingError } from './errors';

/** What the trigger activity knows about the attempt that failed. */
export interface TriggerAttempt {
  /** Absent for histories written before delivery was a choice: retried as before. */
  delivery?: CodikaTriggerDelivery;
  idempotencyKey: string;
  sentAt: string;
  /** The Codika search attributes the namespace has, so a run waiting for an operator can show it. */
  searchAttributes?: string[];
}

/**
 * Turns what the Codika client threw into the failure Temporal records and retries by:
 * non-retryable for what a retry cannot fix (auth, not found, bad request, validation, missing
 * credentials), `nextRetryDelay` from `Retry-After`, ordinary retries for the rest. Anything
 * unexpected keeps its type and stays retryable, with its message redacted in place. Temporal's own
 * failures (a cancellation) pass through untouched. Stacks are dropped: they would
 * only repeat library frames into the history.
 *
 * For a trigger (`attempt` given), the details also say whether Codika may have started an
 * execution, when the request went out and with which key; and the delivery decides whether an
 * unknown outcome is retried, so even a caller with a retry policy of its own cannot send an
 * `at-most-once` trigger twice.
 */
export function toApplicationFailure(err: unknown, secrets: readonly string[], attempt?: TriggerAttempt): unknown {
  if (err instanceof CodikaValidationError) {
    return nonRetryableFailure(CODIKA_VALIDATION_FAILURE, redact(err.message, secrets), { field: err.field });
  }
  if (err instanceof CodikaCredentialsMissingError) {
    return nonRetryableFailure(CODIKA_CREDENTIALS_MISSING, err.message, { processInstanceId: err.processInstanceId });
  }
  if (err instanceof CodikaError) {
    const trigger: TriggerFailureDetails | undefined =
      attempt && err.triggerOutcome
        ? {
            triggerOutcome: err.triggerOutcome,
            sentAt: attempt.sentAt,
            idempotencyKey: attempt.idempotencyKey,
            ...(err.triggerOutcome === 'outcome_unknown' && attempt.searchAttributes?.length
              ? { runIndex: { searchAttributes: attempt.searchAttributes } }
              : {}),
          }
        : undefined;
    const retryable = trigger ? retryableTrigger(err, attempt?.delivery) : err.retryable;
    return withoutStack(
      ApplicationFailure.create({
        type: CODIKA_FAILURE_TYPES[err.kind],
        message: redact(err.message, secrets),
        nonRetryable: !retryable,
        nextRetryDelay: retryable && err.retryAfterMs !== undefined ? err.retryAfterMs : undefined,
        details: [
          {
            kind: err.kind,
            request: err.request,
            status: err.status ?? null,
            retryAfterMs: err.retryAfterMs ?? null,
            ...trigger,
          },
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

/**
 * A trigger whose outcome is unknown is never retried under `at-most-once`, and always (with the
 * same key, even after an unreadable 2xx) under `at-least-once`; anything else as its kind says.
 */
function retryableTrigger(err: CodikaError, delivery: CodikaTriggerDelivery | undefined): boolean {
  if (err.triggerOutcome !== 'outcome_unknown' || delivery === undefined) return err.retryable;
  return delivery === 'at-least-once';
}
