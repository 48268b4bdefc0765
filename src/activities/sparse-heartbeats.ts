/**
 * The heartbeats of the standalone `codikaExecution` activity. On Temporal Cloud every heartbeat that
 * reaches the server is a billable action, so this activity records one only when it has something to
 * say: the executionId Codika just accepted, that the worker is still alive (once per 80 % of the
 * heartbeat timeout, so a dead worker is noticed within it), or to fetch a cancellation.
 *
 * A cancellation reaches an activity only in the answer to a heartbeat. Rather than heartbeat often to
 * hear of one, the activity asks the server for its own description (a read, not an action) every
 * `cancelCheckInterval` (give or take 20 %, so executions started together drift apart; each describe
 * gets one interval to answer), and heartbeats once when that says the activity was cancelled (or
 * paused, or closed, or this attempt was replaced): the answer to that heartbeat ends the attempt.
 */
import type { Context } from '@temporalio/activity';

/** A keep-alive heartbeat goes out after this share of the heartbeat timeout without one. */
export const KEEPALIVE_SHARE = 0.8;

/** How long the activity may go without a heartbeat: none when it has no heartbeat timeout. */
export function keepaliveEveryMs(heartbeatTimeoutMs: number | undefined): number | undefined {
  return heartbeatTimeoutMs ? Math.max(1, Math.floor(heartbeatTimeoutMs * KEEPALIVE_SHARE)) : undefined;
}

/** The parts of the activity's description that say whether this attempt should stop. */
export interface AttemptView {
  /** `STARTED`, `CANCEL_REQUESTED`, `PAUSE_REQUESTED`… */
  runState?: string;
  /** `RUNNING` while the activity is open. */
  status: string;
  /** The attempt the server runs now. */
  attempt: number;
}

/**
 * Whether the server wants this attempt to stop: cancelled or paused, closed (terminated, timed out),
 * or replaced by a later attempt (this one timed out while its worker lived on). A heartbeat then
 * brings the answer that ends it.
 */
export function attemptShouldStop(view: AttemptView, attempt: number): boolean {
  return (
    view.status !== 'RUNNING' ||
    view.runState === 'CANCEL_REQUESTED' ||
    view.runState === 'PAUSE_REQUESTED' ||
    view.attempt !== attempt
  );
}

/** How far each wait between two looks strays from `cancelCheckInterval`, either way: starts in a burst drift apart. */
export const CANCEL_CHECK_JITTER = 0.2;

/** The wait before the next look: the interval, give or take {@link CANCEL_CHECK_JITTER}. */
export function cancelCheckDelayMs(intervalMs: number, random: () => number = Math.random): number {
  return Math.round(intervalMs * (1 - CANCEL_CHECK_JITTER + 2 * CANCEL_CHECK_JITTER * random()));
}

/** Heartbeats that carry the current details, sent only when one is needed. */
export class SparseHeartbeats<Details> {
  private keepalive: NodeJS.Timeout | undefined;
  private watch: NodeJS.Timeout | undefined;
  private stopped = false;
  private warned = false;
  private readonly keepaliveMs: number | undefined;

  /**
   * @param details - What each heartbeat carries: always the whole of it (a heartbeat replaces the details before it).
   * @param cancelCheckIntervalMs - How often to describe the activity (each wait ±20 %); `null` for never.
   */
  constructor(
    private readonly context: Context,
    private readonly details: () => Details,
    private readonly cancelCheckIntervalMs: number | null,
  ) {
    this.keepaliveMs = keepaliveEveryMs(context.info.heartbeatTimeoutMs);
  }

  /** Starts the keep-alive and the cancel watch; {@link stop} ends both. */
  start(): this {
    this.armKeepalive();
    // A standalone activity describes itself by its run id; one a workflow started has none.
    if (this.cancelCheckIntervalMs !== null && this.context.info.activityRunId) this.armWatch();
    return this;
  }

  /** Records a heartbeat now (the SDK throttles it to one per `maxHeartbeatThrottleInterval`). */
  record(): void {
    if (this.stopped) return;
    this.context.heartbeat(this.details());
    this.armKeepalive();
  }

  /** Ends the timers; the attempt is over. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.keepalive);
    clearTimeout(this.watch);
  }

  private armKeepalive(): void {
    clearTimeout(this.keepalive);
    if (this.keepaliveMs === undefined || this.stopped) return;
    this.keepalive = setTimeout(() => this.record(), this.keepaliveMs);
  }

  private armWatch(): void {
    // Once the cancellation has arrived, there is nothing left to look for: no more describes or heartbeats.
    if (this.stopped || this.context.cancellationSignal.aborted) return;
    this.watch = setTimeout(() => void this.look(), cancelCheckDelayMs(this.cancelCheckIntervalMs!));
  }

  private async look(): Promise<void> {
    const { activityId, activityRunId, attempt } = this.context.info;
    // A describe gets one interval to answer: one that hangs must not stop the watch.
    const limitMs = this.cancelCheckIntervalMs!;
    let timer: NodeJS.Timeout | undefined;
    try {
      const { client } = this.context;
      const describe = () => client.activity.getHandle(activityId, activityRunId).describe();
      const view = await Promise.race([
        client.withDeadline(Date.now() + limitMs, describe),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${limitMs} ms`)), limitMs);
        }),
      ]);
      const stop = attemptShouldStop({ runState: view.runState, status: view.status, attempt: view.attempt }, attempt);
      if (stop && !this.context.cancellationSignal.aborted) this.record();
    } catch (err) {
      // The server out of reach for now: the next look, or the next keep-alive, tries again.
      this.warnOnce(err);
    } finally {
      clearTimeout(timer);
    }
    this.armWatch();
  }

  /** The first failed look of this attempt is logged; the ones after it say nothing new. */
  private warnOnce(err: unknown): void {
    if (this.warned || this.stopped) return;
    this.warned = true;
    const keepalive = this.keepaliveMs === undefined ? 'none is set' : `one goes out every ${this.keepaliveMs} ms`;
    this.context.log.warn(
      'The activity could not describe itself to look for a cancellation; it keeps trying every cancelCheckInterval, ' +
        `and until a look succeeds a cancellation takes effect only at the next keep-alive heartbeat (${keepalive})`,
      { error: err instanceof Error ? err.message : String(err), cancelCheckIntervalMs: this.cancelCheckIntervalMs },
    );
  }
}
