/**
 * Layer: the Codika HTTP client. Codika's two endpoints (trigger, status), its three ways to
 * authenticate, and every failure classified once (`CodikaError.kind`, `triggerOutcome`). Node only
 * (`fetch`, `crypto`); knows nothing of Temporal, so it can be used and tested on its own.
 */
export { CodikaClient, DEFAULT_CODIKA_BASE_URL, type CodikaClientOptions, type SharedBackoff } from './client';
export type { CodikaAuth, CodikaAuthMode } from './auth';
export { CodikaError } from './errors';
export type { CodikaExecutionStatus } from './types';
