/**
 * Flow control held across workers, in Temporal itself: one workflow per key
 * (`codikaFlowControlWorkflow`, id {@link flowControlWorkflowId}) grants at most `limit` permits to
 * the Codika executions of that key and keeps a `429`'s back-off for every worker to see. These are
 * the names and shapes the workflow, the steps that hold its permits and the activities share.
 * Workflow-safe.
 */
import { CodikaValidationError } from './errors';

/**
 * At most `limit` Codika executions of one key between trigger and final status at once, across every
 * worker and workflow (forEach items included). Waiting for a permit shows as the phase `waiting_for_permit`.
 */
export interface CodikaConcurrency {
  /** The executions that share the limit. At most 200 characters. @default the execution's processInstanceId */
  key?: string;
  /** How many may run at once (1–1,000). The latest first request's limit is the key's limit. */
  limit: number;
}

/** The most permits one key can have: a permit is a line in its workflow's state. */
export const MAX_CONCURRENCY_LIMIT = 1_000;
const MAX_KEY_LENGTH = 200;

/**
 * Checks a concurrency option before anything starts.
 *
 * @throws CodikaValidationError naming the field and the accepted values.
 */
export function checkConcurrency(value: unknown, field = 'concurrency'): CodikaConcurrency | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CodikaValidationError(field, 'expected an object { limit, key? }, e.g. { "limit": 3 }');
  }
  for (const name of Object.keys(value)) {
    if (name !== 'key' && name !== 'limit') {
      throw new CodikaValidationError(`${field}.${name}`, 'unknown field; expected limit and an optional key');
    }
  }
  const { key, limit } = value as Record<string, unknown>;
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_CONCURRENCY_LIMIT) {
    throw new CodikaValidationError(
      `${field}.limit`,
      `must be a whole number from 1 to ${MAX_CONCURRENCY_LIMIT}; got ${JSON.stringify(limit)}`,
    );
  }
  if (key === undefined) return { limit: limit as number };
  return { key: checkFlowKey(`${field}.key`, key), limit: limit as number };
}

/** Whether `key` may name a key of flow control (concurrency, debounce, singleton). */
export function isFlowKey(key: unknown): key is string {
  // eslint-disable-next-line no-control-regex
  return typeof key === 'string' && key.length > 0 && key.length <= MAX_KEY_LENGTH && !/[\u0000-\u001f]/.test(key);
}

/**
 * Checks a key of flow control: a concurrency, debounce or singleton key.
 *
 * @throws CodikaValidationError naming `field`.
 */
export function checkFlowKey(field: string, key: unknown): string {
  if (!isFlowKey(key)) {
    throw new CodikaValidationError(
      field,
      `must be a non-empty string of at most ${MAX_KEY_LENGTH} characters without control characters`,
    );
  }
  return key;
}

/** The workflow that holds one key's permits and back-off. */
export const FLOW_CONTROL_WORKFLOW_TYPE = 'codikaFlowControlWorkflow';

/** The id of a key's flow-control workflow: one per key and namespace. */
export function flowControlWorkflowId(key: string): string {
  return `codika-flow:${key}`;
}

/** Update: asks for a permit (`CodikaPermitRequest`), answered at once with `CodikaPermitAnswer`. */
export const REQUEST_PERMIT_UPDATE = 'codikaRequestPermit';
/** Signal to the flow-control workflow: a holder gives its permit back (`{ leaseId }`). */
export const RELEASE_PERMIT_SIGNAL = 'codikaReleasePermit';
/** Signal to the flow-control workflow: Codika answered `429` for the key (`FlowPause`). */
export const PAUSE_SIGNAL = 'codikaFlowPause';
/** Signal to the holder's workflow: a waiting request was granted (`{ leaseId }`). */
export const PERMIT_GRANTED_SIGNAL = 'codikaPermitGranted';
/** Query of the flow-control workflow: its `FlowControlState`. */
export const FLOW_CONTROL_STATE_QUERY = 'codikaFlowControlState';
/** Memo of the flow-control workflow, read by workers without asking the workflow: `{ pausedUntilMs }`. */
export const FLOW_PAUSE_MEMO = 'codikaFlowPause';

/** Who holds (or waits for) a permit: one Codika execution of a workflow chain. */
export interface CodikaPermitLease {
  /** Stable across the holder's continue-as-new and retries of one attempt: asking again is idempotent. */
  leaseId: string;
  /** The holder's workflow id: the grant is signalled to its current run. */
  workflowId: string;
  /** The holder's run when it asked. */
  runId: string;
  /** The first run of the holder's chain: a later run of the same workflow id is someone else. */
  firstRunId: string;
  /**
   * The holder's later runs keep the permit (the library's workflows carry it through continue-as-new);
   * otherwise the permit ends with the run that asked (a step of your workflow that continued as new
   * without it).
   */
  followsContinueAsNew: boolean;
  /** Shown in the state: the step or item (`send[3]`) that asked. */
  label?: string;
  /** When it was granted, or asked (for a waiting one), in epoch milliseconds. */
  sinceMs: number;
  /** Granted, not yet signalled to its holder. */
  untold?: boolean;
}

/** What a step sends with `codikaRequestPermit`. */
export interface CodikaPermitRequest {
  /** The key asked for. */
  key: string;
  /** The limit the asking step has for it; it becomes the key's. */
  limit: number;
  /** Who asks. */
  lease: Omit<CodikaPermitLease, 'sinceMs' | 'untold'>;
  /**
   * The step already held this permit and its execution runs (a continued run resuming it): it is
   * taken back at once, over the limit if it has to be, rather than queued.
   */
  held?: boolean;
}

/** The answer to `codikaRequestPermit`. */
export interface CodikaPermitAnswer {
  /** True when the permit is the step's now. */
  granted: boolean;
  /** 1 for the next in line, when not granted. */
  position?: number;
  /** Permits in use now. */
  inUse: number;
  /** The key's limit. */
  limit: number;
}

/** What `codikaFlowPause` carries: no call of the key until then. */
export interface FlowPause {
  untilMs: number;
  /** Why, e.g. `429 from Codika (Retry-After 5 s)`. */
  reason: string;
}

/** The one serializable state of a key's flow-control workflow; continue-as-new carries exactly it. */
export interface FlowControlState {
  /** The key: a process instance, or the name a `concurrency.key` gave. */
  key: string;
  /** Permits the key has: the latest request's limit. */
  limit: number;
  /** Who holds a permit now. */
  holders: CodikaPermitLease[];
  /** Who waits for one, first in line first. */
  waiting: CodikaPermitLease[];
  /** No Codika call of the key before this, in epoch milliseconds. */
  pausedUntilMs?: number;
  /** Why the key backs off (`429 from Codika (Retry-After 5 s)`). */
  pauseReason?: string;
  /** Permits granted since the key's workflow first started. */
  granted: number;
  /** Permits given back by their holders. */
  released: number;
  /** Permits taken back from holders whose runs had ended without giving them back. */
  reclaimed: number;
}

/**
 * How a key's flow-control workflow starts when the first request (or the first `429`) finds none:
 * on the caller's task queue, with a new state.
 */
export function flowControlStart(key: string, taskQueue: string, limit = MAX_CONCURRENCY_LIMIT) {
  const state: FlowControlState = { key, limit, holders: [], waiting: [], granted: 0, released: 0, reclaimed: 0 };
  return {
    workflowId: flowControlWorkflowId(key),
    taskQueue,
    args: [state] as [FlowControlState],
    staticSummary: `Codika flow control of ${key}`,
  };
}
