/**
 * The heartbeats of the standalone `codikaExecution` activity. On Temporal Cloud every heartbeat that
 * reaches the server is a billable action, so this activity records one only when it has something to
 * say: the executionId Codika just accepted, that the worker is still alive (once per 80 % of the
 * heartbeat timeout, so a dead worker is noticed within it), or to fetch a cancellation.
 *
 * A cancellation reaches an activity only in the answer to a heartbeat. Rather than heartbeat often to
 * hear of one, the activity asks the server for its own description (a read, not an action) every
 * `cancelCheckInterval`, and heartbeats once when that says the activity was cancelled (or paused, or
 * closed, or this attempt was replaced): the answer to that heartbeat ends the attempt.
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

/** Heartbeats that carry the current details, sent only when one is needed. */
export class SparseHeartbeats<Details> {
  private keepalive: NodeJS.Timeout | undefined;
  private watch: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly keepaliveMs: number | undefined;

  /**
   * @param details - What each heartbeat carries: always the whole of it (a heartbeat replaces the details before it).
   * @param cancelCheckIntervalMs - How often to describe the activity; `null` for never.
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
    if (this.stopped) return;
    this.watch = setTimeout(() => void this.look(), this.cancelCheckIntervalMs!);
  }

  private async look(): Promise<void> {
    const { activityId, activityRunId, attempt } = this.context.info;
    try {
      const view = await this.context.client.activity.getHandle(activityId, activityRunId).describe();
      if (attemptShouldStop({ runState: view.runState, status: view.status, attempt: view.attempt }, attempt)) {
        this.record();
      }
    } catch {
      // The server out of reach for now: the next look, or the next keep-alive, tries again.
    }
    this.armWatch();
  }
}
