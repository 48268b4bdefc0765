/**
 * `codika-temporal`: Codika executions as durable Temporal steps. This entry is for code that runs
 * outside workflows (your worker, your API, your scripts). Workflow code imports
 * `codika-temporal/workflows`; tests and demos import `codika-temporal/testing`.
 *
 * @packageDocumentation
 */

// Start and follow runs from a Temporal client.
export {
  answerCodikaApproval,
  codikaPipelineState,
  resolveCodikaTrigger,
  redriveCodikaPipeline,
  CodikaRedriveRefusedError,
  type CodikaRedrivePlan,
  type CodikaRedriveStart,
  type RedriveCodikaPipelineOptions,
  connectCodikaClient,
  executeCodikaExecution,
  startCodikaCallbackReceiver,
  startCodikaExecution,
  startCodikaPipeline,
  type CodikaTriggeredStart,
  type CodikaPipelineTriggeredStart,
  type CodikaCallbackReceiver,
  type CodikaCallbackReceiverOptions,
  type StartCodikaExecutionOptions,
  type StartCodikaPipelineOptions,
} from './client';

// Flow control held across workers: the task queue's rate limits, whole and per process instance.
export {
  ensureCodikaRateLimits,
  describeCodikaRateLimits,
  type CodikaRateLimits,
  type CodikaRateLimitsOptions,
  listCodikaFlowControl,
  codikaFlowControlState,
  type CodikaFlowControlListing,
  type CodikaUnansweredKey,
  CodikaSingletonRunningError,
  type CodikaDebounceOptions,
  type CodikaDebouncedRun,
  type CodikaSingletonOptions,
  type CodikaSingletonRun,
} from './client';
export type {
  CodikaConcurrency,
  FlowControlState as CodikaFlowControlState,
  CodikaPermitLease,
  CodikaPermitAnswer,
  CodikaPermitRequest,
} from './shared/flow-control';

// One execution as one standalone activity, with no workflow around it (Temporal server 1.31+).
export {
  executeCodikaActivity,
  startCodikaActivity,
  CodikaStandaloneUnsupportedError,
  DEFAULT_ACTIVITY_HEARTBEAT_TIMEOUT_MS,
  type StartCodikaActivityOptions,
} from './client';
export {
  CODIKA_EXECUTION_ACTIVITY,
  DEFAULT_CANCEL_CHECK_INTERVAL_MS,
  type CodikaActivityPollOptions,
  type CodikaExecutionActivityInput,
  type CodikaActivityHeartbeat,
} from './activities';

// Run a worker: the Codika activities, on a worker of your own or the library's.
export { createCodikaWorker, type CodikaWorkerOptions } from './worker-setup/create-codika-worker';
export { CodikaPlugin, type CodikaPluginOptions } from './worker-setup/codika-plugin';
export { codikaNexusServiceHandler } from './worker-setup/codika-nexus-handler';
export { type CodikaWorkerDeployment } from './worker-setup/worker-deployment';
export {
  setCurrentCodikaVersion,
  type CurrentVersionOptions,
  type CurrentVersionChange,
} from './client/worker-deployment-version';
export {
  ensureCodikaNexusEndpoint,
  type CodikaNexusEndpoint,
  type CodikaNexusEndpointOptions,
} from './client/codika-nexus-endpoint';
export { codikaNexusService, DEFAULT_CODIKA_NEXUS_ENDPOINT, type CodikaNexusRunInput } from './shared/nexus-service';
export {
  createCodikaActivities,
  type CodikaActivities,
  type CodikaActivitiesOptions,
  type CodikaCredentials,
} from './activities';
export { DEFAULT_TASK_QUEUE } from './shared';
export type { CodikaPriority } from './shared/priority';
export {
  defineCodikaWorkflow,
  isCodikaWorkflowContract,
  type CodikaWorkflowContract,
  type AnyCodikaWorkflowContract,
  type CodikaPayloadOf,
  type CodikaResultOf,
  type CodikaContractProblem,
} from './shared/contracts';

// What a run takes and gives back.
export type {
  CodikaExecutionInput,
  CodikaExecutionPhase,
  CodikaExecutionResult,
  CodikaExecutionState,
  CodikaPermitView,
  CodikaOnTriggerOutcomeUnknown,
  CodikaResolveTriggerRequest,
  CodikaResultOptions,
  CodikaTriggerAnswer,
  CodikaTriggerQuestion,
  CodikaTriggerResolution,
} from './shared';
export { DEFAULT_RESULT_MAX_BYTES } from './shared';
export {
  DEFAULT_POLL_SETTINGS,
  POLL_STRATEGIES,
  type CodikaPollOptions,
  type CodikaPollStrategy,
  type PollSettings,
} from './shared';
export {
  DEFAULT_TRIGGER_DELIVERY,
  ON_TRIGGER_OUTCOME_UNKNOWN,
  TRIGGER_DELIVERIES,
  type CodikaTriggerDelivery,
} from './shared';
export type { Duration } from './shared';

// Pipelines: the file format, its checks and its JSON Schema.
export type {
  CodikaPipelineApprovalStep,
  CodikaPipelineCompensation,
  CodikaPipelineCondition,
  CodikaPipelineDefinition,
  CodikaPipelineExecutionStep,
  CodikaPipelineStep,
} from './pipeline';
export type { CodikaApprovalRequest } from './workflows';
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
} from './pipeline';
export { checkPipeline, formatProblems, type PipelineCheck, type PipelineProblem } from './pipeline';
export { pipelineJsonSchema } from './pipeline';

// Failures: the errors thrown here, and the failure types workflows match on.
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
} from './shared';
export { CodikaError } from './codika';
export { CodikaCredentialsMissingError } from './activities';
export { CodikaPipelineValidationError } from './client';

// The Codika HTTP client on its own, without Temporal.
export {
  CodikaClient,
  DEFAULT_CODIKA_BASE_URL,
  type CodikaAuth,
  type CodikaAuthMode,
  type CodikaClientOptions,
  type CodikaExecutionStatus,
  type SharedBackoff,
} from './codika';

// Encryption: a payload codec, failures encoded with it, and a codec server for the Temporal UI.
export { AesGcmPayloadCodec, codecFromEnv, type AesGcmCodecOptions } from './codec/aes-gcm-codec';
export { encryptedDataConverter, ENCODED_FAILURE_CONVERTER_PATH } from './codec/codec-data-converter';
export { LoggerWithoutFailureText } from './codec/logger-without-failure-text';
export { startCodecServer, type CodecServer, type CodecServerOptions } from './codec/codec-server';

// Observability: search attributes to filter runs by, and tracing.
export { CODIKA_SEARCH_ATTRIBUTES, CODIKA_SEARCH_ATTRIBUTE_NAMES, type CodikaStatusAttribute } from './shared';
export { codikaTracing, type CodikaTracing } from './worker-setup/tracing';
