import type { CodikaTriggerOutcome } from '../shared/errors';

/**
 * Transport failures that happen before a byte of the request leaves: no address, no connection,
 * or a TLS handshake that failed. Anything else (a reset, a timeout, a socket closed mid-way) may
 * come after Codika read the request.
 */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'ECONNREFUSED',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

/**
 * What an HTTP error status to a trigger says about Codika's side. `503` ("unavailable, try later")
 * and every `3xx`/`4xx` refuse the request before any work; every other `5xx` (a `500` from Codika, a
 * gateway's `502` or `504`) can come after Codika started the execution.
 */
export function triggerOutcomeOfStatus(status: number): CodikaTriggerOutcome {
  return status >= 500 && status !== 503 ? 'outcome_unknown' : 'not_accepted';
}

/**
 * What a transport failure of a trigger (what `fetch` threw) says about Codika's side: `not_accepted`
 * only when the failure provably came before sending; a timeout or a reset is `outcome_unknown`.
 */
export function triggerOutcomeOfTransportFailure(err: unknown, timedOut: boolean): CodikaTriggerOutcome {
  if (timedOut) return 'outcome_unknown';
  const codes = causeCodes(err);
  return codes.length > 0 && codes.every((code) => NOT_SENT_CODES.has(code)) ? 'not_accepted' : 'outcome_unknown';
}

/** The error codes behind a `fetch` failure; a connection tried on several addresses reports each. */
function causeCodes(err: unknown): string[] {
  const cause = (err as { cause?: unknown } | undefined)?.cause as { code?: unknown; errors?: unknown[] } | undefined;
  if (cause === undefined || cause === null) return [];
  if (Array.isArray(cause.errors) && cause.errors.length > 0) {
    return cause.errors.map((inner) => String((inner as { code?: unknown } | undefined)?.code ?? ''));
  }
  return typeof cause.code === 'string' ? [cause.code] : [];
}
