/**
 * Workflow-safe entry point (`codika-temporal/workflows`): import it from workflow code, and pass
 * its path as `workflowsPath` to a worker. Imports nothing from Node.
 */
export { runCodikaExecution } from './run-codika-execution';
export { runCodikaExecutionAsChild, type CodikaChildOptions } from './run-codika-execution-as-child';
export { codikaPipelineWorkflow, codikaPipelineStateQuery } from './codika-pipeline-workflow';
export type {
  CodikaPipelineInput,
  CodikaPipelineResult,
  CodikaPipelineState,
  CodikaPipelineStepState,
  CodikaPipelineStepStatus,
} from '../pipeline/pipeline-types';
export type { CodikaPipelineDefinition, CodikaPipelineStep } from '../pipeline/definition';
export {
  codikaExecutionWorkflow,
  codikaExecutionStateQuery,
  codikaPollNowSignal,
  type CodikaExecutionWorkflowInput,
} from './codika-execution-workflow';
export type { CodikaStepProgress } from '../shared/execution-types';
export { DEFAULT_POLL_SETTINGS, type PollSettings } from '../shared/poll-options';
export type {
  CodikaExecutionInput,
  CodikaExecutionPhase,
  CodikaExecutionResult,
  CodikaExecutionState,
} from '../shared/execution-types';
export type { CodikaPollOptions, CodikaPollStrategy } from '../shared/poll-options';
export type { CodikaTriggerDelivery } from '../shared/trigger-delivery';
export { DEFAULT_TRIGGER_DELIVERY, TRIGGER_DELIVERIES } from '../shared/trigger-delivery';
export {
  CODIKA_EXECUTION_FAILED,
  CODIKA_EXECUTION_TIMED_OUT,
  CODIKA_FAILURE_TYPES,
  CODIKA_VALIDATION_FAILURE,
  CODIKA_CREDENTIALS_MISSING,
  CODIKA_PIPELINE_INVALID,
  CODIKA_TEMPLATE_ERROR,
  CODIKA_TRIGGER_OUTCOME_UNKNOWN,
} from '../shared/errors';
