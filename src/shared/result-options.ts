/**
 * What a workflow asks of a Codika `success` result before it enters Temporal history: which parts of
 * `resultData` to keep, and how large it may be. Here, workflow-safe, so that a workflow refuses bad
 * options when the step starts, with the very rules the worker applies later
 * (src/activities/result-shaping.ts), rather than after Codika has run the execution.
 */
import { CodikaValidationError } from './errors';

/** What a workflow asks of a success result. Wire shape: recorded in activity inputs; only add optional fields. */
export interface CodikaResultOptions {
  /**
   * RFC 6901 JSON pointers; only these parts of `resultData` are kept, each in its place:
   * - `''` keeps the whole result; `/items/0/id` reads `items`, its first element, then `id`
   *   (`~1` in a pointer stands for `/` in a key, `~0` for `~`);
   * - objects keep only the selected keys, in the result's own key order;
   * - arrays keep their selected indexes in place: an unselected position before a selected one is
   *   `null` (JSON has no holes), and nothing follows the last selected one;
   * - a pointer that matches nothing is left out, as results legitimately lack optional fields; when
   *   none matches, the result is the root's empty container (`{}` or `[]`), or `null` for a root
   *   that is neither (a string, a number, `null`, or no result at all): only `''` selects such a root;
   * - of two overlapping pointers (`/a` and `/a/b`) the wider one wins;
   * - an empty list keeps nothing, for a workflow that only needs to know the execution succeeded.
   */
  select?: string[];
  /** Largest `resultData` (JSON bytes, after `select`) that may enter history. @default DEFAULT_RESULT_MAX_BYTES */
  maxBytes?: number;
}

/**
 * The default {@link CodikaResultOptions.maxBytes}. Temporal refuses a payload over 2 MB
 * (`TEMPORAL_PAYLOAD_LIMIT_BYTES` in ./validation.ts, 2,097,152 bytes), and `resultData` is only part
 * of one: the activity result around it carries the status and ids, and a payload codec wraps the
 * whole in an envelope of its own (the encrypting codec adds its IV, tag and the inner payload's
 * metadata). The ~600 KB left cover both with margin, so a result under this limit does not fail
 * later as a payload Temporal refuses, with a message that says nothing of `result.select`.
 */
export const DEFAULT_RESULT_MAX_BYTES = 1_500_000;

/** The option names, for the message that refuses any other. */
const RESULT_OPTION_KEYS = ['select', 'maxBytes'] as const satisfies readonly (keyof CodikaResultOptions)[];

/**
 * Checks result options from a workflow input or a pipeline file and returns a copy holding only
 * the options given; absent options (`undefined`) stay absent.
 *
 * @param path Where the options sit in the caller's input, e.g. `result` or `steps[2].result`: each
 *   error names the field under it, e.g. `result.select[1]`.
 * @throws CodikaValidationError when the options are not an object, hold an unknown key, `select` is
 *   not a list of JSON pointers, or `maxBytes` is not a positive integer.
 */
export function validateResultOptions(options: unknown, path: string): CodikaResultOptions | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CodikaValidationError(
      path,
      `expected an object such as { select: ['/summary'], maxBytes: ${DEFAULT_RESULT_MAX_BYTES} }, got ${describeType(options)}`,
    );
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(RESULT_OPTION_KEYS as readonly string[]).includes(key)) {
      throw new CodikaValidationError(
        `${path}.${key}`,
        `is not a result option; the known ones are ${RESULT_OPTION_KEYS.join(' and ')}`,
      );
    }
  }
  const checked: CodikaResultOptions = {};
  if (given.select !== undefined) checked.select = validateSelect(given.select, `${path}.select`);
  if (given.maxBytes !== undefined) checked.maxBytes = validateMaxBytes(given.maxBytes, `${path}.maxBytes`);
  return checked;
}

function validateSelect(select: unknown, field: string): string[] {
  if (!Array.isArray(select)) {
    throw new CodikaValidationError(
      field,
      `expected a list of JSON pointers such as ['/summary'], got ${describeType(select)}`,
    );
  }
  return select.map((pointer: unknown, i) => {
    const problem = pointerProblem(pointer);
    if (problem) throw new CodikaValidationError(`${field}[${i}]`, problem);
    return pointer as string;
  });
}

/** Why a value is not an RFC 6901 JSON pointer, or `undefined` when it is one. */
function pointerProblem(pointer: unknown): string | undefined {
  if (typeof pointer !== 'string') return `must be a JSON pointer (a string), got ${describeType(pointer)}`;
  if (pointer !== '' && !pointer.startsWith('/')) {
    return `must be a JSON pointer ('' or starting with '/'), got ${JSON.stringify(pointer)}`;
  }
  if (/~(?![01])/.test(pointer)) {
    return `has a "~" not followed by 0 or 1 (write ~0 for "~" and ~1 for "/" in a key), got ${JSON.stringify(pointer)}`;
  }
  return undefined;
}

function validateMaxBytes(maxBytes: unknown, field: string): number {
  if (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new CodikaValidationError(
      field,
      `must be a positive integer number of bytes, got ${typeof maxBytes === 'number' ? String(maxBytes) : describeType(maxBytes)}`,
    );
  }
  return maxBytes;
}

/**
 * The keys a JSON pointer reads, unescaped: `''` gives none (the whole document), `/a~1b/0` gives
 * `['a/b', '0']`. `~1` is unescaped before `~0`, as RFC 6901 says, so `~01` reads as the key `~1`.
 *
 * @throws CodikaValidationError (as `pointer`) when the value is not a JSON pointer.
 */
export function parseJsonPointer(pointer: string): string[] {
  const problem = pointerProblem(pointer);
  if (problem) throw new CodikaValidationError('pointer', problem);
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
