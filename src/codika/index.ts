/**
 * Layer: the Codika HTTP client. Codika's two endpoints (trigger, status), its three ways to
 * authenticate, and every failure classified once (`CodikaError.kind`, `triggerOutcome`). Node only
 * (`fetch`, `crypto`); knows nothing of Temporal, so it can be used and tested on its own.
 */
export {
  CodikaClient,
  DEFAULT_CODIKA_BASE_URL,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type CodikaClientOptions,
  type CodikaResponseEvent,
} from './client';
export { AUTH_MODES, type CodikaAuth, type CodikaAuthMode } from './auth';
export { CodikaError, type CodikaErrorDetails } from './errors';
export type { CodikaErrorKind, CodikaTriggerOutcome } from '../shared/errors';
export {
  DEFAULT_FAILURE_MESSAGE,
  type CodikaExecutionStatus,
  type CodikaRequestOptions,
  type CodikaStatusRequest,
  type CodikaTriggerRequest,
  type CodikaTriggerResult,
} from './types';
