import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';

/**
 * A workflow history as searchable text: payload bytes (base64 in JSON) are decoded, so a secret
 * inside an input, result or failure detail shows up as plain text.
 */
export function readableHistory(history: temporal.api.history.v1.IHistory): string {
  const json = JSON.parse(historyToJSON(history)) as unknown;
  return JSON.stringify(decodePayloadData(json));
}

function decodePayloadData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodePayloadData);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'data' && typeof inner === 'string') out[key] = Buffer.from(inner, 'base64').toString('utf8');
    else if (key === 'metadata' && typeof inner === 'object' && inner !== null) {
      out[key] = Object.fromEntries(
        Object.entries(inner).map(([k, v]) => [
          k,
          typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v,
        ]),
      );
    } else out[key] = decodePayloadData(inner);
  }
  return out;
}

/** JSON text of anything, BigInts included (log metadata carries some). */
export function stringifyAll(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
}
