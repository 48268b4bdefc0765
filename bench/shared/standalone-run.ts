import { randomUUID } from 'node:crypto';
import { CodikaStandaloneUnsupportedError, startCodikaActivity } from '../../src/client';
import type { CodikaActivityPollOptions } from '../../src/activities/codika-execution-input';
import type { CodikaPollOptions } from '../../src/shared/poll-options';
import { BENCH_INSTANCE, type BenchEnv } from './bench-env';
import { describeError } from './describe-error';
import { withTimeout, type LibraryRun } from './library-run';

/** One execution run as the standalone `codikaExecution` activity, as the caller saw it. */
export interface StandaloneRun extends LibraryRun {
  /** The activity id; absent when the start itself was refused. */
  activityId?: string;
  /** Read from the activity's describe once it closed: attempts run (1 when never retried). */
  attempts?: number;
  /** Heartbeats that reached the server: the describe's `totalHeartbeatCount` (0 when it has none). */
  heartbeats?: number;
}

/** Options of one standalone run: the workflow path's poll options less what a standalone activity refuses. */
export interface StandaloneRunOptions {
  poll: CodikaActivityPollOptions;
  /** The activity's `heartbeatTimeout`; absent: the library's default. */
  heartbeatTimeoutMs?: number;
}

/** The workflow path's poll options as a standalone activity takes them: without `strategy` and `activityTimeout`. */
export function standalonePoll({
  strategy: _strategy,
  activityTimeout: _activityTimeout,
  ...rest
}: CodikaPollOptions): CodikaActivityPollOptions {
  return rest;
}

/**
 * Billable actions of one standalone activity, as Temporal Cloud counts them: its start, each retry (attempt
 * after the first) and each heartbeat that reached the server. Its completion is not billed; describes and
 * the result's long poll are reads.
 */
export function standaloneActions(attempts: number, heartbeats: number): number {
  return 1 + (attempts - 1) + heartbeats;
}

/**
 * Starts one Codika execution of the mock's `codikaWorkflowId` with `startCodikaActivity` on the bench's
 * task queue, waits for its result, then describes the closed activity for its attempts and heartbeats.
 * Never throws: failures are recorded in the returned run (`strategyRejected` when the server cannot run
 * standalone activities). A run still going after `timeoutMs` is terminated and recorded as failed.
 */
export async function runStandaloneExecution(
  env: BenchEnv,
  codikaWorkflowId: string,
  options: StandaloneRunOptions,
  timeoutMs: number,
): Promise<StandaloneRun> {
  const startedAtMs = Date.now();
  const run: StandaloneRun = { startedAtMs, endedAtMs: startedAtMs, strategyRejected: false };
  try {
    const handle = await startCodikaActivity(
      env.client,
      { processInstanceId: BENCH_INSTANCE, workflowId: codikaWorkflowId },
      {
        taskQueue: env.taskQueue,
        activityId: `bench-standalone-${randomUUID()}`,
        poll: options.poll,
        ...(options.heartbeatTimeoutMs === undefined ? {} : { heartbeatTimeout: options.heartbeatTimeoutMs }),
      },
    );
    run.activityId = handle.activityId;
    const result = await withTimeout(handle.result(), timeoutMs, async () => {
      await handle.terminate('benchmark time limit').catch(() => undefined);
    });
    run.endedAtMs = Date.now();
    Object.assign(run, { executionId: result.executionId, polls: result.polls });
    const described = await handle.describe();
    run.attempts = described.attempt;
    // The SDK reads a count of 0 as undefined.
    run.heartbeats = described.totalHeartbeatCount ?? 0;
  } catch (err) {
    if (run.endedAtMs === startedAtMs) run.endedAtMs = Date.now();
    run.error = describeError(err);
    run.strategyRejected = err instanceof CodikaStandaloneUnsupportedError;
  }
  return run;
}
