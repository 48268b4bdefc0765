/**
 * The input of the standalone `codikaExecution` activity: one Codika execution, started from a client
 * with no workflow around it. A wire shape the server stores with the activity: fields may be added
 * (optional), never renamed or removed. It is checked twice with the same code, by the client before
 * anything starts and by the activity, whose input any client could have written.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Duration } from '../shared/durations';
import { CODIKA_VALIDATION_FAILURE, CodikaValidationError } from '../shared/errors';
import type { CheckedExecutionInput, CodikaExecutionInput } from '../shared/execution-types';
import { isPositiveDuration, type CodikaPollOptions } from '../shared/poll-options';
import { parseDuration } from '../shared/durations';
import { checkPollSettings } from '../workflows/execution/poll-settings';
import { AUTO_SCHEDULE } from '../workflows/execution/polling-strategies';
import { EXECUTION_INPUT_KEYS, validateExecutionInput } from '../workflows/execution/validate-input';

/**
 * The activity's type name: a wire identifier (clients start it by this name, the server records it),
 * never renamed. It reads as `codikaExecutionWorkflow` without the workflow.
 */
export const CODIKA_EXECUTION_ACTIVITY = 'codikaExecution';

/**
 * The poll options a standalone activity takes: those of {@link CodikaPollOptions} but `strategy` (it
 * always checks in its own loop) and `activityTimeout` (it is one long attempt; each request is bounded
 * by the worker's request timeout).
 */
export type CodikaActivityPollOptions = Omit<CodikaPollOptions, 'strategy' | 'activityTimeout'>;

/** What the `codikaExecution` activity takes: the execution, how to poll it, how often to look for a cancel. */
export interface CodikaExecutionActivityInput extends CodikaExecutionInput {
  /** How to wait for the result; the defaults are the workflow path's. */
  poll?: CodikaActivityPollOptions;
  /**
   * How often the activity asks the server (a describe, not a billable action) whether it was
   * cancelled; `null` leaves cancellations to the keep-alive heartbeats. @default '2 seconds'
   */
  cancelCheckInterval?: Duration | null;
}

/** The poll settings that apply to a standalone activity, in milliseconds. */
export interface ActivityPollSettings {
  firstPollAfterMs: number;
  backoffCoefficient: number;
  maxPollIntervalMs: number;
  deadlineMs: number;
  notFoundGraceMs: number;
  /**
   * When no interval option was given: how long after acceptance the activity checks every second,
   * as `auto`'s first phase does (checks cost no Temporal action here, only a request to Codika),
   * before backing off from 10 s to `maxPollIntervalMs`. 0 when the caller chose the intervals.
   */
  fastPhaseMs: number;
}

/** An input {@link checkCodikaExecutionActivityInput} accepted. */
export interface CheckedActivityInput {
  execution: CheckedExecutionInput;
  poll: ActivityPollSettings;
  /** `null`: no cancel checks between heartbeats. */
  cancelCheckIntervalMs: number | null;
}

/** How often the activity looks for a cancellation by default. */
export const DEFAULT_CANCEL_CHECK_INTERVAL_MS = 2_000;

/** The shortest `cancelCheckInterval`: each look is a describe call to the server, per running execution. */
export const MIN_CANCEL_CHECK_INTERVAL_MS = 1_000;

/** Fields of the workflow path's input a standalone input refuses with a message of their own. */
const OPERATOR_KEYS = ['onTriggerOutcomeUnknown', 'operatorTimeout', 'concurrency'] as const;

/**
 * The execution fields a standalone activity's input takes: the workflow path's, but the operator
 * options (`onTriggerOutcomeUnknown` may only say `'fail'`, its default, and `operatorTimeout` not at
 * all) and `concurrency` (a permit needs a workflow to hold it).
 */
const STANDALONE_EXECUTION_KEYS = EXECUTION_INPUT_KEYS.filter(
  (key) => !(OPERATOR_KEYS as readonly string[]).includes(key),
);

/** The start options the activity input carries beside the execution's fields, set from the options argument. */
const CARRIED_OPTIONS = ['poll', 'cancelCheckInterval'] as const;

/** Options of `startCodikaActivity` that are never part of the input. */
const START_OPTIONS = ['taskQueue', 'activityId', 'heartbeatTimeout', ...CARRIED_OPTIONS] as const;

/**
 * Checks an activity input with the workflow path's own rules (ids, payload, delivery, priority,
 * executionId, result options, poll options), and refuses what only a workflow can do.
 *
 * @param input - The activity's input: the execution's fields, and `poll` and `cancelCheckInterval` unless `options` is given.
 * @param path - The name of the input in messages.
 * @param options - A client's start options (`poll`, `cancelCheckInterval`): given, the input itself must not carry them.
 * @throws CodikaValidationError naming the field (under `path`, `poll.…` for poll options, `cancelCheckInterval`) and the fix.
 */
export function checkCodikaExecutionActivityInput(
  input: unknown,
  path = 'input',
  options?: Pick<CodikaExecutionActivityInput, 'poll' | 'cancelCheckInterval'>,
): CheckedActivityInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new CodikaValidationError(
      path,
      'expected an object with processInstanceId, workflowId and an optional payload',
    );
  }
  refuseUnknownFields(input as Record<string, unknown>, path, options !== undefined);
  const { poll, cancelCheckInterval, ...execution } = { ...input, ...options } as CodikaExecutionActivityInput;
  if ((execution as { concurrency?: unknown }).concurrency !== undefined) {
    throw new CodikaValidationError(
      `${path}.concurrency`,
      'needs a workflow to hold its permit while the execution runs; remove it, or run the execution with ' +
        'startCodikaExecution',
    );
  }
  if (execution.onTriggerOutcomeUnknown === 'ask' || execution.operatorTimeout !== undefined) {
    const field = execution.onTriggerOutcomeUnknown === 'ask' ? 'onTriggerOutcomeUnknown' : 'operatorTimeout';
    throw new CodikaValidationError(
      `${path}.${field}`,
      "needs a workflow to wait in for an operator's answer; a standalone activity can only fail " +
        "(onTriggerOutcomeUnknown 'fail'): remove it, or run the execution with startCodikaExecution",
    );
  }
  return {
    execution: asValidationError(() => validateExecutionInput(execution, path)),
    poll: checkActivityPoll(poll),
    cancelCheckIntervalMs: checkCancelCheckInterval(cancelCheckInterval),
  };
}

/**
 * Refuses a field the input does not take, listing the ones it does; a start option inside the input
 * (a plain-JavaScript caller's slip, which would otherwise be dropped) is named with where it belongs.
 */
function refuseUnknownFields(input: Record<string, unknown>, path: string, optionsApart: boolean): void {
  const known = new Set<string>([...STANDALONE_EXECUTION_KEYS, ...OPERATOR_KEYS]);
  if (!optionsApart) for (const name of CARRIED_OPTIONS) known.add(name);
  for (const [key, value] of Object.entries(input)) {
    if (known.has(key)) continue;
    if ((START_OPTIONS as readonly string[]).includes(key)) {
      if (value === undefined) continue;
      throw new CodikaValidationError(
        `${path}.${key}`,
        `is an option of the start, not a field of the input: pass it in the options argument, ` +
          `startCodikaActivity(client, input, { ${key} })`,
      );
    }
    throw new CodikaValidationError(
      `${path}.${key}`,
      `unknown field; expected ${STANDALONE_EXECUTION_KEYS.join(', ')}` +
        (optionsApart ? '' : ` (and the options ${CARRIED_OPTIONS.join(', ')})`),
    );
  }
}

function checkActivityPoll(poll: CodikaActivityPollOptions | undefined): ActivityPollSettings {
  if (poll === undefined)
    return settingsOf(
      asValidationError(() => checkPollSettings({}, 'poll')),
      true,
    );
  if (typeof poll === 'object' && poll !== null) {
    // A plain-JavaScript caller may still set them; one set to undefined is as good as absent.
    const given = poll as CodikaPollOptions;
    if (given.strategy !== undefined) {
      throw new CodikaValidationError(
        'poll.strategy',
        'does not apply to a standalone activity, which always checks in its own loop: remove it',
      );
    }
    if (given.activityTimeout !== undefined) {
      throw new CodikaValidationError(
        'poll.activityTimeout',
        "does not apply to a standalone activity (one long attempt; each request is bounded by the worker's " +
          'request timeout): remove it, and use poll.deadline to bound the whole execution',
      );
    }
  }
  const intervalsChosen = INTERVAL_OPTIONS.some((name) => (poll as Record<string, unknown>)[name] !== undefined);
  return settingsOf(
    asValidationError(() => checkPollSettings(poll, 'poll')),
    !intervalsChosen,
  );
}

/** The poll options that set the check intervals: with any of them, the caller's schedule holds throughout. */
const INTERVAL_OPTIONS = ['firstPollAfter', 'backoffCoefficient', 'maxPollInterval'] as const;

function settingsOf(settings: Omit<ActivityPollSettings, 'fastPhaseMs'>, fastPhase: boolean): ActivityPollSettings {
  const { firstPollAfterMs, backoffCoefficient, maxPollIntervalMs, deadlineMs, notFoundGraceMs } = settings;
  const fastPhaseMs = fastPhase ? AUTO_SCHEDULE.activityPhaseMs : 0;
  return { firstPollAfterMs, backoffCoefficient, maxPollIntervalMs, deadlineMs, notFoundGraceMs, fastPhaseMs };
}

function checkCancelCheckInterval(value: Duration | null | undefined): number | null {
  const field = 'cancelCheckInterval';
  if (value === undefined) return DEFAULT_CANCEL_CHECK_INTERVAL_MS;
  if (value === null) return null;
  if ((typeof value !== 'string' && typeof value !== 'number') || !isPositiveDuration(value)) {
    throw new CodikaValidationError(
      field,
      `is not a positive duration such as "2 seconds" or a number of milliseconds, nor null (got ${JSON.stringify(value)})`,
    );
  }
  const ms = parseDuration(value);
  if (ms < MIN_CANCEL_CHECK_INTERVAL_MS) {
    throw new CodikaValidationError(
      field,
      `must be at least 1 second (got ${JSON.stringify(value)}` +
        `${typeof value === 'number' ? ', a bare number means milliseconds' : ''}): each check is a describe call ` +
        'to the Temporal server per running execution; write "2 seconds" or 2000, or null for no checks',
    );
  }
  return ms;
}

/**
 * Runs a check of the workflow path, which reports a bad field as the non-retryable failure a workflow
 * throws, and gives that failure back as the `CodikaValidationError` a client throws.
 */
function asValidationError<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (!(err instanceof ApplicationFailure) || err.type !== CODIKA_VALIDATION_FAILURE) throw err;
    const field = (err.details?.[0] as { field?: unknown } | undefined)?.field;
    const name = typeof field === 'string' ? field : 'input';
    const prefix = `Invalid ${name}: `;
    throw new CodikaValidationError(
      name,
      err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message,
    );
  }
}
