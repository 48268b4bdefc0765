/**
 * What woke each workflow task of a history: the events that reached the run between one workflow
 * task's completion and the next one's start (an activity's result, a timer, a signal…). Two
 * fan-outs with the same activities write different numbers of workflow tasks only by how many of
 * these each task takes in: this shows which wake-ups the extra tasks answer.
 */
import type { History } from '../shared/history-cost';

/** Event kinds that hand a run something new (the others are its own commands, or workflow-task bookkeeping). */
const WAKE_KINDS = new Set([
  'workflowExecutionStarted',
  'activityTaskCompleted',
  'activityTaskFailed',
  'activityTaskTimedOut',
  'activityTaskCanceled',
  'timerFired',
  'workflowExecutionSignaled',
  'externalWorkflowExecutionSignaled',
  'signalExternalWorkflowExecutionFailed',
  'childWorkflowExecutionStarted',
  'childWorkflowExecutionCompleted',
  'childWorkflowExecutionFailed',
  'childWorkflowExecutionCanceled',
  'childWorkflowExecutionTerminated',
  'childWorkflowExecutionTimedOut',
  'startChildWorkflowExecutionFailed',
  'workflowExecutionCancelRequested',
  'workflowExecutionUpdateAdmitted',
  'workflowExecutionUpdateAccepted',
]);

/**
 * Adds each workflow task of `history` to `into` under what woke it: the distinct kinds it took in,
 * joined by `+` (`activityTaskCompleted`, `activityTaskCompleted+timerFired`), or `nothing new` for
 * a task that took in none (a retry of a failed task, or one the worker asked for itself).
 */
export function addWorkflowTaskWakeUps(history: History, into: Map<string, number>): void {
  let taken = new Set<string>();
  for (const event of history.events ?? []) {
    const kind = eventKind(event);
    if (WAKE_KINDS.has(kind)) taken.add(kind);
    if (kind === 'workflowTaskStarted') {
      const cause = taken.size === 0 ? 'nothing new' : [...taken].sort().join('+');
      into.set(cause, (into.get(cause) ?? 0) + 1);
      taken = new Set();
    }
  }
}

/** An event's kind: the name of its attributes less `EventAttributes` (`activityTaskCompleted`). */
export function eventKind(event: NonNullable<History['events']>[number]): string {
  const attributes = Object.keys(event).find((key) => key.endsWith('EventAttributes'));
  return attributes?.slice(0, -'EventAttributes'.length) ?? 'unknown';
}
