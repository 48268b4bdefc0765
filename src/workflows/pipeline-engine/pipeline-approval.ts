/**
 * Approval steps: a pipeline step that waits for a person's answer, given through the
 * `codikaPipelineApprove` Workflow Update. The validator refuses what cannot be an answer before
 * anything is written to the history; the wait is a `condition` with the step's timeout, whose
 * deadline is kept in the state so a continued run waits only for what is left.
 */
import { condition } from '@temporalio/workflow';
import type { CodikaPipelineApprovalStep } from '../../pipeline/definition';
import type {
  CodikaPipelineApprovalAnswer,
  CodikaPipelineApprovalState,
  CodikaPipelineStepState,
} from '../../pipeline/pipeline-types';
import { CODIKA_APPROVAL_REJECTED, CODIKA_APPROVAL_TIMED_OUT } from '../../shared/errors';
import { formatDuration, parseDuration } from '../../shared/durations';
import { nonRetryableFailure } from '../../shared/failures';
import { labelled } from '../execution/polling-strategies';

/** What `codikaPipelineApprove` takes: which step, the answer, who gives it and why. */
export interface CodikaApprovalRequest {
  /** The approval step's id. */
  stepId: string;
  /** `true` approves; `false` rejects, which fails the step (and runs the saga as any failure does). */
  approved: boolean;
  /** Who answers, for the record: a name or an email. */
  by: string;
  /** Why, for the record. */
  comment?: string;
}

const MAX_BY_LENGTH = 200;
const MAX_COMMENT_LENGTH = 2_000;

/**
 * Why `request` cannot answer the pipeline now, or undefined when it can. `steps` is the pipeline's
 * state; `approvalStepIds` the ids of its approval steps.
 */
export function approvalRequestProblem(
  request: unknown,
  steps: Readonly<Record<string, CodikaPipelineStepState>>,
  approvalStepIds: ReadonlySet<string>,
): string | undefined {
  if (typeof request !== 'object' || request === null) return 'expected { stepId, approved, by, comment? }';
  const { stepId, approved, by, comment } = request as Record<string, unknown>;
  if (typeof stepId !== 'string') return 'stepId: the id of the approval step to answer';
  if (typeof approved !== 'boolean') return 'approved: true to approve, false to reject';
  if (typeof by !== 'string' || by.trim() === '' || by.length > MAX_BY_LENGTH) {
    return `by: who answers (a name or an email, ${MAX_BY_LENGTH} characters at most)`;
  }
  if (comment !== undefined && (typeof comment !== 'string' || comment.length > MAX_COMMENT_LENGTH)) {
    return `comment: text of ${MAX_COMMENT_LENGTH} characters at most`;
  }
  const step = steps[stepId];
  if (step === undefined) {
    const ids = [...approvalStepIds];
    return `no step "${stepId}" in this pipeline${ids.length ? `; its approval steps: ${ids.join(', ')}` : ''}`;
  }
  if (!approvalStepIds.has(stepId))
    return `step "${stepId}" runs a Codika execution; only approval steps take an answer`;
  const answer = step.approval?.answer;
  if (answer) {
    const how = answer.timedOut
      ? 'approved by its timeout'
      : `${answer.approved ? 'approved' : 'rejected'} by ${answer.by}`;
    return `step "${stepId}" was already answered: ${how} at ${answer.at}`;
  }
  const approvers = step.approval?.approvers;
  if (approvers && !approvers.includes(by.trim())) {
    return `"${by}" may not answer step "${stepId}": its approvers are ${approvers.join(', ')}`;
  }
  if (step.status !== 'running' || step.approval === undefined) {
    const why =
      step.status === 'pending'
        ? 'it has not started (it waits for the steps it depends on)'
        : step.status === 'running'
          ? `it starts asking at ${step.startsAt ?? 'the end of its delay'}`
          : `it is ${step.status}`;
    return `step "${stepId}" is not waiting for an answer: ${why}`;
  }
  return undefined;
}

/** Ends an approval's wait without an answer once the pipeline failed. */
export interface ApprovalStop {
  stopped(): boolean;
  failure(): Error;
}

/**
 * Waits for the answer to an approval step whose state is `approval`, until its deadline.
 *
 * @returns the answer: given, or `approved` by the timeout when `onTimeout` is `approve`.
 * @throws ApplicationFailure `CodikaApprovalRejected` when rejected, `CodikaApprovalTimedOut` when unanswered,
 *   and `stop`'s failure when the pipeline failed first.
 */
export async function awaitApproval(
  stepId: string,
  step: CodikaPipelineApprovalStep,
  approval: CodikaPipelineApprovalState,
  stop?: ApprovalStop,
): Promise<CodikaPipelineApprovalAnswer> {
  const answered = () => approval.answer !== undefined;
  const done = stop ? () => answered() || stop.stopped() : answered;
  if (!done()) {
    if (approval.deadline === undefined) await condition(done);
    else {
      const leftMs = Date.parse(approval.deadline) - Date.now();
      const summary = labelled(
        stepId,
        `waits for an approval, up to ${formatDuration(parseDuration(step.approval.timeout!))}`,
      );
      if (leftMs > 0) await condition(done, leftMs, { summary });
    }
  }
  if (!answered() && stop?.stopped()) throw stop.failure();
  const at = new Date(Date.now()).toISOString();
  if (!approval.answer) {
    if (approval.onTimeout !== 'approve') {
      throw nonRetryableFailure(
        CODIKA_APPROVAL_TIMED_OUT,
        `no answer within ${formatDuration(parseDuration(step.approval.timeout!))}`,
        { stepId, deadline: approval.deadline },
      );
    }
    approval.answer = { approved: true, by: 'onTimeout', at, timedOut: true };
  }
  const { approved, by, comment } = approval.answer;
  if (!approved) {
    throw nonRetryableFailure(CODIKA_APPROVAL_REJECTED, `rejected by ${by}${comment ? `: ${comment}` : ''}`, {
      stepId,
      by,
      at: approval.answer.at,
    });
  }
  return { approved, by, ...(comment === undefined ? {} : { comment }), at: approval.answer.at };
}
