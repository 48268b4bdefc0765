/** Errors the client helpers throw before anything starts on Temporal. */
import { formatProblems, type PipelineProblem } from '../pipeline/check-pipeline';

/** A pipeline definition that failed its checks; `problems` lists each with its path. */
export class CodikaPipelineValidationError extends Error {
  /** Thrown outside Temporal only; the pipeline workflow fails with `CodikaPipelineInvalid` instead. */
  override readonly name = 'CodikaPipelineValidationError';
  /** @param problems - Every problem found, each with the path of the offending value. */
  constructor(readonly problems: PipelineProblem[]) {
    super(formatProblems(problems));
  }
}
