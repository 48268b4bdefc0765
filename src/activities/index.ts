/**
 * Layer: activities. One Codika call per activity (trigger, status check, the polling loops), and
 * `codikaExecution`, a whole execution as one standalone activity; built by a factory that closes over
 * the HTTP client and the worker's credentials, which never leave this layer. Every failure is mapped here, once, to the `ApplicationFailure` workflows match on. Node
 * code: workflows import this folder as types only.
 */
export {
  createCodikaActivities,
  type CodikaActivities,
  type CodikaActivitiesOptions,
} from './create-codika-activities';
export type { CodikaCredentials } from './credentials';
export {
  CODIKA_EXECUTION_ACTIVITY,
  DEFAULT_CANCEL_CHECK_INTERVAL_MS,
  type CodikaActivityPollOptions,
  type CodikaExecutionActivityInput,
} from './codika-execution-input';
export type { CodikaActivityHeartbeat, CodikaExecutionActivity } from './codika-execution-activity';
export { CodikaCredentialsMissingError } from './errors';
