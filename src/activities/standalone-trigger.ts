/**
 * The trigger of the standalone `codikaExecution` activity: the workflow path's delivery rules
 * (src/workflows/execution/trigger-execution.ts), inside one activity attempt. A trigger that provably
 * started nothing is sent again after a backoff; one whose outcome is unknown is sent again only under
 * `at-least-once`, with the same `Idempotency-Key`; under `at-most-once` the activity fails with the
 * workflow path's `CodikaTriggerOutcomeUnknown`.
 */
import { createHash } from 'node:crypto';
import type { Context, Info } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CodikaTriggerRequest, CodikaTriggerResult } from '../codika/types';
import type { TriggerFailureDetails } from '../shared/activity-types';
import { CODIKA_TRIGGER_OUTCOME_UNKNOWN } from '../shared/errors';
import type { CheckedExecutionInput } from '../shared/execution-types';
import { nonRetryableFailure } from '../shared/failures';
import { logCallFailure } from './activity-telemetry';
import { toApplicationFailure } from './to-application-failure';

/** Waits between attempts Codika refused for now (`503`, `429` without `Retry-After`…): the workflow path's. */
const TRIGGER_BACKOFF = { initialMs: 1_000, coefficient: 2, maxMs: 30_000 } as const;

/** What the trigger needs from the activity. */
export interface StandaloneTrigger {
  context: Context;
  input: CheckedExecutionInput;
  idempotencyKey: string;
  deadlineAtMs: number;
  /** Redacted from every failure. */
  secrets: readonly string[];
  send(request: CodikaTriggerRequest, signal: AbortSignal): Promise<CodikaTriggerResult>;
  /** The failure to throw when the deadline leaves no time for another attempt (`refused`: nothing started). */
  deadlineReached(cause: unknown, refused: boolean): Error;
}

/**
 * The `Idempotency-Key` of a standalone activity: the same for every attempt of one activity run, a
 * new one for a later run that reuses the activity id. Hashed, so an id never puts odd characters (or
 * data) into a header.
 */
export function standaloneIdempotencyKey(info: Pick<Info, 'activityId' | 'activityRunId'>): string {
  const digest = createHash('sha256')
    .update(`standalone\n${info.activityId}\n${info.activityRunId ?? ''}`)
    .digest('hex');
  return `codika-temporal-${digest.slice(0, 40)}`;
}

/**
 * Sends the trigger until Codika accepts it, refuses it for good, or may have started it without
 * saying so.
 *
 * @throws ApplicationFailure `CodikaTriggerOutcomeUnknown` (non-retryable) under `at-most-once` when Codika
 *   may have started it; Codika's final refusal as the activity's typed failure; what `deadlineReached` builds.
 */
export async function triggerStandalone(t: StandaloneTrigger): Promise<CodikaTriggerResult> {
  const { context, input, idempotencyKey } = t;
  const request = { processInstanceId: input.processInstanceId, workflowId: input.workflowId, payload: input.payload };
  let backoffMs: number = TRIGGER_BACKOFF.initialMs;
  for (let attempt = 1; ; attempt++) {
    const sentAt = new Date().toISOString();
    let failure: unknown;
    try {
      return await t.send({ ...request, idempotencyKey }, context.cancellationSignal);
    } catch (err) {
      failure = toApplicationFailure(err, t.secrets, { delivery: input.triggerDelivery, idempotencyKey, sentAt });
    }
    // A cancellation, or anything this layer did not classify, ends the attempt as it is.
    if (!(failure instanceof ApplicationFailure)) throw failure;
    logCallFailure(failure);
    const details = (failure.details?.[0] ?? {}) as TriggerFailureDetails & { retryAfterMs?: number | null };
    const unknown = details.triggerOutcome === 'outcome_unknown';
    if (unknown && input.triggerDelivery === 'at-most-once') {
      throw outcomeUnknown(input, failure, { attempt, idempotencyKey, sentAt });
    }
    if (!unknown && failure.nonRetryable) throw failure;
    const waitMs = (unknown ? undefined : (details.retryAfterMs ?? undefined)) ?? backoffMs;
    backoffMs = Math.min(backoffMs * TRIGGER_BACKOFF.coefficient, TRIGGER_BACKOFF.maxMs);
    if (Date.now() + waitMs >= t.deadlineAtMs) throw t.deadlineReached(failure, !unknown);
    await context.sleep(waitMs);
  }
}

/** The workflow path's failure for a trigger whose answer was lost, with the same type and details. */
function outcomeUnknown(
  input: CheckedExecutionInput,
  failure: ApplicationFailure,
  what: { attempt: number; idempotencyKey: string; sentAt: string },
): ApplicationFailure {
  const seen = `failed with ${failure.type ?? 'an error'}: ${failure.message}`;
  return nonRetryableFailure(
    CODIKA_TRIGGER_OUTCOME_UNKNOWN,
    `Codika may have started an execution of "${input.workflowId}" (process instance ${input.processInstanceId}): ` +
      `trigger attempt ${what.attempt} ${seen}. With triggerDelivery 'at-most-once' it is not sent again. ` +
      `Look for the execution with Idempotency-Key ${what.idempotencyKey} in Codika, or set triggerDelivery ` +
      "'at-least-once' to send such triggers again with the same key.",
    {
      processInstanceId: input.processInstanceId,
      workflowId: input.workflowId,
      attempt: what.attempt,
      sentAt: what.sentAt,
      sentAtExact: true,
      idempotencyKey: what.idempotencyKey,
      seen,
    },
    failure,
  );
}
