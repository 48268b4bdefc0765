/**
 * The worker's side of result options: the status activities shape a Codika `success` result here,
 * before they return it. Whatever an activity returns is recorded in the workflow's history, so this
 * is the last place where a result can shrink to what the workflow needs, and where one too large
 * can fail with a message that says what to do instead of as a payload Temporal refuses.
 */
import { CODIKA_RESULT_TOO_LARGE } from '../shared/errors';
import { nonRetryableFailure } from '../shared/failures';
import {
  DEFAULT_RESULT_MAX_BYTES,
  parseJsonPointer,
  validateResultOptions,
  type CodikaResultOptions,
} from '../shared/result-options';
import { utf8Length } from '../shared/validation';

/** The ids a failure names, to find the execution in Codika and the step in the workflow. */
export interface ResultIds {
  executionId: string;
  /** The Codika workflow, when the activity input names it. */
  workflowId?: string;
}

/**
 * `resultData` as the workflow asked for it: only the parts `options.select` names (see
 * {@link CodikaResultOptions.select} for where they land), and no larger than `options.maxBytes`.
 * Without `select` the result is returned as given. The parts kept are the result's own values, not
 * copies. The options are checked again: they come from recorded activity input, which any client
 * could have written.
 *
 * @throws CodikaValidationError (field under `result`) on options that break the rules.
 * @throws ApplicationFailure `CodikaResultTooLarge` (non-retryable: the same execution gives the same
 *   result), whose details carry `{ executionId, workflowId, sizeBytes, limitBytes }` and whose message
 *   holds no part of the result.
 */
export function shapeResult(resultData: unknown, options: CodikaResultOptions | undefined, ids: ResultIds): unknown {
  const checked = validateResultOptions(options, 'result');
  const shaped = checked?.select === undefined ? resultData : select(resultData, checked.select);
  const limitBytes = checked?.maxBytes ?? DEFAULT_RESULT_MAX_BYTES;
  const sizeBytes = utf8Length(JSON.stringify(shaped) ?? '');
  if (sizeBytes > limitBytes) throw tooLarge(ids, sizeBytes, limitBytes, checked?.select !== undefined);
  return shaped;
}

/** What a pointer list asks for under one node of the document: all of it, or some of its children. */
interface Selection {
  whole: boolean;
  children: Map<string, Selection>;
}

/** Marks a part of the document that no pointer matched, apart from a `null` that was selected. */
const NOTHING: unique symbol = Symbol('nothing selected');

function select(root: unknown, pointers: readonly string[]): unknown {
  const kept = project(root, selectionOf(pointers));
  if (kept !== NOTHING) return kept;
  if (Array.isArray(root)) return [];
  return isObject(root) ? {} : null;
}

/** The pointers as one tree, where a wider pointer swallows every narrower one under it. */
function selectionOf(pointers: readonly string[]): Selection {
  const root: Selection = { whole: false, children: new Map() };
  for (const pointer of pointers) {
    let node = root;
    for (const key of parseJsonPointer(pointer)) {
      if (node.whole) break;
      let child = node.children.get(key);
      if (!child) node.children.set(key, (child = { whole: false, children: new Map() }));
      node = child;
    }
    node.whole = true;
    node.children.clear();
  }
  return root;
}

function project(value: unknown, selection: Selection): unknown {
  if (selection.whole) return value;
  if (Array.isArray(value)) return projectArray(value, selection);
  if (isObject(value)) return projectObject(value, selection);
  return NOTHING;
}

/** Selected indexes stay in place; positions before the last one that are not selected hold `null`. */
function projectArray(array: readonly unknown[], selection: Selection): unknown {
  const kept = new Map<number, unknown>();
  for (const [key, child] of selection.children) {
    const index = arrayIndex(key, array.length);
    if (index === undefined) continue;
    const part = project(array[index], child);
    if (part !== NOTHING) kept.set(index, part);
  }
  if (kept.size === 0) return NOTHING;
  const out: unknown[] = new Array<unknown>(Math.max(...kept.keys()) + 1).fill(null);
  for (const [index, part] of kept) out[index] = part;
  return out;
}

/** Selected keys in the object's own order (not the pointers'), so the same selection always reads alike. */
function projectObject(object: Record<string, unknown>, selection: Selection): unknown {
  const out: Record<string, unknown> = {};
  let matched = false;
  for (const key of Object.keys(object)) {
    const child = selection.children.get(key);
    if (!child) continue;
    const part = project(object[key], child);
    if (part === NOTHING) continue;
    // defineProperty, not assignment: a key `__proto__` (JSON.parse makes it an own key) must stay a key.
    Object.defineProperty(out, key, { value: part, enumerable: true, writable: true, configurable: true });
    matched = true;
  }
  return matched ? out : NOTHING;
}

/** An RFC 6901 array index within bounds: `0` or digits without a leading zero; `-` (past the end) matches nothing. */
function arrayIndex(key: string, length: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(key)) return undefined;
  const index = Number(key);
  return index < length ? index : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tooLarge(ids: ResultIds, sizeBytes: number, limitBytes: number, selected: boolean) {
  const of = ids.workflowId === undefined ? '' : ` of "${ids.workflowId}"`;
  return nonRetryableFailure(
    CODIKA_RESULT_TOO_LARGE,
    `Codika execution ${ids.executionId}${of} succeeded, but its result is ${sizeBytes} bytes of JSON` +
      `${selected ? ' after result.select' : ''}, over the ${limitBytes}-byte limit for a result entering workflow history: ` +
      'set result.select to keep only what the workflow needs, or raise result.maxBytes (Temporal refuses payloads over 2 MB)',
    { executionId: ids.executionId, workflowId: ids.workflowId, sizeBytes, limitBytes },
  );
}
