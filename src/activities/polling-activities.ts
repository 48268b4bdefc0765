import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { CodikaError } from '../codika/errors';
import type { CodikaExecutionStatus } from '../codika/types';
import type {
  CodikaFinalStatus,
  CodikaPollResult,
  GetCodikaExecutionStatusInput,
  PollCodikaExecutionInput,
} from '../shared/activity-types';
import { CODIKA_CHECK_THROUGH_TASK_QUEUE, CODIKA_EXECUTION_PENDING } from '../shared/errors';
import { withoutStack } from '../shared/failures';
import type { CheckPacer } from './check-pacer';
import { redact } from '../codika/redact';
import { logCallFailure } from './activity-telemetry';
import { assertRequestFits } from './request-timeout-fit';
import { heartbeatWhile, PROGRESS_HEARTBEAT_EVERY_MS, REQUEST_HEARTBEAT_EVERY_MS } from './heartbeats';
import { toApplicationFailure } from './to-application-failure';

/** Activities behind the `activity` and `retry` poll strategies. */
export interface CodikaPollingActivities {
  /**
   * The `activity` strategy: checks in a loop until the execution ends, heartbeating its progress so a
   * retry resumes instead of restarting; with `stopAfterMs`, returns `pending` rather than wait past it.
   * A check that fails with a retryable error counts as one that found nothing new.
   *
   * @throws ApplicationFailure for a failure a retry cannot fix: typed `CODIKA_FAILURE_TYPES[kind]`,
   *   `CodikaValidationError`, `CodikaCredentialsMissingError`, `CodikaResultInvalid` or `CodikaResultTooLarge`.
   * @throws ApplicationFailure `CodikaCheckThroughTaskQueue` (benign, retried) under the task queue's rate
   *   limits, so that the next check is a retry the server dispatches within them.
   */
  pollCodikaExecution(input: PollCodikaExecutionInput): Promise<CodikaPollResult>;
  /**
   * The `retry` strategy: checks once and returns the end, or fails with the benign, retryable
   * `CodikaExecutionPending` while the execution runs, so the activity's retry policy is the loop.
   *
   * @throws ApplicationFailure `CodikaExecutionPending`, typed `CODIKA_FAILURE_TYPES[kind]`,
   *   `CodikaValidationError`, `CodikaCredentialsMissingError`, `CodikaConfigurationError`, `CodikaResultInvalid`
   *   or `CodikaResultTooLarge`.
   */
  checkCodikaExecution(input: GetCodikaExecutionStatusInput): Promise<CodikaFinalStatus>;
}

/** What `checkCodikaExecution` carries from attempt to attempt. */
interface CheckHeartbeat {
  /** Status checks answered so far. */
  polls: number;
}

/** What the polling activity checkpoints, so a retry after a worker crash resumes instead of restarting. */
export interface PollHeartbeat {
  executionId: string;
  polls: number;
  lastStatus?: string;
  nextIntervalMs: number;
  /** When this activity first started, across retries (for `stopAfterMs`). */
  startedAtMs: number;
  /** Past the first phase with `thenRetry`: each attempt checks once; `nextIntervalMs` is the next retry's wait. */
  retrying?: boolean;
  /**
   * The attempt before this one ended to have its next check dispatched by the task queue (under rate
   * limits): its retry delay was the wait, so this attempt checks at once.
   */
  checkDueNow?: boolean;
}

type GetStatus = (input: GetCodikaExecutionStatusInput, signal: AbortSignal) => Promise<CodikaExecutionStatus>;

/** What the polling activities share with the worker's other activities. */
export interface PollingDependencies {
  /** Redacted from every failure. */
  secrets: readonly string[];
  /** The worker's cap on status checks. */
  pacer: CheckPacer;
  /** The client's request timeout, which a single check's start-to-close timeout must fit. */
  requestTimeoutMs: number;
  /**
   * True while the task queue has rate limits: the loop then sends one check per attempt and leaves
   * the wait to the retry, so each check is a task that matching dispatches within the limits.
   */
  checksThroughTaskQueue: () => boolean;
}

/** Builds the polling activities around one status call, paced per worker by `pacer`. */
export function createPollingActivities(
  getStatus: GetStatus,
  { secrets, pacer, requestTimeoutMs, checksThroughTaskQueue }: PollingDependencies,
): CodikaPollingActivities {
  /**
   * One status check of the loop: the end, or at least how long to wait before the next (a
   * `Retry-After`). Like the polling loop of Codika's API description, a transient failure is just a
   * check that found nothing new. Throttled by `beat`: one progress heartbeat per 10 s, however long
   * the answer takes.
   */
  async function checkInLoop(
    input: PollCodikaExecutionInput,
    progress: PollHeartbeat,
    beat: Heartbeats,
  ): Promise<{ final: CodikaFinalStatus } | { waitAtLeastMs: number }> {
    const context = Context.current();
    try {
      const status = await heartbeatWhile(
        () => beat.progress(progress),
        REQUEST_HEARTBEAT_EVERY_MS,
        getStatus(input, context.cancellationSignal),
      );
      progress.polls += 1;
      if (status.status !== 'pending') return { final: { ...status, polls: progress.polls } };
      progress.lastStatus = status.reportedStatus ?? 'pending';
      return { waitAtLeastMs: 0 };
    } catch (err) {
      if (!(err instanceof CodikaError && err.retryable)) {
        const failure = toApplicationFailure(err, secrets);
        logCallFailure(failure, input.executionId);
        throw failure;
      }
      context.log.warn('Codika status check failed; checking again at the next interval', {
        executionId: input.executionId,
        error: redact(err.message, secrets),
      });
      progress.lastStatus = `error (${err.kind})`;
      return { waitAtLeastMs: err.retryAfterMs ?? 0 };
    }
  }

  /**
   * One attempt past the first phase: one check (its turn counted, not waited for: the retry delay
   * was the wait), then the end, or `pending` failing the attempt with the next wait as its delay.
   */
  async function checkOnceThenRetry(
    input: PollCodikaExecutionInput,
    progress: PollHeartbeat,
    beat: Heartbeats,
  ): Promise<CodikaFinalStatus> {
    const schedule = input.thenRetry!;
    pacer.reserve();
    const checked = await checkInLoop(input, progress, beat);
    if ('final' in checked) return checked.final;
    const waitMs = Math.max(progress.nextIntervalMs, checked.waitAtLeastMs);
    progress.nextIntervalMs = Math.min(progress.nextIntervalMs * schedule.coefficient, schedule.maxMs);
    throw stillPending(beat, progress, waitMs);
  }

  return {
    async pollCodikaExecution(input) {
      const context = Context.current();
      const beat = throttledHeartbeat(context);
      const waitForCheck = (ms: number) => sleepUntilCheck(context, ms, beat, () => progress);
      const saved = context.info.heartbeatDetails as PollHeartbeat | undefined;
      const progress: PollHeartbeat = saved ?? {
        executionId: input.executionId,
        polls: 0,
        nextIntervalMs: input.firstPollAfterMs,
        startedAtMs: Date.now(),
      };
      for (;;) {
        const elapsedMs = Date.now() - progress.startedAtMs;
        const waitMs = progress.checkDueNow ? 0 : progress.nextIntervalMs;
        progress.checkDueNow = undefined;
        if (progress.retrying && input.thenRetry) return checkOnceThenRetry(input, progress, beat);
        if (input.stopAfterMs !== undefined && elapsedMs + waitMs > input.stopAfterMs) {
          if (!input.thenRetry) return { status: 'pending', polls: progress.polls, lastStatus: progress.lastStatus };
          const firstWaitMs = input.thenRetry.initialMs;
          throw stillPending(beat, { ...progress, retrying: true, nextIntervalMs: firstWaitMs }, firstWaitMs);
        }
        // Under rate limits the retry waits instead, so the check goes out when matching dispatches it.
        if (waitMs > 0 && checksThroughTaskQueue()) throw checkHandedToTaskQueue(beat, progress, waitMs);
        if (waitMs > 0) await waitForCheck(waitMs);
        // Over the worker's cap, wait for this check's turn (every execution keeps its place in line).
        const turnInMs = pacer.reserve();
        if (turnInMs > 0) await waitForCheck(turnInMs);
        const checked = await checkInLoop(input, progress, beat);
        if ('final' in checked) return checked.final;
        progress.nextIntervalMs = Math.max(
          Math.min(progress.nextIntervalMs * input.backoffCoefficient, input.maxPollIntervalMs),
          checked.waitAtLeastMs,
        );
        beat.progress(progress);
      }
    },

    async checkCodikaExecution(input) {
      const context = Context.current();
      assertRequestFits(context.info, requestTimeoutMs);
      pacer.reserve(); // counted, not delayed: its timing is the retry policy's
      // Checks answered by earlier attempts, carried in heartbeat details: an attempt that failed
      // (a 503, a dead worker) is not a status check.
      const answeredBefore = (context.info.heartbeatDetails as CheckHeartbeat | undefined)?.polls ?? 0;
      let status: CodikaExecutionStatus;
      try {
        status = await heartbeatWhile(
          () => context.heartbeat({ polls: answeredBefore } satisfies CheckHeartbeat),
          REQUEST_HEARTBEAT_EVERY_MS,
          getStatus(input, context.cancellationSignal),
        );
      } catch (err) {
        const failure = toApplicationFailure(err, secrets);
        logCallFailure(failure, input.executionId);
        throw failure;
      }
      const polls = answeredBefore + 1;
      if (status.status !== 'pending') return { ...status, polls };
      context.heartbeat({ polls } satisfies CheckHeartbeat); // the failure below takes it to the next attempt
      throw executionPending(input.executionId, polls, status.reportedStatus ?? 'pending');
    },
  };
}

/**
 * Ends an attempt past the first phase with the execution still running: benign, so nothing is
 * logged as an error, and retried after `waitMs`, with the progress its retry resumes from.
 */
function stillPending(beat: Heartbeats, progress: PollHeartbeat, waitMs: number): unknown {
  beat.now(progress);
  return executionPending(progress.executionId, progress.polls, progress.lastStatus ?? 'pending', waitMs);
}

/**
 * The benign `CodikaExecutionPending` that makes a retry the next check; `retryAfterMs` overrides the
 * retry policy's interval for that one retry.
 */
function executionPending(executionId: string, polls: number, reported: string, retryAfterMs?: number): unknown {
  return withoutStack(
    ApplicationFailure.create({
      type: CODIKA_EXECUTION_PENDING,
      message: `Codika execution ${executionId} is still ${reported}`,
      category: 'BENIGN',
      ...(retryAfterMs === undefined ? {} : { nextRetryDelay: Math.max(1, retryAfterMs) }),
      details: [{ polls, lastStatus: reported }],
    }),
  );
}

/**
 * Ends the attempt so that its retry, after `waitMs`, is the next check: a retry is a task that
 * matching dispatches within the task queue's rate limits, and the check goes out as it arrives,
 * where a check inside the loop (or after a wait inside it) would not be paced by them.
 */
function checkHandedToTaskQueue(beat: Heartbeats, progress: PollHeartbeat, waitMs: number): unknown {
  beat.now({ ...progress, checkDueNow: true });
  return withoutStack(
    ApplicationFailure.create({
      type: CODIKA_CHECK_THROUGH_TASK_QUEUE,
      message: `next status check of ${progress.executionId} goes through the rate-limited task queue`,
      category: 'BENIGN',
      nextRetryDelay: Math.max(1, waitMs),
    }),
  );
}

/**
 * How long before each status check the polling loop heartbeats unthrottled: a cancellation reaches
 * an activity only in a heartbeat's answer, so this bounds how long after a run is cancelled its
 * loop may still ask Codika (about a second). It costs one heartbeat per check, and checks are
 * capped per worker. The worker must let such a heartbeat through at once: `CodikaPlugin` sets the
 * SDK's `maxHeartbeatThrottleInterval` below this ({@link HEARTBEAT_THROTTLE_MS}).
 */
export const CANCEL_NOTICE_MS = 1_000;

/** The SDK's heartbeat throttle on a Codika worker: a heartbeat a second after the last goes out at once. */
export const HEARTBEAT_THROTTLE_MS = 800;

/** Progress heartbeats, throttled, and the unthrottled one before a check. */
interface Heartbeats {
  /** At most once per {@link PROGRESS_HEARTBEAT_EVERY_MS}: records progress, proves the worker alive. */
  progress(details: PollHeartbeat): void;
  /** Now: the answer brings any cancellation before the check it precedes. */
  now(details: PollHeartbeat): void;
}

/**
 * Heartbeats that reach the SDK at most once per {@link PROGRESS_HEARTBEAT_EVERY_MS} for progress, the
 * first after one such interval (the SDK sends a first heartbeat to the server at once), plus the one
 * before each check.
 */
function throttledHeartbeat(context: Context): Heartbeats {
  let lastAtMs = Date.now();
  const now = (details: PollHeartbeat) => {
    lastAtMs = Date.now();
    context.heartbeat(details);
  };
  return {
    now,
    progress(details) {
      if (Date.now() - lastAtMs >= PROGRESS_HEARTBEAT_EVERY_MS) now(details);
    },
  };
}

/**
 * Waits `ms` before a status check: in slices with progress heartbeats, then the last
 * {@link CANCEL_NOTICE_MS} after a heartbeat of its own, so a cancellation requested before that
 * heartbeat ends the wait (`context.sleep` rejects) and the check is never sent.
 */
async function sleepUntilCheck(
  context: Context,
  ms: number,
  beat: Heartbeats,
  progress: () => PollHeartbeat,
): Promise<void> {
  const noticeMs = Math.min(ms, CANCEL_NOTICE_MS);
  for (let left = ms - noticeMs; left > 0; left -= PROGRESS_HEARTBEAT_EVERY_MS) {
    beat.progress(progress());
    await context.sleep(Math.min(left, PROGRESS_HEARTBEAT_EVERY_MS));
  }
  beat.now(progress());
  await context.sleep(noticeMs);
}
