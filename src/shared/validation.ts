import { CodikaValidationError } from './errors';

/** Longest id accepted; Codika ids are short slugs and UUIDs. */
export const MAX_ID_LENGTH = 200;

/** Ids that travel in a URL path segment of the Codika API. */
export type CodikaIdField = 'processInstanceId' | 'workflowId' | 'executionId';

/**
 * Checks an id that will be placed in a URL path segment and returns it unchanged.
 * Pure (no Node imports) so workflow code can validate its input with the same rules.
 *
 * @throws CodikaValidationError when the id is not a non-empty string of sane length, or contains
 *   `/`, `\`, `..`, whitespace, control characters, or anything but ASCII letters, digits and `._:~-`.
 */
export function validateId(field: CodikaIdField | string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new CodikaValidationError(field, `expected a string, got ${describeType(value)}`);
  }
  if (value.length === 0) throw new CodikaValidationError(field, 'must not be empty');
  if (value.length > MAX_ID_LENGTH) {
    throw new CodikaValidationError(field, `is ${value.length} characters long; at most ${MAX_ID_LENGTH} are allowed`);
  }
  if (value.includes('/') || value.includes('\\')) {
    throw new CodikaValidationError(field, 'must not contain "/" or "\\" (it is a single URL path segment)');
  }
  if (value.includes('..') || value === '.') {
    throw new CodikaValidationError(field, 'must not be "." or contain ".." (URL parsers drop such path segments)');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(value)) {
    throw new CodikaValidationError(field, 'must not contain whitespace or control characters');
  }
  const odd = value.match(/[^A-Za-z0-9._:~-]/u);
  if (odd) {
    // `?`, `#` and `%` would change or escape the URL; other characters never occur in Codika ids.
    throw new CodikaValidationError(
      field,
      `must hold only letters A-Z, digits and . _ - : ~ (Codika ids are slugs and UUIDs); found ${JSON.stringify(odd[0])}`,
    );
  }
  return value;
}

/**
 * Checks a trigger payload: absent means `{}`, otherwise a plain JSON object.
 *
 * @throws CodikaValidationError when the payload is an array, a primitive, cannot be serialized to JSON,
 *   or takes more than Temporal's 2 MB leaves for it.
 */
export function validatePayload(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new CodikaValidationError('payload', `expected a JSON object, got ${describeType(value)}`);
  }
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new CodikaValidationError('payload', `cannot be serialized to JSON (${(err as Error).message})`);
  }
  const bytes = utf8Length(json);
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new CodikaValidationError(
      'payload',
      `is ${bytes} bytes of JSON; Temporal refuses a workflow input over 2 MB (${MAX_PAYLOAD_BYTES} bytes are left for the payload): pass a reference such as a URL instead`,
    );
  }
  return value as Record<string, unknown>;
}

/** Temporal's default limit on one payload (the server's blob size limit). */
export const TEMPORAL_PAYLOAD_LIMIT_BYTES = 2 * 1024 * 1024;

/** What a Codika payload may take of a workflow input: the rest of the input needs a little room. */
export const MAX_PAYLOAD_BYTES = TEMPORAL_PAYLOAD_LIMIT_BYTES - 64 * 1024;

/** UTF-8 length without Node's Buffer, so workflow code can run the same check. */
/**
 * A step that attaches to an execution started elsewhere triggers nothing: a payload given with it
 * would never reach Codika, a mistake worth naming before anything runs.
 *
 * @throws CodikaValidationError (`payload`) when the payload has any field.
 */
export function refuseAttachedPayload(payload: Record<string, unknown>): void {
  if (Object.keys(payload).length === 0) return;
  throw new CodikaValidationError(
    'payload',
    'is never sent when attaching to executionId (nothing is triggered); remove the payload, or the executionId to trigger a new execution',
  );
}

export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code < 0xdc00) {
      bytes += 4; // a surrogate pair: one 4-byte character
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
