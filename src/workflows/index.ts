/**
 * `codika-temporal/workflows`: the workflow-safe entry. Import it from workflow code, and pass its
 * path as `workflowsPath` to a worker (or re-export its workflows from yours).
 *
 * Layer: workflows, WORKFLOW-SAFE. This folder holds the public workflows and step helpers; the
 * engine behind them is in `./execution` (one Codika execution as a step) and `./pipeline-engine` (pipelines). Contract: deterministic code only, no Node built-in,
 * no I/O; values imported only from workflow-safe folders (`src/shared`, `src/pipeline`,
 * `src/workflows`), activities as types only. ESLint enforces the imports by folder glob, subfolders
 * included.
 *
 * @packageDocumentation
 */

// Step helpers: one Codika execution inside your own workflow.
export { runCodikaExecution, type CodikaContractInput } from './run-codika-execution';
export {
  defineCodikaWorkflow,
  isCodikaWorkflowContract,
  type CodikaWorkflowContract,
  type AnyCodikaWorkflowContract,
  type CodikaPayloadOf,
  type CodikaResultOf,
  type CodikaContractProblem,
} from '../shared/contracts';
export { runCodikaExecutionAsChild, type CodikaChildOptions } from './run-codika-execution-as-child';

// How your own workflows move between Worker Deployment Versions, on versioned workers only.
export { setVersioningBehavior } from './versioning-behavior';

// Ready-made workflows, with their query and signal.
export {
  codikaExecutionWorkflow,
  codikaExecutionStateQuery,
  codikaPollNowSignal,
  codikaExecutionTriggeredUpdate,
  type CodikaTriggeredRun,
  type CodikaExecutionWorkflowInput,
} from './codika-execution-workflow';
export {
  codikaPipelineWorkflow,
  codikaPipelineStateQuery,
  codikaPipelineApproveUpdate,
  codikaPipelineTriggeredUpdate,
  codikaPipelineRedriveSeedQuery,
  type CodikaPipelineTriggered,
} from './codika-pipeline-workflow';
export type { CodikaApprovalRequest } from './pipeline-engine';
// One per key: the permits of `concurrency` and a `429`'s back-off, for every worker.
export {
  codikaFlowControlWorkflow,
  flowControlStateQuery as codikaFlowControlStateQuery,
} from './flow-control/codika-flow-control-workflow';
export {
  codikaDebounceWorkflow,
  debounceStateQuery as codikaDebounceStateQuery,
  type CodikaDebounceState,
  type CodikaDebounceWindow,
  type CodikaDebouncedExecution,
} from './flow-control/codika-debounce-workflow';

// What a run takes and gives back.
export type {
  CodikaExecutionInput,
  CodikaExecutionPhase,
  CodikaExecutionResult,
  CodikaExecutionState,
  CodikaPermitView,
  CodikaStepProgress,
  CodikaStepResume,
  CodikaTriggerProgress,
  CodikaTriggerWait,
  CodikaOnTriggerOutcomeUnknown,
  CodikaResolveTriggerRequest,
  CodikaResultOptions,
  CodikaTriggerAnswer,
  CodikaTriggerQuestion,
  CodikaTriggerResolution,
} from '../shared';
// An operator's answer to a step whose trigger's outcome is unknown (onTriggerOutcomeUnknown: 'ask').
export { codikaResolveTriggerUpdate } from './execution/operator-answers';
export {
  DEFAULT_POLL_SETTINGS,
  POLL_STRATEGIES,
  type CodikaPollOptions,
  type CodikaPollStrategy,
  type PollSettings,
} from '../shared';
export { DEFAULT_TRIGGER_DELIVERY, TRIGGER_DELIVERIES, type CodikaTriggerDelivery } from '../shared';
export type { Duration } from '../shared';
export type { CodikaPriority } from '../shared/priority';
export type {
  CodikaConcurrency,
  FlowControlState as CodikaFlowControlState,
  CodikaPermitLease,
} from '../shared/flow-control';
export type {
  CodikaPipelineApprovalAnswer,
  CodikaPipelineApprovalState,
  CodikaPipelineApprovalStep,
  CodikaPipelineAttempt,
  CodikaPipelineBatchState,
  CodikaPipelineCondition,
  CodikaPipelineDefinition,
  CodikaPipelineExecutionStep,
  CodikaPipelineItemCounts,
  CodikaPipelineItemState,
  CodikaPipelineInput,
  CodikaPipelineResult,
  CodikaPipelineState,
  CodikaPipelineFailure,
  CodikaPipelineStep,
  CodikaPipelineStepState,
  CodikaPipelineStepStatus,
} from '../pipeline';

// Failure types to match on (`ApplicationFailure.type`).
export {
  CODIKA_CONFIGURATION_ERROR,
  CODIKA_CREDENTIALS_MISSING,
  CODIKA_EXECUTION_FAILED,
  CODIKA_EXECUTION_TIMED_OUT,
  CODIKA_FAILURE_TYPES,
  CODIKA_PIPELINE_INVALID,
  CODIKA_TEMPLATE_ERROR,
  CODIKA_APPROVAL_REJECTED,
  CODIKA_APPROVAL_TIMED_OUT,
  CODIKA_RESULT_TOO_LARGE,
  CODIKA_STEP_STOPPED,
  CODIKA_BATCH_LOST,
  CODIKA_PAYLOAD_INVALID,
  CODIKA_RESULT_INVALID,
  CODIKA_TRIGGER_OUTCOME_UNKNOWN,
  CODIKA_VALIDATION_FAILURE,
} from '../shared';
