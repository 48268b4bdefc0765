/**
 * The state of a pipeline run, and the pure transitions over it. Read this first.
 *
 * A run keeps one value, which the state query shows and continue-as-new carries whole
 * (`CodikaPipelineInput.resume`):
 * - `CodikaPipelineState`: the phase; every step (status, attempts, executionId, polls, delay, approval,
 *   compensation) with its forEach items (status, attempts, failure type, compensation) and batches
 *   (status, next look, stop asked); the failure that stops the pipeline, once one does;
 * - the results so far, with the order in which steps and items finished (the saga undoes them in
 *   reverse): `resume.finished`;
 * - for each execution that is polling, where it stands (executionId, checks, deadline, the interval
 *   its backoff reached, when its next check is due): `resume.polling`;
 * - for each trigger waiting to be sent again, where it stands (Idempotency-Key, next attempt and when,
 *   the backoff it reached, deadline): `resume.triggering`.
 *
 * The scheduler (`pipeline-run.ts`) derives every decision from it: which step may start, whether a
 * forEach step stops, whether the run may continue as new. The functions below are the transitions
 * that need no Temporal API, each with unit tests of its own (`test/unit/workflows/pipeline-state.test.ts`).
 */
import type {
  CodikaExecutionResult,
  CodikaExecutionState,
  CodikaStepProgress,
  CodikaStepResume,
  CodikaTriggerProgress,
} from '../../shared/execution-types';
import { CODIKA_STEP_STOPPED } from '../../shared/errors';
import { nonRetryableFailure } from '../../shared/failures';
import type {
  CodikaPipelineItemState,
  CodikaPipelineResume,
  CodikaPipelineStepState,
} from '../../pipeline/pipeline-types';

/** A result a pipeline keeps: a Codika execution's, an approval's answer, or a forEach step's array. */
export type StepResult = Pick<CodikaExecutionResult, 'resultData'> & Partial<CodikaExecutionResult>;

/** What a run knows of the results when it starts from `resume`. */
export interface RestoredResults {
  /** Each succeeded step's result, by step id: what templates read as `steps.<id>`. */
  results: Map<string, StepResult>;
  /** Each forEach step's succeeded items' results, by item index. */
  itemResults: Map<string, (CodikaExecutionResult | undefined)[]>;
  /** Succeeded steps and items in the order they finished. */
  finished: { stepId: string; index?: number }[];
}

/**
 * The results a continued run starts from. `oneState`: every succeeded forEach step has its result,
 * also one with no succeeded item (empty, or every item failed under `continue`), which runs before
 * one state lost.
 */
export function restoreResults(
  resume: Pick<CodikaPipelineResume, 'finished'>,
  steps: Record<string, CodikaPipelineStepState>,
  oneState: boolean,
): RestoredResults {
  const restored: RestoredResults = { results: new Map(), itemResults: new Map(), finished: [] };
  for (const { stepId, index, result } of resume.finished) {
    restored.finished.push(index === undefined ? { stepId } : { stepId, index });
    if (index === undefined) restored.results.set(stepId, result);
    else {
      const items = restored.itemResults.get(stepId) ?? [];
      items[index] = result;
      restored.itemResults.set(stepId, items);
    }
  }
  for (const [id, results] of restored.itemResults) {
    if (steps[id]!.status === 'succeeded')
      restored.results.set(id, { resultData: forEachResultData(results, steps[id]!) });
  }
  if (oneState) {
    for (const [id, step] of Object.entries(steps)) {
      if (step.items && step.status === 'succeeded' && !restored.results.has(id))
        restored.results.set(id, { resultData: forEachResultData([], step) });
    }
  }
  return restored;
}

/** A forEach step's `resultData`: the items' results in item order, `null` for an item that failed. */
export function forEachResultData(
  results: readonly (CodikaExecutionResult | undefined)[],
  state: CodikaPipelineStepState,
): unknown[] {
  return (state.items ?? []).map((_, i) => (results[i] === undefined ? null : (results[i]!.resultData ?? null)));
}

/**
 * The first item (in item order) that failed on its own, rebuilt from its state with its failure's
 * type; an item stopped by another step's failure is not one. A forEach step with `onFailure: 'fail'`
 * stops as soon as there is one, in this run or in any run after it.
 */
export function firstFailedItem(
  items: readonly CodikaPipelineItemState[],
): { index: number; error: unknown } | undefined {
  const i = items.findIndex((item) => item.status === 'failed' && item.failureType !== CODIKA_STEP_STOPPED);
  if (i < 0) return undefined;
  const item = items[i]!;
  return { index: i, error: nonRetryableFailure(item.failureType ?? 'Error', item.error ?? 'failed', { index: i }) };
}

/**
 * Of the executions that were polling (or waiting to send their trigger again) when the run began to
 * stop its steps, those the next run resumes: a status check in flight may have ended one meanwhile
 * (its step or item no longer `running`, or waiting for its next attempt), and that one must be
 * neither polled nor finished again.
 */
export function pollingToResume<T>(
  polling: Record<string, T>,
  steps: Record<string, CodikaPipelineStepState>,
): Record<string, T> {
  return Object.fromEntries(Object.entries(polling).filter(([key]) => stillPolling(key, steps)));
}

/** A step's or a forEach item's key (`send`, `send[3]`), as its step id and item index. */
export function splitKey(key: string): { stepId: string; index?: number } {
  const [, stepId, index] = /^(.*?)(?:\[(\d+)\])?$/.exec(key)!;
  return index === undefined ? { stepId: stepId! } : { stepId: stepId!, index: Number(index) };
}

/** Whether the step or item of a `resume.polling` key (`send`, `send[3]`) still polls its execution. */
function stillPolling(key: string, steps: Record<string, CodikaPipelineStepState>): boolean {
  const { stepId, index } = splitKey(key);
  const step = steps[stepId];
  const target = index === undefined ? step : step?.items?.[index];
  return target?.status === 'running' && target.nextAttemptAt === undefined;
}

/** Whether a step is resumed waiting to send its trigger again (else it resumes polling). */
export function isTriggerProgress(resume: CodikaStepResume): resume is CodikaTriggerProgress {
  return 'idempotencyKey' in resume;
}

/** What the next run carries of an execution whose trigger waits to be sent again (`triggerWait` set). */
export function triggerProgressOf(execution: CodikaExecutionState): CodikaTriggerProgress {
  const { attempt, backoffMs, idempotencyKey, nextAttemptAt } = execution.triggerWait!;
  return {
    idempotencyKey,
    attempt,
    backoffMs,
    nextAttemptAtMs: Date.parse(nextAttemptAt),
    startedAtMs: Date.parse(execution.startedAt),
    deadlineAtMs: Date.parse(execution.deadlineAt),
  };
}

/**
 * Whether an execution in flight got further than where this run took it up: one the run started
 * itself, one resumed polling that had a check answered, one resumed waiting to send its trigger
 * again that sent it (a resumed wait alone is no progress, or a run asked at once to continue would
 * carry the same wait on forever).
 */
export function executionMovedOn(
  execution: CodikaExecutionState,
  resumed: { polling?: CodikaStepProgress; triggering?: CodikaTriggerProgress },
): boolean {
  if (resumed.triggering) return execution.triggerWait?.attempt !== resumed.triggering.attempt;
  return execution.polls > (resumed.polling?.polls ?? -1);
}

/** A copy of a step's state whose parts the run changes (items, attempts), so a query never shares them. */
export function copyStep(step: CodikaPipelineStepState): CodikaPipelineStepState {
  const copy = { ...step };
  if (step.items) copy.items = step.items.map((item) => ({ ...item, attempts: item.attempts?.map((a) => ({ ...a })) }));
  if (step.attempts) copy.attempts = step.attempts.map((a) => ({ ...a }));
  return copy;
}
