/** One Codika execution to run: what a workflow passes, never a credential. */
export interface CodikaExecutionInput {
  /** The Codika process instance; the worker picks its API key. */
  processInstanceId: string;
  /** The workflowTemplateId to trigger, e.g. `http-direct-messaging`. */
  workflowId: string;
  /** Input fields for the Codika workflow. @default {} */
  payload?: Record<string, unknown>;
}

/** How to wait for the result. Durations are milliseconds or strings such as `'30 seconds'`. */
export interface CodikaPollOptions {
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

/** Input of the `triggerCodikaExecution` activity. */
export type TriggerCodikaExecutionInput = CodikaExecutionInput;

/** Input of the `getCodikaExecutionStatus` activity. */
export interface GetCodikaExecutionStatusInput {
  processInstanceId: string;
  executionId: string;
}
