/**
 * A pipeline step's opt-in `retry`: a Codika execution that reports `failed` is run again as a new
 * execution, after a durable backoff timer. Transport failures are not this: the activities retry
 * those on their own. Every attempt's executionId is kept in the step's (or item's) state, and the
 * attempt in progress survives continue-as-new: a polling attempt resumes from its executionId, a
 * backoff resumes from `nextAttemptAt`.
 */
import { ApplicationFailure, isCancellation, sleep, type TimerOptions } from '@temporalio/workflow';
import type { CodikaExecutionResult, CodikaStepResume } from '../../shared/execution-types';
import type { CodikaPipelineAttempt } from '../../pipeline/pipeline-types';
import type { CodikaPipelineExecutionStep } from '../../pipeline/definition';
import { CODIKA_EXECUTION_FAILED } from '../../shared/errors';
import { formatDuration, parseDuration } from '../../shared/durations';
import { labelled } from '../execution/polling-strategies';

/** Where a step (or a forEach item) keeps its attempts; part of the state the query shows and a continued run reads. */
export interface AttemptsHolder {
  attempts?: CodikaPipelineAttempt[];
  nextAttemptAt?: string;
}

/**
 * One execution of the step: resumed from `resume` when given (polling, or waiting to send its trigger
 * again), reporting its executionId as soon as known.
 */
export type RunAttempt = (
  resume: CodikaStepResume | undefined,
  onExecutionId: (executionId: string | undefined) => void,
) => Promise<CodikaExecutionResult>;

const DEFAULT_INITIAL_INTERVAL_MS = 30_000;
const DEFAULT_BACKOFF = 2;

/** The wait before attempt `attempt` (2 or more). */
export function retryWaitMs(retry: NonNullable<CodikaPipelineExecutionStep['retry']>, attempt: number): number {
  const initial =
    retry.initialInterval === undefined ? DEFAULT_INITIAL_INTERVAL_MS : parseDuration(retry.initialInterval);
  const maximum = retry.maximumInterval === undefined ? initial * 100 : parseDuration(retry.maximumInterval);
  return Math.min(initial * (retry.backoffCoefficient ?? DEFAULT_BACKOFF) ** (attempt - 2), maximum);
}

/** The backoff's timer; the pipeline's ends early, stopped, when another step failed the pipeline. */
export type Wait = (ms: number, options: TimerOptions) => Promise<void>;

/**
 * Runs `run` until it succeeds, or fails for a reason other than Codika's `failed`, or the attempts
 * run out; without `retry`, exactly one call (the path every step took before retries existed).
 */
export async function runWithRetries(
  holder: AttemptsHolder,
  retry: CodikaPipelineExecutionStep['retry'],
  label: string,
  run: RunAttempt,
  resume?: CodikaStepResume,
  wait: Wait = sleep,
  madeAgainByNextRun: () => boolean = () => false,
): Promise<CodikaExecutionResult> {
  if (retry === undefined) return run(resume, () => undefined);
  const attempts = (holder.attempts ??= []);
  let resuming = resume;
  for (;;) {
    if (holder.nextAttemptAt !== undefined) {
      const waitMs = Date.parse(holder.nextAttemptAt) - Date.now();
      try {
        if (waitMs > 0) {
          await wait(waitMs, {
            summary: labelled(label, `attempt ${attempts.length + 1} in ${formatDuration(waitMs)}`),
          });
        }
      } catch (err) {
        // A stopped wait starts no attempt; a cancelled one (continue-as-new) resumes from nextAttemptAt.
        if (!isCancellation(err)) holder.nextAttemptAt = undefined;
        throw err;
      }
      holder.nextAttemptAt = undefined;
    }
    // A resumed execution is the attempt already on record; anything else is a new one.
    if (resuming === undefined || attempts.length === 0) attempts.push({ status: 'running' });
    const attempt = attempts[attempts.length - 1]!;
    try {
      const result = await run(resuming, (executionId) => {
        attempt.executionId = executionId;
      });
      attempt.status = 'succeeded';
      return result;
    } catch (err) {
      if (isCancellation(err)) {
        // Stopped to continue as new before Codika accepted its trigger, its wait not carried: the next run
        // makes this attempt, so it is not on record twice. Otherwise the attempt stays as it was.
        if (attempt.executionId === undefined && madeAgainByNextRun()) attempts.pop();
        throw err;
      }
      attempt.status = 'failed';
      attempt.error = err instanceof Error ? err.message : String(err);
      const codikaFailed = err instanceof ApplicationFailure && err.type === CODIKA_EXECUTION_FAILED;
      if (!codikaFailed || attempts.length >= retry.maximumAttempts) throw err;
      holder.nextAttemptAt = new Date(Date.now() + retryWaitMs(retry, attempts.length + 1)).toISOString();
      resuming = undefined;
    }
  }
}
