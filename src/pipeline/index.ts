/**
 * Layer: the pipeline file format, WORKFLOW-SAFE. The JSON document of Codika steps (zod schema and
 * types), its payload templates, the whole-definition checks the CLI and the pipeline workflow both
 * run, and its JSON Schema. New step kinds (fan-out, conditions, approvals) are declared here; the
 * workflow that runs them lives in `src/workflows`.
 *
 * Contract (ESLint enforces it for the whole folder): no Node built-in, no I/O, no clock, no
 * randomness, and value imports only from other workflow-safe folders. The file format is a wire
 * format: a field may be added, never renamed or given a new meaning.
 */
export type { CodikaPipelineCompensation, CodikaPipelineDefinition, CodikaPipelineStep } from './definition';
export type {
  CodikaPipelineInput,
  CodikaPipelineResume,
  CodikaPipelineResult,
  CodikaPipelineState,
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
export { TemplateError } from './errors';
