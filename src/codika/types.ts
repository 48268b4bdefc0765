/** What to run: a Codika workflow of a process instance, with its input. @inline */
export interface CodikaTriggerRequest {
  processInstanceId: string;
  /** The workflowTemplateId from the use case's config, e.g. `http-direct-messaging`. */
  workflowId: string;
  /** Fields matching the workflow's input schema. Sent as `{"payload": …}`; absent sends `{}`. */
  payload?: Record<string, unknown>;
  /** Sent as `Idempotency-Key` so a retried trigger does not start a second execution. */
  idempotencyKey?: string;
}

/** Codika accepted the trigger. @inline */
export interface CodikaTriggerResult {
  /** Codika's id of the new execution, for status checks. */
  executionId: string;
  /** Codika's own message, e.g. "Execution started". */
  message?: string;
}

/** Which execution to ask about. @inline */
export interface CodikaStatusRequest {
  processInstanceId: string;
  executionId: string;
}

/**
 * The state of an execution. An unknown status value counts as `pending` (still running), with
 * the value kept in `reportedStatus` so it can be seen.
 */
export type CodikaExecutionStatus =
  | {
      /** Still running; so is any status Codika does not document, which is kept in `reportedStatus`. */
      status: 'pending';
      /** The status as Codika reported it, when it was not one of its documented three. */
      reportedStatus?: string;
    }
  | {
      /** Finished. */
      status: 'success';
      /** Codika's `execution.resultData`, as it sent it. */
      resultData: unknown;
    }
  | {
      /** Ended in failure. */
      status: 'failed';
      /** Codika's `errorDetails.message`, or a fixed text when it sent none. */
      errorMessage: string;
    };

/** Per-call options. @inline */
export interface CodikaRequestOptions {
  /** Aborts the request, e.g. when a Temporal activity is cancelled. */
  signal?: AbortSignal;
}

/** Used when Codika reports `failed` without `errorDetails.message`. */
export const DEFAULT_FAILURE_MESSAGE = 'Codika reported the execution as failed without an error message';
