import type { WorkflowHandle } from '@temporalio/client';
import type { History } from '../shared/history-cost';
import { protoTimeMs } from '../shared/proto-time';
import { summarize, type Summary } from '../shared/stats';
import { inPool } from './in-pool';

/**
 * Where start → trigger goes, from the server's event times of a sample of a batch's runs: the
 * first workflow task waiting in the queue and running on the worker, the trigger activity waiting
 * and running, then the workflow task that reads the trigger's answer. `nonStickyShare` is the part
 * of later workflow tasks the server sent to the normal queue rather than the worker's sticky one:
 * the worker no longer had the run in its cache (evicted), so that task replayed the whole history.
 */
export interface HistoryTimings {
  sampled: number;
  firstTaskWait: Summary;
  firstTaskRun: Summary;
  triggerWait: Summary;
  triggerRun: Summary;
  secondTaskWait: Summary;
  secondTaskRun: Summary;
  /** Later workflow tasks scheduled on the normal queue, of all later ones (0 to 1); null without any. */
  nonStickyShare: number | null;
  /** History events per run, median. */
  events: number | null;
}

const SAMPLE = 200;
const FETCH_CONCURRENCY = 10;
/** `TaskQueueKind.TASK_QUEUE_KIND_NORMAL` in Temporal's API. */
const NORMAL_QUEUE = 1;

/** Reads the histories of up to 200 runs spread evenly over `handles`, and times their phases. */
export async function historyTimings(handles: WorkflowHandle[]): Promise<HistoryTimings> {
  const step = Math.max(1, Math.floor(handles.length / SAMPLE));
  const sample = handles.filter((_, i) => i % step === 0).slice(0, SAMPLE);
  const phases = {
    firstTaskWait: [] as number[],
    firstTaskRun: [] as number[],
    triggerWait: [] as number[],
    triggerRun: [] as number[],
    secondTaskWait: [] as number[],
    secondTaskRun: [] as number[],
  };
  const events: number[] = [];
  let laterTasks = 0;
  let nonSticky = 0;
  await inPool(sample, FETCH_CONCURRENCY, async (handle) => {
    const history = await handle.fetchHistory().catch(() => undefined);
    if (!history) return;
    const timed = timePhases(history);
    for (const key of Object.keys(phases) as (keyof typeof phases)[]) {
      const value = timed[key];
      if (value !== undefined) phases[key].push(value);
    }
    events.push(history.events?.length ?? 0);
    laterTasks += timed.laterTasks;
    nonSticky += timed.nonStickyLaterTasks;
  });
  return {
    sampled: events.length,
    firstTaskWait: summarize(phases.firstTaskWait),
    firstTaskRun: summarize(phases.firstTaskRun),
    triggerWait: summarize(phases.triggerWait),
    triggerRun: summarize(phases.triggerRun),
    secondTaskWait: summarize(phases.secondTaskWait),
    secondTaskRun: summarize(phases.secondTaskRun),
    nonStickyShare: laterTasks > 0 ? Math.round((nonSticky / laterTasks) * 1000) / 1000 : null,
    events: summarize(events).median,
  };
}

type PhaseName = Exclude<keyof HistoryTimings, 'sampled' | 'nonStickyShare' | 'events'>;

/** One run's phases; a phase the run never reached is left out. */
function timePhases(history: History): Partial<Record<PhaseName, number>> & {
  laterTasks: number;
  nonStickyLaterTasks: number;
} {
  const at = new Map<string, number>();
  const tasks: { scheduledAt: number; startedAt?: number; completedAt?: number; kind?: number | null }[] = [];
  let trigger: { scheduledId: string; scheduledAt: number; startedAt?: number; completedAt?: number } | undefined;
  for (const event of history.events ?? []) {
    const time = protoTimeMs(event.eventTime);
    at.set(String(event.eventId), time);
    if (event.workflowTaskScheduledEventAttributes) {
      tasks.push({ scheduledAt: time, kind: event.workflowTaskScheduledEventAttributes.taskQueue?.kind });
    } else if (event.workflowTaskStartedEventAttributes && tasks.length > 0) {
      tasks[tasks.length - 1]!.startedAt = time;
    } else if (event.workflowTaskCompletedEventAttributes && tasks.length > 0) {
      tasks[tasks.length - 1]!.completedAt = time;
    } else if (event.activityTaskScheduledEventAttributes && !trigger) {
      trigger = { scheduledId: String(event.eventId), scheduledAt: time };
    } else if (
      trigger &&
      event.activityTaskStartedEventAttributes &&
      String(event.activityTaskStartedEventAttributes.scheduledEventId) === trigger.scheduledId
    ) {
      trigger.startedAt = time;
    } else if (trigger && String(activityEnd(event)?.scheduledEventId) === trigger.scheduledId) {
      trigger.completedAt = time;
    }
  }
  const diff = (from?: number, to?: number) => (from !== undefined && to !== undefined ? to - from : undefined);
  const [first, ...later] = tasks;
  const second =
    trigger?.completedAt !== undefined ? later.find((t) => t.scheduledAt >= trigger!.completedAt!) : undefined;
  return {
    firstTaskWait: diff(first?.scheduledAt, first?.startedAt),
    firstTaskRun: diff(first?.startedAt, first?.completedAt),
    triggerWait: diff(trigger?.scheduledAt, trigger?.startedAt),
    triggerRun: diff(trigger?.startedAt, trigger?.completedAt),
    secondTaskWait: diff(second?.scheduledAt, second?.startedAt),
    secondTaskRun: diff(second?.startedAt, second?.completedAt),
    laterTasks: later.length,
    nonStickyLaterTasks: later.filter((t) => t.kind === NORMAL_QUEUE).length,
  };
}

/** The attributes of an activity's end (completed or failed), or undefined for any other event. */
function activityEnd(event: NonNullable<History['events']>[number]) {
  return event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes ?? undefined;
}
