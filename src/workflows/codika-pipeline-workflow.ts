import { defineQuery, defineUpdate, setHandler } from '@temporalio/workflow';
import type {
  CodikaPipelineApprovalAnswer,
  CodikaPipelineInput,
  CodikaPipelineResult,
  CodikaPipelineState,
} from '../pipeline';
import { CODIKA_PIPELINE_INVALID } from '../shared/errors';
import { nonRetryableFailure } from '../shared/failures';
import { loadCheckPipeline, PipelineRun, validateResume, type CodikaApprovalRequest } from './engine';

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
 * Runs a declarative pipeline of Codika executions (see `src/pipeline/definition.ts` and docs/pipelines.md):
 * each step starts as soon as every step it depends on succeeded, so independent steps run side by
 * side. A failed step with `onFailure: 'continue'` only skips the steps that depend on it; any other
 * failure lets running steps finish, starts nothing new, runs the compensations of the steps that
 * succeeded in reverse order, and fails the pipeline with the original failure's type.
 *
 * @throws ApplicationFailure `CodikaPipelineInvalid` listing every problem, before anything starts.
 * @throws ApplicationFailure of the failed step's type (`CodikaExecutionFailed`, …), message prefixed with the step id.
 */
export async function codikaPipelineWorkflow(args: CodikaPipelineInput): Promise<CodikaPipelineResult> {
  const { checkPipeline, formatProblems } = loadCheckPipeline();
  const check = checkPipeline(args?.pipeline);
  if (!check.ok) {
    throw nonRetryableFailure(CODIKA_PIPELINE_INVALID, formatProblems(check.problems), { problems: check.problems });
  }
  const { pipeline, order } = check;
  if (args.resume !== undefined) validateResume(args.resume, pipeline);
  const run = new PipelineRun(pipeline, order, args.input ?? {}, args.resume);
  setHandler(codikaPipelineStateQuery, () => run.snapshot());
  setHandler(codikaPipelineApproveUpdate, (request) => run.answerApproval(request), {
    validator: (request) => {
      const problem = run.approvalProblem(request);
      if (problem !== undefined) throw new Error(problem);
    },
  });
  return run.execute();
}
