/**
 * `codikaExecution`: one Codika execution as one standalone activity (Temporal server 1.31 and later),
 * started from a client with no workflow around it. One attempt checks the input, triggers and polls
 * until Codika says `success` or `failed`. The executionId goes into the heartbeat details the moment
 * Codika accepts the trigger, so a later attempt (after a worker crash or a heartbeat timeout) polls
 * that execution and does not trigger again. A cancellation never cuts a trigger request short: it is
 * honoured once the answer is in and recorded, or at once between sends, recording that nothing was
 * accepted. Failures are the workflow path's, type for type.
 */
import { Context } from '@temporalio/activity';
import type { CodikaTriggerRequest, CodikaTriggerResult, CodikaExecutionStatus } from '../codika/types';
import { CodikaError } from '../codika/errors';
import { redact } from '../codika/redact';
import type { GetCodikaExecutionStatusInput } from '../shared/activity-types';
import type { CheckedExecutionInput, CodikaExecutionResult, CodikaExecutionState } from '../shared/execution-types';
import { AUTO_SCHEDULE } from '../workflows/execution/polling-strategies';
import { executionFailed, executionTimedOut } from '../workflows/execution/step-failures';
import { logCallFailure } from './activity-telemetry';
import type { CheckPacer } from './check-pacer';
import {
  checkCodikaExecutionActivityInput,
  type ActivityPollSettings,
  type CodikaExecutionActivityInput,
} from './codika-execution-input';
import type { ContractChecks } from './contract-checks';
import { repeatedAttemptRefused } from './repeated-attempt-refused';
import { SparseHeartbeats } from './sparse-heartbeats';
import { standaloneIdempotencyKey, triggerStandalone } from './standalone-trigger';
import { toApplicationFailure } from './to-application-failure';

/**
 * What the activity records in its heartbeat details, whole, each time it heartbeats: a later attempt
 * reads it from `activityInfo().heartbeatDetails`. Fields may be added, never renamed.
 */
export interface CodikaActivityHeartbeat {
  /** Set the moment Codika accepted the trigger (or at once when attaching): a later attempt polls it. */
  executionId?: string;
  /** When Codika accepted it, in epoch milliseconds (the status `404` grace counts from it). */
  acceptedAtMs?: number;
  /** The key every trigger attempt of this activity run carries. */
  idempotencyKey: string;
  /** Status checks answered so far, across attempts (as of the last heartbeat). */
  polls: number;
  /** The last status Codika reported. */
  lastStatus?: string;
  /** The attempt that recorded these details. */
  attempt?: number;
  /**
   * Set only by an attempt that ended cancelled (a cancel, a pause, a worker shutdown) while no trigger
   * request was out: no trigger of this activity run may have been accepted. The attempt right after
   * it (`attempt` + 1) may then send under `at-most-once`, with the same key; any later one may not.
   */
  nothingAccepted?: true;
}

/** What the activity shares with the worker's other Codika activities. */
export interface CodikaExecutionActivityDependencies {
  trigger(request: CodikaTriggerRequest, signal: AbortSignal): Promise<CodikaTriggerResult>;
  /** The status activities' own check: 404 grace, result contract, result options. */
  getStatus(input: GetCodikaExecutionStatusInput, signal: AbortSignal): Promise<CodikaExecutionStatus>;
  contracts: ContractChecks;
  pacer: CheckPacer;
  secrets: readonly string[];
}

/** The activity `CodikaPlugin` and `createCodikaWorker` register beside the workflow path's. */
export interface CodikaExecutionActivity {
  /**
   * One Codika execution from trigger to end, heartbeating only when it must (the executionId, a
   * keep-alive per 80 % of the heartbeat timeout, a cancellation it found by describing itself).
   *
   * @throws ApplicationFailure `CodikaValidationError`, `CodikaPayloadInvalid`, `CodikaTriggerOutcomeUnknown`,
   *   `CodikaExecutionFailed`, `CodikaExecutionTimedOut`, `CodikaResultInvalid`, `CodikaResultTooLarge`, or
   *   Codika's refusal typed `CODIKA_FAILURE_TYPES[kind]`; all non-retryable.
   */
  codikaExecution(input: CodikaExecutionActivityInput): Promise<CodikaExecutionResult>;
}

/** Builds the `codikaExecution` activity around the worker's Codika calls. */
export function createCodikaExecutionActivity(deps: CodikaExecutionActivityDependencies): CodikaExecutionActivity {
  return {
    async codikaExecution(rawInput) {
      const context = Context.current();
      const { info } = context;
      const { execution: input, poll, cancelCheckIntervalMs } = checked(rawInput, deps.secrets);
      const saved = info.heartbeatDetails as CodikaActivityHeartbeat | undefined;
      const progress: CodikaActivityHeartbeat = saved
        ? { ...saved }
        : {
            idempotencyKey: standaloneIdempotencyKey(info),
            polls: 0,
            ...(input.executionId ? { executionId: input.executionId, acceptedAtMs: info.scheduledTimestampMs } : {}),
          };
      // The flag speaks for the attempt that recorded it as it ended, never for this one's heartbeats.
      delete progress.nothingAccepted;
      progress.attempt = info.attempt;
      const nothingAcceptedBefore =
        saved === undefined ? info.attempt === 1 : saved.nothingAccepted === true && saved.attempt === info.attempt - 1;
      const startedAtMs = info.scheduledTimestampMs;
      const deadlineAtMs = startedAtMs + poll.deadlineMs;
      const timedOut = (cause: unknown, refused = false) =>
        executionTimedOut(input, stateOf(input, progress, startedAtMs, deadlineAtMs), poll.deadlineMs, cause, refused);
      const beats = new SparseHeartbeats(context, () => progress, cancelCheckIntervalMs).start();
      try {
        if (progress.executionId === undefined) {
          // An earlier attempt ended without recording an accepted trigger: it may have sent one, unless
          // it recorded, as it ended cancelled between sends, that nothing was accepted. Details without
          // an executionId at attempt 1 come from an attempt before an operator's reset (which keeps
          // them and counts from 1 again): refused the same way.
          if (input.triggerDelivery === 'at-most-once' && !nothingAcceptedBefore) {
            throw repeatedAttemptRefused(info.attempt, progress.idempotencyKey);
          }
          // Before anything is sent: a payload that breaks its contract never reaches Codika.
          const payload = await deps.contracts.payload(input);
          const triggered = await triggerStandalone({
            context,
            input: { ...input, payload: payload ?? {} },
            idempotencyKey: progress.idempotencyKey,
            deadlineAtMs,
            secrets: deps.secrets,
            nothingAcceptedBefore,
            send: deps.trigger,
            deadlineReached: timedOut,
            cancelledWhileIdle(nothingAccepted) {
              if (!nothingAccepted) return; // nothing to say that the next attempt could use
              progress.nothingAccepted = true;
              beats.record();
            },
          });
          progress.executionId = triggered.executionId;
          progress.acceptedAtMs = Date.now();
          beats.record(); // the one heartbeat every execution pays for: a retry polls, never triggers
          // A cancellation that came while the request was out, honoured now that the execution is recorded.
          if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
        }
        return await pollToEnd(context, deps, input, poll, progress, { startedAtMs, deadlineAtMs, timedOut });
      } finally {
        beats.stop();
      }
    },
  };
}

/** The input as checked; a bad one fails for good, as the workflow path's `CodikaValidationError`. */
function checked(input: CodikaExecutionActivityInput, secrets: readonly string[]) {
  try {
    return checkCodikaExecutionActivityInput(input);
  } catch (err) {
    throw toApplicationFailure(err, secrets);
  }
}

/** The times the poll loop keeps to, and the failure it throws at the deadline. */
interface Clock {
  startedAtMs: number;
  deadlineAtMs: number;
  timedOut(cause: unknown): Error;
}

/**
 * Checks the execution until it ends: by default every second for `auto`'s first phase after
 * acceptance, then backing off from 10 s to `maxPollIntervalMs`; with interval options, as they say
 * throughout. A check that fails with a retryable error counts as one that found nothing new, as in
 * the `activity` strategy.
 */
async function pollToEnd(
  context: Context,
  deps: CodikaExecutionActivityDependencies,
  input: CheckedExecutionInput,
  poll: ActivityPollSettings,
  progress: CodikaActivityHeartbeat,
  clock: Clock,
): Promise<CodikaExecutionResult> {
  const executionId = progress.executionId!;
  const request: GetCodikaExecutionStatusInput = {
    processInstanceId: input.processInstanceId,
    workflowId: input.workflowId,
    executionId,
    notFoundGrace: { acceptedAtMs: progress.acceptedAtMs ?? clock.startedAtMs, graceMs: poll.notFoundGraceMs },
    result: input.result ?? {},
  };
  const fastUntilMs = (progress.acceptedAtMs ?? clock.startedAtMs) + poll.fastPhaseMs;
  let backingOff = poll.fastPhaseMs === 0;
  let intervalMs = poll.firstPollAfterMs;
  for (;;) {
    const leftMs = clock.deadlineAtMs - Date.now();
    if (leftMs <= 0) throw clock.timedOut(undefined);
    const last = intervalMs >= leftMs;
    await context.sleep(Math.min(intervalMs, leftMs));
    // Over the worker's cap, wait for this check's turn (every execution keeps its place in line), but
    // never past the deadline: the last check goes out on time.
    const turnInMs = Math.min(deps.pacer.reserve(), clock.deadlineAtMs - Date.now());
    if (turnInMs > 0) await context.sleep(turnInMs);
    let status: CodikaExecutionStatus | undefined;
    let waitAtLeastMs = 0;
    try {
      status = await deps.getStatus(request, context.cancellationSignal);
    } catch (err) {
      if (!(err instanceof CodikaError && err.retryable)) {
        const failure = toApplicationFailure(err, deps.secrets);
        logCallFailure(failure, executionId);
        throw failure;
      }
      context.log.warn('Codika status check failed; checking again at the next interval', {
        executionId,
        error: redact(err.message, deps.secrets),
      });
      progress.lastStatus = `error (${err.kind})`;
      waitAtLeastMs = err.retryAfterMs ?? 0;
    }
    if (status) {
      progress.polls += 1;
      if (status.status === 'success') return resultOf(executionId, status.resultData, progress.polls, clock);
      if (status.status === 'failed') throw executionFailed(input, executionId, status.errorMessage, progress.polls);
      progress.lastStatus = status.reportedStatus ?? 'pending';
    }
    if (last) throw clock.timedOut(undefined);
    intervalMs = Math.max(nextInterval(), waitAtLeastMs);
  }

  function nextInterval(): number {
    if (backingOff) return Math.min(intervalMs * poll.backoffCoefficient, poll.maxPollIntervalMs);
    if (Date.now() < fastUntilMs) return AUTO_SCHEDULE.activityIntervalMs;
    backingOff = true;
    return Math.min(AUTO_SCHEDULE.retryInitialMs, poll.maxPollIntervalMs);
  }
}

function resultOf(executionId: string, resultData: unknown, polls: number, clock: Clock): CodikaExecutionResult {
  return {
    executionId,
    resultData,
    polls,
    startedAt: new Date(clock.startedAtMs).toISOString(),
    completedAt: new Date().toISOString(),
  };
}

/** The step state the workflow path's deadline failure reads (its message and details). */
function stateOf(
  input: CheckedExecutionInput,
  progress: CodikaActivityHeartbeat,
  startedAtMs: number,
  deadlineAtMs: number,
): CodikaExecutionState {
  return {
    phase: 'timed_out',
    processInstanceId: input.processInstanceId,
    workflowId: input.workflowId,
    executionId: progress.executionId,
    polls: progress.polls,
    lastStatus: progress.lastStatus,
    startedAt: new Date(startedAtMs).toISOString(),
    deadlineAt: new Date(deadlineAtMs).toISOString(),
  };
}
