import {
  ActivityCancellationType,
  ApplicationFailure,
  ContinueAsNew,
  isCancellation,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import { libraryPatched } from '../library-patches';
import { executionPriority } from '../../shared/priority';
import type { CodikaActivities } from '../../activities/create-codika-activities';
import type {
  CodikaStepProgress,
  CodikaTriggerProgress,
  CheckedExecutionInput,
  CodikaExecutionInput,
  CodikaExecutionResult,
  CodikaExecutionState,
  CodikaTriggerAnswer,
  CodikaTriggerQuestion,
} from '../../shared/execution-types';
import type {
  CodikaFinalStatus,
  CodikaTriggeredExecution,
  GetCodikaExecutionStatusInput,
} from '../../shared/activity-types';
import { CODIKA_TRIGGER_OUTCOME_UNKNOWN } from '../../shared/errors';
import type { PollSettings } from '../../shared/poll-options';
import {
  labelled,
  pollAuto,
  pollInActivity,
  pollWithRetries,
  pollWithTimers,
  type ActivityShape,
  type PollingContext,
  type PollNowRequests,
} from './polling-strategies';
import { stepReport } from './step-telemetry';
import { awaitOperatorAnswer, type OperatorAddress } from './operator-answers';
import { parseDuration } from '../../shared/durations';
import { codikaFailureOf, executionFailed, executionTimedOut, reachedDeadline } from './step-failures';
import { triggerExecution, triggerWasRefused, TRIGGER_DELIVERY_PATCH } from './trigger-execution';
import { acquirePermit, callOwner, permitClaim, releasePermit, type PermitOwner } from '../flow-control/permits';

/** Hooks for the workflows built on the step. */
export interface CodikaStepHooks {
  /** Resume polling an execution that is already triggered. */
  resume?: CodikaStepProgress;
  /** Resume a trigger that was waiting to be sent again (Codika refused it for now). */
  resumeTrigger?: CodikaTriggerProgress;
  /** Runs after each status check that was not final; may continue-as-new (and so never return). */
  afterPoll?(progress: CodikaStepProgress): Promise<void>;
  /** Requests for a check at once (the `codikaPollNow` signal), honoured by every strategy. */
  pollNow?: PollNowRequests;
  /**
   * Runs once Codika accepted the trigger, or once a step that attaches starts polling (then without
   * `runIndex`); not on a resumed run.
   */
  afterTrigger?(triggered: CodikaTriggeredExecution): void;
  /** Names the step in every activity and timer summary (a pipeline's step id, `send[3]` for an item). */
  label?: string;
  /** Where an operator's answer finds the step (`codikaResolveTrigger`): a pipeline's step and item. */
  address?: OperatorAddress;
  /**
   * Told when the step starts and stops waiting for an operator, with the search attributes the
   * trigger's failure said the namespace has: the run shows it waits (`CodikaStatus`).
   */
  awaitingOperator?(waiting: boolean, runIndex: CodikaTriggeredExecution['runIndex']): void;
  /** With `concurrency`: how the step names its permit. @default a step of a user's workflow (`call-N`) */
  permitOwner?: PermitOwner;
  /**
   * With `concurrency`: true when the run continues as new, so a cancellation now carries the permit
   * (or the place in line) into the next run. Any other ending gives it back.
   */
  keepsPermit?(): boolean;
}

/** How long `onTriggerOutcomeUnknown: 'ask'` waits for an operator by default. */
export const DEFAULT_OPERATOR_TIMEOUT_MS = 24 * 60 * 60_000;

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

const STRATEGIES: Record<PollSettings['strategy'], (ctx: PollingContext) => Promise<CodikaFinalStatus>> = {
  timer: pollWithTimers,
  activity: pollInActivity,
  retry: pollWithRetries,
  auto: pollAuto,
};

/**
 * Triggers one Codika execution (unless resuming) and waits for its end with the chosen strategy.
 * Mutates `state` as it goes so a query can show it.
 *
 * @throws ApplicationFailure `CodikaExecutionFailed` (non-retryable) when Codika reports `failed`.
 * @throws ApplicationFailure `CodikaExecutionTimedOut` (non-retryable) when the deadline passes.
 * @throws ApplicationFailure `CodikaTriggerOutcomeUnknown` (non-retryable) under `at-most-once` delivery
 *   when Codika may have started the execution but its answer was lost.
 * @throws ApplicationFailure of the activity's type when a call fails for good (auth, not found, a contract…),
 *   with the activity's `ActivityFailure` as its cause.
 */
export function executeCodikaStep(
  input: CheckedExecutionInput,
  settings: PollSettings,
  state: CodikaExecutionState,
  hooks: CodikaStepHooks = {},
): Promise<CodikaExecutionResult> {
  // Not itself async: an async layer that only passes the promise on costs the run promises.
  if (!input.concurrency) return runCodikaStep(input, settings, state, hooks);
  return runWithPermit(input, settings, state, hooks);
}

/** The step under `concurrency`: a permit of the key's flow-control workflow first, given back at its end. */
async function runWithPermit(
  input: CheckedExecutionInput,
  settings: PollSettings,
  state: CodikaExecutionState,
  hooks: CodikaStepHooks,
): Promise<CodikaExecutionResult> {
  const claim = permitClaim(input.concurrency!, input.processInstanceId, hooks.permitOwner ?? callOwner());
  // A step whose execution may already run (resumed, attached) takes its permit back without waiting.
  const held = Boolean(hooks.resume ?? hooks.resumeTrigger ?? input.executionId);
  let keep = false;
  try {
    await acquirePermit(claim, state, held);
    return await runCodikaStep(input, settings, state, hooks);
  } catch (err) {
    // Continuing as new, the run carries the permit (or its place in line) into the next one.
    keep = err instanceof ContinueAsNew || (isCancellation(err) && (hooks.keepsPermit?.() ?? false));
    throw err;
  } finally {
    if (!keep) await releasePermit(claim, state);
  }
}

/** The step itself, once it may run: trigger (unless resuming), then wait for the end. */
async function runCodikaStep(
  input: CheckedExecutionInput,
  settings: PollSettings,
  state: CodikaExecutionState,
  hooks: CodikaStepHooks,
): Promise<CodikaExecutionResult> {
  const resumed = hooks.resume ?? hooks.resumeTrigger;
  const startedAtMs = resumed?.startedAtMs ?? Date.now();
  // Starts again when an operator answers: the wait for the answer is not the execution's.
  let deadlineAtMs = resumed?.deadlineAtMs ?? startedAtMs + settings.deadlineMs;
  state.startedAt = new Date(startedAtMs).toISOString();
  state.deadlineAt = new Date(deadlineAtMs).toISOString();
  const report = stepReport(input, startedAtMs);
  const timedOut = (cause: unknown) => {
    state.phase = 'timed_out';
    state.nextPollAt = undefined;
    report.ended('timed_out', { executionId: state.executionId, polls: state.polls });
    return executionTimedOut(input, state, settings.deadlineMs, cause, triggerWasRefused(cause));
  };
  const settle = (err: unknown): unknown => {
    if (reachedDeadline(err)) return timedOut(err);
    const failure = codikaFailureOf(err);
    // Only Codika's refusals end the step here; a cancellation or a continue-as-new passes through.
    if (failure !== err || (err instanceof ApplicationFailure && err.type === CODIKA_TRIGGER_OUTCOME_UNKNOWN)) {
      report.ended('failed', { executionId: state.executionId, polls: state.polls, error: (failure as Error).message });
    }
    return failure;
  };
  // Backlogged triggers and checks are shared between process instances unless the workflow has a key of its own.
  const priority = executionPriority(input.processInstanceId, input.priority, workflowInfo().priority?.fairnessKey);
  const activities = (shape: ActivityShape = {}) => {
    const remainingMs = Math.max(deadlineAtMs - Date.now(), FINAL_CHECK_GRACE_MS);
    return proxyActivities<CodikaActivities>({
      summary: shape.summary === undefined ? undefined : labelled(hooks.label, shape.summary),
      startToCloseTimeout: shape.longRunning ? remainingMs : settings.activityTimeoutMs,
      scheduleToCloseTimeout: remainingMs,
      heartbeatTimeout: shape.oneAttempt ? undefined : (shape.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT),
      retry: shape.oneAttempt ? { maximumAttempts: 1 } : (shape.retry ?? ACTIVITY_RETRY),
      cancellationType: shape.tryCancel ? ActivityCancellationType.TRY_CANCEL : undefined,
      priority,
    });
  };

  // A step that attaches polls the execution it was given; a continued run the one it carries.
  let executionId = hooks.resume?.executionId ?? input.executionId;
  let acceptedAtMs = hooks.resume ? hooks.resume.acceptedAtMs : input.executionId ? startedAtMs : undefined;
  if (executionId === undefined) {
    state.phase = 'triggering';
    try {
      const request = {
        processInstanceId: input.processInstanceId,
        workflowId: input.workflowId,
        payload: input.payload,
      };
      const askOperator = async (
        question: Omit<CodikaTriggerQuestion, 'askedAt' | 'timeoutAt'>,
        runIndex: CodikaTriggeredExecution['runIndex'],
      ): Promise<CodikaTriggerAnswer | undefined> => {
        const timeoutMs =
          input.operatorTimeout === undefined ? DEFAULT_OPERATOR_TIMEOUT_MS : parseDuration(input.operatorTimeout);
        const askedAtMs = Date.now();
        const iso = (ms: number) => new Date(ms).toISOString();
        state.question = { ...question, askedAt: iso(askedAtMs), timeoutAt: iso(askedAtMs + timeoutMs) };
        state.phase = 'awaiting_operator';
        hooks.awaitingOperator?.(true, runIndex);
        try {
          const answer = await awaitOperatorAnswer(hooks.address ?? {}, timeoutMs);
          if (answer) {
            state.answer = answer;
            // The operator's answer starts the clock again: the execution they named, or the trigger
            // sent again, gets the step's whole deadline (the one the lost answer used may be spent).
            deadlineAtMs = Date.now() + settings.deadlineMs;
            state.deadlineAt = iso(deadlineAtMs);
          }
          return answer;
        } finally {
          state.question = undefined;
          state.phase = 'triggering';
          hooks.awaitingOperator?.(false, runIndex);
        }
      };
      const triggered = libraryPatched(TRIGGER_DELIVERY_PATCH)
        ? await triggerExecution({
            input,
            get deadlineAtMs() {
              return deadlineAtMs;
            },
            ask: input.onTriggerOutcomeUnknown === 'ask' ? askOperator : undefined,
            activities,
            deadlineReached: timedOut,
            label: hooks.label,
            state,
            resume: hooks.resumeTrigger,
          })
        : // Recorded before delivery was a choice: the activity's retry policy re-sends, as it did then.
          await activities({ summary: 'trigger' }).triggerCodikaExecution(request);
      executionId = triggered.executionId;
      acceptedAtMs = Date.now();
      report.triggered(executionId);
      hooks.afterTrigger?.(triggered);
    } catch (err) {
      throw settle(err);
    }
  } else if (!hooks.resume) hooks.afterTrigger?.({ executionId });
  state.executionId = executionId;
  if (acceptedAtMs !== undefined) state.acceptedAt = new Date(acceptedAtMs).toISOString();
  state.phase = 'polling';

  let final: CodikaFinalStatus;
  try {
    final = await STRATEGIES[settings.strategy]({
      executionId,
      statusRequest: statusRequestOf(
        input,
        executionId,
        settings,
        libraryPatched(STATUS_ANSWERS_PATCH) ? acceptedAtMs : null,
      ),
      acceptedAtMs,
      settings,
      state,
      startedAtMs,
      deadlineAtMs,
      resume: hooks.resume,
      afterPoll: hooks.afterPoll,
      pollNow: hooks.pollNow,
      activities,
      deadlineReached: () => timedOut(undefined),
      label: hooks.label,
    });
  } catch (err) {
    throw settle(err);
  }
  state.polls = final.polls;
  state.lastStatus = final.status;
  if (final.status === 'failed') {
    state.phase = 'failed';
    report.ended('failed', { executionId, polls: final.polls, error: final.errorMessage });
    throw executionFailed(input, executionId, final.errorMessage, final.polls);
  }
  state.phase = 'succeeded';
  report.ended('succeeded', { executionId, polls: final.polls });
  return {
    executionId,
    resultData: final.resultData,
    polls: final.polls,
    startedAt: state.startedAt,
    completedAt: new Date(Date.now()).toISOString(),
  };
}

/**
 * Runs recorded before the status checks knew the answers a real Codika gives keep their ways: a
 * status `404` fails at once and a result of any size enters history. New runs send the 404 grace and
 * the result options (defaults included), which the status activities apply.
 */
export const STATUS_ANSWERS_PATCH = 'codika-status-answers';

/**
 * What every status check of the step asks: the ids, the 404 grace once the step knows when Codika
 * accepted the execution, and the result options. `null`: a run from before the patch, which asks
 * only for the ids, as it always did.
 */
function statusRequestOf(
  input: CheckedExecutionInput,
  executionId: string,
  settings: PollSettings,
  acceptedAtMs: number | undefined | null,
): GetCodikaExecutionStatusInput {
  const ids = { processInstanceId: input.processInstanceId, executionId, workflowId: input.workflowId };
  if (acceptedAtMs === null) return ids;
  return {
    ...ids,
    ...(acceptedAtMs === undefined ? {} : { notFoundGrace: { acceptedAtMs, graceMs: settings.notFoundGraceMs } }),
    result: input.result ?? {},
  };
}
