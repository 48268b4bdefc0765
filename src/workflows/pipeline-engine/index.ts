/**
 * Layer: the pipeline engine behind `codikaPipelineWorkflow`, WORKFLOW-SAFE. Read `pipeline-state.ts`
 * first: the one value a run keeps (every step and item, the results, the failure that stops it) and
 * the pure transitions over it. `pipeline-run.ts` is the scheduler that derives each decision from that
 * state and continues as new with exactly it; `pipeline-context.ts` what the parts share; one module per
 * step kind's run (`pipeline-for-each`, `item-pool`, `for-each-batches`, `pipeline-approval`,
 * `pipeline-retries`), and the saga (`pipeline-saga`). Each Codika execution is a step of
 * `../execution`.
 *
 * Contract: as `../execution`: deterministic workflow code only, behaviour changes behind `patched()`.
 */
export { PipelineRun, validateResume } from './pipeline-run';
export type { CodikaApprovalRequest } from './pipeline-approval';
export {
  codikaForEachBatchDoneSignal,
  codikaForEachBatchProgressSignal,
  codikaForEachBatchSlotsSignal,
  codikaForEachBatchStopSignal,
  codikaForEachBatchWatchSignal,
  BATCH_SIZE,
  INLINE_ITEMS_LIMIT,
  type CodikaForEachBatchProgress,
  type CodikaForEachBatchReport,
} from './for-each-batches';
