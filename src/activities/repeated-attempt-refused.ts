import { type ApplicationFailure } from '@temporalio/common';
import type { TriggerFailureDetails } from '../shared/activity-types';
import { CODIKA_TRIGGER_OUTCOME_UNKNOWN } from '../shared/errors';
import { nonRetryableFailure } from '../shared/failures';

/**
 * `at-most-once`, a later attempt of the same activity: the earlier one ended without an answer this
 * worker can trust (its worker may have died mid-request), so this one sends nothing.
 */
export function repeatedAttemptRefused(attempt: number, idempotencyKey: string): ApplicationFailure {
  const details: TriggerFailureDetails = { triggerOutcome: 'outcome_unknown', idempotencyKey };
  return nonRetryableFailure(
    CODIKA_TRIGGER_OUTCOME_UNKNOWN,
    `Trigger attempt ${attempt} not sent: with triggerDelivery 'at-most-once' a trigger is sent once per ` +
      'activity, and the attempt before this one ended without a recorded answer (Codika may have started the execution)',
    { ...details, attempt },
  );
}
