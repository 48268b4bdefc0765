/**
 * Task priority and fairness for Codika executions (Temporal's `Priority`): which backlogged
 * executions a saturated worker triggers first, and how the triggers are shared between process
 * instances. Workflow-safe: the step engine sets its activities' priority with these rules.
 */
import { CodikaValidationError } from './errors';
import { utf8Length } from './validation';

/**
 * Where an execution stands in a backlog: the same three fields as Temporal's `Priority`. Each field
 * left out is inherited from the workflow that runs the execution, else the server's default.
 */
export interface CodikaPriority {
  /** 1 goes first; the server's default is 3 of 1–5 (`matching.priorityLevels` sets how many levels). */
  priorityKey?: number;
  /**
   * Tasks of a backlog are shared between fairness keys in proportion to their weights, so a busy key
   * does not starve the others. At most 64 bytes. @default the execution's processInstanceId
   */
  fairnessKey?: string;
  /** This key's share against the others' (0.001–1000). @default 1 */
  fairnessWeight?: number;
}

/** Temporal's limit on a fairness key. */
export const MAX_FAIRNESS_KEY_BYTES = 64;
const KNOWN_KEYS = new Set(['priorityKey', 'fairnessKey', 'fairnessWeight']);

/**
 * Checks a priority before anything starts and returns it without undefined fields.
 *
 * @throws CodikaValidationError naming the field and the accepted values.
 */
export function checkPriority(value: unknown, field = 'priority'): CodikaPriority | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CodikaValidationError(field, 'expected an object with priorityKey, fairnessKey and/or fairnessWeight');
  }
  for (const key of Object.keys(value)) {
    if (!KNOWN_KEYS.has(key))
      throw new CodikaValidationError(
        `${field}.${key}`,
        'unknown field; expected priorityKey, fairnessKey or fairnessWeight',
      );
  }
  const { priorityKey, fairnessKey, fairnessWeight } = value as Record<string, unknown>;
  const checked: CodikaPriority = {};
  if (priorityKey !== undefined) {
    if (!Number.isInteger(priorityKey) || (priorityKey as number) < 1) {
      throw new CodikaValidationError(
        `${field}.priorityKey`,
        'must be a positive integer: 1 goes first, 3 is the default of 1–5',
      );
    }
    checked.priorityKey = priorityKey as number;
  }
  if (fairnessKey !== undefined) {
    if (
      typeof fairnessKey !== 'string' ||
      fairnessKey.length === 0 ||
      utf8Length(fairnessKey) > MAX_FAIRNESS_KEY_BYTES
    ) {
      throw new CodikaValidationError(
        `${field}.fairnessKey`,
        `must be a non-empty string of at most ${MAX_FAIRNESS_KEY_BYTES} bytes`,
      );
    }
    checked.fairnessKey = fairnessKey;
  }
  if (fairnessWeight !== undefined) {
    if (typeof fairnessWeight !== 'number' || !(fairnessWeight >= 0.001 && fairnessWeight <= 1000)) {
      throw new CodikaValidationError(
        `${field}.fairnessWeight`,
        'must be a number from 0.001 to 1000 (1 is the default)',
      );
    }
    checked.fairnessWeight = fairnessWeight;
  }
  return checked;
}

/** `override`'s fields over `base`'s, field by field (a step's priority over its pipeline's). */
export function mergePriorities(base?: CodikaPriority, override?: CodikaPriority): CodikaPriority | undefined {
  if (!base) return override;
  if (!override) return base;
  return { ...base, ...override };
}

/**
 * The priority an execution's workflow or activities get: the fairness key defaults to its process
 * instance, so one busy process instance shares the worker with the others instead of starving them.
 * `inheritedFairnessKey` is the running workflow's: a key the caller chose for it wins over the default.
 */
export function executionPriority(
  processInstanceId: string,
  priority: CodikaPriority | undefined,
  inheritedFairnessKey?: string,
): CodikaPriority {
  if (priority?.fairnessKey || inheritedFairnessKey) return { ...priority };
  return { ...priority, fairnessKey: fairnessKeyOf(processInstanceId) };
}

/**
 * A process instance id as a fairness key. Ids are ASCII and up to 200 characters; past 64, the
 * first 55 and a hash of the whole keep long ids that share a prefix apart.
 */
export function fairnessKeyOf(processInstanceId: string): string {
  if (processInstanceId.length <= MAX_FAIRNESS_KEY_BYTES) return processInstanceId;
  let hash = 0x811c9dc5;
  for (let i = 0; i < processInstanceId.length; i++) {
    hash = Math.imul(hash ^ processInstanceId.charCodeAt(i), 0x01000193) >>> 0;
  }
  return `${processInstanceId.slice(0, 55)}~${hash.toString(16).padStart(8, '0')}`;
}
