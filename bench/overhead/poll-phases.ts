import type { History } from '../shared/history-cost';
import { protoTimeMs } from '../shared/proto-time';

/**
 * Where the time of each timer-strategy poll goes, in ms, from the server's event times: the timer
 * firing late, the workflow task that schedules the status check, its dispatch to the worker, the
 * activity itself (HTTP call and completion), and the workflow task that reads its result.
 */
export interface PollPhases {
  timerLateness: number[];
  workflowTaskAfterTimer: number[];
  activityDispatch: number[];
  activityRun: number[];
  workflowTaskAfterActivity: number[];
}

/** An empty {@link PollPhases}, to fill with {@link addPollPhases}. */
export function emptyPollPhases(): PollPhases {
  return {
    timerLateness: [],
    workflowTaskAfterTimer: [],
    activityDispatch: [],
    activityRun: [],
    workflowTaskAfterActivity: [],
  };
}

/** Adds the phases of every poll in a continue-as-new chain (only activities that follow a timer count). */
export function addPollPhases(chain: History[], phases: PollPhases): void {
  for (const history of chain) {
    const timerDueAt = new Map<string, number>();
    const scheduledAt = new Map<string, number>();
    let timerFiredAt: number | undefined;
    let activityDoneAt: number | undefined;
    for (const event of history.events ?? []) {
      const at = protoTimeMs(event.eventTime);
      const eventId = String(event.eventId);
      if (event.timerStartedEventAttributes) {
        const { timerId, startToFireTimeout } = event.timerStartedEventAttributes;
        timerDueAt.set(timerId ?? '', at + protoTimeMs(startToFireTimeout));
      }
      if (event.timerStartedEventAttributes || event.workflowExecutionCompletedEventAttributes) {
        if (activityDoneAt !== undefined) phases.workflowTaskAfterActivity.push(at - activityDoneAt);
        activityDoneAt = undefined;
      }
      const fired = event.timerFiredEventAttributes;
      const due = fired ? timerDueAt.get(fired.timerId ?? '') : undefined;
      if (due !== undefined) {
        phases.timerLateness.push(at - due);
        timerFiredAt = at;
      }
      if (event.activityTaskScheduledEventAttributes && timerFiredAt !== undefined) {
        phases.workflowTaskAfterTimer.push(at - timerFiredAt);
        scheduledAt.set(eventId, at);
        timerFiredAt = undefined;
      }
      const started = event.activityTaskStartedEventAttributes;
      const scheduled = started ? scheduledAt.get(String(started.scheduledEventId)) : undefined;
      if (scheduled !== undefined) phases.activityDispatch.push(at - scheduled);
      const completed = event.activityTaskCompletedEventAttributes;
      if (completed && scheduledAt.has(String(completed.scheduledEventId))) {
        const startedEvent = history.events?.find((e) => String(e.eventId) === String(completed.startedEventId));
        if (startedEvent) phases.activityRun.push(at - protoTimeMs(startedEvent.eventTime));
        activityDoneAt = at;
      }
    }
  }
}

/**
 * What each timer poll cost once its timer fired, in ms: from the poll timer firing to the next poll
 * timer's start (both workflow tasks and the status check). Read from the server's event times, it
 * is the same measure for the library and the bare loop, and none of the execution's fixed costs
 * (start, trigger, result) are in it. How late the server fired the timer is left out: it is the
 * server's alone, and in some runs it was about a hundred milliseconds at the median and moved by as
 * much from poll to poll (2026-12-06), more than the workflow tasks take; see {@link timerLateness}.
 */
export function pollCycles(chain: History[]): number[] {
  const cycles: number[] = [];
  for (const history of chain) {
    let firedAt: number | undefined;
    for (const event of history.events ?? []) {
      const at = protoTimeMs(event.eventTime);
      if (event.timerStartedEventAttributes && firedAt !== undefined) cycles.push(at - firedAt);
      if (event.timerStartedEventAttributes) firedAt = undefined;
      if (event.timerFiredEventAttributes) firedAt = at;
    }
  }
  return cycles;
}

/** How late the server fired each timer of a chain, in ms (fired less started less its duration). */
export function timerLateness(chain: History[]): number[] {
  const late: number[] = [];
  for (const history of chain) {
    const dueAt = new Map<string, number>();
    for (const event of history.events ?? []) {
      const at = protoTimeMs(event.eventTime);
      const started = event.timerStartedEventAttributes;
      if (started) dueAt.set(started.timerId ?? '', at + protoTimeMs(started.startToFireTimeout));
      const due = event.timerFiredEventAttributes && dueAt.get(event.timerFiredEventAttributes.timerId ?? '');
      if (due !== undefined && due !== null) late.push(at - due);
    }
  }
  return late;
}
