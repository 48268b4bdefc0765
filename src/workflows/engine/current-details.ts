import { setCurrentDetails } from '@temporalio/workflow';
import type { CodikaExecutionState } from '../../shared/execution-types';
import type { CodikaPipelineState, CodikaPipelineStepState } from '../../pipeline/pipeline-types';
import { countItems } from './pipeline-scheduling';
import { formatDuration } from '../../shared/durations';

/**
 * The run's current details in the Temporal UI (Markdown): where it is, never what it carries.
 * `nowMs` is workflow time, so "elapsed" is as of the last change.
 */
export function executionDetails(state: CodikaExecutionState, nowMs: number): string {
  // Four lines at most: the UI shows current details in a frame about five lines high.
  const elapsed = state.startedAt ? ` · **elapsed** ${formatDuration(nowMs - Date.parse(state.startedAt))}` : '';
  const lines = [`**phase** ${state.phase}${elapsed}`];
  if (state.executionId) lines.push(`**executionId** \`${state.executionId}\``);
  lines.push(`**polls so far** ${state.polls}${state.lastStatus ? ` · **last status** ${state.lastStatus}` : ''}`);
  if (state.nextPollAt) {
    const inMs = Date.parse(state.nextPollAt) - nowMs;
    const at = `${state.nextPollAt.slice(11, 19)} UTC`;
    lines.push(`**next poll** ${at}${inMs > 0 ? ` (in ${formatDuration(inMs)})` : ''}`);
  }
  return lines.map((line) => `- ${line}`).join('\n');
}

/** A pipeline's current details: its phase and one line per step (what waits, and for whom). */
export function pipelineDetails(state: CodikaPipelineState): string {
  const steps = state.order.map((id) => {
    const step = state.steps[id]!;
    return `- **${id}** ${step.status}${stepExtra(step)}`;
  });
  return [`**phase** ${state.phase}`, '', ...steps].join('\n');
}

const PROMPT_SHOWN = 120;

function stepExtra(step: CodikaPipelineStepState): string {
  const running = step.status === 'running';
  if (step.items) {
    const c = countItems(step.items);
    return ` (items: ${c.done} done, ${c.running} running, ${c.failed} failed, ${c.left} left)`;
  }
  if (step.approval && running && !step.approval.answer) {
    const prompt =
      step.approval.prompt.length > PROMPT_SHOWN
        ? `${step.approval.prompt.slice(0, PROMPT_SHOWN - 1)}…`
        : step.approval.prompt;
    const until = step.approval.deadline ? ` until ${utcMinute(step.approval.deadline)}` : '';
    const from = step.approval.approvers ? ` from ${step.approval.approvers.join(', ')}` : '';
    return ` · waits for an approval${from}${until}: ${prompt}`;
  }
  const answer = step.approval?.answer;
  if (answer)
    return ` (${answer.timedOut ? 'approved by its timeout' : `${answer.approved ? 'approved' : 'rejected'} by ${answer.by}`})`;
  if (running && step.startsAt && step.executionId === undefined && !step.attempts) {
    return ` · starts at ${utcMinute(step.startsAt)}`;
  }
  const extra = [
    step.executionId && `\`${step.executionId}\``,
    step.polls ? `${step.polls} polls` : undefined,
    step.attempts && step.attempts.length > 1 ? `attempt ${step.attempts.length}` : undefined,
    running && step.nextAttemptAt ? `next attempt at ${utcMinute(step.nextAttemptAt)}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return extra ? ` (${extra})` : '';
}

/** `2026-11-30T14:05:09.000Z` → `14:05:09 UTC`. */
function utcMinute(iso: string): string {
  return `${iso.slice(11, 19)} UTC`;
}

/**
 * Wraps `state` so every change to it re-renders the run's current details. A Proxy keeps this in
 * one place: the polling strategies update the state in many, and each would otherwise have to ask.
 */
export function showingDetails<T extends object>(state: T, render: (state: T) => string): T {
  const watched = new Proxy(state, {
    set(target, key, value) {
      Reflect.set(target, key, value);
      setCurrentDetails(render(watched));
      return true;
    },
  });
  setCurrentDetails(render(watched));
  return watched;
}
