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
  /**
   * Trigger only: start the execution, then answer after `ms`. A caller that dies meanwhile never
   * learns the executionId: what a worker killed mid-trigger leaves behind.
   */
  | { kind: 'slow_accept'; ms: number; times?: number }
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

/**
 * Faults drawn at random for responses that have no queued fault: a `rate` share of trigger and
 * status calls fail with one of the transient faults below. Seeded, so a run can be repeated.
 */
export interface MockRandomFaults {
  /** Share of responses that fail, from 0 to 1. */
  rate: number;
  /** @default 1 */
  seed?: number;
}

const TRANSIENT_FAULTS: readonly MockFault[] = [
  { kind: 'http', status: 500 },
  { kind: 'http', status: 502 },
  { kind: 'http', status: 503 },
  { kind: 'http', status: 504 },
  { kind: 'http', status: 429, retryAfter: 1 },
  { kind: 'drop' },
];

/** What a random fault can be: each one a client must retry through, none a final answer. */
export const RANDOM_FAULTS: Readonly<Record<'trigger' | 'status', readonly MockFault[]>> = {
  trigger: [...TRANSIENT_FAULTS, { kind: 'accept_then_drop' }],
  status: TRANSIENT_FAULTS,
};
