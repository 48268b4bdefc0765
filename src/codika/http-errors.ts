import type { CodikaErrorKind } from '../shared/errors';

/** Maps an HTTP error status to the kind of failure it reports. */
export function kindForStatus(status: number): CodikaErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/** Tells a timeout from other transport failures (reset, refused, DNS) thrown by `fetch`. */
export function classifyFetchFailure(err: unknown): CodikaErrorKind {
  const name = (err as { name?: string } | undefined)?.name;
  const code = ((err as { cause?: { code?: string } } | undefined)?.cause ?? {}).code;
  if (name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return 'timeout';
  return 'network';
}
