import { applyAuth, secretOf, type CodikaAuth } from './auth';
import { CodikaValidationError, type CodikaErrorKind } from '../shared/errors';
import { CodikaError } from './errors';
import { classifyFetchFailure, kindForStatus } from './http-errors';
import { redactAndTruncate } from './redact';
import { parseRetryAfter } from './retry-after';
import { triggerOutcomeOfStatus, triggerOutcomeOfTransportFailure } from './trigger-outcome';
import {
  DEFAULT_FAILURE_MESSAGE,
  type CodikaExecutionStatus,
  type CodikaRequestOptions,
  type CodikaStatusRequest,
  type CodikaTriggerRequest,
  type CodikaTriggerResult,
} from './types';
import { validateId, validatePayload } from '../shared/validation';

/** Codika's public API. */
export const DEFAULT_CODIKA_BASE_URL = 'https://api.codika.io';
/** Per-request timeout. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Options of {@link CodikaClient}. */
export interface CodikaClientOptions {
  /** Root of the API; `webhook/…` and `status/…` are appended. @default 'https://api.codika.io' */
  baseUrl?: string;
  /** Credentials, fixed or chosen per process instance (Codika keys belong to one instance). */
  auth: CodikaAuth | ((processInstanceId: string) => CodikaAuth);
  /** Abort a request that has not completed after this many milliseconds. @default 30000 */
  timeoutMs?: number;
  /** Told of every answer (its HTTP status) or failure to get one (`timeout`, `network`…): for metrics. */
  onResponse?(event: CodikaResponseEvent): void;
  /**
   * A back-off shared by everyone calling the same process instance: asked before each request (a
   * wait holds the request back, unsent), told of each `429` with its `Retry-After`.
   */
  backoff?: SharedBackoff;
}

/** A `429`'s back-off, shared beyond this client (the activities share it across workers). */
export interface SharedBackoff {
  /** How long calls of this process instance must still wait, in milliseconds (0: none). */
  waitMs(processInstanceId: string): Promise<number>;
  /** Codika answered `429` for this process instance and asked for this wait. */
  rateLimited(processInstanceId: string, retryAfterMs: number): void;
}

/** One request's outcome, as {@link CodikaClientOptions.onResponse} hears it. @inline */
export interface CodikaResponseEvent {
  endpoint: 'trigger' | 'status';
  /** The HTTP status (`"200"`, `"503"`), or why there was none (`"timeout"`, `"network"`). */
  outcome: string;
}

/**
 * A plain HTTP client for Codika's two endpoints. One request per call, no retries: the caller
 * (a Temporal activity) owns retry policy. Errors are {@link CodikaError}s whose text never holds
 * a credential.
 */
export class CodikaClient {
  /** The API root requests go to, without a trailing slash. */
  readonly baseUrl: string;
  private readonly resolveAuth: (processInstanceId: string) => CodikaAuth;
  private readonly timeoutMs: number;
  private readonly onResponse?: (event: CodikaResponseEvent) => void;
  private readonly backoff?: SharedBackoff;

  /** @throws CodikaValidationError when `baseUrl` is not an http(s) URL or `timeoutMs` is not positive. */
  constructor(options: CodikaClientOptions) {
    this.baseUrl = normalizeBaseUrl(options.baseUrl ?? DEFAULT_CODIKA_BASE_URL);
    const auth = options.auth;
    this.resolveAuth = typeof auth === 'function' ? auth : () => auth;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.onResponse = options.onResponse;
    this.backoff = options.backoff;
    if (!(this.timeoutMs > 0))
      throw new CodikaValidationError('timeoutMs', 'must be a positive number of milliseconds');
  }

  /**
   * Starts an execution: `POST webhook/{processInstanceId}/{workflowId}` with `{"payload": …}`.
   *
   * @throws CodikaValidationError on a bad id or payload, before any request.
   * @throws CodikaError on any failed request, or `protocol` when the response has neither `executionId` nor `id`;
   *   its `triggerOutcome` says whether Codika may have started an execution.
   */
  async trigger(request: CodikaTriggerRequest, options: CodikaRequestOptions = {}): Promise<CodikaTriggerResult> {
    const processInstanceId = validateId('processInstanceId', request.processInstanceId);
    const workflowId = validateId('workflowId', request.workflowId);
    const payload = validatePayload(request.payload);
    const path = `/webhook/${encodeURIComponent(processInstanceId)}/${encodeURIComponent(workflowId)}`;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (request.idempotencyKey !== undefined) {
      headers['Idempotency-Key'] = validateId('idempotencyKey', request.idempotencyKey);
    }
    const data = await this.send('POST', path, processInstanceId, headers, JSON.stringify({ payload }), options);
    const executionId = data.executionId ?? data.id;
    if (typeof executionId !== 'string' || executionId === '') {
      throw new CodikaError(
        `Codika accepted POST ${path} but its response has no executionId or id; it may have started an execution, so the trigger is not repeated`,
        {
          kind: 'protocol',
          request: `POST ${path}`,
          status: 200,
          body: this.clean(JSON.stringify(data), processInstanceId),
          retryable: false,
          triggerOutcome: 'outcome_unknown',
        },
      );
    }
    return { executionId, message: typeof data.message === 'string' ? data.message : undefined };
  }

  /**
   * Reads an execution's state: `GET status/{processInstanceId}/{executionId}`.
   *
   * @throws CodikaValidationError on a bad id, before any request.
   * @throws CodikaError on any failed request, or `protocol` when the body has no `execution` object.
   */
  async getStatus(request: CodikaStatusRequest, options: CodikaRequestOptions = {}): Promise<CodikaExecutionStatus> {
    const processInstanceId = validateId('processInstanceId', request.processInstanceId);
    const executionId = validateId('executionId', request.executionId);
    const path = `/status/${encodeURIComponent(processInstanceId)}/${encodeURIComponent(executionId)}`;
    const data = await this.send('GET', path, processInstanceId, {}, '', options);
    const execution = data.execution;
    if (typeof execution !== 'object' || execution === null) {
      throw new CodikaError(`Codika answered GET ${path} without an execution object`, {
        kind: 'protocol',
        request: `GET ${path}`,
        status: 200,
        body: this.clean(JSON.stringify(data), processInstanceId),
      });
    }
    const { status, resultData, errorDetails } = execution as Record<string, unknown>;
    if (typeof status !== 'string') {
      throw new CodikaError(`Codika answered GET ${path} with an execution that has no status`, {
        kind: 'protocol',
        request: `GET ${path}`,
        status: 200,
        body: this.clean(JSON.stringify(data), processInstanceId),
      });
    }
    if (status === 'success') return { status: 'success', resultData: resultData ?? null };
    if (status === 'failed') {
      const message = (errorDetails as { message?: unknown } | undefined)?.message;
      return {
        status: 'failed',
        errorMessage: typeof message === 'string' && message ? message : DEFAULT_FAILURE_MESSAGE,
      };
    }
    return status === 'pending' ? { status: 'pending' } : { status: 'pending', reportedStatus: status };
  }

  /** Tells `onResponse`, whose failure must never turn an answer Codika gave into a failed call. */
  private report(endpoint: CodikaResponseEvent['endpoint'], outcome: string): void {
    try {
      this.onResponse?.({ endpoint, outcome });
    } catch {
      // Metrics are best effort.
    }
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    processInstanceId: string,
    headers: Record<string, string>,
    body: string,
    options: CodikaRequestOptions,
  ): Promise<Record<string, unknown>> {
    const request = `${method} ${path}`;
    const endpoint = method === 'POST' ? 'trigger' : 'status';
    const isTrigger = endpoint === 'trigger';
    const heldBackMs = (await this.backoff?.waitMs(processInstanceId)) ?? 0;
    if (heldBackMs > 0) {
      // Another call of this instance got a 429: this one waits too, unsent, so Codika sees none.
      throw new CodikaError(
        `Codika request ${request} held back, not sent: process instance ${processInstanceId} is backing off ` +
          `after a 429 for ${Math.ceil(heldBackMs / 1000)} s more`,
        {
          kind: 'rate_limited',
          request,
          retryAfterMs: heldBackMs,
          triggerOutcome: isTrigger ? 'not_accepted' : undefined,
        },
      );
    }
    const url = new URL(this.baseUrl + path);
    applyAuth(this.resolveAuth(processInstanceId), url, headers, body);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;

    let response: Response;
    let text: string;
    try {
      // Never follow a redirect: it would carry the API key to whatever host the Location names.
      response = await fetch(url, {
        method,
        headers,
        body: method === 'POST' ? body : undefined,
        signal,
        redirect: 'manual',
      });
      text = await response.text();
    } catch (err) {
      // The caller's own abort (activity cancellation) is not a Codika failure: surface it as is.
      if (options.signal?.aborted) throw options.signal.reason;
      const kind: CodikaErrorKind = timeout.aborted ? 'timeout' : classifyFetchFailure(err);
      this.report(endpoint, kind);
      const reason = kind === 'timeout' ? `no response within ${this.timeoutMs} ms` : describeCause(err);
      throw new CodikaError(this.clean(`Codika request ${request} failed (${kind}): ${reason}`, processInstanceId), {
        kind,
        request,
        cause: kind === 'timeout' ? undefined : this.cleanCause(err, processInstanceId),
        triggerOutcome: isTrigger ? triggerOutcomeOfTransportFailure(err, timeout.aborted) : undefined,
      });
    }

    this.report(endpoint, String(response.status));
    if (response.status >= 300 && response.status < 400) {
      throw new CodikaError(
        `Codika request ${request} was redirected (status ${response.status}); redirects are not followed so credentials stay with Codika: check baseUrl`,
        {
          kind: 'bad_request',
          request,
          status: response.status,
          triggerOutcome: isTrigger ? 'not_accepted' : undefined,
        },
      );
    }
    if (!response.ok) {
      const kind = kindForStatus(response.status);
      const retryAfterMs =
        kind === 'rate_limited' || kind === 'server' || kind === 'conflict'
          ? parseRetryAfter(response.headers.get('retry-after'))
          : undefined;
      if (kind === 'rate_limited' && retryAfterMs !== undefined)
        this.backoff?.rateLimited(processInstanceId, retryAfterMs);
      const snippet = this.clean(text, processInstanceId);
      throw new CodikaError(
        `Codika request ${request} failed with status ${response.status} (${kind})${snippet ? `: ${snippet}` : ''}`,
        {
          kind,
          request,
          status: response.status,
          retryAfterMs,
          body: snippet,
          triggerOutcome: isTrigger ? triggerOutcomeOfStatus(response.status) : undefined,
        },
      );
    }

    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
      return parsed as Record<string, unknown>;
    } catch {
      const snippet = this.clean(text, processInstanceId);
      // A POST that got a 2xx may have started an execution: repeating it could start a second one.
      throw new CodikaError(
        `Codika request ${request} returned status ${response.status} with a body that is not a JSON object${
          isTrigger ? ' (it may have started an execution, so the trigger is not repeated)' : ''
        }: ${snippet}`,
        {
          kind: 'protocol',
          request,
          status: response.status,
          body: snippet,
          retryable: !isTrigger,
          triggerOutcome: isTrigger ? 'outcome_unknown' : undefined,
        },
      );
    }
  }

  private clean(text: string, processInstanceId: string): string {
    return redactAndTruncate(text, [secretOf(this.resolveAuth(processInstanceId))]);
  }

  /** Keeps the cause's message for debugging, minus anything secret (undici puts the URL in some messages). */
  private cleanCause(err: unknown, processInstanceId: string): Error {
    const cause = new Error(this.clean(describeCause(err), processInstanceId));
    cause.name = err instanceof Error ? err.name : 'Error';
    return cause;
  }
}

function normalizeBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    // The value is not echoed: a mistyped one may hold a key (`host/?api_key=…`).
    throw new CodikaValidationError('baseUrl', `is not an absolute http(s) URL; use e.g. ${DEFAULT_CODIKA_BASE_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CodikaValidationError('baseUrl', `must use http or https, got ${url.protocol}`);
  }
  if (baseUrl.includes('?') || baseUrl.includes('#') || url.username || url.password) {
    throw new CodikaValidationError(
      'baseUrl',
      'must not carry a query string, a fragment or credentials; configure the API key instead',
    );
  }
  return url.toString().replace(/\/+$/, '');
}

function describeCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err.cause as { code?: string } | undefined)?.code;
  const inner = err.cause instanceof Error ? err.cause.message : undefined;
  return [err.message, code, inner && inner !== err.message ? inner : undefined].filter(Boolean).join(': ');
}
