/**
 * A fault injected into one response. Faults queue per Codika workflowId and endpoint and are
 * consumed in order; `times` repeats one (default 1). After the queue empties, responses are normal.
 */
export type MockFault =
  /** Answer with this HTTP status (e.g. 500, 503, 429) and an optional body and `Retry-After`. */
  | { kind: 'http'; status: number; body?: string; contentType?: string; retryAfter?: string | number; times?: number }
  /** Wait before answering normally: a slow response, or one that never comes within a client timeout. */
  | { kind: 'delay'; ms: number; times?: number }
  /** Answer 200 with a body that is not JSON. */
  | { kind: 'malformed'; times?: number }
  /** Destroy the connection without answering. */
  | { kind: 'drop'; times?: number }
  /**
   * Trigger only: start the execution (recording its `Idempotency-Key`), then destroy the
   * connection. The client sees a network error although Codika accepted: the case the key is for.
   */
  | { kind: 'accept_then_drop'; times?: number }
  /** Trigger only: answer 200 with neither `executionId` nor `id`. */
  | { kind: 'missing_id'; times?: number }
  /** Status only: report this status value (e.g. `running`) instead of the real one. */
  | { kind: 'status_value'; value: string; times?: number };

/** How executions of one Codika workflowId behave. */
export interface MockExecutionScript {
  /** Milliseconds from trigger until the execution reports its outcome; `Infinity` never finishes. @default 0 */
  durationMs?: number;
  /** `resultData` on success, or a function of the trigger payload. @default { echo: payload } */
  resultData?: unknown | ((payload: unknown) => unknown);
  /** Makes the execution end `failed` with this `errorDetails.message`. */
  failWith?: string;
  /** Makes the execution end `failed` with no `errorDetails` at all. */
  failWithoutMessage?: boolean;
  /** Which field carries the new id in the trigger response. @default 'executionId' */
  idField?: 'executionId' | 'id';
  /**
   * Calls back when the execution ends, as a Codika workflow with a final HTTP node would: a
   * Standard Webhooks-signed POST (the server's `callbackSecret`) to the URL in this payload field.
   */
  callsBack?: { urlField: string };
  /** Faults to inject, consumed in order. */
  faults?: { trigger?: MockFault[]; status?: MockFault[] };
}
