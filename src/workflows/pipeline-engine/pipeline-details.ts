/** The current details of a pipeline run in the Temporal UI (Markdown): its phase and a line per step. */
import type { CodikaPipelineState, CodikaPipelineStepState } from '../../pipeline/pipeline-types';
import { utcMinute } from '../execution/current-details';
import { countItems } from './pipeline-scheduling';

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
  if (step.question && running) {
    const { idempotencyKey, sentAt } = step.question;
    return ` · waiting for an operator: trigger outcome unknown, key \`${idempotencyKey}\`, sent at ${utcMinute(sentAt)}`;
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
