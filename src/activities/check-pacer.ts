/**
 * Caps how many status checks one worker sends to Codika per second, shared by every execution it
 * polls. Each check reserves the next free slot, in order of asking, so when more executions wait
 * than the cap allows, every one of them is still checked in turn, just less often: the load on
 * Codika and on the worker's one JavaScript thread stays flat however many executions are in
 * flight, and the triggers of new executions are not starved by the polling of old ones.
 */
export class CheckPacer {
  private nextFreeAtMs = 0;
  private readonly spacingMs: number;

  /** @param perSecond the cap; `Infinity` turns pacing off. */
  constructor(
    readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.spacingMs = Number.isFinite(perSecond) ? 1000 / perSecond : 0;
  }

  /** Reserves the next free slot and returns how long to wait for it (0 when one is free now). */
  reserve(): number {
    const now = this.now();
    const at = Math.max(now, this.nextFreeAtMs);
    this.nextFreeAtMs = at + this.spacingMs;
    return at - now;
  }
}

/** The default cap of {@link CheckPacer}, per worker; measured in bench/ (see bench/README.md). */
export const DEFAULT_STATUS_CHECKS_PER_SECOND = 200;
