/**
 * Errors of the Codika HTTP layer. `CodikaError` never crosses into Temporal as it is: the activities
 * turn it into an `ApplicationFailure` whose `type` is `CODIKA_FAILURE_TYPES[kind]` (see `src/shared/errors.ts`).
 * `RequestBodyTooLargeError` comes from the request-body reader the HTTP servers that face Codika
 * share (callback receiver, mock Codika) and the codec server; they answer it with `413`.
 */
import type { CodikaErrorKind, CodikaTriggerOutcome } from '../shared/errors';

const RETRYABLE_KINDS: ReadonlySet<CodikaErrorKind> = new Set([
  'conflict',
  'rate_limited',
  'server',
  'network',
  'timeout',
  'protocol',
]);

/** Context carried by every {@link CodikaError}. Never contains a credential. @inline */
export interface CodikaErrorDetails {
  kind: CodikaErrorKind;
  /** HTTP method and path of the request, without query string. */
  request: string;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Delay Codika asked for with `Retry-After`, in milliseconds. */
  retryAfterMs?: number;
  /** The response body, truncated and redacted. */
  body?: string;
  cause?: unknown;
  /** Overrides the kind's default, e.g. a trigger Codika may have accepted must not be re-sent. */
  retryable?: boolean;
  /** Trigger requests only: whether Codika may have started an execution. */
  triggerOutcome?: CodikaTriggerOutcome;
}

/**
 * Thrown when a request to Codika fails: an HTTP error status, a network failure, a timeout
 * or a response that does not follow the API. The message names the request and the cause.
 */
export class CodikaError extends Error {
  /** Not the failure `type`: in a workflow it becomes `CODIKA_FAILURE_TYPES[kind]`. */
  override readonly name = 'CodikaError';
  /** What went wrong; sets the default of `retryable` and the failure `type` in a workflow. */
  readonly kind: CodikaErrorKind;
  /** HTTP method and path of the request, without query string. */
  readonly request: string;
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** Delay Codika asked for with `Retry-After`, in milliseconds. */
  readonly retryAfterMs?: number;
  /** The response body, truncated and redacted. */
  readonly body?: string;
  /**
   * True when sending the same request again may succeed (5xx, 429, network, timeout, protocol),
   * except a trigger answered 2xx with an unusable body: Codika may have started that execution.
   */
  readonly retryable: boolean;
  /** Set on trigger failures: whether Codika may have started an execution (see {@link CodikaTriggerOutcome}). */
  readonly triggerOutcome?: CodikaTriggerOutcome;

  constructor(message: string, details: CodikaErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = details.kind;
    this.request = details.request;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.body = details.body;
    this.retryable = details.retryable ?? RETRYABLE_KINDS.has(details.kind);
    this.triggerOutcome = details.triggerOutcome;
  }
}

/** Thrown by {@link readRequestBody} when a body outgrows its cap; answer `413`. */
export class RequestBodyTooLargeError extends Error {
  override readonly name = 'RequestBodyTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`the request body is larger than ${maxBytes} bytes`);
  }
}
