/** Errors the client helpers throw before anything starts on Temporal. */
import { formatProblems, type PipelineProblem } from '../pipeline/check-pipeline';

/** A pipeline definition that failed its checks; `problems` lists each with its path. */
export class CodikaPipelineValidationError extends Error {
  override readonly name = 'CodikaPipelineValidationError';
  constructor(readonly problems: PipelineProblem[]) {
    super(formatProblems(problems));
  }
}
