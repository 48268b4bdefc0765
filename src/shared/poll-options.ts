/**
 * The poll options and their defaults: the pipeline file format, the workflows and the CLI all read
 * them from here. Their one schema is in poll-options-schema.ts, apart, because zod is the costliest
 * module a workflow can import (see that file).
 */
import { parseDuration, type Duration } from './durations';

/** Every poll strategy, the default last; the CLI's `--strategy` choices and the schema's enum. */
export const POLL_STRATEGIES = ['timer', 'activity', 'retry', 'auto'] as const;

/**
 * How the workflow waits between status checks:
 * - `timer`: a durable workflow timer, then one status activity, per check. Holds nothing on the
 *   worker between checks; about 11 history events per check.
 * - `activity`: one long-running activity checks in a loop and heartbeats its progress. Almost no
 *   history per check and the lowest latency, but it holds an activity slot for the whole wait.
 * - `retry`: the status activity fails (benignly) while Codika says pending and its retry policy is
 *   the loop. No history per check; suits long waits.
 * - `auto`: the activity loop for a short first phase (most executions finish quickly), then
 *   retries with a wide backoff for long waits; its own measured schedule, not the interval options.
 */
export type CodikaPollStrategy = (typeof POLL_STRATEGIES)[number];

/** How to wait for the result. Durations are milliseconds or strings such as `'30 seconds'`. */
export interface CodikaPollOptions {
  /** @default 'auto' (executions started before `auto` existed keep `timer`); interval options without a strategy mean `timer` */
  strategy?: CodikaPollStrategy;
  /** Wait before the first status check. @default '1.5 seconds' (as in Codika's docs) */
  firstPollAfter?: Duration;
  /** Each wait is the previous one times this. @default 1.5 */
  backoffCoefficient?: number;
  /** Longest wait between two checks. @default '30 seconds' */
  maxPollInterval?: Duration;
  /** Give up (`CodikaExecutionTimedOut`) when the execution has not finished this long after the step started. @default '1 hour' */
  deadline?: Duration;
  /** Longest single trigger or status call, retries excluded. @default '45 seconds' */
  activityTimeout?: Duration;
  /**
   * How long after Codika accepted the trigger a status `404` still means "not visible yet" rather
   * than "no such execution": a service whose status endpoint learns of a new execution a moment
   * after its webhook answered is ordinary. Past it, the step fails `CodikaNotFoundError`. @default '2 minutes'
   */
  notFoundGrace?: Duration;
}

/** {@link CodikaPollOptions} with defaults applied, in milliseconds. */
export interface PollSettings {
  /** See {@link CodikaPollOptions.strategy}. */
  strategy: CodikaPollStrategy;
  /** {@link CodikaPollOptions.firstPollAfter}, in milliseconds. */
  firstPollAfterMs: number;
  /** See {@link CodikaPollOptions.backoffCoefficient}. */
  backoffCoefficient: number;
  /** {@link CodikaPollOptions.maxPollInterval}, in milliseconds. */
  maxPollIntervalMs: number;
  /** {@link CodikaPollOptions.deadline}, in milliseconds. */
  deadlineMs: number;
  /** {@link CodikaPollOptions.activityTimeout}, in milliseconds. */
  activityTimeoutMs: number;
  /** {@link CodikaPollOptions.notFoundGrace}, in milliseconds. */
  notFoundGraceMs: number;
}

/** Defaults: the 1.5 s first poll of Codika's API description, then Temporal practice (backoff, a cap, a deadline). */
export const DEFAULT_POLL_SETTINGS: Readonly<PollSettings> = {
  strategy: 'auto',
  firstPollAfterMs: 1_500,
  backoffCoefficient: 1.5,
  maxPollIntervalMs: 30_000,
  deadlineMs: 60 * 60_000,
  activityTimeoutMs: 45_000,
  notFoundGraceMs: 2 * 60_000,
};

/** The option names, in the order the docs list them (the schema's keys; a unit test holds them equal). */
export const POLL_OPTION_KEYS = [
  'strategy',
  'firstPollAfter',
  'backoffCoefficient',
  'maxPollInterval',
  'deadline',
  'activityTimeout',
  'notFoundGrace',
] as const satisfies readonly (keyof CodikaPollOptions)[];

/** True when `parseDuration` reads the value as a finite, positive number of milliseconds. */
export function isPositiveDuration(value: Duration): boolean {
  try {
    const ms = parseDuration(value);
    return Number.isFinite(ms) && ms > 0;
  } catch {
    return false;
  }
}
