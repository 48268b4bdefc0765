/**
 * Starts of one key that Temporal itself collapses: `debounce` (signal-with-start on the key's
 * `codikaDebounceWorkflow`: one execution for a burst of starts, with the last input) and `singleton`
 * (one `codikaExecutionWorkflow` per key at a time, its id the key's: a start while it runs is
 * refused, or joins it).
 */
import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandleWithFirstExecutionRunId,
  type WorkflowHandleWithSignaledRunId,
} from '@temporalio/client';
import { CodikaValidationError } from '../../shared/errors';
import { checkFlowKey } from '../../shared/flow-control';
import type { CodikaPriority } from '../../shared/priority';
import { parseDuration, type Duration } from '../../shared/durations';
import { isPositiveDuration } from '../../shared/poll-options';
import type { codikaExecutionWorkflow, CodikaExecutionWorkflowInput } from '../../workflows/codika-execution-workflow';
import {
  debounceWorkflowId,
  debouncedStartSignal,
  type codikaDebounceWorkflow,
  type CodikaDebouncedStart,
  type CodikaDebounceState,
} from '../../workflows/flow-control/codika-debounce-workflow';

/** Collapse starts of one key within `delay` of each other into one execution, with the last start's input. */
export interface CodikaDebounceOptions {
  /** The starts that collapse together (at most 200 characters). */
  key: string;
  /** The execution runs once no start of the key came for this long, e.g. `'5 seconds'`. */
  delay: Duration;
  /** The longest the first start of a burst waits for its execution. @default ten times `delay` */
  maxDelay?: Duration;
}

/** One execution of a key at a time. */
export interface CodikaSingletonOptions {
  /** The key: its run's Temporal workflow id is `codika-singleton:<key>` (at most 200 characters). */
  key: string;
  /**
   * A start while an execution of the key runs: `refuse` it (`CodikaSingletonRunningError`, naming the
   * run) or `join` it (the handle is that run's, `joined: true`). @default 'refuse'
   */
  whenRunning?: 'refuse' | 'join';
}

/** What a debounced start returns: the key's debounce workflow, which this start joined or started. */
export interface CodikaDebouncedRun {
  /** Its `result()` is the result of the execution this start collapsed into (the last of the burst). */
  handle: WorkflowHandleWithSignaledRunId<typeof codikaDebounceWorkflow>;
  /** The run of the debounce workflow this start went to. */
  runId: string;
  /** The debounce key. */
  key: string;
}

/** A singleton start's run: a new one, or the one it joined. */
export type CodikaSingletonRun = WorkflowHandleWithFirstExecutionRunId<typeof codikaExecutionWorkflow> & {
  /** True when the start joined a run of the key that was already going. */
  joined: boolean;
};

/** Thrown by a singleton start (`whenRunning: 'refuse'`) while an execution of the key runs. Nothing was started. */
export class CodikaSingletonRunningError extends Error {
  /** Thrown outside Temporal only, before anything starts. */
  override readonly name = 'CodikaSingletonRunningError';
  /**
   * @param key - The singleton key.
   * @param workflowId - The running run's workflow id (`codika-singleton:<key>`).
   * @param runId - The running run.
   */
  constructor(
    readonly key: string,
    readonly workflowId: string,
    readonly runId: string,
  ) {
    super(
      `An execution of singleton key "${key}" is already running (workflow ${workflowId}, run ${runId}); ` +
        "this start was refused. Wait for it, or pass singleton.whenRunning 'join' to join it.",
    );
  }
}

/** The id of a singleton key's run. */
export function singletonWorkflowId(key: string): string {
  return `codika-singleton:${key}`;
}

/**
 * Signals the key's debounce workflow with this start, starting it when the key has none running.
 *
 * @throws CodikaValidationError on a bad key, delay or maxDelay.
 */
export async function startDebounced(
  client: Client,
  args: CodikaExecutionWorkflowInput,
  start: { taskQueue: string; staticSummary: string; priority?: CodikaPriority },
  options: CodikaDebounceOptions,
): Promise<CodikaDebouncedRun> {
  const key = checkFlowKey('debounce.key', options.key);
  const delayMs = checkDelay('debounce.delay', options.delay);
  const maxDelayMs = options.maxDelay === undefined ? delayMs * 10 : checkDelay('debounce.maxDelay', options.maxDelay);
  if (maxDelayMs < delayMs) {
    throw new CodikaValidationError('debounce.maxDelay', `must be at least debounce.delay (${delayMs} ms)`);
  }
  const initial: CodikaDebounceState = { key, ran: [], runs: 0 };
  const handle = await client.workflow.signalWithStart<typeof codikaDebounceWorkflow, [CodikaDebouncedStart]>(
    'codikaDebounceWorkflow',
    {
      workflowId: debounceWorkflowId(key),
      taskQueue: start.taskQueue,
      args: [initial],
      signal: debouncedStartSignal,
      signalArgs: [{ input: args, delayMs, maxDelayMs }],
      staticSummary: `debounced: ${start.staticSummary}`,
      ...(start.priority ? { priority: start.priority } : {}),
    },
  );
  return { handle, runId: handle.signaledRunId, key };
}

/**
 * Starts the key's run unless one is going: then refuses, or joins it.
 *
 * @throws CodikaValidationError on a bad key or `whenRunning`.
 * @throws CodikaSingletonRunningError (`whenRunning: 'refuse'`) while a run of the key is going.
 */
export async function startSingleton(
  client: Client,
  start: () => Promise<WorkflowHandleWithFirstExecutionRunId<typeof codikaExecutionWorkflow>>,
  options: CodikaSingletonOptions,
): Promise<CodikaSingletonRun> {
  const key = checkFlowKey('singleton.key', options.key);
  const whenRunning = options.whenRunning ?? 'refuse';
  if (whenRunning !== 'refuse' && whenRunning !== 'join') {
    throw new CodikaValidationError(
      'singleton.whenRunning',
      `must be 'refuse' or 'join'; got ${JSON.stringify(whenRunning)}`,
    );
  }
  try {
    return Object.assign(await start(), { joined: false });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const workflowId = singletonWorkflowId(key);
    const running = await client.workflow.getHandle<typeof codikaExecutionWorkflow>(workflowId).describe();
    // Ended between the refused start and the describe: the key is free again, so start once more.
    if (running.status.name !== 'RUNNING') return Object.assign(await start(), { joined: false });
    if (whenRunning === 'refuse') throw new CodikaSingletonRunningError(key, workflowId, running.runId);
    // The run's chain: its result follows a continue-as-new, as the starter's handle does.
    const firstExecutionRunId = running.raw.workflowExecutionInfo?.firstRunId || running.runId;
    const handle = client.workflow.getHandle<typeof codikaExecutionWorkflow>(workflowId, undefined, {
      firstExecutionRunId,
    });
    return Object.assign(handle, { joined: true, firstExecutionRunId });
  }
}

function checkDelay(field: string, value: Duration): number {
  if (!isPositiveDuration(value)) {
    throw new CodikaValidationError(
      field,
      `must be a positive duration such as "5 seconds" or a number of milliseconds; got ${JSON.stringify(value)}`,
    );
  }
  return parseDuration(value);
}
