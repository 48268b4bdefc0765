import {
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  sleep,
  TimeoutFailure,
  uuid4,
} from '@temporalio/workflow';
import type { CodikaActivities } from '../../activities/create-codika-activities';
import type {
  CheckedExecutionInput,
  CodikaExecutionState,
  CodikaTriggerAnswer,
  CodikaTriggerQuestion,
  CodikaTriggerProgress,
  CodikaTriggerWait,
} from '../../shared/execution-types';
import type { CodikaTriggeredExecution, TriggerFailureDetails } from '../../shared/activity-types';
import { CODIKA_TRIGGER_OUTCOME_UNKNOWN } from '../../shared/errors';
import { formatDuration } from '../../shared/durations';
import { nonRetryableFailure } from '../../shared/failures';
import { labelled, type ActivityShape } from './polling-strategies';
import { reachedDeadline } from './step-failures';

/**
 * Executions started before delivery was a choice retry their trigger activity as they always did
 * (at least once); this patch gives new ones the attempt-by-attempt loop below.
 */
export const TRIGGER_DELIVERY_PATCH = 'codika-trigger-delivery';

/** Waits between attempts that Codika refused for now (`503`, `429` without `Retry-After`…). */
const TRIGGER_BACKOFF = { initialMs: 1_000, coefficient: 2, maxMs: 30_000 } as const;

/** What the trigger loop needs from its step. */
export interface TriggerContext {
  input: CheckedExecutionInput;
  deadlineAtMs: number;
  activities(shape: ActivityShape): CodikaActivities;
  /** The failure to throw when the deadline leaves no time for another attempt. */
  deadlineReached(cause: unknown): Error;
  /** Names the step in timer summaries; see `labelled`. */
  label?: string;
  /** Where a wait between attempts shows while it lasts: the query reads it, and a continued run carries it. */
  state: Pick<CodikaExecutionState, 'triggerWait'>;
  /** A wait between attempts that the previous run carried over: the trigger goes on from it. */
  resume?: CodikaTriggerProgress;
  /**
   * Set with `onTriggerOutcomeUnknown: 'ask'`: asks an operator about an attempt whose outcome is
   * unknown, instead of failing. Resolves with the answer, or `undefined` when none came in time.
   */
  ask?(
    question: Omit<CodikaTriggerQuestion, 'askedAt' | 'timeoutAt'>,
    runIndex: CodikaTriggeredExecution['runIndex'],
  ): Promise<CodikaTriggerAnswer | undefined>;
}

/** How one failed attempt ended, as far as Codika's side can be known. */
type Verdict =
  | { kind: 'final' }
  | { kind: 'not_accepted'; retryAfterMs?: number }
  | {
      kind: 'outcome_unknown';
      deadline: boolean;
      seen: string;
      sentAt?: string;
      runIndex?: CodikaTriggeredExecution['runIndex'];
    };

/**
 * Triggers the step's execution, one activity attempt at a time, so that the workflow (not a retry
 * policy) decides what happens after each failure: a trigger that provably started nothing is sent
 * again after a backoff; one whose outcome is unknown is sent again only under `at-least-once`.
 * Every attempt carries the same `Idempotency-Key`, drawn once from the run's deterministic random;
 * a pipeline that continued as new while the trigger waited hands over the key and the wait (`resume`).
 *
 * @throws ApplicationFailure `CodikaTriggerOutcomeUnknown` under `at-most-once` when Codika may have started it.
 * @throws what `deadlineReached` builds when no time is left; the attempt's failure when Codika refused for good.
 */
export async function triggerExecution(ctx: TriggerContext): Promise<CodikaTriggeredExecution> {
  const { input, resume } = ctx;
  // A resumed trigger keeps its key: under at-least-once, an attempt whose outcome was unknown may have started it.
  const idempotencyKey = resume?.idempotencyKey ?? `codika-temporal-${uuid4()}`;
  let backoffMs: number = resume?.backoffMs ?? TRIGGER_BACKOFF.initialMs;
  if (resume) {
    const leftMs = resume.nextAttemptAtMs - Date.now();
    if (leftMs > 0) await waitToSendAgain(ctx, waitOf(resume), leftMs);
  }
  for (let attempt = resume?.attempt ?? 1; ; attempt++) {
    const scheduledAt = new Date(Date.now()).toISOString();
    try {
      // One attempt, no heartbeat timeout: only the workflow may decide to send again, and a busy
      // worker's late heartbeat must not pass for a dead worker's silence.
      const activities = ctx.activities({
        summary: attempt === 1 ? 'trigger' : `trigger #${attempt}`,
        oneAttempt: true,
      });
      return await activities.triggerCodikaExecution({ ...triggerFields(input), idempotencyKey });
    } catch (err) {
      const verdict = judge(err);
      if (verdict.kind === 'final') throw err;
      if (verdict.kind === 'outcome_unknown' && input.triggerDelivery === 'at-most-once') {
        const failure = outcomeUnknown(input, err, { attempt, idempotencyKey, scheduledAt, ...verdict });
        if (!ctx.ask) throw failure;
        const question = { idempotencyKey, sentAt: verdict.sentAt ?? scheduledAt, attempt, seen: verdict.seen };
        const answer = await ctx.ask(question, verdict.runIndex);
        // The operator saw it started: poll it, triggering nothing.
        if (answer?.resolution === 'started') return { executionId: answer.executionId! };
        // The operator says nothing ran: the next attempt goes out at once, with the same key.
        if (answer?.resolution === 'not-started') continue;
        throw unanswered(failure, answer);
      }
      if (verdict.kind === 'outcome_unknown' && verdict.deadline) throw ctx.deadlineReached(err);
      const waitMs = (verdict.kind === 'not_accepted' ? verdict.retryAfterMs : undefined) ?? backoffMs;
      backoffMs = Math.min(backoffMs * TRIGGER_BACKOFF.coefficient, TRIGGER_BACKOFF.maxMs);
      if (Date.now() + waitMs >= ctx.deadlineAtMs) throw ctx.deadlineReached(err);
      const nextAttemptAt = new Date(Date.now() + waitMs).toISOString();
      await waitToSendAgain(ctx, { nextAttemptAt, attempt: attempt + 1, backoffMs, idempotencyKey }, waitMs);
    }
  }
}

/** The input the trigger activity records: what the trigger sends, not what only the status checks use. */
function triggerFields(input: CheckedExecutionInput): Omit<CheckedExecutionInput, 'result' | 'executionId'> {
  const sent: Partial<CheckedExecutionInput> = { ...input };
  delete sent.result;
  delete sent.executionId;
  return sent as Omit<CheckedExecutionInput, 'result' | 'executionId'>;
}

/** Sleeps between two attempts, the wait on show in the step's state meanwhile. */
async function waitToSendAgain(ctx: TriggerContext, wait: CodikaTriggerWait, waitMs: number): Promise<void> {
  ctx.state.triggerWait = wait;
  try {
    await sleep(waitMs, { summary: labelled(ctx.label, `trigger again in ${formatDuration(waitMs)}`) });
  } finally {
    ctx.state.triggerWait = undefined;
  }
}

/** The wait a continued run resumes, as the step's state shows it. */
function waitOf(resume: CodikaTriggerProgress): CodikaTriggerWait {
  const { attempt, backoffMs, idempotencyKey } = resume;
  return { nextAttemptAt: new Date(resume.nextAttemptAtMs).toISOString(), attempt, backoffMs, idempotencyKey };
}

/**
 * Reads a failed attempt. A cancellation and Codika's final refusals end the step as they are.
 * Whatever cannot be shown to precede sending counts as outcome unknown: a timeout (the worker may
 * have died mid-request), a failure the activity did not classify.
 */
function judge(err: unknown): Verdict {
  if (!(err instanceof ActivityFailure) || isCancellation(err)) return { kind: 'final' };
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    const details = (cause.details?.[0] ?? {}) as TriggerFailureDetails & { retryAfterMs?: number | null };
    if (details.triggerOutcome === 'not_accepted' || (!details.triggerOutcome && cause.nonRetryable)) {
      return cause.nonRetryable
        ? { kind: 'final' }
        : { kind: 'not_accepted', retryAfterMs: details.retryAfterMs ?? undefined };
    }
    return {
      kind: 'outcome_unknown',
      deadline: false,
      seen: `failed with ${cause.type ?? 'an error'}: ${cause.message}`,
      sentAt: details.sentAt,
      runIndex: details.runIndex,
    };
  }
  const deadline = reachedDeadline(err);
  // START_TO_CLOSE → start-to-close, as the Temporal docs write it.
  const timeout =
    cause instanceof TimeoutFailure ? String(cause.timeoutType).toLowerCase().replace(/_/g, '-') : undefined;
  return {
    kind: 'outcome_unknown',
    deadline,
    seen: deadline
      ? 'was still unanswered when the step deadline passed'
      : `got no answer: its ${timeout ?? 'activity'} timeout fired (the worker may have died mid-request)`,
  };
}

/** Whether a failed attempt is known to have started nothing (used to word a timeout). */
export function triggerWasRefused(err: unknown): boolean {
  return judge(err).kind === 'not_accepted';
}

function outcomeUnknown(
  input: CheckedExecutionInput,
  err: unknown,
  what: { attempt: number; idempotencyKey: string; scheduledAt: string; seen: string; sentAt?: string },
): ApplicationFailure {
  return nonRetryableFailure(
    CODIKA_TRIGGER_OUTCOME_UNKNOWN,
    `Codika may have started an execution of "${input.workflowId}" (process instance ${input.processInstanceId}): ` +
      `trigger attempt ${what.attempt} ${what.seen}. With triggerDelivery 'at-most-once' it is not sent again. ` +
      `Look for the execution with Idempotency-Key ${what.idempotencyKey} in Codika, or set triggerDelivery ` +
      "'at-least-once' to send such triggers again with the same key.",
    {
      processInstanceId: input.processInstanceId,
      workflowId: input.workflowId,
      attempt: what.attempt,
      // When the activity could not say (its worker died), the time the attempt was scheduled:
      // the request cannot have left before it.
      sentAt: what.sentAt ?? what.scheduledAt,
      sentAtExact: what.sentAt !== undefined,
      idempotencyKey: what.idempotencyKey,
      seen: what.seen,
    },
    err instanceof Error ? err : undefined,
  );
}

/** The step's failure when the operator gave up on it, or gave no answer in time: the same type, said so. */
function unanswered(failure: ApplicationFailure, answer: CodikaTriggerAnswer | undefined): ApplicationFailure {
  const why = answer
    ? `Abandoned by ${answer.by} at ${answer.at}, who was asked instead of failing at once.`
    : 'No operator answered within operatorTimeout (onTriggerOutcomeUnknown: ask).';
  return nonRetryableFailure(
    CODIKA_TRIGGER_OUTCOME_UNKNOWN,
    `${failure.message} ${why}`,
    { ...(failure.details![0] as object), ...(answer ? { answer } : { operatorTimedOut: true }) },
    failure.cause,
  );
}
