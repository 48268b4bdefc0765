/**
 * The one schema of the poll options, for the pipeline file format, its JSON Schema and the
 * workflows' checks of what they were given.
 *
 * Apart from poll-options.ts on purpose. The Temporal SDK gives every workflow it creates (each new
 * run, and each replay of a run the worker's cache evicted) a fresh copy of every module the
 * workflow bundle imports at its top; zod's modules were most of that work (bench/README.md, "Where
 * the time goes"). Workflow code therefore loads this module only when it needs zod's verdict.
 */
import { z } from 'zod';
import { POLL_STRATEGIES, isPositiveDuration, type CodikaPollOptions } from './poll-options';

/** Names the forms that work and what was given, whatever was wrong with it. */
function notADuration(issue: { input?: unknown }): string {
  const given =
    typeof issue.input === 'number' ? String(issue.input) : (JSON.stringify(issue.input) ?? String(issue.input));
  return `is not a positive duration such as "30 seconds", "2m" or a number of milliseconds (got ${given})`;
}

/** A duration: milliseconds, or a string such as `'30 seconds'` (poll options, pipeline delays and timeouts). */
export const durationSchema = z
  .union([z.number().positive({ error: notADuration }), z.string()], { error: notADuration })
  .refine(isPositiveDuration, { error: notADuration });

/**
 * The shape of {@link CodikaPollOptions}; unknown keys are refused, so a typo is not silently ignored.
 * Relations between options (a deadline longer than the first wait…) are checked once defaults apply.
 */
export const pollOptionsSchema = z
  .object({
    /** How the step waits between status checks; see {@link CodikaPollOptions.strategy}. */
    strategy: z
      .enum(POLL_STRATEGIES, {
        error: (issue) => `"${String(issue.input)}" is not one of ${POLL_STRATEGIES.join(', ')}`,
      })
      .optional(),
    /** Wait before the first status check; see {@link CodikaPollOptions.firstPollAfter}. */
    firstPollAfter: durationSchema.optional(),
    /** Each wait is the previous one times this; see {@link CodikaPollOptions.backoffCoefficient}. */
    backoffCoefficient: z
      .number({ error: 'must be a number >= 1 (1 polls at a fixed interval)' })
      .min(1, { error: 'must be a number >= 1 (1 polls at a fixed interval)' })
      .optional(),
    /** Longest wait between two checks; see {@link CodikaPollOptions.maxPollInterval}. */
    maxPollInterval: durationSchema.optional(),
    /** How long after the step started it gives up; see {@link CodikaPollOptions.deadline}. */
    deadline: durationSchema.optional(),
    /** Longest single trigger or status call; see {@link CodikaPollOptions.activityTimeout}. */
    activityTimeout: durationSchema.optional(),
    /** How long a status `404` after the trigger counts as not visible yet; see {@link CodikaPollOptions.notFoundGrace}. */
    notFoundGrace: durationSchema.optional(),
  })
  .strict() satisfies z.ZodType<CodikaPollOptions>;
