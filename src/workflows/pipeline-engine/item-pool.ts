/**
 * Runs the items of a forEach step, at most `concurrency` at a time, in item order: in the
 * pipeline's own history for small fan-outs, in each batch child workflow for large ones. Items a
 * previous run left running go on first. Each item's outcome lands in its state before the pool
 * returns, however the pool ends (a cancellation included).
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  isCancellation,
} from '@temporalio/workflow';
import type { CodikaExecutionResult, CodikaStepProgress } from '../../shared/execution-types';
import type { CodikaPipelineItemState } from '../../pipeline/pipeline-types';

export interface ItemPool {
  /** Every item's state, in item order; the pool updates `status` and `error`. */
  items: CodikaPipelineItemState[];
  /** Items in flight at most; read at every start, so a batch whose pipeline raised its share uses it. */
  concurrency: number | (() => number);
  /** `onFailure: 'fail'`: the first failed item stops the start of the others. */
  stopOnFailure: boolean;
  /** Something outside the pool stopped it (another step failed the pipeline). */
  stopped(): boolean;
  /** No new item starts while this holds (the run is about to continue as new). */
  holding(): boolean;
  /** The run stops its items to continue as new: their cancellation is a pause, not an end. */
  continuing(): boolean;
  /** Runs item `i`: fresh, or resuming the execution it was polling. */
  run(i: number, progress?: CodikaStepProgress): Promise<CodikaExecutionResult>;
  /** Where item `i` was polling when the previous run continued as new. */
  progressOf(i: number): CodikaStepProgress | undefined;
  /** Item `i` succeeded (called in the order items finish). */
  succeeded(i: number, result: CodikaExecutionResult): void;
  /**
   * The pool starts no more items (all started, or it stopped): called then with the items still
   * running, and again each time one of them ends. A batch tells its pipeline, which gives the room on.
   */
  draining?(running: number): void;
}

/**
 * Runs the pool until every item ran or the pool stopped; items that never started are `skipped`.
 *
 * @returns the first failed item, if any.
 * @throws CancelledFailure when the items were cancelled (the run was cancelled, or continues as new).
 */
export async function runItemPool(pool: ItemPool): Promise<{ index: number; error: unknown } | undefined> {
  const { items } = pool;
  let inFlight = 0;
  let failure: { index: number; error: unknown } | undefined;
  const stopped = () => (pool.stopOnFailure && failure !== undefined) || pool.stopped();
  const concurrency = typeof pool.concurrency === 'function' ? pool.concurrency : () => pool.concurrency as number;
  let draining = false;
  const runs: Promise<void>[] = [];
  const launch = (i: number, progress?: CodikaStepProgress) => {
    inFlight += 1;
    items[i]!.status = 'running';
    let ended = true;
    const run = pool.run(i, progress).then(
      (result) => {
        items[i]!.status = 'succeeded';
        pool.succeeded(i, result);
      },
      (err: unknown) => {
        if (isCancellation(err)) {
          ended = false; // stopped (to continue as new, or cancelled): no room frees up
          if (!pool.continuing()) items[i]!.status = 'cancelled';
          return;
        }
        items[i]!.status = 'failed';
        items[i]!.error = err instanceof Error ? err.message : String(err);
        if (err instanceof ApplicationFailure && err.type) items[i]!.failureType = err.type;
        failure ??= { index: i, error: err };
      },
    );
    runs.push(
      run.finally(() => {
        inFlight -= 1;
        if (draining && ended) pool.draining?.(inFlight);
      }),
    );
  };
  try {
    const resumed = items.flatMap((item, i) => (item.status === 'running' ? [i] : []));
    for (const i of resumed) launch(i, pool.progressOf(i));
    for (const [i, item] of items.entries()) {
      if (item.status !== 'pending') continue;
      await condition(() => stopped() || (inFlight < concurrency() && !pool.holding()));
      if (stopped()) break;
      launch(i);
    }
    draining = true;
    pool.draining?.(inFlight);
  } finally {
    // Every item's own bookkeeping lands before the pool ends, however it ends.
    await Promise.all(runs);
  }
  // Items stopped by a cancellation (or to continue as new) end the pool the same way.
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('forEach items cancelled');
  for (const item of items) if (item.status === 'pending') item.status = 'skipped';
  return failure;
}
