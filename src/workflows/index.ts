/**
 * Workflow-safe entry point (`codika-temporal/workflows`): import it from workflow code, and pass
 * its path as `workflowsPath` to a worker. Imports nothing from Node.
 */
export { runCodikaExecution } from './run-codika-execution';
export {
  codikaExecutionWorkflow,
  codikaExecutionStateQuery,
  codikaPollNowSignal,
  type CodikaExecutionWorkflowInput,
} from './codika-execution-workflow';
export type { CodikaStepProgress } from './codika-step';
export { DEFAULT_POLL_SETTINGS, type PollSettings } from './poll-settings';
export type {
  CodikaExecutionInput,
  CodikaExecutionPhase,
  CodikaExecutionResult,
  CodikaExecutionState,
  CodikaPollOptions,
  CodikaPollStrategy,
} from '../common/execution-types';
export {
  CODIKA_EXECUTION_FAILED,
  CODIKA_EXECUTION_TIMED_OUT,
  CODIKA_FAILURE_TYPES,
  CODIKA_VALIDATION_FAILURE,
  CODIKA_CREDENTIALS_MISSING,
} from '../common/failure-types';
