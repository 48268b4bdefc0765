import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { refuseAttachedPayload, validateId, validatePayload } from '../shared/validation';
import { CodikaValidationError } from '../shared/errors';
import { validateResultOptions } from '../shared/result-options';
import type { CodikaExecutionInput, CodikaExecutionResult } from '../shared/execution-types';
import type { CodikaPollOptions } from '../shared/poll-options';
import { checkTriggerDelivery } from '../shared/trigger-delivery';
import { checkPriority, executionPriority, type CodikaPriority } from '../shared/priority';
import { executionStaticDetails, executionSummary } from '../shared/ui-summaries';
import {
  codikaExecutionTriggeredUpdate,
  type codikaExecutionWorkflow,
  type CodikaExecutionWorkflowInput,
} from '../workflows/codika-execution-workflow';
import { requireOwnWorkflowId, startAndWaitForTrigger } from './start-and-wait-for-trigger';
import { DEFAULT_TASK_QUEUE } from '../shared/task-queue';
import type { CodikaCallbackReceiver } from './callback-receiver';
import { checkConcurrency } from '../shared/flow-control';
import {
  singletonWorkflowId,
  startDebounced,
  startSingleton,
  type CodikaDebouncedRun,
  type CodikaDebounceOptions,
  type CodikaSingletonOptions,
  type CodikaSingletonRun,
} from './flow-control/keyed-starts';

/** Options of {@link startCodikaExecution}. */
export interface StartCodikaExecutionOptions {
  /** The task queue a Codika worker serves: the one its `createCodikaWorker` or plugin listens on. @default 'codika' */
  taskQueue?: string;
  /**
   * The Temporal workflow id of the run, unique in its namespace; not the Codika `workflowId` of the
   * input, which names what Codika runs. @default `codika-<Codika workflowId>-<processInstanceId>-<time><random>`
   */
  workflowId?: string;
  /** How to wait for the result. */
  poll?: CodikaPollOptions;
  /** Continue as new after this many status checks in one run. @default when Temporal suggests it */
  continueAsNewAfterPolls?: number;
  /**
   * Tell the Codika workflow where to call back when it ends: the run's callback URL (from a
   * `startCodikaCallbackReceiver`) is added to the payload under `payloadField`.
   */
  callback?: { receiver: Pick<CodikaCallbackReceiver, 'callbackUrlFor'>; payloadField: string };
  /**
   * Return once Codika accepted the trigger, with its `executionId`, instead of at once (one round
   * trip: update-with-start). Needs `workflowId`, which makes the call idempotent: a second call while
   * the run is open returns the same executionId, and a run that already closed is never started
   * again (its executionId comes from its memo).
   */
  waitForTrigger?: boolean;
  /**
   * Collapse starts of `key` arriving within `delay` of each other into one Codika execution with the
   * last start's input (`maxDelay` bounds how long the first one waits): returns the key's debounce
   * workflow, which this start joined or started (docs/flow-control.md). Not with `workflowId`,
   * `waitForTrigger` or `singleton`.
   */
  debounce?: CodikaDebounceOptions;
  /**
   * One execution of `key` at a time: a start while one runs is refused
   * (`CodikaSingletonRunningError`) or joins it (`whenRunning: 'join'`; the handle says `joined`).
   * Not with `workflowId` (the run's id is the key's), `waitForTrigger` or `debounce`.
   */
  singleton?: CodikaSingletonOptions;
}

/** What `startCodikaExecution(…, { waitForTrigger: true })` returns: the run, and Codika's id of its execution. */
export interface CodikaTriggeredStart {
  /** The run, still going: await `handle.result()` for the execution's result. */
  handle: WorkflowHandle<typeof codikaExecutionWorkflow>;
  /** Codika's id of the execution it accepted. */
  executionId: string;
}

/**
 * Starts `codikaExecutionWorkflow` for one Codika execution and returns its handle at once; with
 * `waitForTrigger`, once Codika accepted the trigger, with its executionId (early return).
 * The input is checked here first, so a bad id fails before anything is started.
 *
 * @throws CodikaValidationError on bad input (an id, the payload, `triggerDelivery`, `priority`,
 *   `concurrency`, `result`), or options that do not go together (`waitForTrigger` without `workflowId`,
 *   `debounce` or `singleton` with `workflowId`…).
 * @throws WorkflowUpdateFailedError (`waitForTrigger`) whose cause is the trigger's typed failure
 *   (`CodikaTriggerOutcomeUnknown`, `CodikaAuthError`…).
 * @throws WorkflowExecutionAlreadyStartedError (`waitForTrigger`) when a run with this id closed without
 *   triggering.
 * @throws CodikaSingletonRunningError (`singleton`, `whenRunning: 'refuse'`) while a run of the key is going.
 */
export async function startCodikaExecution(
  client: Client,
  input: CodikaExecutionInput,
  options: StartCodikaExecutionOptions & { debounce: CodikaDebounceOptions },
): Promise<CodikaDebouncedRun>;
export async function startCodikaExecution(
  client: Client,
  input: CodikaExecutionInput,
  options: StartCodikaExecutionOptions & { singleton: CodikaSingletonOptions },
): Promise<CodikaSingletonRun>;
export async function startCodikaExecution(
  client: Client,
  input: CodikaExecutionInput,
  options: StartCodikaExecutionOptions & { waitForTrigger: true },
): Promise<CodikaTriggeredStart>;
export async function startCodikaExecution(
  client: Client,
  input: CodikaExecutionInput,
  options?: StartCodikaExecutionOptions & { waitForTrigger?: false },
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof codikaExecutionWorkflow>>;
export async function startCodikaExecution(
  client: Client,
  input: CodikaExecutionInput,
  options: StartCodikaExecutionOptions = {},
): Promise<
  | WorkflowHandleWithFirstExecutionRunId<typeof codikaExecutionWorkflow>
  | CodikaTriggeredStart
  | CodikaDebouncedRun
  | CodikaSingletonRun
> {
  refuseKeyedStartConflicts(options);
  const keyedId = options.singleton ? { workflowId: singletonWorkflowId(options.singleton.key) } : {};
  const { args, workflowStart } = codikaExecutionStart(input, { ...options, ...keyedId });
  if (options.waitForTrigger) requireOwnWorkflowId(options.workflowId);
  const temporalWorkflowId = workflowStart.workflowId;
  const startOptions = {
    ...workflowStart,
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    args: [args] as [CodikaExecutionWorkflowInput],
  };
  if (options.debounce) return startDebounced(client, args, startOptions, options.debounce);
  if (options.singleton) {
    const start = () =>
      client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
        ...startOptions,
        workflowIdConflictPolicy: 'FAIL',
      });
    return startSingleton(client, start, options.singleton);
  }
  if (!options.waitForTrigger) {
    return client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', startOptions);
  }
  try {
    const { handle, result } = await startAndWaitForTrigger(
      client,
      'codikaExecutionWorkflow',
      startOptions,
      codikaExecutionTriggeredUpdate,
    );
    return { handle, executionId: result.executionId };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return closedRun(client, temporalWorkflowId, err);
  }
}

/**
 * The checked input and start options of one `codikaExecutionWorkflow` run, for every way of starting
 * one (the client helpers, the Nexus operation): the same checks, the same UI texts.
 *
 * @throws CodikaValidationError on a bad id, payload, `triggerDelivery`, `priority`, `concurrency` or `result`,
 *   or a payload or callback given with `executionId`.
 */
export function codikaExecutionStart(
  input: CodikaExecutionInput,
  options: Pick<StartCodikaExecutionOptions, 'workflowId' | 'poll' | 'continueAsNewAfterPolls' | 'callback'> = {},
): {
  args: CodikaExecutionWorkflowInput;
  workflowStart: { workflowId: string; staticSummary: string; staticDetails: string; priority: CodikaPriority };
} {
  const processInstanceId = validateId('processInstanceId', input.processInstanceId);
  const workflowId = validateId('workflowId', input.workflowId);
  const temporalWorkflowId = options.workflowId ?? readableWorkflowId(processInstanceId, workflowId);
  const payload = { ...validatePayload(input.payload) };
  const executionId = input.executionId === undefined ? undefined : validateId('executionId', input.executionId);
  if (executionId !== undefined) refuseTriggerOnlyOptions(payload, options);
  if (options.callback)
    payload[options.callback.payloadField] = options.callback.receiver.callbackUrlFor(temporalWorkflowId);
  const triggerDelivery = checkTriggerDelivery(input.triggerDelivery);
  const priority = checkPriority(input.priority);
  const concurrency = checkConcurrency(input.concurrency);
  const result = validateResultOptions(input.result, 'result');
  const args: CodikaExecutionWorkflowInput = { processInstanceId, workflowId, payload, triggerDelivery };
  if (priority) args.priority = priority;
  if (concurrency) args.concurrency = concurrency;
  if (executionId !== undefined) args.executionId = executionId;
  if (result) args.result = result;
  // Checked by the workflow, which names the field; passed on only when given.
  if (input.onTriggerOutcomeUnknown !== undefined) args.onTriggerOutcomeUnknown = input.onTriggerOutcomeUnknown;
  if (input.operatorTimeout !== undefined) args.operatorTimeout = input.operatorTimeout;
  if (options.poll) args.poll = options.poll;
  if (options.continueAsNewAfterPolls !== undefined) args.continueAsNewAfterPolls = options.continueAsNewAfterPolls;
  return {
    args,
    workflowStart: {
      workflowId: temporalWorkflowId,
      staticSummary: executionSummary(args),
      staticDetails: executionStaticDetails(args),
      // The run's workflow tasks and activities inherit it: a backlog is shared between process instances.
      priority: executionPriority(processInstanceId, priority),
    },
  };
}

/** `debounce` and `singleton` name the run themselves: neither goes with the options that name it too. */
function refuseKeyedStartConflicts(options: StartCodikaExecutionOptions): void {
  const keyed = options.debounce ? 'debounce' : options.singleton ? 'singleton' : undefined;
  if (!keyed) return;
  // A callback URL names the run it calls back; a debounced start's execution is another run.
  const others = ['workflowId', 'waitForTrigger', keyed === 'debounce' ? 'singleton' : 'debounce'] as const;
  for (const other of keyed === 'debounce' ? ([...others, 'callback'] as const) : others) {
    if (options[other] !== undefined && options[other] !== false) {
      throw new CodikaValidationError(
        other,
        `cannot go with ${keyed}: the ${keyed} key names the run (remove ${other}, or ${keyed})`,
      );
    }
  }
}

/**
 * A run that attaches to `executionId` triggers nothing: a payload, or a callback URL (which travels in
 * the trigger's payload), would never reach Codika, so asking for one is a mistake worth naming.
 */
function refuseTriggerOnlyOptions(payload: Record<string, unknown>, options: { callback?: unknown }): void {
  refuseAttachedPayload(payload);
  if (options.callback) {
    throw new CodikaValidationError(
      'callback',
      "cannot go with executionId: the callback URL travels in the trigger's payload, and attaching triggers nothing",
    );
  }
}

/** A run with this id already ran to its end: its executionId is in its memo, unless it never triggered. */
async function closedRun(
  client: Client,
  workflowId: string,
  cause: WorkflowExecutionAlreadyStartedError,
): Promise<CodikaTriggeredStart> {
  const handle = client.workflow.getHandle<typeof codikaExecutionWorkflow>(workflowId);
  const { memo, status } = await handle.describe();
  const executionId = (memo as { codikaExecutionId?: unknown } | undefined)?.codikaExecutionId;
  if (typeof executionId === 'string') return { handle, executionId };
  throw new WorkflowExecutionAlreadyStartedError(
    `Workflow ${workflowId} already ran (${status.name}) and never triggered a Codika execution; it is not started again`,
    cause.workflowId,
    cause.workflowType,
  );
}

/**
 * Runs one Codika execution through Temporal and waits for its result.
 *
 * @throws CodikaValidationError on bad input; `WorkflowFailedError` whose cause is the Codika failure.
 */
export async function executeCodikaExecution<T = unknown>(
  client: Client,
  input: CodikaExecutionInput,
  options: StartCodikaExecutionOptions = {},
): Promise<CodikaExecutionResult<T>> {
  if (options.debounce) {
    const { handle } = await startCodikaExecution(client, input, { ...options, debounce: options.debounce });
    return (await handle.result()) as CodikaExecutionResult<T>;
  }
  const handle = await startCodikaExecution(client, input, { ...options, waitForTrigger: false });
  return (await handle.result()) as CodikaExecutionResult<T>;
}

/** Sorts by time in the UI and says what runs; the random tail keeps two starts in one millisecond apart. */
export function readableWorkflowId(processInstanceId: string, workflowId: string): string {
  const random = Math.random().toString(36).slice(2, 8);
  return `codika-${workflowId}-${processInstanceId}-${Date.now().toString(36)}${random}`;
}
