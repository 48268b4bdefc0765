/**
 * A step's `when`: a small JSON condition language over templated values, checked before the step
 * starts. Pure: the pipeline workflow evaluates it in workflow code, `checkPipeline` checks it
 * statically. Forms:
 *
 * - `{"$ref": "<path>"}`: the value there is truthy (everything but `false`, `null`, `0` and `""`);
 * - `true` / `false`;
 * - `{"equals": [a, b]}`, `{"notEquals": [a, b]}`: deep JSON equality of two operands;
 * - `{"in": [a, list]}`: `a` equals an item of the array `list`;
 * - `{"greaterThan": [a, b]}`, `{"lessThan": [a, b]}`: two numbers, or two strings (ISO dates compare in time order);
 * - `{"and": [c, …]}`, `{"or": [c, …]}`, `{"not": c}`;
 * - `{"exists": "<path>"}`: the path leads to a value (`null` included); never an error.
 *
 * An operand is any JSON value, a `{"$ref": "<path>"}` or a string with `${<path>}` (see `templates.ts`).
 */
import { TemplateError } from './errors';
import { collectRefs, isRef, renderTemplate, tryLookup, type TemplateRef, type TemplateScope } from './templates';

/** A `when` condition; see the module comment for each form. */
export type CodikaPipelineCondition =
  | boolean
  | {
      /** A path whose value must be truthy. */
      $ref: string;
    }
  | {
      /** Two operands that must be equal (deeply, as JSON). */
      equals: [unknown, unknown];
    }
  | {
      /** Two operands that must differ. */
      notEquals: [unknown, unknown];
    }
  | {
      /** A value, and an array that must hold it. */
      in: [unknown, unknown];
    }
  | {
      /** Two numbers (or two strings), the first greater. */
      greaterThan: [unknown, unknown];
    }
  | {
      /** Two numbers (or two strings), the first smaller. */
      lessThan: [unknown, unknown];
    }
  | {
      /** Conditions that must all hold. */
      and: CodikaPipelineCondition[];
    }
  | {
      /** Conditions of which one must hold. */
      or: CodikaPipelineCondition[];
    }
  | {
      /** A condition that must not hold. */
      not: CodikaPipelineCondition;
    }
  | {
      /** A path that must lead to a value (`null` included). */
      exists: string;
    };

/** The operators, in the order error messages list them. */
export const CONDITION_OPERATORS = [
  'equals',
  'notEquals',
  'in',
  'greaterThan',
  'lessThan',
  'and',
  'or',
  'not',
  'exists',
] as const;
type Operator = (typeof CONDITION_OPERATORS)[number];
const COMPARISONS = new Set<Operator>(['equals', 'notEquals', 'in', 'greaterThan', 'lessThan']);

const FORMS = `a condition is {"$ref": "<path>"}, true, false, or an object with one of ${CONDITION_OPERATORS.join(', ')}`;

/** A problem found in a condition, where it is. */
export interface ConditionProblem {
  path: string;
  message: string;
}

/**
 * Checks a condition's shape and its literal operands (types that could never compare); paths are
 * left to the caller, which knows which steps are upstream: see {@link conditionRefs}.
 */
export function conditionProblems(condition: unknown, at: string): ConditionProblem[] {
  if (typeof condition === 'boolean') return [];
  if (isRef(condition)) {
    return typeof condition.$ref === 'string' ? [] : [{ path: `${at}.$ref`, message: 'must be a string path' }];
  }
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
    return [{ path: at, message: `is not a condition: ${FORMS}` }];
  }
  const keys = Object.keys(condition);
  const operator = keys[0] as Operator;
  if (keys.length !== 1 || !(CONDITION_OPERATORS as readonly string[]).includes(operator)) {
    const unknown = keys.filter((k) => !(CONDITION_OPERATORS as readonly string[]).includes(k));
    return [
      {
        path: at,
        message:
          keys.length === 0
            ? `is an empty object: ${FORMS}`
            : unknown.length > 0
              ? `unknown operator ${unknown.map((k) => `"${k}"`).join(', ')}: ${FORMS}`
              : `holds ${keys.length} operators (${keys.join(', ')}): combine them with "and" or "or"`,
      },
    ];
  }
  const operand = (condition as Record<string, unknown>)[operator];
  const here = `${at}.${operator}`;
  if (operator === 'not') return conditionProblems(operand, here);
  if (operator === 'and' || operator === 'or') {
    if (!Array.isArray(operand) || operand.length === 0) {
      return [{ path: here, message: 'must be a non-empty array of conditions' }];
    }
    return operand.flatMap((c, i) => conditionProblems(c, `${here}[${i}]`));
  }
  if (operator === 'exists') {
    const path = isRef(operand) ? operand.$ref : operand;
    return typeof path === 'string'
      ? []
      : [{ path: here, message: 'must be a path, e.g. "steps.check.resultData.reason"' }];
  }
  if (!Array.isArray(operand) || operand.length !== 2) {
    return [{ path: here, message: 'must be an array of two operands, e.g. [{"$ref": "input.country"}, "BE"]' }];
  }
  return comparisonProblems(operator, operand as [unknown, unknown], here);
}

function comparisonProblems(operator: Operator, [a, b]: [unknown, unknown], at: string): ConditionProblem[] {
  if (operator === 'in') {
    return isLiteral(b) && !Array.isArray(b)
      ? [{ path: `${at}[1]`, message: `must be an array (or a $ref to one) to look ${JSON.stringify(a)} up in` }]
      : [];
  }
  if (operator !== 'greaterThan' && operator !== 'lessThan') return [];
  const problems: ConditionProblem[] = [];
  const literalTypes: string[] = [];
  [a, b].forEach((value, i) => {
    if (!isLiteral(value)) return;
    const type = typeOf(value);
    if (type !== 'number' && type !== 'string') {
      problems.push({ path: `${at}[${i}]`, message: `${operator} compares numbers or strings; this is ${type}` });
    } else literalTypes.push(type);
  });
  if (literalTypes.length === 2 && literalTypes[0] !== literalTypes[1]) {
    problems.push({
      path: at,
      message: `compares a ${literalTypes[0]} with a ${literalTypes[1]}: it would never hold`,
    });
  }
  return problems;
}

/** Every path a condition reads (`exists` included), with where, for the upstream checks. */
export function conditionRefs(condition: unknown, at: string): TemplateRef[] {
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) return [];
  if (isRef(condition)) return collectRefs(condition, at);
  return Object.entries(condition).flatMap(([operator, operand]) => {
    const here = `${at}.${operator}`;
    if (operator === 'exists') {
      const path = isRef(operand) ? operand.$ref : operand;
      return typeof path === 'string' ? [{ path, at: here }] : [];
    }
    if (operator === 'not') return conditionRefs(operand, here);
    if (!Array.isArray(operand)) return [];
    if (operator === 'and' || operator === 'or') return operand.flatMap((c, i) => conditionRefs(c, `${here}[${i}]`));
    return COMPARISONS.has(operator as Operator) ? collectRefs(operand, here) : [];
  });
}

/**
 * Evaluates a checked condition against what the pipeline knows now.
 *
 * @throws TemplateError when an operand's path leads nowhere, or values cannot be compared.
 */
export function evaluateCondition(condition: CodikaPipelineCondition, scope: TemplateScope, at: string): boolean {
  if (typeof condition === 'boolean') return condition;
  if (isRef(condition)) return truthy(renderTemplate(condition, scope, at));
  const [operator, operand] = Object.entries(condition)[0] as [Operator, unknown];
  const here = `${at}.${operator}`;
  switch (operator) {
    case 'not':
      return !evaluateCondition(operand as CodikaPipelineCondition, scope, here);
    case 'and':
      return (operand as CodikaPipelineCondition[]).every((c, i) => evaluateCondition(c, scope, `${here}[${i}]`));
    case 'or':
      return (operand as CodikaPipelineCondition[]).some((c, i) => evaluateCondition(c, scope, `${here}[${i}]`));
    case 'exists':
      return tryLookup(scope, isRef(operand) ? String(operand.$ref) : String(operand)).found;
    default: {
      const [a, b] = (operand as unknown[]).map((value, i) => renderTemplate(value, scope, `${here}[${i}]`));
      return compare(operator, a, b, here);
    }
  }
}

function compare(operator: Operator, a: unknown, b: unknown, at: string): boolean {
  if (operator === 'equals') return jsonEqual(a, b);
  if (operator === 'notEquals') return !jsonEqual(a, b);
  if (operator === 'in') {
    if (!Array.isArray(b))
      throw new TemplateError(`${at}[1]`, `"in" looks a value up in an array; this is ${typeOf(b)}`);
    return b.some((item) => jsonEqual(a, item));
  }
  const [ta, tb] = [typeOf(a), typeOf(b)];
  if (ta !== tb || (ta !== 'number' && ta !== 'string')) {
    throw new TemplateError(at, `${operator} compares two numbers or two strings; got ${ta} and ${tb}`);
  }
  const [x, y] = [a as number | string, b as number | string];
  return operator === 'greaterThan' ? x > y : x < y;
}

/** A condition in one short line, for the reason a step was skipped. */
export function describeCondition(condition: unknown): string {
  const text = JSON.stringify(condition) ?? String(condition);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

function truthy(value: unknown): boolean {
  return !(value === false || value === null || value === 0 || value === '' || value === undefined);
}

/** A literal operand: neither a `$ref` nor a string with `${…}`, so its type is known before the run. */
function isLiteral(value: unknown): boolean {
  if (isRef(value)) return false;
  return !(typeof value === 'string' && collectRefs(value, '').length > 0);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'string' : typeof value;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => jsonEqual(item, other[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual((a as never)[k], (b as never)[k]))
  );
}
