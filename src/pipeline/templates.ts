/**
 * Payload templates of pipeline steps. Two forms, both reading a dotted path:
 *
 * - `{"$ref": "steps.summarize.resultData.text"}`: replaced by the value there, of any type;
 * - `"Summary of ${input.title}"`: the text of the value there, inside a string (objects and
 *   arrays as JSON). Write `$${` for a literal `${`.
 *
 * Paths start at `input` (the pipeline's input) or `steps.<id>.resultData` / `steps.<id>.executionId`
 * (a step this one depends on, directly or not). Array items are numbered: `input.items.0`. In a
 * `forEach` step, `item` is the current item and `index` its position (from 0).
 */
import { TemplateError } from './errors';

/** What templates can read. */
export interface TemplateScope {
  input: unknown;
  steps: Record<string, { resultData?: unknown; executionId?: string }>;
  /** The current item of a `forEach` step. */
  item?: unknown;
  /** The current item's position, from 0. */
  index?: number;
}

/** A path a template reads, and where in the template it is (for error messages). */
export interface TemplateRef {
  path: string;
  at: string;
}

const INTERPOLATION = /\$\$\{|\$\{([^}]*)\}/g;

export function isRef(value: unknown): value is { $ref: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    '$ref' in value
  );
}

/** Every path `template` reads, with where; a `$ref` that is not a string is reported with an empty path. */
export function collectRefs(template: unknown, at: string): TemplateRef[] {
  if (isRef(template)) return [{ path: typeof template.$ref === 'string' ? template.$ref : '', at: `${at}.$ref` }];
  if (typeof template === 'string') {
    return [...template.matchAll(INTERPOLATION)].flatMap((m) =>
      m[1] === undefined ? [] : [{ path: m[1].trim(), at }],
    );
  }
  if (Array.isArray(template)) return template.flatMap((item, i) => collectRefs(item, `${at}[${i}]`));
  if (typeof template === 'object' && template !== null) {
    return Object.entries(template).flatMap(([key, value]) => collectRefs(value, `${at}.${key}`));
  }
  return [];
}

/** What is wrong with a path's shape (before any value exists), or undefined when it is well formed. */
export function pathProblem(path: string): string | undefined {
  const segments = path.split('.');
  if (path === '' || segments.some((s) => s === ''))
    return `"${path}" is not a path: write segments joined by dots, e.g. input.customer.name`;
  if (segments[0] === 'input' || segments[0] === 'item') return undefined;
  if (segments[0] === 'index')
    return segments.length > 1 ? `"${path}": index is a number, with nothing inside` : undefined;
  if (segments[0] !== 'steps')
    return `"${path}" must start with "input" or "steps" (or "item", "index" in a forEach step)`;
  if (segments.length < 3 || (segments[2] !== 'resultData' && segments[2] !== 'executionId')) {
    return `"${path}" must read steps.<id>.resultData or steps.<id>.executionId`;
  }
  if (segments[2] === 'executionId' && segments.length > 3)
    return `"${path}": executionId is a string, with nothing inside`;
  return undefined;
}

/** The step a path reads from, if any. */
export function stepOfPath(path: string): string | undefined {
  const [root, id] = path.split('.');
  return root === 'steps' ? id : undefined;
}

/**
 * Renders `template` against `scope`.
 *
 * @throws TemplateError naming the place and the missing part when a path leads nowhere.
 */
export function renderTemplate(template: unknown, scope: TemplateScope, at: string): unknown {
  if (isRef(template)) {
    if (typeof template.$ref !== 'string') throw new TemplateError(`${at}.$ref`, 'must be a string path');
    return lookup(scope, template.$ref, `${at}.$ref`);
  }
  if (typeof template === 'string') {
    return template.replace(INTERPOLATION, (whole, path: string | undefined) =>
      path === undefined ? '${' : textOf(lookup(scope, path.trim(), at)),
    );
  }
  if (Array.isArray(template)) return template.map((item, i) => renderTemplate(item, scope, `${at}[${i}]`));
  if (typeof template === 'object' && template !== null) {
    return Object.fromEntries(
      Object.entries(template).map(([key, value]) => [key, renderTemplate(value, scope, `${at}.${key}`)]),
    );
  }
  return template;
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Where a path leads: the value, or how far it got and what was there. */
type Lookup = { found: true; value: unknown } | { found: false; problem: string };

/** Follows `path` in `scope` without throwing; `exists` conditions use it as it is. */
export function tryLookup(scope: TemplateScope, path: string): Lookup {
  const shape = pathProblem(path);
  if (shape) return { found: false, problem: shape };
  const segments = path.split('.');
  let value: unknown = scope;
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i]!;
    const container = value;
    const found =
      typeof container === 'object' && container !== null && Object.prototype.hasOwnProperty.call(container, segment);
    if (!found) {
      const reached = segments.slice(0, i).join('.') || '(the scope)';
      return { found: false, problem: `${path} does not exist: ${reached} ${describeKeys(container)}` };
    }
    value = (container as Record<string, unknown>)[segment];
  }
  return value === undefined ? { found: false, problem: `${path} does not exist` } : { found: true, value };
}

function lookup(scope: TemplateScope, path: string, at: string): unknown {
  const found = tryLookup(scope, path);
  if (!found.found) throw new TemplateError(at, found.problem);
  return found.value;
}

function describeKeys(value: unknown): string {
  if (Array.isArray(value)) return `is an array of ${value.length}`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    return keys.length === 0
      ? 'is an empty object'
      : `has ${keys.slice(0, 10).join(', ')}${keys.length > 10 ? ', …' : ''}`;
  }
  return `is ${value === null ? 'null' : typeof value}`;
}
