/**
 * When a trigger fault strikes: `before` Codika creates the execution (nothing runs, as a gateway
 * that refused the request), or `after` (the execution runs, but its answer is lost or late, as
 * behind a gateway that timed out on Codika, or a connection cut mid-answer).
 */
export type MockFaultStrike = 'before' | 'after';

/**
 * A fault injected into one response. Faults queue per Codika workflowId and endpoint and are
 * consumed in order; `times` repeats one (default 1). After the queue empties, responses are normal.
 * On the trigger, `strikes` (default `before`) says whether the execution was created first.
 */
export type MockFault =
  /** Answer with this HTTP status (e.g. 500, 503, 429) and an optional body and `Retry-After`. */
  | {
      /** Answer with an HTTP status. */
      kind: 'http';
      /** The status to answer with. */
      status: number;
      /** Response body. @default `{"success":false,"error":"Injected fault"}` */
      body?: string;
      /** @default 'application/json' */
      contentType?: string;
      /** Sent as the `Retry-After` header. */
      retryAfter?: string | number;
      /** Trigger only: before or after the execution is created. @default 'before' */
      strikes?: MockFaultStrike;
      /** How many responses in a row it hits. @default 1 */
      times?: number;
    }
  /** Wait before answering normally: a slow response, or one that never comes within a client timeout. */
  | { kind: 'delay'; ms: number; strikes?: MockFaultStrike; times?: number }
  /** Answer 200 with a body that is not JSON. */
  | { kind: 'malformed'; strikes?: MockFaultStrike; times?: number }
  /** Destroy the connection without answering (a reset). */
  | { kind: 'drop'; strikes?: MockFaultStrike; times?: number }
  /** Trigger only: answer 200 with neither `executionId` nor `id`. */
  | { kind: 'missing_id'; strikes?: MockFaultStrike; times?: number }
  /** Status only: report this status value (e.g. `running`) instead of the real one. */
  | { kind: 'status_value'; value: string; times?: number };

/** How executions of one Codika workflowId behave. */
export interface MockExecutionScript {
  /**
   * Milliseconds from trigger until the execution reports its outcome, or a function of the trigger
   * payload (items of a fan-out that take different times); `Infinity` never finishes. @default 0
   */
  durationMs?: number | ((payload: unknown) => number);
  /**
   * `resultData` on success, or a function of the trigger payload; not with `resultBytes`.
   * @default { echo: payload }
   */
  resultData?: unknown | ((payload: unknown) => unknown);
  /**
   * Makes `resultData` on success a large object whose JSON is this many bytes (a little more when
   * asked for fewer than its fixed part, about 45 bytes): `{ summary: { ok: true, bytes }, blob:
   * 'xxx…' }`, so a test can select the small `/summary` out of a big result. Built once per size and
   * reused by every status answer. Not with `resultData`: `script()` throws when both are given.
   */
  resultBytes?: number;
  /**
   * Answers the first this-many status requests for each new execution `404` with the body of an
   * unknown execution, then normally: a service whose status endpoint sees a new execution only a
   * moment after its webhook answered. Codika's own client keeps polling on any non-OK answer, so a
   * 404 just after the trigger is a lag, not proof that the execution is gone. Counted per execution
   * (`MockExecution.statusChecks`); requests refused for auth or answered by an injected fault before
   * the execution lookup do not count. A `status_value` fault drawn for a request answered `404` this
   * way is spent. `Infinity`: the execution never becomes visible. @default 0
   */
  notFoundChecks?: number;
  /** Makes the execution end `failed` with this `errorDetails.message`. */
  failWith?: string;
  /**
   * Makes an execution end `failed` when this returns a message for its trigger payload (some items of
   * a fan-out) and its `attempt` (1 for the first execution of that payload, 2 for a retry's…).
   */
  failIf?: (payload: unknown, attempt: number) => string | undefined;
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
  /**
   * A fault for one trigger request, from its payload and how many trigger requests with that payload
   * came before it (0 for the first): faults for some items of a fan-out. Asked before `faults.trigger`.
   */
  triggerFaultIf?: (payload: unknown, earlierRequests: number) => MockFault | undefined;
}

/**
 * Faults drawn at random for responses that have no queued fault: a `rate` share of trigger and
 * status calls fail with `500`, `502`, `503`, `504`, `429` (`Retry-After: 1`) or a reset connection. Seeded, so a run can be repeated.
 */
export interface MockRandomFaults {
  /** Share of responses that fail, from 0 to 1. */
  rate: number;
  /** @default 1 */
  seed?: number;
  /**
   * When a random trigger fault that can come after acceptance (500, 502, 504, reset) strikes:
   * always `before` the execution is created, always `after`, or either, half and half.
   * @default 'either'
   */
  strikes?: MockFaultStrike | 'either';
}

/** What a random fault can be: each one transient, none a final answer. */
export const RANDOM_FAULTS: readonly MockFault[] = [
  { kind: 'http', status: 500 },
  { kind: 'http', status: 502 },
  { kind: 'http', status: 503 },
  { kind: 'http', status: 504 },
  { kind: 'http', status: 429, retryAfter: 1 },
  { kind: 'drop' },
];

/**
 * Whether a trigger fault can come after Codika created the execution: a real gateway answers
 * 500, 502 and 504 or resets the connection whether or not the work behind it started; `503` and
 * `429` (and every 4xx) say the request was refused, so they always come before.
 */
export function canStrikeAfterAcceptance(fault: MockFault): boolean {
  if (fault.kind === 'http') return fault.status >= 500 && fault.status !== 503;
  return fault.kind !== 'status_value';
}
