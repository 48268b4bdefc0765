import { ApplicationFailure } from '@temporalio/common';
import { CodikaError } from '../codika/errors';
import type { CodikaTriggerDelivery, TriggerFailureDetails } from '../common/execution-types';
import { CODIKA_TRIGGER_OUTCOME_UNKNOWN } from '../common/failure-types';
import { withoutStack } from '../common/without-stack';
import { toApplicationFailure } from './to-application-failure';

/** What the trigger activity knows about the attempt that failed. */
export interface TriggerAttempt {
  /** Absent for histories written before delivery was a choice: retried as before. */
  delivery?: CodikaTriggerDelivery;
  idempotencyKey: string;
  sentAt: string;
}

/**
 * The failure of one trigger attempt: the Codika failure's type and message, with details that say
 * whether Codika may have started an execution, when the request went out and with which key.
 * Under `at-most-once` an unknown outcome is never retried, so even a workflow that calls this
 * activity with a retry policy of its own cannot send the trigger twice.
 */
export function triggerFailure(err: unknown, secrets: readonly string[], attempt: TriggerAttempt): unknown {
  const failure = toApplicationFailure(err, secrets);
  if (!(err instanceof CodikaError) || !(failure instanceof ApplicationFailure) || !err.triggerOutcome) return failure;
  const extra: TriggerFailureDetails = {
    triggerOutcome: err.triggerOutcome,
    sentAt: attempt.sentAt,
    idempotencyKey: attempt.idempotencyKey,
  };
  const unknown = err.triggerOutcome === 'outcome_unknown';
  let nonRetryable = failure.nonRetryable ?? false;
  if (attempt.delivery === 'at-most-once' && unknown) nonRetryable = true;
  // Opting in means retrying with the same key, even an unreadable 2xx.
  if (attempt.delivery === 'at-least-once' && unknown) nonRetryable = false;
  return withoutStack(
    ApplicationFailure.create({
      type: failure.type ?? undefined,
      message: failure.message,
      nonRetryable,
      nextRetryDelay: nonRetryable ? undefined : (failure.nextRetryDelay ?? undefined),
      details: [{ ...(failure.details?.[0] as object), ...extra }],
    }),
  );
}

/**
 * `at-most-once`, a later attempt of the same activity: the earlier one ended without an answer this
 * worker can trust (its worker may have died mid-request), so this one sends nothing.
 */
export function repeatedAttemptRefused(attempt: number, idempotencyKey: string): ApplicationFailure {
  const details: TriggerFailureDetails = { triggerOutcome: 'outcome_unknown', idempotencyKey };
  return withoutStack(
    ApplicationFailure.create({
      type: CODIKA_TRIGGER_OUTCOME_UNKNOWN,
      message:
        `Trigger attempt ${attempt} not sent: with triggerDelivery 'at-most-once' a trigger is sent once per ` +
        'activity, and the attempt before this one ended without a recorded answer (Codika may have started the execution)',
      nonRetryable: true,
      details: [{ ...details, attempt }],
    }),
  );
}
