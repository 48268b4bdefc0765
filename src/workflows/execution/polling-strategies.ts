import { CancellationScope, condition, sleep } from '@temporalio/workflow';
import type { CodikaActivities } from '../../activities/create-codika-activities';
import type { CodikaExecutionState, CodikaStepProgress } from '../../shared/execution-types';
import type {
  CheckRetrySchedule,
  CodikaFinalStatus,
  CodikaPollResult,
  GetCodikaExecutionStatusInput,
} from '../../shared/activity-types';
import { onLibraryPatches2026_12 } from '../library-patches';
import { formatDuration } from '../../shared/durations';
import type { PollSettings } from '../../shared/poll-options';

/** What every strategy needs to wait for one triggered execution. */
export interface PollingContext {
  executionId: string;
  /**
   * What every status activity is asked: the ids (the Codika workflow's, so a `success` is checked
   * against its contract), the 404 grace and the result options; built once, so every strategy sends the same.
   */
  statusRequest: GetCodikaExecutionStatusInput;
  /** When Codika accepted the trigger (or the step attached): a continued run carries it for the 404 grace. */
  acceptedAtMs?: number;
  settings: PollSettings;
  state: CodikaExecutionState;
  startedAtMs: number;
  deadlineAtMs: number;
  /** Where a continued run resumes (`timer` only). */
  resume?: CodikaStepProgress;
  /** Runs after each check that was not final (`timer` only); may continue-as-new. */
  afterPoll?(progress: CodikaStepProgress): Promise<void>;
  /** Requests for a check now (the `codikaPollNow` signal); `requested` is reset once honoured. */
  pollNow?: PollNowRequests;
  /** Activities bounded by the deadline. */
  activities(options?: ActivityShape): CodikaActivities;
  /** The failure to throw when no time is left. */
  deadlineReached(): Error;
  /** Names the step in every timer summary (`extract · wait 2 s`); pipelines set it. */
  label?: string;
}

/**
 * Requests for a status check now, and whoever waits for the next one. The signal handler wakes the
 * waiter itself: the check-beside-the-wait of every strategy but `timer` then costs one promise, where
 * a `condition` raced against the wait cost several per wait, each with its stack captured, and a
 * predicate run at every activation of the run.
 */
export class PollNowRequests {
  private wake: ((value: 'woken') => void) | undefined;

  constructor(public requested = false) {}

  /** The `codikaPollNow` signal: asks for a check, and wakes a strategy that waits for one. */
  request(): void {
    this.requested = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.('woken');
  }

  /** Resolves at the next request, or at once when one is waiting. */
  next(): Promise<'woken'> {
    if (this.requested) return Promise.resolve('woken');
    return new Promise((resolve) => (this.wake = resolve));
  }
}

/** A timer or activity summary, prefixed with the step's label when it has one. */
export function labelled(label: string | undefined, summary: string): string {
  return label ? `${label} · ${summary}` : summary;
}

/** How a strategy's activity differs from a single short call. */
export interface ActivityShape {
  heartbeatTimeoutMs?: number;
  /** A retry policy that is the poll loop (`retry` strategy). */
  retry?: RetryLoop;
  /** Runs until the deadline rather than for one call (`activity` strategy). */
  longRunning?: boolean;
  /** Abandon at once when cancelled, without waiting for the activity to notice (used on wake-up). */
  tryCancel?: boolean;
  /** What the Temporal UI shows for the activity: `trigger`, `status #12`. */
  summary?: string;
  /** One attempt and no heartbeat timeout: the workflow decides itself whether to call again (triggers). */
  oneAttempt?: boolean;
}

/** A retry policy used as the poll loop (`retry` strategy). */
export interface RetryLoop {
  initialInterval: number;
  backoffCoefficient: number;
  maximumInterval: number;
}

/** Waits with a durable timer before each status activity; backs off; may continue as new. */
export async function pollWithTimers(ctx: PollingContext): Promise<CodikaFinalStatus> {
  const { settings, state } = ctx;
  let intervalMs = ctx.resume?.nextIntervalMs ?? settings.firstPollAfterMs;
  let dueAtMs = ctx.resume?.nextPollAtMs;
  for (;;) {
    const remainingMs = ctx.deadlineAtMs - Date.now();
    if (remainingMs <= 0) throw ctx.deadlineReached();
    // A continued run keeps the check that was due: restarting the wait would put it off at every run.
    const dueInMs = dueAtMs === undefined ? intervalMs : dueAtMs - Date.now();
    dueAtMs = undefined;
    const waitMs = Math.max(1, Math.min(dueInMs, remainingMs));
    state.nextIntervalMs = intervalMs;
    state.nextPollAt = new Date(Date.now() + waitMs).toISOString();
    const timer = { summary: labelled(ctx.label, `wait ${formatDuration(waitMs)}`) };
    if (ctx.pollNow) {
      await condition(() => ctx.pollNow!.requested, waitMs, timer);
      ctx.pollNow.requested = false;
    } else {
      await sleep(waitMs, timer);
    }
    state.nextPollAt = undefined;

    const status = await ctx
      .activities({ summary: `status #${state.polls + 1}` })
      .getCodikaExecutionStatus(ctx.statusRequest);
    state.polls += 1;
    if (status.status !== 'pending') return { ...status, polls: state.polls };
    state.lastStatus = status.reportedStatus ?? 'pending';

    intervalMs = Math.min(intervalMs * settings.backoffCoefficient, settings.maxPollIntervalMs);
    await ctx.afterPoll?.({
      executionId: ctx.executionId,
      polls: state.polls,
      startedAtMs: ctx.startedAtMs,
      deadlineAtMs: ctx.deadlineAtMs,
      nextIntervalMs: intervalMs,
      lastStatus: state.lastStatus,
      ...(ctx.acceptedAtMs === undefined ? {} : { acceptedAtMs: ctx.acceptedAtMs }),
    });
  }
}

/**
 * A worker that dies is noticed after this, and the retry resumes from the last heartbeat. The loop
 * records progress every 10 s and heartbeats once more before each check, so a cancellation stops it
 * within about a second (see `CANCEL_NOTICE_MS`); each heartbeat that reaches the server is billed.
 */
const POLLING_ACTIVITY_HEARTBEAT_TIMEOUT_MS = 30_000;

/** One long-running activity polls and heartbeats; the workflow just awaits it. */
export function pollInActivity(ctx: PollingContext): Promise<CodikaFinalStatus> {
  const { settings } = ctx;
  const activities = ctx.activities({
    heartbeatTimeoutMs: POLLING_ACTIVITY_HEARTBEAT_TIMEOUT_MS,
    longRunning: true,
    tryCancel: true,
    summary: `status checks every ${formatDuration(settings.firstPollAfterMs)}, backing off to ${formatDuration(settings.maxPollIntervalMs)}`,
  });
  return checkAtOnceWhenWoken(ctx, async () => {
    for (;;) {
      const result = await activities.pollCodikaExecution({
        ...ctx.statusRequest,
        firstPollAfterMs: ctx.resume?.nextIntervalMs ?? settings.firstPollAfterMs,
        backoffCoefficient: settings.backoffCoefficient,
        maxPollIntervalMs: settings.maxPollIntervalMs,
      });
      if (result.status !== 'pending') return { ...result, polls: ctx.state.polls + result.polls };
      ctx.state.polls += result.polls; // only with stopAfterMs, which this strategy does not set
    }
  });
}

/** The status activity fails benignly while pending; its retry policy is the poll loop. */
export function pollWithRetries(ctx: PollingContext): Promise<CodikaFinalStatus> {
  const { settings } = ctx;
  return retryLoop(ctx, {
    initialInterval: ctx.resume?.nextIntervalMs ?? settings.firstPollAfterMs,
    backoffCoefficient: settings.backoffCoefficient,
    maximumInterval: settings.maxPollIntervalMs,
  });
}

/**
 * `auto`'s schedule, chosen from the benchmark (bench/): a first phase in the activity loop with
 * checks every second (detection well under a second for executions of up to a minute, a few
 * heartbeats), then retries backing off from 10 s to 3 min (a handful of actions per long wait).
 * The phase runs 75 s, not 60: with exactly 60 s, an execution of a minute finished just after the
 * phase's last check half the time and waited for the first retry (5 s p50 in one full run).
 */
export const AUTO_SCHEDULE = {
  activityPhaseMs: 75_000,
  activityIntervalMs: 1_000,
  retryInitialMs: 10_000,
  retryCoefficient: 2,
  retryMaxMs: 180_000,
} as const;

/**
 * The activity loop for the first phase, then retries with a wide backoff. Runs with the 2026-12
 * marker keep both phases in the one activity (its retries are the second phase): a wait past the
 * first phase then costs no timer and no second activity, eight history events fewer.
 */
export async function pollAuto(ctx: PollingContext): Promise<CodikaFinalStatus> {
  const phaseEndsAtMs = ctx.resume?.autoPhaseEndsAtMs ?? Date.now() + AUTO_SCHEDULE.activityPhaseMs;
  ctx.state.autoPhaseEndsAt = new Date(phaseEndsAtMs).toISOString();
  const phaseLeftMs = phaseEndsAtMs - Date.now();
  if (phaseLeftMs <= 0) return retryLoop(ctx, AUTO_RETRIES);
  const bothPhases = onLibraryPatches2026_12();
  const firstPhaseSummary = `status checks every ${formatDuration(AUTO_SCHEDULE.activityIntervalMs)} for ${formatDuration(AUTO_SCHEDULE.activityPhaseMs)}`;
  const activities = ctx.activities({
    heartbeatTimeoutMs: POLLING_ACTIVITY_HEARTBEAT_TIMEOUT_MS,
    longRunning: true,
    tryCancel: true,
    summary: bothPhases
      ? `${firstPhaseSummary}, then retried every ${formatDuration(AUTO_RETRIES.initialInterval)} to ${formatDuration(AUTO_RETRIES.maximumInterval)}`
      : firstPhaseSummary,
  });
  const firstPhase = await checkAtOnceWhenWoken(ctx, async () => {
    const result = await activities.pollCodikaExecution({
      ...ctx.statusRequest,
      firstPollAfterMs: Math.min(ctx.settings.firstPollAfterMs, AUTO_SCHEDULE.activityPhaseMs),
      backoffCoefficient: 1,
      maxPollIntervalMs: AUTO_SCHEDULE.activityIntervalMs,
      stopAfterMs: phaseLeftMs,
      ...(bothPhases ? { thenRetry: AUTO_THEN_RETRY } : {}),
    });
    return { ...result, polls: ctx.state.polls + result.polls };
  });
  // Only a loop scheduled without the second phase (before the marker) comes back pending.
  if (firstPhase.status !== 'pending') return firstPhase;
  ctx.state.polls = firstPhase.polls;
  ctx.state.lastStatus = firstPhase.lastStatus ?? 'pending';
  return retryLoop(ctx, AUTO_RETRIES);
}

/** `auto`'s second phase. */
const AUTO_RETRIES: RetryLoop = {
  initialInterval: AUTO_SCHEDULE.retryInitialMs,
  backoffCoefficient: AUTO_SCHEDULE.retryCoefficient,
  maximumInterval: AUTO_SCHEDULE.retryMaxMs,
};

/** `auto`'s second phase as the first phase's activity runs it: the same checks at the same times. */
const AUTO_THEN_RETRY: CheckRetrySchedule = {
  initialMs: AUTO_SCHEDULE.retryInitialMs,
  coefficient: AUTO_SCHEDULE.retryCoefficient,
  maxMs: AUTO_SCHEDULE.retryMaxMs,
};

/** Waits the first interval with a timer, then lets the retry policy of a benignly failing check loop. */
function retryLoop(ctx: PollingContext, loop: RetryLoop): Promise<CodikaFinalStatus> {
  const firstWaitMs = loop.initialInterval;
  return checkAtOnceWhenWoken(ctx, async () => {
    const waitMs = Math.max(1, Math.min(firstWaitMs, ctx.deadlineAtMs - Date.now()));
    await sleep(waitMs, { summary: labelled(ctx.label, `wait ${formatDuration(waitMs)}`) });
    // Created after the wait, so the retry loop's schedule-to-close is the time left now.
    const activities = ctx.activities({
      tryCancel: true,
      retry: loop,
      summary: `status checks, retried every ${formatDuration(loop.initialInterval)} to ${formatDuration(loop.maximumInterval)}`,
    });
    const final = await activities.checkCodikaExecution(ctx.statusRequest);
    return { ...final, polls: ctx.state.polls + final.polls };
  });
}

/**
 * Runs a strategy's own wait, and on each `pollNow` request checks once at once beside it. A final
 * answer from that check abandons the wait. Without wake-ups (pipelines, the step helper) the wait
 * runs as it is. Runs recorded before the 2026-12 marker wait in a scope of their own and cancel
 * its activity when abandoned; later runs leave it, since the step whose wait it is ends its run
 * (only `codikaExecutionWorkflow` takes wake-ups), and the activity stops at its next heartbeat: a
 * scope cost the run seven promises, each with its stack captured.
 */
function checkAtOnceWhenWoken<T extends CodikaPollResult>(
  ctx: PollingContext,
  wait: () => Promise<T>,
): Promise<T | CodikaFinalStatus> {
  const pollNow = ctx.pollNow;
  if (!pollNow) return wait();
  if (onLibraryPatches2026_12()) return checkWhenWoken(ctx, pollNow, wait(), () => undefined);
  const scope = new CancellationScope();
  return checkWhenWoken(ctx, pollNow, scope.run(wait), () => scope.cancel());
}

async function checkWhenWoken<T extends CodikaPollResult>(
  ctx: PollingContext,
  pollNow: PollNowRequests,
  waiting: Promise<T>,
  abandon: () => void,
): Promise<T | CodikaFinalStatus> {
  for (;;) {
    const first = await Promise.race([waiting, pollNow.next()]);
    if (first !== 'woken') return first;
    pollNow.requested = false;
    const status = await ctx
      .activities({ summary: `status #${ctx.state.polls + 1} (woken)` })
      .getCodikaExecutionStatus(ctx.statusRequest);
    ctx.state.polls += 1;
    if (status.status !== 'pending') {
      abandon();
      waiting.catch(() => undefined); // the abandoned wait ends in a failure nobody needs
      return { ...status, polls: ctx.state.polls };
    }
    ctx.state.lastStatus = status.reportedStatus ?? 'pending';
  }
}
