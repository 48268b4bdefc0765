/**
 * What a worker must know of its task queue's rate limits (`ensureCodikaRateLimits`): read when it
 * starts and every {@link RATE_LIMITS_REFRESH_MS} after. Under limits, its polling loops send one
 * status check per task (so matching paces every check), and a worker that starts under them takes no
 * eager activities (which the server hands out past the limits).
 */
import { hasRateLimits, readCodikaRateLimits, type TaskQueueConfigService } from '../client/flow-control/rate-limits';

/** How often a worker reads its task queue's limits again: how long a change takes to reach it. */
export const RATE_LIMITS_REFRESH_MS = 30_000;

/** The task queue's limits as one worker last read them. */
export class RateLimitsWatch {
  private limited: boolean;
  private timer: NodeJS.Timeout | undefined;
  private warnedAboutEager = false;

  private constructor(
    private readonly read: () => Promise<boolean>,
    limitedAtStart: boolean,
    private readonly warn: (message: string) => void,
  ) {
    this.limited = limitedAtStart;
  }

  /**
   * Reads the limits once. An error (an older server, a permission the connection lacks) means none,
   * said once in a warning: the worker then runs as it always did.
   */
  static async start(
    connection: TaskQueueConfigService,
    namespace: string,
    taskQueue: string,
    warn: (message: string) => void = (message) => console.warn(message),
  ): Promise<RateLimitsWatch> {
    let warned = false;
    const read = async () => {
      try {
        return hasRateLimits(await readCodikaRateLimits(connection, namespace, taskQueue));
      } catch (err) {
        if (!warned) {
          warned = true;
          warn(
            `codika-temporal: cannot read the rate limits of task queue "${taskQueue}" (${(err as Error).message}); ` +
              'the worker runs as if it had none',
          );
        }
        return false;
      }
    };
    return new RateLimitsWatch(read, await read(), warn);
  }

  /** True while the task queue has a rate limit (whole queue or per key). */
  get checksThroughTaskQueue(): boolean {
    return this.limited;
  }

  /**
   * Reads the limits again every {@link RATE_LIMITS_REFRESH_MS} until `running()` turns false.
   * `eagerOff` says whether this worker takes eager activities: limits set after it started cannot
   * turn them off, so it says to restart it.
   */
  follow(running: () => boolean, eagerOff: boolean): void {
    this.timer = setInterval(() => {
      if (!running()) return this.stop();
      void this.read().then((limited) => {
        this.limited = limited;
        if (limited && !eagerOff && !this.warnedAboutEager) {
          this.warnedAboutEager = true;
          this.warn(
            'codika-temporal: the task queue got rate limits after this worker started; it still takes eager ' +
              'activities, which the server hands out past the limits: restart the worker to hold them fully',
          );
        }
      });
    }, RATE_LIMITS_REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
