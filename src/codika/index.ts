export {
  CodikaClient,
  DEFAULT_CODIKA_BASE_URL,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type CodikaClientOptions,
  type CodikaResponseEvent,
} from './client';
export { AUTH_MODES, type CodikaAuth, type CodikaAuthMode } from './auth';
export {
  CodikaError,
  CodikaValidationError,
  type CodikaErrorKind,
  type CodikaErrorDetails,
  type CodikaTriggerOutcome,
} from './errors';
export { parseRetryAfter } from './retry-after';
export { validateId, validatePayload, MAX_ID_LENGTH } from '../shared/validation';
export {
  DEFAULT_FAILURE_MESSAGE,
  type CodikaExecutionStatus,
  type CodikaRequestOptions,
  type CodikaStatusRequest,
  type CodikaTriggerRequest,
  type CodikaTriggerResult,
} from './types';
