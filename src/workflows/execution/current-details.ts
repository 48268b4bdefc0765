import { setCurrentDetails } from '@temporalio/workflow';
import type { CodikaExecutionState } from '../../shared/execution-types';
import { formatDuration } from '../../shared/durations';

/**
 * The run's current details in the Temporal UI (Markdown): where it is, never what it carries.
 * `nowMs` is workflow time, so "elapsed" is as of the last change.
 */
export function executionDetails(state: CodikaExecutionState, nowMs: number): string {
  // Four lines at most: the UI shows current details in a frame about five lines high.
  const elapsed = state.startedAt ? ` · **elapsed** ${formatDuration(nowMs - Date.parse(state.startedAt))}` : '';
  const lines = [`**phase** ${state.phase}${elapsed}`];
  if (state.question) {
    // What an operator needs to find the execution in Codika, and how long is left to answer.
    const { idempotencyKey, sentAt, timeoutAt } = state.question;
    lines.push(
      `**waiting for an operator**: trigger outcome unknown, key \`${idempotencyKey}\`, sent at ${utcMinute(sentAt)}`,
    );
    lines.push(`**answer** \`codika-temporal resolve\` before ${timeoutAt.slice(0, 16).replace('T', ' ')} UTC`);
    return lines.map((line) => `- ${line}`).join('\n');
  }
  if (state.phase === 'waiting_for_permit' && state.permit) {
    const { key, inUse, limit, position } = state.permit;
    lines.push(`**permit** of \`${key}\`: ${inUse}/${limit} in use · #${position ?? '?'} in line`);
    return lines.map((line) => `- ${line}`).join('\n');
  }
  if (state.executionId) lines.push(`**executionId** \`${state.executionId}\``);
  lines.push(`**polls so far** ${state.polls}${state.lastStatus ? ` · **last status** ${state.lastStatus}` : ''}`);
  if (state.nextPollAt) {
    const inMs = Date.parse(state.nextPollAt) - nowMs;
    const at = `${state.nextPollAt.slice(11, 19)} UTC`;
    lines.push(`**next poll** ${at}${inMs > 0 ? ` (in ${formatDuration(inMs)})` : ''}`);
  }
  return lines.map((line) => `- ${line}`).join('\n');
}

/** `2026-11-30T14:05:09.000Z` → `14:05:09 UTC`. */
export function utcMinute(iso: string): string {
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
