import type { ApplicationFailure } from '@temporalio/workflow';
import { CODIKA_VALIDATION_FAILURE } from '../../shared/errors';
import { parseDuration, type Duration } from '../../shared/durations';
import {
  DEFAULT_POLL_SETTINGS,
  POLL_OPTION_KEYS,
  POLL_STRATEGIES,
  isPositiveDuration,
  type CodikaPollOptions,
  type CodikaPollStrategy,
  type PollSettings,
} from '../../shared/poll-options';
import { nonRetryableFailure } from '../../shared/failures';
import { loadPollOptionsSchema } from '../lazy-schemas';
import { libraryPatched } from '../library-patches';

/**
 * Executions started before `auto` became the default chose `timer`; this patch keeps their
 * replays on `timer` while new executions get `auto`.
 */
export const AUTO_BY_DEFAULT_PATCH = 'codika-auto-strategy-by-default';

/** Options that shape a timer or retry schedule; setting one without a strategy implies `timer`. */
const INTERVAL_KEYS = ['firstPollAfter', 'backoffCoefficient', 'maxPollInterval'] as const;

/**
 * Applies defaults and checks every poll option.
 *
 * @throws ApplicationFailure (non-retryable, type `CodikaValidationError`) naming the bad field.
 */
export function resolvePollSettings(options: CodikaPollOptions = {}, path = 'poll'): PollSettings {
  return checkPollSettings(options, path, defaultStrategy);
}

/**
 * The checks of {@link resolvePollSettings} with the default strategy chosen by `strategyOf`: outside
 * a workflow (a Nexus handler, before it starts one), where no patch can be asked, today's default.
 *
 * @throws ApplicationFailure (non-retryable, type `CodikaValidationError`) naming the bad field.
 */
export function checkPollSettings(
  options: CodikaPollOptions,
  path: string,
  strategyOf: (options: CodikaPollOptions) => CodikaPollStrategy = todaysDefaultStrategy,
): PollSettings {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(path, 'expected an object of poll options');
  }
  for (const key of Object.keys(options)) {
    if (!(POLL_OPTION_KEYS as readonly string[]).includes(key))
      throw invalid(`${path}.${key}`, `unknown option; known ones are ${POLL_OPTION_KEYS.join(', ')}`);
  }
  // Before the values are checked, as it always was: the patch marker is recorded at the same point.
  const strategy = options.strategy ?? strategyOf(options);
  const checkable = withoutNullDefaults(options);
  if (!plainlyValid(checkable)) {
    // Only here does zod load: its message names what is wrong, exactly as before the fast path.
    const checked = loadPollOptionsSchema().safeParse(checkable);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      throw invalid([path, ...issue.path.map(String)].join('.'), issue.message);
    }
  }
  const defaults = DEFAULT_POLL_SETTINGS;
  const settings: PollSettings = {
    strategy,
    firstPollAfterMs: durationMs(options.firstPollAfter, defaults.firstPollAfterMs),
    backoffCoefficient: options.backoffCoefficient ?? defaults.backoffCoefficient,
    maxPollIntervalMs: durationMs(options.maxPollInterval, defaults.maxPollIntervalMs),
    deadlineMs: durationMs(options.deadline, defaults.deadlineMs),
    activityTimeoutMs: durationMs(options.activityTimeout, defaults.activityTimeoutMs),
    notFoundGraceMs: durationMs(options.notFoundGrace, defaults.notFoundGraceMs),
  };
  if (settings.maxPollIntervalMs < settings.firstPollAfterMs) {
    throw invalid(`${path}.maxPollInterval`, 'must not be shorter than firstPollAfter');
  }
  if (settings.deadlineMs <= settings.firstPollAfterMs) {
    throw invalid(`${path}.deadline`, 'must be longer than firstPollAfter, or the execution is never checked');
  }
  return settings;
}

/**
 * `auto` follows its own measured schedule, so whoever sets intervals without naming a strategy
 * gets `timer`, which honours them. The patch check comes last so it is recorded only when it decides.
 */
function defaultStrategy(options: CodikaPollOptions): CodikaPollStrategy {
  if (INTERVAL_KEYS.some((key) => options[key] !== undefined)) return 'timer';
  return libraryPatched(AUTO_BY_DEFAULT_PATCH) ? 'auto' : 'timer';
}

function todaysDefaultStrategy(options: CodikaPollOptions): CodikaPollStrategy {
  return INTERVAL_KEYS.some((key) => options[key] !== undefined) ? 'timer' : 'auto';
}

/**
 * What the schema checks. Two values have always been accepted here that the schema, shared with the
 * JSON pipeline format, refuses: `null` for `strategy` and `backoffCoefficient` (read with `??`, so
 * "the default"), and `backoffCoefficient: Infinity` (only `>= 1` was asked; workflow code can pass it,
 * JSON cannot). They are left out of the check, so runs that used them replay as they ran.
 */
function withoutNullDefaults(options: CodikaPollOptions): CodikaPollOptions {
  const { strategy, backoffCoefficient, ...rest } = options;
  return {
    ...rest,
    ...(strategy === null ? {} : { strategy }),
    ...(backoffCoefficient === null || backoffCoefficient === Infinity ? {} : { backoffCoefficient }),
  };
}

/**
 * True only for options the schema accepts, decided without it: known strategies, positive finite
 * durations, coefficients >= 1. Anything else (including what the schema would also accept, such as
 * an unusual but valid value) goes to the schema, so the verdict is always the schema's.
 */
function plainlyValid(options: CodikaPollOptions): boolean {
  const { strategy, backoffCoefficient, ...durations } = options;
  if (strategy !== undefined && !POLL_STRATEGIES.includes(strategy)) return false;
  if (backoffCoefficient !== undefined) {
    if (typeof backoffCoefficient !== 'number' || !Number.isFinite(backoffCoefficient) || backoffCoefficient < 1)
      return false;
  }
  return Object.values(durations).every(
    (value) =>
      value === undefined ||
      ((typeof value === 'number' ? Number.isFinite(value) && value > 0 : typeof value === 'string') &&
        isPositiveDuration(value)),
  );
}

/** An option's milliseconds, or the default when it is absent; the schema has checked it. */
function durationMs(value: Duration | undefined, fallback: number): number {
  return value === undefined ? fallback : parseDuration(value);
}

/** A non-retryable validation failure naming the field; retrying the same input cannot help. */
export function invalid(field: string, message: string): ApplicationFailure {
  return nonRetryableFailure(CODIKA_VALIDATION_FAILURE, `Invalid ${field}: ${message}`, { field });
}
