/**
 * Large fan-outs: past {@link INLINE_ITEMS_LIMIT} items, a forEach step runs its items in batch
 * child workflows of {@link BATCH_SIZE} items, one batch at a time (so never more than `concurrency`
 * executions in flight). Each batch is itself a `codikaPipelineWorkflow` run of one forEach step over
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
  /** The batch's items' states, in item order. */
  items: CodikaPipelineItemState[];
  /** Each succeeded item's result, by the batch's item index. */
  results: (CodikaExecutionResult | null)[];
  /** The batch's item indexes, in the order they succeeded (the saga undoes them in reverse). */
  finishOrder: number[];
  /** Set when the batch ended without running its items (it was invalid, or its run failed before them). */
  error?: string;
}

/** Signal: a batch child workflow's items ended. */
export const codikaForEachBatchDoneSignal = defineSignal<[CodikaForEachBatchReport]>('codikaForEachBatchDone');

/** The batches of a step of `itemCount` items, not started yet. */
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
