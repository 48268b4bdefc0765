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
 *   `/`, `\`, `..`, whitespace or control characters.
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
  return value;
}

/**
 * Checks a trigger payload: absent means `{}`, otherwise a plain JSON object.
 *
 * @throws CodikaValidationError when the payload is an array, a primitive, or cannot be serialized to JSON.
 */
export function validatePayload(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new CodikaValidationError('payload', `expected a JSON object, got ${describeType(value)}`);
  }
  try {
    JSON.stringify(value);
  } catch (err) {
    throw new CodikaValidationError('payload', `cannot be serialized to JSON (${(err as Error).message})`);
  }
  return value as Record<string, unknown>;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
