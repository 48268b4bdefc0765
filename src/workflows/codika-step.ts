import { ActivityFailure, ApplicationFailure, proxyActivities, sleep, TimeoutFailure } from '@temporalio/workflow';
import type { CodikaActivities } from '../activities/create-codika-activities';
import type { CodikaExecutionInput, CodikaExecutionResult, CodikaExecutionState } from '../common/execution-types';
import { CODIKA_EXECUTION_FAILED, CODIKA_EXECUTION_TIMED_OUT } from '../common/failure-types';
import { withoutStack } from '../common/without-stack';
import type { PollSettings } from './poll-settings';

/** What a continued run carries forward so polling resumes where it stopped, never re-triggering. */
export interface CodikaStepProgress {
  executionId: string;
  polls: number;
  startedAtMs: number;
  deadlineAtMs: number;
  /** The wait before the next status check. */
  nextIntervalMs: number;
  /** The last status Codika reported, so the state query still shows it after continuing. */
  lastStatus?: string;
}

/** Hooks for the workflows built on the step. */
export interface CodikaStepHooks {
  /** Resume polling an execution that is already triggered. */
  resume?: CodikaStepProgress;
  /** Runs after each status check that was not final; may continue-as-new (and so never return). */
  afterPoll?(progress: CodikaStepProgress): Promise<void>;
}

/** The state of a step before it starts (or as a continued run resumes it). */
export function initialStepState(input: CodikaExecutionInput, resume?: CodikaStepProgress): CodikaExecutionState {
  return {
    phase: resume ? 'polling' : 'triggering',
    processInstanceId: input.processInstanceId,
    workflowId: input.workflowId,
    executionId: resume?.executionId,
    polls: resume?.polls ?? 0,
    lastStatus: resume?.lastStatus,
    startedAt: '',
    deadlineAt: '',
  };
}

/** Activity retries: transient failures keep being retried until the step's deadline. */
const ACTIVITY_RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' } as const;
/**
 * The activities heartbeat every second while a request is in flight; this lets a cancellation or
 * a dead worker be noticed within seconds instead of at the 45 s start-to-close timeout.
 */
const HEARTBEAT_TIMEOUT = '10 seconds';
/** A last status check that starts at the deadline may take this long: one final look, bounded. */
const FINAL_CHECK_GRACE_MS = 1000;

/**
 * Triggers one Codika execution (unless resuming) and polls it to the end with durable timers and
 * backoff. Mutates `state` as it goes so a query can show it.
 *
 * @throws ApplicationFailure `CodikaExecutionFailed` (non-retryable) when Codika reports `failed`.
 * @throws ApplicationFailure `CodikaExecutionTimedOut` (non-retryable) when the deadline passes.
 * @throws ActivityFailure when a trigger or status call fails for good (auth, not found, bad request).
 */
export async function executeCodikaStep(
  input: Required<CodikaExecutionInput>,
  settings: PollSettings,
  state: CodikaExecutionState,
  hooks: CodikaStepHooks = {},
): Promise<CodikaExecutionResult> {
  const startedAtMs = hooks.resume?.startedAtMs ?? Date.now();
  const deadlineAtMs = hooks.resume?.deadlineAtMs ?? startedAtMs + settings.deadlineMs;
  state.startedAt = new Date(startedAtMs).toISOString();
  state.deadlineAt = new Date(deadlineAtMs).toISOString();
  const activities = () =>
    proxyActivities<CodikaActivities>({
      startToCloseTimeout: settings.activityTimeoutMs,
      scheduleToCloseTimeout: Math.max(deadlineAtMs - Date.now(), FINAL_CHECK_GRACE_MS),
      heartbeatTimeout: HEARTBEAT_TIMEOUT,
      retry: ACTIVITY_RETRY,
    });
  const settle = (err: unknown): unknown => {
    if (!reachedDeadline(err)) return codikaFailureOf(err);
    state.phase = 'timed_out';
    state.nextPollAt = undefined;
    return executionTimedOut(input, state, settings.deadlineMs, err);
  };

  let executionId = hooks.resume?.executionId;
  if (executionId === undefined) {
    state.phase = 'triggering';
    try {
      ({ executionId } = await activities().triggerCodikaExecution(input));
    } catch (err) {
      throw settle(err);
    }
  }
  state.executionId = executionId;
  state.phase = 'polling';

  let intervalMs = hooks.resume?.nextIntervalMs ?? settings.firstPollAfterMs;
  for (;;) {
    const remainingMs = deadlineAtMs - Date.now();
    if (remainingMs <= 0) throw settle(undefined);
    const waitMs = Math.max(1, Math.min(intervalMs, remainingMs));
    state.nextPollAt = new Date(Date.now() + waitMs).toISOString();
    await sleep(waitMs);
    state.nextPollAt = undefined;

    let status;
    try {
      status = await activities().getCodikaExecutionStatus({ processInstanceId: input.processInstanceId, executionId });
    } catch (err) {
      throw settle(err);
    }
    state.polls += 1;
    state.lastStatus = status.status === 'pending' ? (status.reportedStatus ?? 'pending') : status.status;

    if (status.status === 'success') {
      state.phase = 'succeeded';
      return {
        executionId,
        resultData: status.resultData,
        polls: state.polls,
        startedAt: state.startedAt,
        completedAt: new Date(Date.now()).toISOString(),
      };
    }
    if (status.status === 'failed') {
      state.phase = 'failed';
      throw withoutStack(
        ApplicationFailure.create({
          type: CODIKA_EXECUTION_FAILED,
          message: `Codika execution ${executionId} of "${input.workflowId}" failed: ${status.errorMessage}`,
          nonRetryable: true,
          details: [{ ...ids(input, executionId), codikaMessage: status.errorMessage, polls: state.polls }],
        }),
      );
    }
    intervalMs = Math.min(intervalMs * settings.backoffCoefficient, settings.maxPollIntervalMs);
    await hooks.afterPoll?.({
      executionId,
      polls: state.polls,
      startedAtMs,
      deadlineAtMs,
      nextIntervalMs: intervalMs,
      lastStatus: state.lastStatus,
    });
  }
}

/**
 * The deadline ended it: the activity's schedule-to-close timeout fired, or the server refused to
 * schedule a retry past it (the failure then carries the last error with retry state TIMEOUT).
 * `undefined` stands for the loop finding no time left.
 */
function reachedDeadline(err: unknown): boolean {
  if (err === undefined) return true;
  if (!(err instanceof ActivityFailure)) return false;
  return (
    err.retryState === 'TIMEOUT' ||
    (err.cause instanceof TimeoutFailure && err.cause.timeoutType === 'SCHEDULE_TO_CLOSE')
  );
}

/**
 * Surfaces a Codika failure (auth, not found, bad request…) as the `ApplicationFailure` the
 * activity raised, so callers match one `type` whether the failure came from the activity or the
 * workflow. The activity failure stays attached as the cause.
 */
function codikaFailureOf(err: unknown): unknown {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure)) return err;
  const failure = err.cause;
  return withoutStack(
    ApplicationFailure.create({
      type: failure.type ?? undefined,
      message: failure.message,
      nonRetryable: true,
      details: failure.details ?? undefined,
      cause: err,
    }),
  );
}

function executionTimedOut(
  input: Required<CodikaExecutionInput>,
  state: CodikaExecutionState,
  deadlineMs: number,
  cause: unknown,
): ApplicationFailure {
  const what = state.executionId
    ? `Codika execution ${state.executionId} of "${input.workflowId}" did not finish`
    : `Codika workflow "${input.workflowId}" was not confirmed as triggered`;
  return withoutStack(
    ApplicationFailure.create({
      type: CODIKA_EXECUTION_TIMED_OUT,
      message: `${what} within the ${formatDuration(deadlineMs)} deadline (${state.polls} status checks answered)${
        state.executionId ? '; it may still be running in Codika' : '; a last attempt may still have started it'
      }`,
      nonRetryable: true,
      details: [{ ...ids(input, state.executionId), polls: state.polls, lastStatus: state.lastStatus ?? null }],
      cause: cause instanceof Error ? cause : undefined,
    }),
  );
}

function ids(input: Required<CodikaExecutionInput>, executionId: string | undefined) {
  return { processInstanceId: input.processInstanceId, workflowId: input.workflowId, executionId: executionId ?? null };
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}
