import { msToNumber } from '@temporalio/common/lib/time';
import { ApplicationFailure, patched } from '@temporalio/workflow';
import { CODIKA_VALIDATION_FAILURE } from '../../shared/errors';
import type { CodikaPollOptions, CodikaPollStrategy } from '../../shared/execution-types';
import { withoutStack } from '../../shared/without-stack';

/** {@link CodikaPollOptions} with defaults applied, in milliseconds. */
export interface PollSettings {
  strategy: CodikaPollStrategy;
  firstPollAfterMs: number;
  backoffCoefficient: number;
  maxPollIntervalMs: number;
  deadlineMs: number;
  activityTimeoutMs: number;
}

/**
 * Executions started before `auto` became the default chose `timer`; this patch keeps their
 * replays on `timer` while new executions get `auto`.
 */
export const AUTO_BY_DEFAULT_PATCH = 'codika-auto-strategy-by-default';

/** Options that shape a timer or retry schedule; setting one without a strategy implies `timer`. */
const INTERVAL_KEYS = ['firstPollAfter', 'backoffCoefficient', 'maxPollInterval'] as const;

/** Defaults: the seed's 1.5 s first poll, then Temporal practice (backoff, a cap, a deadline). */
export const DEFAULT_POLL_SETTINGS: Readonly<PollSettings> = {
  strategy: 'auto',
  firstPollAfterMs: 1_500,
  backoffCoefficient: 1.5,
  maxPollIntervalMs: 30_000,
  deadlineMs: 60 * 60_000,
  activityTimeoutMs: 45_000,
};

const STRATEGIES: readonly CodikaPollStrategy[] = ['timer', 'activity', 'retry', 'auto'];

const KNOWN_KEYS = new Set<string>([
  'strategy',
  'firstPollAfter',
  'backoffCoefficient',
  'maxPollInterval',
  'deadline',
  'activityTimeout',
]);

/**
 * Applies defaults and checks every poll option.
 *
 * @throws ApplicationFailure (non-retryable, type `CodikaValidationError`) naming the bad field.
 */
export function resolvePollSettings(options: CodikaPollOptions = {}, path = 'poll'): PollSettings {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(path, 'expected an object of poll options');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key))
      throw invalid(`${path}.${key}`, `unknown option; known ones are ${[...KNOWN_KEYS].join(', ')}`);
  }
  const strategy = options.strategy ?? defaultStrategy(options);
  if (!STRATEGIES.includes(strategy)) {
    throw invalid(`${path}.strategy`, `"${String(strategy)}" is not one of ${STRATEGIES.join(', ')}`);
  }
  const settings: PollSettings = {
    strategy,
    firstPollAfterMs: duration(
      options.firstPollAfter,
      DEFAULT_POLL_SETTINGS.firstPollAfterMs,
      `${path}.firstPollAfter`,
    ),
    backoffCoefficient: options.backoffCoefficient ?? DEFAULT_POLL_SETTINGS.backoffCoefficient,
    maxPollIntervalMs: duration(
      options.maxPollInterval,
      DEFAULT_POLL_SETTINGS.maxPollIntervalMs,
      `${path}.maxPollInterval`,
    ),
    deadlineMs: duration(options.deadline, DEFAULT_POLL_SETTINGS.deadlineMs, `${path}.deadline`),
    activityTimeoutMs: duration(
      options.activityTimeout,
      DEFAULT_POLL_SETTINGS.activityTimeoutMs,
      `${path}.activityTimeout`,
    ),
  };
  if (typeof settings.backoffCoefficient !== 'number' || !(settings.backoffCoefficient >= 1)) {
    throw invalid(`${path}.backoffCoefficient`, 'must be a number >= 1 (1 polls at a fixed interval)');
  }
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
  return patched(AUTO_BY_DEFAULT_PATCH) ? 'auto' : 'timer';
}

function duration(value: string | number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  let ms: number;
  try {
    ms = msToNumber(value as never);
  } catch {
    throw invalid(field, `"${String(value)}" is not a duration; use milliseconds or a string like '30 seconds'`);
  }
  if (!Number.isFinite(ms) || ms <= 0) throw invalid(field, `must be a positive duration, got ${String(value)}`);
  return ms;
}

/** A non-retryable validation failure naming the field; retrying the same input cannot help. */
export function invalid(field: string, message: string): ApplicationFailure {
  return withoutStack(
    ApplicationFailure.create({
      type: CODIKA_VALIDATION_FAILURE,
      message: `Invalid ${field}: ${message}`,
      nonRetryable: true,
      details: [{ field }],
    }),
  );
}
