import { randomUUID } from 'node:crypto';
import { startCodikaExecution } from '../../src/client';
import type { CodikaExecutionResult } from '../../src/shared/execution-types';
import type { CodikaPollOptions } from '../../src/shared/poll-options';
import { BENCH_INSTANCE, type BenchEnv } from './bench-env';
import { describeError } from './describe-error';
import type { bareTemporalPollLoop } from './workflows';

/** One execution run through the library, as the caller saw it. */
export interface LibraryRun {
  /** Temporal workflow id and first run id; absent when the start itself was refused. */
  workflowId?: string;
  firstRunId?: string;
  /** `Date.now()` just before the start call, and once the result was in hand. */
  startedAtMs: number;
  endedAtMs: number;
  executionId?: string;
  polls?: number;
  /** Why the run did not succeed. */
  error?: string;
  /** The workflow code on the worker refused `poll.strategy`: that strategy is not available. */
  strategyRejected: boolean;
}

const STRATEGY_REJECTED = /Invalid poll\.strategy/;

/** Poll options for a strategy, named explicitly whatever the current default is. */
export function pollWithStrategy(poll: CodikaPollOptions, strategy: string): CodikaPollOptions {
  // Always explicit: the default strategy has changed before (timer, then auto). The strategy comes
  // from the command line; the workflow validates it and may refuse it.
  return { ...poll, strategy } as CodikaPollOptions;
}

/**
 * Starts `codikaExecutionWorkflow` for one execution of the mock's `codikaWorkflowId` and waits
 * for its result. Never throws: failures are recorded in the returned run. A run still going after
 * `timeoutMs` is terminated and recorded as failed.
 */
export async function runLibraryExecution(
  env: BenchEnv,
  codikaWorkflowId: string,
  poll: CodikaPollOptions,
  timeoutMs: number,
): Promise<LibraryRun> {
  const startedAtMs = Date.now();
  const run: LibraryRun = { startedAtMs, endedAtMs: startedAtMs, strategyRejected: false };
  try {
    const handle = await startCodikaExecution(
      env.client,
      { processInstanceId: BENCH_INSTANCE, workflowId: codikaWorkflowId },
      { taskQueue: env.taskQueue, poll },
    );
    run.workflowId = handle.workflowId;
    run.firstRunId = handle.firstExecutionRunId;
    const result = await withTimeout(handle.result(), timeoutMs, async () => {
      await handle.terminate('benchmark time limit').catch(() => undefined);
    });
    run.endedAtMs = Date.now();
    const { executionId, polls } = result as CodikaExecutionResult;
    Object.assign(run, { executionId, polls });
  } catch (err) {
    run.endedAtMs = Date.now();
    run.error = describeError(err);
    run.strategyRejected = STRATEGY_REJECTED.test(run.error);
  }
  return run;
}

/** Like {@link runLibraryExecution}, for the bare Temporal loop of bench/shared/bare-workflows.ts (fixed interval). */
export async function runBareTemporalLoop(
  env: BenchEnv,
  codikaWorkflowId: string,
  pollIntervalMs: number,
  timeoutMs: number,
): Promise<LibraryRun> {
  const startedAtMs = Date.now();
  const run: LibraryRun = { startedAtMs, endedAtMs: startedAtMs, strategyRejected: false };
  try {
    const handle = await env.client.workflow.start<typeof bareTemporalPollLoop>('bareTemporalPollLoop', {
      taskQueue: env.taskQueue,
      workflowId: `bench-bare-${randomUUID()}`,
      args: [{ processInstanceId: BENCH_INSTANCE, workflowId: codikaWorkflowId }, pollIntervalMs],
    });
    run.workflowId = handle.workflowId;
    run.firstRunId = handle.firstExecutionRunId;
    const result = await withTimeout(handle.result(), timeoutMs, async () => {
      await handle.terminate('benchmark time limit').catch(() => undefined);
    });
    run.endedAtMs = Date.now();
    Object.assign(run, result);
  } catch (err) {
    run.endedAtMs = Date.now();
    run.error = describeError(err);
  }
  return run;
}

/**
 * The promise's value, or after `timeoutMs` `onTimeout` runs and the call rejects with the benchmark's limit.
 */
export async function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  onTimeout: () => Promise<void>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    const fail = () => reject(new Error(`no result within the benchmark's ${timeoutMs} ms limit`));
    timer = setTimeout(() => void onTimeout().finally(fail), timeoutMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
