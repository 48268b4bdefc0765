import type { CodikaTriggerResult } from '../codika/types';

/**
 * What the step does when a trigger may have reached Codika but no usable answer came back (a
 * `502`, a reset after sending, a worker that died mid-request):
 * - `at-most-once`: never send it again; the step fails with `CodikaTriggerOutcomeUnknown`, whose
 *   details carry the `Idempotency-Key` to look the execution up. Triggers that provably started
 *   nothing (`429`, `503`, connection refused…) are still retried.
 * - `at-least-once`: send it again with the same `Idempotency-Key`. Codika documents no such
 *   header: unless it deduplicates, a lost answer means a second execution.
 */
export type CodikaTriggerDelivery = 'at-most-once' | 'at-least-once';

/** One Codika execution to run: what a workflow passes, never a credential. */
export interface CodikaExecutionInput {
  /** The Codika process instance; the worker picks its API key. */
  processInstanceId: string;
  /** The workflowTemplateId to trigger, e.g. `http-direct-messaging`. */
  workflowId: string;
  /** Input fields for the Codika workflow. @default {} */
  payload?: Record<string, unknown>;
  /** Whether a trigger whose outcome is unknown is sent again. @default 'at-most-once' */
  triggerDelivery?: CodikaTriggerDelivery;
}

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
export type CodikaPollStrategy = 'timer' | 'activity' | 'retry' | 'auto';

/** How to wait for the result. Durations are milliseconds or strings such as `'30 seconds'`. */
export interface CodikaPollOptions {
  /** @default 'auto' (executions started before `auto` existed keep `timer`); interval options without a strategy mean `timer` */
  strategy?: CodikaPollStrategy;
  /** Wait before the first status check. @default '1.5 seconds' (as in Codika's docs) */
  firstPollAfter?: string | number;
  /** Each wait is the previous one times this. @default 1.5 */
  backoffCoefficient?: number;
  /** Longest wait between two checks. @default '30 seconds' */
  maxPollInterval?: string | number;
  /** Give up (`CodikaExecutionTimedOut`) when the execution has not finished this long after the step started. @default '1 hour' */
  deadline?: string | number;
  /** Longest single trigger or status call, retries excluded. @default '45 seconds' */
  activityTimeout?: string | number;
}

/** What a successful step returns. */
export interface CodikaExecutionResult<T = unknown> {
  executionId: string;
  /** Codika's `execution.resultData`. */
  resultData: T;
  /** Status checks made, across continue-as-new. */
  polls: number;
  /** ISO time the step started (before the trigger). */
  startedAt: string;
  /** ISO time Codika was seen reporting success. */
  completedAt: string;
}

/** Where a step is. */
export type CodikaExecutionPhase = 'triggering' | 'polling' | 'succeeded' | 'failed' | 'timed_out';

/** The live state of a step, as the `codikaExecutionState` query returns it. No payload, no result, no secret. */
export interface CodikaExecutionState {
  phase: CodikaExecutionPhase;
  processInstanceId: string;
  workflowId: string;
  executionId?: string;
  polls: number;
  /** The last status Codika reported (an unknown value is shown as reported). */
  lastStatus?: string;
  /** ISO time of the next status check while polling. */
  nextPollAt?: string;
  startedAt: string;
  deadlineAt: string;
}

/** What the `triggerCodikaExecution` activity returns. */
export interface CodikaTriggeredExecution extends CodikaTriggerResult {
  /**
   * How the run may index itself: the Codika search attributes the namespace had when the worker
   * started (the workflow sets only these). Absent in histories written before runs were indexed,
   * which is how they replay without the memo and attribute commands.
   */
  runIndex?: { searchAttributes: string[] };
}

/** Input of the `triggerCodikaExecution` activity. */
export interface TriggerCodikaExecutionInput extends CodikaExecutionInput {
  /**
   * Sent as `Idempotency-Key`; the step draws one per execution so every attempt carries the same.
   * @default derived from the workflow id, run id and activity id (histories written before the step drew one)
   */
  idempotencyKey?: string;
}

/**
 * What a trigger activity's failure tells the step, in its details (alongside `kind`, `request`…):
 * whether Codika may have started an execution, when the request went out, with which key.
 */
export interface TriggerFailureDetails {
  /** Absent when the activity failed before reaching Codika's client (bad input, no credentials). */
  triggerOutcome?: 'not_accepted' | 'outcome_unknown';
  /** ISO time the request was sent. */
  sentAt?: string;
  idempotencyKey?: string;
}

/** Input of the `getCodikaExecutionStatus` activity. */
export interface GetCodikaExecutionStatusInput {
  processInstanceId: string;
  executionId: string;
}

/** Input of the `pollCodikaExecution` activity (the `activity` strategy). */
export interface PollCodikaExecutionInput extends GetCodikaExecutionStatusInput {
  firstPollAfterMs: number;
  backoffCoefficient: number;
  maxPollIntervalMs: number;
  /** Return `pending` instead of checking again once this long has passed (`auto`'s first phase). */
  stopAfterMs?: number;
}

/** What the polling activity returns: the end, or `pending` when it was told to stop early. */
export type CodikaPollResult = CodikaFinalStatus | { status: 'pending'; polls: number; lastStatus?: string };

/** How an execution ended, and how many status checks it took to see it. */
export type CodikaFinalStatus = (
  { status: 'success'; resultData: unknown } | { status: 'failed'; errorMessage: string }
) & { polls: number };

/** What a continued run carries forward so polling resumes where it stopped, never re-triggering. */
export interface CodikaStepProgress {
  executionId: string;
  polls: number;
  startedAtMs: number;
  deadlineAtMs: number;
  /** The wait before the next status check. */
  nextIntervalMs: number;
  /** The last status Codika reported, so the state query still shows it after continuing. */
  lastStatus?: string;
  /** A `codikaPollNow` arrived after the last check: the continued run checks at once. */
  pollNowRequested?: boolean;
}
