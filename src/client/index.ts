/**
 * Layer: client helpers. Start and follow Codika runs from any Temporal client (input checked before
 * anything starts), connect from Temporal's environment configuration, and receive Codika's signed
 * callbacks. Node code; thin shells over the workflows' names and types.
 */
export {
  executeCodikaExecution,
  startCodikaExecution,
  type CodikaTriggeredStart,
  type StartCodikaExecutionOptions,
} from './start-codika-execution';
export {
  startCodikaPipeline,
  type CodikaPipelineTriggeredStart,
  type StartCodikaPipelineOptions,
} from './start-codika-pipeline';
export { answerCodikaApproval, codikaPipelineState } from './answer-codika-approval';
export { resolveCodikaTrigger } from './resolve-codika-trigger';
export {
  redriveCodikaPipeline,
  CodikaRedriveRefusedError,
  type CodikaRedrivePlan,
  type CodikaRedriveStart,
  type RedriveCodikaPipelineOptions,
} from './redrive-codika-pipeline';
export {
  startCodikaCallbackReceiver,
  type CodikaCallbackReceiver,
  type CodikaCallbackReceiverOptions,
} from './callback-receiver';
export { executeCodikaActivity, startCodikaActivity } from './standalone/start-codika-activity';
export {
  DEFAULT_ACTIVITY_HEARTBEAT_TIMEOUT_MS,
  type StartCodikaActivityOptions,
} from './standalone/codika-activity-start';
export { CodikaStandaloneUnsupportedError } from './standalone/standalone-unsupported';
export {
  ensureCodikaRateLimits,
  describeCodikaRateLimits,
  type CodikaRateLimits,
  type CodikaRateLimitsOptions,
} from './flow-control/rate-limits';
export {
  listCodikaFlowControl,
  codikaFlowControlState,
  type CodikaFlowControlListing,
  type CodikaUnansweredKey,
} from './flow-control/flow-control-state';
export {
  CodikaSingletonRunningError,
  type CodikaDebounceOptions,
  type CodikaDebouncedRun,
  type CodikaSingletonOptions,
  type CodikaSingletonRun,
} from './flow-control/keyed-starts';
export { connectCodikaClient } from './connect-client';
export { CodikaPipelineValidationError } from './errors';
