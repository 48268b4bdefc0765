/**
 * The trigger of the standalone `codikaExecution` activity: the workflow path's delivery rules
 * (src/workflows/execution/trigger-execution.ts), inside one activity attempt. A trigger that provably
 * started nothing is sent again after a backoff; one whose outcome is unknown is sent again only under
 * `at-least-once`, with the same `Idempotency-Key`; under `at-most-once` the activity fails with the
 * workflow path's `CodikaTriggerOutcomeUnknown`. A cancellation or a worker shutdown between sends
 * says, as the attempt ends, whether any trigger may have been accepted, so a next attempt that finds
 * that none was may send under `at-most-once` too.
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

/**
 * The signal the trigger request gets: one that never aborts. A cancellation or a worker shutdown that
 * cut a request short would leave its outcome unknown by itself; the client's request timeout bounds
 * it instead, and the cancellation is honoured once the answer is in (and recorded).
 */
const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/** What the trigger needs from the activity. */
export interface StandaloneTrigger {
  context: Context;
  input: CheckedExecutionInput;
  idempotencyKey: string;
  deadlineAtMs: number;
  /** Redacted from every failure. */
  secrets: readonly string[];
  /**
   * Whether no trigger of this activity run may have been accepted before this attempt: true for a
   * first attempt, and for a later one whose predecessor recorded `nothingAccepted` as it ended.
   */
  nothingAcceptedBefore: boolean;
  send(request: CodikaTriggerRequest, signal: AbortSignal): Promise<CodikaTriggerResult>;
  /** The failure to throw when the deadline leaves no time for another attempt (`refused`: nothing started). */
  deadlineReached(cause: unknown, refused: boolean): Error;
  /**
   * Called when a cancellation (or a worker shutdown) ends the attempt while no request is out, just
   * before it is rethrown: `nothingAccepted` says whether no trigger of this run may have been accepted,
   * so the next attempt may send under `at-most-once`. Records it in a heartbeat, which the SDK
   * attaches to the attempt's cancel or failure report.
   */
  cancelledWhileIdle(nothingAccepted: boolean): void;
}

/**
 * The `Idempotency-Key` of a `codikaExecution` activity: the same for every attempt of one activity
 * run, a new one for a later run that reuses the activity id. Started by a workflow (`proxyActivities`),
 * the activity has no run id of its own and ids like `1`, `2`… that every workflow reuses, so the
 * workflow's id and run id are hashed in too, as the workflow path's trigger activity does. Hashed,
 * so an id never puts odd characters (or data) into a header.
 */
export function standaloneIdempotencyKey(
  info: Pick<Info, 'activityId' | 'activityRunId'> & Partial<Pick<Info, 'inWorkflow' | 'workflowExecution'>>,
): string {
  const inWorkflow = info.inWorkflow === true || !info.activityRunId;
  const text = inWorkflow
    ? `in-workflow\n${info.workflowExecution?.workflowId ?? ''}\n${info.workflowExecution?.runId ?? ''}\n${info.activityId}`
    : `standalone\n${info.activityId}\n${info.activityRunId ?? ''}`;
  const digest = createHash('sha256').update(text).digest('hex');
  return `codika-temporal-${digest.slice(0, 40)}`;
}

/** How a failed send ended, read as the workflow path reads it (src/workflows/execution/trigger-execution.ts). */
type Verdict = 'final' | 'not_accepted' | 'outcome_unknown';

function verdictOf(failure: ApplicationFailure): Verdict {
  const details = (failure.details?.[0] ?? {}) as TriggerFailureDetails;
  // A 503, a 429, a 4xx, a connection never made: refused before any work. Whatever else may have started it.
  if (details.triggerOutcome === 'not_accepted' || (!details.triggerOutcome && failure.nonRetryable)) {
    return failure.nonRetryable ? 'final' : 'not_accepted';
  }
  return 'outcome_unknown';
}

/**
 * Sends the trigger until Codika accepts it, refuses it for good, or may have started it without
 * saying so. The time left is checked before every send. A cancellation is never let cut a request
 * short: one that comes while a request is out is the caller's to honour once the answer is in; one
 * that comes between sends ends the attempt at once, through {@link StandaloneTrigger.cancelledWhileIdle}.
 *
 * @throws ApplicationFailure `CodikaTriggerOutcomeUnknown` (non-retryable) under `at-most-once` when Codika may have
 *   started it; Codika's final refusal as the activity's typed failure; what `deadlineReached` builds; the cancellation.
 */
export async function triggerStandalone(t: StandaloneTrigger): Promise<CodikaTriggerResult> {
  const { context, input, idempotencyKey } = t;
  const request = { processInstanceId: input.processInstanceId, workflowId: input.workflowId, payload: input.payload };
  let backoffMs: number = TRIGGER_BACKOFF.initialMs;
  let nothingAccepted = t.nothingAcceptedBefore;
  let lastFailure: unknown;
  const cancelledNow = (): never => {
    t.cancelledWhileIdle(nothingAccepted);
    throw context.cancellationSignal.reason;
  };
  for (let attempt = 1; ; attempt++) {
    if (context.cancellationSignal.aborted) cancelledNow();
    if (Date.now() >= t.deadlineAtMs) {
      throw t.deadlineReached(
        lastFailure ??
          new Error(`the deadline had passed when activity attempt ${context.info.attempt} began: no trigger was sent`),
        nothingAccepted,
      );
    }
    const sentAt = new Date().toISOString();
    let failure: unknown;
    try {
      return await t.send({ ...request, idempotencyKey }, NEVER_ABORTED);
    } catch (err) {
      failure = toApplicationFailure(err, t.secrets, { delivery: input.triggerDelivery, idempotencyKey, sentAt });
    }
    // Anything this layer did not classify ends the attempt as it is (a later attempt takes it as unknown).
    if (!(failure instanceof ApplicationFailure)) throw failure;
    logCallFailure(failure);
    lastFailure = failure;
    const verdict = verdictOf(failure);
    if (verdict === 'final') throw failure;
    if (verdict === 'outcome_unknown') {
      nothingAccepted = false;
      if (input.triggerDelivery === 'at-most-once')
        throw outcomeUnknown(input, failure, { attempt, idempotencyKey, sentAt });
    }
    const details = (failure.details?.[0] ?? {}) as { retryAfterMs?: number | null };
    const waitMs = (verdict === 'not_accepted' ? (details.retryAfterMs ?? undefined) : undefined) ?? backoffMs;
    backoffMs = Math.min(backoffMs * TRIGGER_BACKOFF.coefficient, TRIGGER_BACKOFF.maxMs);
    // A cancellation that came while the request was out ends the attempt cancelled, deadline or not.
    if (context.cancellationSignal.aborted) cancelledNow();
    if (Date.now() + waitMs >= t.deadlineAtMs) throw t.deadlineReached(failure, nothingAccepted);
    try {
      await context.sleep(waitMs);
    } catch (err) {
      if (context.cancellationSignal.aborted) cancelledNow();
      throw err;
    }
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
