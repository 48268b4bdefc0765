/**
 * Layer: shared, WORKFLOW-SAFE. The vocabulary every other layer speaks: the public types of a run,
 * the activities' wire shapes, the poll options and their one schema, durations, trigger delivery,
 * every failure type, the search attribute keys and the texts the Temporal UI shows at start.
 *
 * Contract: no Node built-in, no I/O, no clock, no randomness, because workflows bundle this code
 * and replay it. ESLint enforces the imports for the whole folder by glob: no Node built-in, and
 * values only from other workflow-safe folders. Names here are wire identifiers where the docs say so: never
 * rename those.
 */
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
  CodikaTriggerAnswer,
  CodikaTriggerQuestion,
  CodikaTriggerResolution,
} from './execution-types';
export { DEFAULT_RESULT_MAX_BYTES, type CodikaResultOptions } from './result-options';
export {
  DEFAULT_POLL_SETTINGS,
  POLL_STRATEGIES,
  type CodikaPollOptions,
  type CodikaPollStrategy,
  type PollSettings,
} from './poll-options';
export {
  DEFAULT_TRIGGER_DELIVERY,
  ON_TRIGGER_OUTCOME_UNKNOWN,
  TRIGGER_DELIVERIES,
  type CodikaTriggerDelivery,
} from './trigger-delivery';
export { type Duration } from './durations';
export { DEFAULT_TASK_QUEUE } from './task-queue';
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
  CodikaValidationError,
  type CodikaErrorKind,
  type CodikaTriggerOutcome,
} from './errors';
export {
  CODIKA_SEARCH_ATTRIBUTES,
  CODIKA_SEARCH_ATTRIBUTE_NAMES,
  type CodikaStatusAttribute,
} from './search-attribute-keys';
