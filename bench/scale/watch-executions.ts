import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { CodikaExecutionResult } from '../../src/shared/execution-types';
import { CODIKA_TRIGGER_OUTCOME_UNKNOWN } from '../../src/shared/errors';
import { describeError } from '../shared/describe-error';
import { inPool } from './in-pool';
import type { Sampler } from './sampling';
import type { ScaleExecution } from './scale-execution';
import type { ScaleEnv } from './scale-server';

/** How often the harness lists the executions that closed. */
const WATCH_EVERY_MS = 1_000;
/** Results fetched at once for executions that closed (each returns at once: the run is over). */
const RESULT_FETCH_CONCURRENCY = 20;

/** What {@link watchUntilClosed} watches, and when it stops. */
export interface WatchOptions {
  taskQueue: string;
  /** Open executions are marked stuck when none has closed for this long (after the starts). */
  stallAfterMs: number;
  /** True while the batch is still starting executions: the watch goes on, and nothing is stalled. */
  stillStarting: () => boolean;
  /** Marks whatever is still open `aborted`, and ends the watch. */
  signal: AbortSignal;
  /** Counts completions, and collects listing errors. */
  sampler: Sampler;
}

/**
 * Waits for every started execution to close, until its deadline or the abort; never throws.
 * Thousands of result long-polls held open at once would load the server as much as the
 * executions themselves, so the harness lists closed runs (visibility) once a second and then
 * fetches each result, which returns at once. An execution's end is the server's close time.
 */
export async function watchUntilClosed(
  env: ScaleEnv,
  executions: ScaleExecution[],
  { taskQueue, stallAfterMs, stillStarting, signal, sampler }: WatchOptions,
): Promise<void> {
  const byWorkflowId = new Map(executions.filter((e) => e.handle).map((e) => [e.handle!.workflowId, e]));
  const open = () => executions.filter((e) => e.handle && e.outcome === undefined);
  let since = new Date(Date.now() - 60_000).toISOString();
  const fetching: Promise<void>[] = [];
  let lastCloseAtMs = Date.now();
  for (;;) {
    for (const e of executions)
      if (e.handle && !byWorkflowId.has(e.handle.workflowId)) byWorkflowId.set(e.handle.workflowId, e);
    const listedAt = Date.now();
    const closed: ScaleExecution[] = [];
    const failed: ScaleExecution[] = [];
    try {
      const query = `TaskQueue = '${taskQueue}' AND ExecutionStatus != 'Running' AND CloseTime >= '${since}'`;
      for await (const info of env.client.workflow.list({ query })) {
        const e = byWorkflowId.get(info.workflowId);
        if (!e || e.outcome !== undefined || e.endedAtMs !== undefined) continue;
        e.endedAtMs = info.closeTime?.getTime() ?? listedAt;
        if (info.status.name === 'COMPLETED') closed.push(e);
        else {
          e.outcome = 'failed';
          e.error = `closed as ${info.status.name}`;
          if (info.status.name === 'FAILED') failed.push(e);
        }
      }
      // Visibility may lag a little behind the close: look back a few seconds each time.
      since = new Date(listedAt - 10_000).toISOString();
    } catch (err) {
      sampler.errors.add(describeError(err));
    }
    fetching.push(inPool(closed, RESULT_FETCH_CONCURRENCY, (e) => readResult(env, e, sampler)));
    fetching.push(inPool(failed, RESULT_FETCH_CONCURRENCY, (e) => readFailure(e)));
    const now = Date.now();
    if (closed.length > 0 || stillStarting()) lastCloseAtMs = now;
    if (now - lastCloseAtMs > stallAfterMs) {
      for (const e of open()) if (e.endedAtMs === undefined) e.outcome = 'stuck';
    }
    if (signal.aborted) {
      for (const e of open()) if (e.endedAtMs === undefined) e.outcome = 'aborted';
    }
    if (!stillStarting() && open().every((e) => e.endedAtMs !== undefined)) break;
    await new Promise((resolve) => setTimeout(resolve, WATCH_EVERY_MS));
  }
  await Promise.all(fetching);
}

/** Reads the result of an execution that completed, for its poll count and the mock's timings. */
async function readResult(env: ScaleEnv, e: ScaleExecution, sampler: Sampler): Promise<void> {
  try {
    // The bare floor returns the same two fields the harness reads.
    const result = (await e.handle!.result()) as Pick<CodikaExecutionResult, 'executionId' | 'polls'>;
    e.outcome = 'ok';
    e.polls = result.polls;
    sampler.completed += 1;
    const mocked = env.mock.executions.get(result.executionId);
    if (mocked) {
      e.detectionMs = e.endedAtMs! - mocked.finishesAt;
      e.triggerLagMs = mocked.createdAt - e.startedAtMs!;
    }
  } catch (err) {
    e.outcome = 'failed';
    e.error = describeError(err);
  }
}

/** Tells an unknown trigger outcome (a typed end that at-most-once delivery allows) from other failures. */
async function readFailure(e: ScaleExecution): Promise<void> {
  const cause = await e.handle!.result().then(
    () => undefined,
    (err: unknown) => (err instanceof WorkflowFailedError ? err.cause : undefined),
  );
  if (cause instanceof ApplicationFailure && cause.type === CODIKA_TRIGGER_OUTCOME_UNKNOWN) {
    e.outcome = 'outcome-unknown';
    e.error = undefined;
  }
}
