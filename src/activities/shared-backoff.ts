/**
 * A `429`'s back-off, held for every worker by the process instance's flow-control workflow: the
 * worker that got it holds its own calls back at once and tells that workflow (signal-with-start),
 * which writes the time into its memo; every worker reads the memo (a describe, which the server
 * answers without any worker) again once {@link BACKOFF_READ_EVERY_MS} has passed since its last read
 * of an instance it calls, and holds its calls back until then. So a `429` reaches the other workers
 * within about that, plus one read.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { SharedBackoff } from '../codika/client';
import {
  FLOW_CONTROL_WORKFLOW_TYPE,
  FLOW_PAUSE_MEMO,
  flowControlStart,
  flowControlWorkflowId,
  PAUSE_SIGNAL,
  type FlowPause,
} from '../shared/flow-control';

/** How stale a worker's view of an instance's back-off may be: how fast a `429` spreads. */
export const BACKOFF_READ_EVERY_MS = 500;

/** The longest back-off one `429` imposes on every worker (its own call still honours the whole `Retry-After`). */
export const MAX_SHARED_BACKOFF_MS = 5 * 60_000;
/** An instance not called for this long is forgotten (its view is read again at its next call). */
const FORGET_AFTER_MS = 10 * 60_000;

/** How long one read may take before the call goes on without it. */
const READ_DEADLINE_MS = 2_000;

interface KnownBackoff {
  pausedUntilMs: number;
  readAtMs: number;
  reading?: Promise<void>;
}

/** The worker's view of every instance's back-off, read through the running activity's client. */
export class TemporalSharedBackoff implements SharedBackoff {
  private readonly known = new Map<string, KnownBackoff>();
  private readonly reported = new Map<string, number>();
  private forgotAtMs = 0;

  constructor(
    private readonly readEveryMs = BACKOFF_READ_EVERY_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async waitMs(processInstanceId: string): Promise<number> {
    const temporal = currentTemporal();
    this.forgetIdle();
    const known = this.known.get(processInstanceId);
    const entry = known ?? { pausedUntilMs: 0, readAtMs: 0 };
    if (temporal && this.now() - entry.readAtMs >= this.readEveryMs) {
      this.known.set(processInstanceId, entry);
      // One read per instance at a time. Only the first call of an instance waits for it: the others go
      // on what the last read said, so a slow read never gathers calls and lets them out together.
      entry.reading ??= this.read(temporal.client, processInstanceId, entry).finally(() => {
        entry.reading = undefined;
      });
      if (!known) await entry.reading;
    }
    return Math.max(0, entry.pausedUntilMs - this.now());
  }

  rateLimited(processInstanceId: string, retryAfterMs: number): void {
    // Bounded: one odd header must not stop every worker's calls of an instance for a day.
    const untilMs = this.now() + Math.min(retryAfterMs, MAX_SHARED_BACKOFF_MS);
    const entry = this.known.get(processInstanceId) ?? { pausedUntilMs: 0, readAtMs: 0 };
    entry.pausedUntilMs = Math.max(entry.pausedUntilMs, untilMs);
    this.known.set(processInstanceId, entry);
    // Told once per back-off: the calls that meet the same 429 in flight add nothing.
    if (untilMs <= (this.reported.get(processInstanceId) ?? 0) + 250) return;
    this.reported.set(processInstanceId, untilMs);
    const temporal = currentTemporal();
    if (!temporal) return;
    const pause: FlowPause = {
      untilMs,
      reason: `429 from Codika (Retry-After ${Math.ceil(retryAfterMs / 1000)} s)`,
    };
    // Not awaited: the call that got the 429 fails now; the others learn it from the memo.
    temporal.client.workflow
      .signalWithStart(FLOW_CONTROL_WORKFLOW_TYPE, {
        ...flowControlStart(processInstanceId, temporal.taskQueue),
        signal: PAUSE_SIGNAL,
        signalArgs: [pause],
      })
      .catch((err: unknown) =>
        temporal.log.warn('codika-temporal: cannot share a 429 back-off with the other workers', {
          processInstanceId,
          error: (err as Error).message,
        }),
      );
  }

  /** Drops instances not called lately, at most once a minute, so the maps follow the instances in use. */
  private forgetIdle(): void {
    const now = this.now();
    if (now - this.forgotAtMs < 60_000) return;
    this.forgotAtMs = now;
    for (const [id, entry] of this.known) {
      if (now - entry.readAtMs > FORGET_AFTER_MS && entry.pausedUntilMs < now && !entry.reading) {
        this.known.delete(id);
        this.reported.delete(id);
      }
    }
  }

  private async read(client: Client, processInstanceId: string, entry: KnownBackoff): Promise<void> {
    try {
      // Bounded: a server that does not answer must not hold the Codika call up for long.
      const run = await client.withDeadline(this.now() + READ_DEADLINE_MS, () =>
        client.workflow.getHandle(flowControlWorkflowId(processInstanceId)).describe(),
      );
      const memo = run.memo?.[FLOW_PAUSE_MEMO] as { pausedUntilMs?: unknown } | undefined;
      const until = typeof memo?.pausedUntilMs === 'number' ? memo.pausedUntilMs : 0;
      entry.pausedUntilMs = Math.max(entry.pausedUntilMs, until);
    } catch {
      // No flow-control workflow for the instance (the common case), or the server away: no shared back-off known.
    }
    entry.readAtMs = this.now();
  }
}

/** The running activity's client, task queue and logger; none outside an activity or without a client. */
function currentTemporal(): { client: Client; taskQueue: string; log: Context['log'] } | undefined {
  try {
    const context = Context.current();
    return { client: context.client, taskQueue: context.info.taskQueue, log: context.log };
  } catch {
    return undefined;
  }
}
