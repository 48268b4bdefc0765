/**
 * Large fan-outs: past `forEach.batchSize` items ({@link INLINE_ITEMS_LIMIT} by default), a forEach step
 * runs its items in batch child workflows of at most that many items and {@link BATCH_PAYLOAD_BYTES} of
 * payloads, never more than `concurrency` executions in flight across them: side by side as a sliding
 * window ({@link nextWindowMove}; runs before it, one batch at a time). Each batch is itself a `codikaPipelineWorkflow` run of one forEach step over
 * its items' payloads, rendered by the parent: it polls, retries and continues as new as any pipeline.
 *
 * Why children, and why signals: inline, an item costs the pipeline's history about a dozen events,
 * so a few hundred items make Temporal suggest continuing as new (near 4,096 events), and every
 * continued run carries every result so far. A batch costs the parent a handful of events. The
 * parent may itself continue as new while a batch runs, and a new run cannot await a previous run's
 * child; so batches start with `ABANDON` (they outlive the run that started them) and report by
 * signal to the pipeline's workflow id, which every run of the chain shares. The signal handler
 * applies a report at once, so a report is either in the state a continued run carries, or arrives
 * in the new run (Temporal does not close a run with a signal it has not handled).
 */
import { defineSignal } from '@temporalio/workflow';
import type { CodikaExecutionResult } from '../../shared/execution-types';
import type { CodikaPipelineBatchState, CodikaPipelineItemState } from '../../pipeline/pipeline-types';

/** Items a forEach step runs in the pipeline's own history; more run in batch child workflows. */
export const INLINE_ITEMS_LIMIT = 200;
/** Items per batch child workflow. */
export const BATCH_SIZE = 200;
/**
 * The payloads one batch carries in its input, as JSON: a batch's input (and each of its continued
 * runs') holds them, so a batch of large payloads has fewer items. A payload larger than this goes alone.
 */
export const BATCH_PAYLOAD_BYTES = 512 * 1024;
/** A running batch that has not reported is looked for this often, by whichever run of its pipeline waits. */
export const BATCH_WATCH_INTERVAL_MS = 60_000;

/** What a batch child workflow is, for the pipeline run that is one. */
export interface CodikaForEachBatchOf {
  /** The pipeline the batch reports to (its workflow id, shared by every run of the chain). */
  parentWorkflowId: string;
  /** The forEach step of the parent. */
  stepId: string;
  /** The batch's number, from 0. */
  batch: number;
  /** The parent's index of the batch's first item: item `i` of the batch is item `firstIndex + i` of the step. */
  firstIndex: number;
}

/** What a batch reports to its pipeline when it ends. */
export interface CodikaForEachBatchReport {
  stepId: string;
  batch: number;
  /**
   * The batch's own workflow id, which names its pipeline's chain: a pipeline refuses a report that is
   * not from the batch it started (an earlier chain under the same workflow id). Absent from batches
   * of earlier versions.
   */
  batchWorkflowId?: string;
  /** The batch's items' states, in item order. */
  items: CodikaPipelineItemState[];
  /** Each succeeded item's result, by the batch's item index. */
  results: (CodikaExecutionResult | null)[];
  /** The batch's item indexes, in the order they succeeded (the saga undoes them in reverse). */
  finishOrder: number[];
  /** Set when the batch ended without running its items (it was invalid, or its run failed before them). */
  error?: string;
  /**
   * Set when the report with its results took more than a report may carry (Temporal's 2 MB payload
   * limit less 64 KiB), in bytes as JSON: the results stay behind (`results` all null), and the step
   * fails `CodikaResultTooLarge`, as its result would be too large.
   */
  resultsTooLarge?: number;
}

/**
 * Signal a pipeline sends a running batch that has not reported, only to learn whether it still
 * exists: a batch that was cancelled, terminated or timed out cannot take it. Batches ignore it.
 */
export const codikaForEachBatchWatchSignal = defineSignal<[]>('codikaForEachBatchWatch');

/**
 * Signal a pipeline that failed sends each running batch: start no more items; those running poll to
 * their end (their results feed the pipeline's saga), then the batch reports.
 */
export const codikaForEachBatchStopSignal = defineSignal<[]>('codikaForEachBatchStop');

/**
 * What a running batch tells its pipeline before it reports (one state's window): its first items'
 * executionIds once they triggered (batch 0 only: what an early return waits for), and, once it
 * starts no more items, how many it still runs and whether one failed. Several may come; the
 * pipeline keeps the smallest `running`.
 */
export interface CodikaForEachBatchProgress {
  stepId: string;
  batch: number;
  /** The batch's own workflow id: progress from another chain's batch is refused, as its report would be. */
  batchWorkflowId: string;
  /** Set once the batch starts no more items: those it still runs. */
  running?: number;
  /** Set with `running` when an item failed and the step stops on failure. */
  itemFailed?: boolean;
  /** The executionIds of its first items, by the batch's item index, once each is past its trigger. */
  executionIds?: Record<string, string>;
}

/** Signal: how a running batch goes (see {@link CodikaForEachBatchProgress}). */
export const codikaForEachBatchProgressSignal =
  defineSignal<[CodikaForEachBatchProgress]>('codikaForEachBatchProgress');

/** Signal a pipeline sends the batch that still starts items when room frees up: the items it may now run. */
export const codikaForEachBatchSlotsSignal = defineSignal<[number]>('codikaForEachBatchSlots');

/** What the window does next with `free` room: give it to the batch that still starts items, or start the next one. */
export type WindowMove =
  { kind: 'raise'; batch: number; slots: number } | { kind: 'start'; batch: number; slots: number } | { kind: 'wait' };

/**
 * The sliding window over a step's batches: at most `concurrency` items in flight across them, items
 * started in item order. A running batch holds its `slots` until it starts no more items (`draining`),
 * then only what it still runs; the room that frees goes to the one batch still starting items, or,
 * once none is, to the next batch (due, if it runs again after a backoff).
 */
export function nextWindowMove(
  batches: readonly CodikaPipelineBatchState[],
  concurrency: number,
  nowMs: number,
): WindowMove {
  const used = batches.reduce((sum, plan) => sum + (plan.status === 'running' ? (plan.slots ?? 0) : 0), 0);
  const free = concurrency - used;
  if (free <= 0) return { kind: 'wait' };
  // A batch never holds more room than it has items: the rest goes on to the next batch.
  const size = (plan: CodikaPipelineBatchState) => plan.to - plan.from;
  const starting = batches.findIndex(
    (plan) => plan.status === 'running' && !plan.draining && (plan.slots ?? 0) < size(plan),
  );
  if (starting >= 0) {
    const plan = batches[starting]!;
    return {
      kind: 'raise',
      batch: starting,
      slots: (plan.slots ?? 0) + Math.min(free, size(plan) - (plan.slots ?? 0)),
    };
  }
  const next = batches.findIndex((plan) => plan.status === 'pending');
  if (next < 0 || (batches[next]!.startsAt && Date.parse(batches[next]!.startsAt!) > nowMs)) return { kind: 'wait' };
  return { kind: 'start', batch: next, slots: Math.min(free, size(batches[next]!)) };
}

/** Signal: a batch child workflow's items ended. */
export const codikaForEachBatchDoneSignal = defineSignal<[CodikaForEachBatchReport]>('codikaForEachBatchDone');

/**
 * The batches of a step whose payloads take `payloadBytes` each, not started yet: at most `maxItems`
 * items and {@link BATCH_PAYLOAD_BYTES} of payloads in each (at least one item).
 */
export function planBatchesBySize(
  payloadBytes: readonly number[],
  maxItems: number,
  workflowIdOf: (batch: number) => string,
): CodikaPipelineBatchState[] {
  const batches: CodikaPipelineBatchState[] = [];
  let from = 0;
  while (from < payloadBytes.length) {
    let to = from + 1;
    let bytes = payloadBytes[from]!;
    while (to < payloadBytes.length && to - from < maxItems && bytes + payloadBytes[to]! <= BATCH_PAYLOAD_BYTES) {
      bytes += payloadBytes[to]!;
      to += 1;
    }
    batches.push({ workflowId: workflowIdOf(batches.length), from, to, status: 'pending' });
    from = to;
  }
  return batches;
}

/** The batches of a step of `itemCount` items, not started yet (by count only, as runs before one state did). */
export function planBatches(itemCount: number, workflowIdOf: (batch: number) => string): CodikaPipelineBatchState[] {
  const batches: CodikaPipelineBatchState[] = [];
  for (let from = 0, batch = 0; from < itemCount; from += BATCH_SIZE, batch += 1) {
    batches.push({
      workflowId: workflowIdOf(batch),
      from,
      to: Math.min(from + BATCH_SIZE, itemCount),
      status: 'pending',
    });
  }
  return batches;
}
