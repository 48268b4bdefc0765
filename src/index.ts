/** Public entry for non-workflow code: client helpers, activities, worker, errors. */
export {
  CodikaClient,
  CodikaError,
  CodikaValidationError,
  DEFAULT_CODIKA_BASE_URL,
  parseRetryAfter,
  type CodikaAuth,
  type CodikaAuthMode,
  type CodikaClientOptions,
  type CodikaErrorKind,
  type CodikaExecutionStatus,
  type CodikaTriggerOutcome,
} from './codika';
export {
  createCodikaActivities,
  CodikaCredentialsMissingError,
  type CodikaActivities,
  type CodikaActivitiesOptions,
  type CodikaCredentials,
} from './activities';
export {
  connectCodikaClient,
  executeCodikaExecution,
  startCodikaExecution,
  startCodikaCallbackReceiver,
  type CodikaCallbackReceiver,
  type CodikaCallbackReceiverOptions,
  type StartCodikaExecutionOptions,
  CodikaPipelineValidationError,
  pipelineWorkflowArgs,
  startCodikaPipeline,
  type StartCodikaPipelineOptions,
} from './client';
export { checkPipeline, formatProblems, type PipelineCheck, type PipelineProblem } from './pipeline/check-pipeline';
export { pipelineJsonSchema } from './pipeline/json-schema';
export type { CodikaPipelineCompensation, CodikaPipelineDefinition, CodikaPipelineStep } from './pipeline/definition';
export type {
  CodikaPipelineInput,
  CodikaPipelineResult,
  CodikaPipelineState,
  CodikaPipelineStepState,
  CodikaPipelineStepStatus,
} from './pipeline/pipeline-types';
export { createCodikaWorker, type CodikaWorkerOptions } from './worker-setup/create-codika-worker';
export { AesGcmPayloadCodec, codecFromEnv, type AesGcmCodecOptions } from './codec/aes-gcm-codec';
export { encryptedDataConverter, ENCODED_FAILURE_CONVERTER_PATH } from './codec/codec-data-converter';
export { LoggerWithoutFailureText } from './codec/logger-without-failure-text';
export { startCodecServer, type CodecServer, type CodecServerOptions } from './codec/codec-server';
export { readWorkerEnv, type CodikaWorkerEnv } from './worker-setup/worker-env';
export type {
  CodikaExecutionInput,
  CodikaExecutionResult,
  CodikaExecutionState,
  CodikaPollOptions,
  CodikaPollStrategy,
  CodikaTriggerDelivery,
} from './shared/execution-types';
export { DEFAULT_TRIGGER_DELIVERY, TRIGGER_DELIVERIES } from './shared/trigger-delivery';
export {
  CODIKA_CREDENTIALS_MISSING,
  CODIKA_EXECUTION_FAILED,
  CODIKA_EXECUTION_TIMED_OUT,
  CODIKA_FAILURE_TYPES,
  CODIKA_VALIDATION_FAILURE,
  CODIKA_PIPELINE_INVALID,
  CODIKA_TEMPLATE_ERROR,
  CODIKA_TRIGGER_OUTCOME_UNKNOWN,
} from './shared/errors';
export {
  CODIKA_SEARCH_ATTRIBUTES,
  CODIKA_SEARCH_ATTRIBUTE_NAMES,
  type CodikaStatusAttribute,
} from './shared/search-attribute-keys';
export { registeredCodikaSearchAttributes } from './worker-setup/registered-search-attributes';
export { executionSummary, pipelineSummary } from './shared/ui-summaries';
export { temporalConnectSettings, DEFAULT_TEMPORAL_ADDRESS, type TemporalConnectSettings } from './client/temporal-connection';
export { codikaTracing, type CodikaTracing } from './worker-setup/tracing';
