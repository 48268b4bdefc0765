/**
 * Debounced starts of one key (`startCodikaExecution(…, { debounce })`): every start signals this
 * workflow (signal-with-start, id {@link debounceWorkflowId}); starts that arrive within `delay` of
 * each other collapse into one Codika execution with the last start's input, run as a child
 * `codikaExecutionWorkflow` once the key has been quiet for `delay`, or `maxDelay` after the first
 * start of the window, whichever comes first. Starts that arrive while it runs open the next window.
 * Its one state is `CodikaDebounceState`; continue-as-new carries exactly it.
 */
import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  executeChild,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CodikaExecutionResult } from '../../shared/execution-types';
import type { CodikaExecutionWorkflowInput } from '../codika-execution-workflow';

/** One start of a debounced key, as the client helper sends it. */
export interface CodikaDebouncedStart {
  input: CodikaExecutionWorkflowInput;
  /** Quiet time after the last start before the execution runs. */
  delayMs: number;
  /** The longest a window's first start waits for its execution. */
  maxDelayMs: number;
}

/** The starts waiting for their execution: the last one's input, and when the window opened and last moved. */
export interface CodikaDebounceWindow {
  /** The last start's input: the one the execution runs with. */
  input: CodikaExecutionWorkflowInput;
  /** The last start's `delay`, in milliseconds. */
  delayMs: number;
  /** The last start's `maxDelay`, in milliseconds. */
  maxDelayMs: number;
  /** When the window's first start came, in epoch milliseconds. */
  firstAtMs: number;
  /** When its last start came, in epoch milliseconds. */
  lastAtMs: number;
  /** Starts collapsed into this window so far. */
  starts: number;
}

/** One execution a debounce workflow ran. */
export interface CodikaDebouncedExecution {
  /** Its child `codikaExecutionWorkflow`. */
  workflowId: string;
  /** The starts it stood for. */
  starts: number;
  /** When it started, in epoch milliseconds. */
  atMs: number;
  /** How it ended, once it did. */
  outcome?: 'succeeded' | 'failed';
}

/** The one state of a debounce workflow. */
export interface CodikaDebounceState {
  /** The debounce key. */
  key: string;
  /** The window waiting, if any. */
  window?: CodikaDebounceWindow;
  /** The executions run so far (the last 20), with how many starts each one stood for. */
  ran: CodikaDebouncedExecution[];
  /** Executions run, all told (the ids beyond the last 20 are dropped). */
  runs: number;
}

/** Signal: one more start of the key (`CodikaDebouncedStart`). */
export const debouncedStartSignal = defineSignal<[CodikaDebouncedStart]>('codikaDebouncedStart');
/** Query: the `CodikaDebounceState`. */
export const debounceStateQuery = defineQuery<CodikaDebounceState>('codikaDebounceState');

/** The id of a key's debounce workflow. */
export function debounceWorkflowId(key: string): string {
  return `codika-debounce:${key}`;
}

const CONTINUE_AFTER_EVENTS = 5_000;

/** Each start carries its whole input: the server's suggestion (size too) counts as much as the events. */
function longHistory(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > CONTINUE_AFTER_EVENTS;
}
const RAN_KEPT = 20;

/** The debounce workflow of one key; see the module comment. Returns the last execution's result. */
export async function codikaDebounceWorkflow(state: CodikaDebounceState): Promise<CodikaExecutionResult | undefined> {
  let changed = false;
  let last: CodikaExecutionResult | undefined;
  let lastFailure: unknown;
  setHandler(debounceStateQuery, () => state);
  setHandler(debouncedStartSignal, (start) => {
    const now = Date.now();
    const window = state.window;
    state.window = {
      input: start.input,
      delayMs: start.delayMs,
      maxDelayMs: start.maxDelayMs,
      firstAtMs: window?.firstAtMs ?? now,
      lastAtMs: now,
      starts: (window?.starts ?? 0) + 1,
    };
    changed = true;
  });

  for (;;) {
    const window = state.window;
    if (!window) {
      if (lastFailure !== undefined) throw lastFailure;
      return last;
    }
    const dueAtMs = Math.min(window.lastAtMs + window.delayMs, window.firstAtMs + window.maxDelayMs);
    if (Date.now() < dueAtMs) {
      changed = false;
      await condition(() => changed, dueAtMs - Date.now());
      if (longHistory()) await continueAsNew<typeof codikaDebounceWorkflow>(state);
      continue;
    }
    state.window = undefined;
    state.runs += 1;
    const workflowId = `${workflowInfo().workflowId}/run-${state.runs}`;
    const ran: CodikaDebouncedExecution = { workflowId, starts: window.starts, atMs: Date.now() };
    state.ran = [...state.ran, ran].slice(-RAN_KEPT);
    try {
      last = await executeChild<(input: CodikaExecutionWorkflowInput) => Promise<CodikaExecutionResult>>(
        'codikaExecutionWorkflow',
        {
          workflowId,
          args: [window.input],
          ...(window.input.priority ? { priority: window.input.priority } : {}),
          staticSummary: `${window.input.workflowId} · ${window.input.processInstanceId} (${window.starts} debounced starts)`,
        },
      );
      lastFailure = undefined;
      ran.outcome = 'succeeded';
    } catch (err) {
      // The next window still runs; the workflow fails with this only when it is the last one.
      lastFailure = err;
      ran.outcome = 'failed';
    }
    if (longHistory() && state.window) await continueAsNew<typeof codikaDebounceWorkflow>(state);
  }
}
