/**
 * The activities' inputs and outputs: wire shapes recorded in every history. Fields may be added
 * (optional, so old histories still read), never renamed or removed.
 */
import type { CodikaTriggerResult } from '../codika/types';
import type { CodikaExecutionInput } from './execution-types';
import type { CodikaResultOptions } from './result-options';

/** What the `triggerCodikaExecution` activity returns. @inline */
export interface CodikaTriggeredExecution extends CodikaTriggerResult {
  /**
   * How the run may index itself: the Codika search attributes the namespace had when the worker
   * started (the workflow sets only these). Absent in histories written before runs were indexed,
   * which is how they replay without the memo and attribute commands.
   */
  runIndex?: { searchAttributes: string[] };
}

/** Input of the `triggerCodikaExecution` activity. @inline */
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
  /** With an unknown outcome: the Codika search attributes the namespace has (as a success's `runIndex`). */
  runIndex?: { searchAttributes: string[] };
}

/** Input of the `getCodikaExecutionStatus` activity. @inline */
export interface GetCodikaExecutionStatusInput {
  processInstanceId: string;
  executionId: string;
  /** The Codika workflow, whose contract (if the worker has one) checks a `success` result. */
  workflowId?: string;
  /**
   * A `404` before `acceptedAtMs + graceMs` counts as pending (the execution not visible yet); after
   * it, the failure says how long the step waited. Absent: a `404` fails at once, as it always did.
   */
  notFoundGrace?: { acceptedAtMs: number; graceMs: number };
  /**
   * What of a `success` result may enter history (select, size limit, `{}` for the defaults); applied
   * before it is returned. Absent in runs recorded before result options: no limit, as then.
   */
  result?: CodikaResultOptions;
}

/** Input of the `pollCodikaExecution` activity (the `activity` strategy). @inline */
export interface PollCodikaExecutionInput extends GetCodikaExecutionStatusInput {
  firstPollAfterMs: number;
  backoffCoefficient: number;
  maxPollIntervalMs: number;
  /** Return `pending` instead of checking again once this long has passed (`auto`'s first phase). */
  stopAfterMs?: number;
  /**
   * Past `stopAfterMs`, go on in the same activity with one check per attempt instead of returning
   * `pending` (`auto`'s second phase): a pending answer fails the attempt, benign, with the next wait
   * as its retry delay, `initialMs` first, then growing by `coefficient` up to `maxMs`.
   */
  thenRetry?: CheckRetrySchedule;
}

/** Waits between the checks of `pollCodikaExecution`'s retries, past its first phase. @inline */
export interface CheckRetrySchedule {
  initialMs: number;
  coefficient: number;
  maxMs: number;
}

/** What the polling activity returns: the end, or `pending` when it was told to stop early. @inline */
export type CodikaPollResult = CodikaFinalStatus | { status: 'pending'; polls: number; lastStatus?: string };

/** How an execution ended, and how many status checks it took to see it. @inline */
export type CodikaFinalStatus = (
  { status: 'success'; resultData: unknown } | { status: 'failed'; errorMessage: string }
) & { polls: number };
