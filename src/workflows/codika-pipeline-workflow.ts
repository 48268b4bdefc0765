import { installHandler as installOperatorAnswers } from './execution/operator-answers';
import {
  allHandlersFinished,
  condition,
  ContinueAsNew,
  defineQuery,
  defineUpdate,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  setHandler,
} from '@temporalio/workflow';
import { setVersioningBehavior } from './versioning-behavior';
import type {
  CodikaPipelineApprovalAnswer,
  CodikaPipelineInput,
  CodikaPipelineRedriveSeed,
  CodikaPipelineResult,
  CodikaPipelineState,
} from '../pipeline';
import type { CodikaPipelineDefinition } from '../pipeline/definition';
import { validateId } from '../shared/validation';
import { CODIKA_PIPELINE_INVALID } from '../shared/errors';
import { nonRetryableFailure } from '../shared/failures';
import {
  codikaForEachBatchDoneSignal,
  codikaForEachBatchProgressSignal,
  codikaForEachBatchSlotsSignal,
  codikaForEachBatchStopSignal,
  codikaForEachBatchWatchSignal,
  PipelineRun,
  validateResume,
  type CodikaApprovalRequest,
  type CodikaForEachBatchReport,
} from './pipeline-engine';
import { invalid, underPath } from './execution';
import { loadCheckPipeline } from './lazy-schemas';

/** Query: every step's status, executionId, polls and times, live. */
export const codikaPipelineStateQuery = defineQuery<CodikaPipelineState>('codikaPipelineState');

/**
 * Update: answers an approval step that is waiting, with `{ stepId, approved, by, comment? }`; returns
 * the answer as recorded. Refused, with nothing written to the history, for an unknown step, a step
 * that is not an approval or not waiting, and a step already answered.
 */
export const codikaPipelineApproveUpdate = defineUpdate<CodikaPipelineApprovalAnswer, [CodikaApprovalRequest]>(
  'codikaPipelineApprove',
);

/**
 * Update: resolves once every step the pipeline starts first is past its trigger, with the Codika
 * executionIds known then, by step (`send[0]` for a forEach item); fails with the trigger's own
 * typed failure when one of those steps fails before Codika accepted it. Sent with start by
 * `startCodikaPipeline(…, { waitForTrigger: true })` for an early return.
 */
export const codikaPipelineTriggeredUpdate = defineUpdate<CodikaPipelineTriggered, []>('codikaPipelineTriggered');

/** What {@link codikaPipelineTriggeredUpdate} returns. */
export interface CodikaPipelineTriggered {
  /** Codika's executionIds known when the first steps were past their trigger, by step (`send[0]` for an item). */
  executionIds: Record<string, string>;
}

/**
 * Runs a declarative pipeline of Codika executions (see `src/pipeline/definition.ts` and docs/pipelines.md):
 * each step starts as soon as every step it depends on succeeded, so independent steps run side by
 * side. A failed step with `onFailure: 'continue'` only skips the steps that depend on it; any other
 * failure lets running steps finish, starts nothing new, runs the compensations of the steps that
 * succeeded in reverse order, and fails the pipeline with the original failure's type.
 *
 * @throws ApplicationFailure `CodikaPipelineInvalid` listing every problem, before anything starts.
 * @throws ApplicationFailure of the failed step's type (`CodikaExecutionFailed`, …), message prefixed with the step id.
 * @throws ApplicationFailure `CodikaResultTooLarge` naming the heaviest outputs when the result would pass 2 MB.
 */
export async function codikaPipelineWorkflow(args: CodikaPipelineInput): Promise<CodikaPipelineResult> {
  const batchOf = args?.batchOf;
  if (batchOf !== undefined) validateBatchOf(batchOf);
  let run: PipelineRun | undefined;
  try {
    const { checkPipeline, formatProblems } = loadCheckPipeline();
    const check = checkPipeline(args?.pipeline);
    if (!check.ok) {
      throw nonRetryableFailure(CODIKA_PIPELINE_INVALID, formatProblems(check.problems), { problems: check.problems });
    }
    const { pipeline, order } = check;
    if (args.resume !== undefined) validateResume(args.resume, pipeline);
    if (args.redrive !== undefined || args.attach !== undefined) validateRedrive(args, pipeline);
    run = new PipelineRun(pipeline, order, args.input ?? {}, args.resume, batchOf, args);
    const current = run;
    setHandler(codikaPipelineStateQuery, () => current.snapshot());
    setHandler(codikaPipelineRedriveSeedQuery, () => current.redriveSeed());
    setHandler(codikaPipelineApproveUpdate, (request) => current.answerApproval(request), {
      validator: (request) => {
        const problem = current.approvalProblem(request);
        if (problem !== undefined) throw new Error(problem);
      },
    });
    setHandler(codikaForEachBatchDoneSignal, (report) => current.receiveBatchReport(report));
    setHandler(codikaForEachBatchProgressSignal, (progress) => current.receiveBatchProgress(progress));
    if (batchOf) {
      setHandler(codikaForEachBatchStopSignal, () => current.stopBatch());
      setHandler(codikaForEachBatchSlotsSignal, (slots) => current.raiseBatchSlots(slots));
      // Sent only to learn the batch still runs.
      setHandler(codikaForEachBatchWatchSignal, () => undefined);
    }
    setHandler(codikaPipelineTriggeredUpdate, () => current.firstStepsTriggered());
    installOperatorAnswers();
    const result = await run.execute().catch(async (err: unknown) => {
      // Whoever waits for the first triggers gets its answer before the run ends.
      if (!(err instanceof ContinueAsNew) && !isCancellation(err)) await condition(allHandlersFinished);
      throw err;
    });
    await condition(allHandlersFinished);
    if (batchOf) await reportBatch(batchOf, run.batchReport(batchOf.stepId));
    return result;
  } catch (err) {
    // A batch that ends for any reason but continuing as new (or a cancellation its pipeline asked for) reports.
    if (batchOf && !(err instanceof ContinueAsNew) && !isCancellation(err)) {
      const why = err instanceof Error ? err.message : String(err);
      await reportBatch(batchOf, run ? run.batchReport(batchOf.stepId, why) : emptyReport(batchOf, why));
    }
    throw err;
  }
}

/**
 * Query: the run's state and its results so far (payloads included, unlike `codikaPipelineState`):
 * what `redriveCodikaPipeline` seeds a new run with. Answered for closed runs too (a worker replays them).
 */
export const codikaPipelineRedriveSeedQuery = defineQuery<CodikaPipelineRedriveSeed>('codikaPipelineRedriveSeed');

/** `redrive` and `attach` are written by `redriveCodikaPipeline`, but input is input: check what the run relies on. */
function validateRedrive(args: CodikaPipelineInput, pipeline: CodikaPipelineDefinition): void {
  const ids = new Set(pipeline.steps.map((step) => step.id));
  const { redrive, attach } = args;
  if (redrive !== undefined) {
    const ok =
      typeof redrive === 'object' &&
      redrive !== null &&
      typeof redrive.succeeded === 'object' &&
      redrive.succeeded !== null &&
      Array.isArray(redrive.finished) &&
      Object.entries(redrive.succeeded).every(([id, step]) => ids.has(id) && step?.status === 'succeeded') &&
      redrive.finished.every((entry) => ids.has(entry?.stepId) && typeof entry.result === 'object');
    if (!ok) throw invalid('input.redrive', 'expected the succeeded steps and their results, for this pipeline');
  }
  if (attach !== undefined) {
    if (typeof attach !== 'object' || attach === null)
      throw invalid('input.attach', 'expected { stepKey: executionId }');
    for (const [key, executionId] of Object.entries(attach)) {
      if (!ids.has(key.replace(/\[\d+\]$/, ''))) throw invalid(`input.attach.${key}`, 'names no step of this pipeline');
      underPath(`input.attach.${key}`, () => validateId('executionId', executionId));
    }
  }
}

/**
 * On a worker with Worker Deployment Versioning, a running codikaPipelineWorkflow moves to the current version
 * at its next workflow task: runs last as long as Codika's executions (days, with a long deadline or
 * an approval), and pinning would keep every old worker up that long. The library's `patched()`
 * discipline and the replay of recorded histories make each version safe for the runs of the one before
 * (docs/deploys.md). A run that continues as new is auto-upgrade too. Unversioned workers run it as before.
 */
setVersioningBehavior('AUTO_UPGRADE', codikaPipelineWorkflow);

/** Tells the pipeline a batch belongs to how its items ended; a pipeline already closed is logged, not an error. */
async function reportBatch(batchOf: NonNullable<CodikaPipelineInput['batchOf']>, report: CodikaForEachBatchReport) {
  try {
    await getExternalWorkflowHandle(batchOf.parentWorkflowId).signal(codikaForEachBatchDoneSignal, report);
  } catch (err) {
    log.warn('The pipeline of this forEach batch did not take its report', {
      parentWorkflowId: batchOf.parentWorkflowId,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}

function emptyReport(batchOf: NonNullable<CodikaPipelineInput['batchOf']>, error: string): CodikaForEachBatchReport {
  return {
    stepId: batchOf.stepId,
    batch: batchOf.batch,
    items: [],
    results: [],
    finishOrder: [],
    error,
  };
}

function validateBatchOf(batchOf: NonNullable<CodikaPipelineInput['batchOf']>): void {
  const ok =
    typeof batchOf === 'object' &&
    batchOf !== null &&
    typeof batchOf.parentWorkflowId === 'string' &&
    typeof batchOf.stepId === 'string' &&
    Number.isInteger(batchOf.batch) &&
    Number.isInteger(batchOf.firstIndex);
  if (!ok)
    throw invalid(
      'input.batchOf',
      'expected { parentWorkflowId, stepId, batch, firstIndex }, set by a pipeline on its batches',
    );
}
