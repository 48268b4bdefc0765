/**
 * Layer: the pipeline file format, WORKFLOW-SAFE. The JSON document of Codika steps (zod schema and
 * types), its payload templates, the whole-definition checks the CLI and the pipeline workflow both
 * run, and its JSON Schema. New step kinds (fan-out, conditions, approvals) are declared here; the
 * workflow that runs them lives in `src/workflows`.
 *
 * Contract: no Node built-in, no I/O, no clock, no randomness, because workflows bundle this code
 * and replay it. ESLint enforces the imports for the whole folder by glob: no Node built-in, and
 * values only from other workflow-safe folders. The file format is a wire format: a field may be added, never
 * renamed or given a new meaning.
 */
export type {
  CodikaPipelineApprovalStep,
  CodikaPipelineCompensation,
  CodikaPipelineDefinition,
  CodikaPipelineExecutionStep,
  CodikaPipelineStep,
} from './definition';
export type { CodikaPipelineCondition } from './conditions';
export type {
  CodikaPipelineApprovalAnswer,
  CodikaPipelineApprovalState,
  CodikaPipelineAttempt,
  CodikaPipelineBatchState,
  CodikaPipelineItemCounts,
  CodikaPipelineItemState,
  CodikaPipelineInput,
  CodikaPipelineRedrive,
  CodikaPipelineRedriveSeed,
  CodikaPipelineResult,
  CodikaPipelineState,
  CodikaPipelineFailure,
  CodikaPipelineStepState,
  CodikaPipelineStepStatus,
} from './pipeline-types';
export {
  checkPipeline,
  formatProblems,
  type CheckedPipeline,
  type PipelineCheck,
  type PipelineProblem,
} from './check-pipeline';
export { pipelineJsonSchema } from './json-schema';
