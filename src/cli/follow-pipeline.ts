/**
 * A pipeline run as the CLI shows it: one line per step while it runs (`pipeline run`, `redrive`,
 * `status`), and the questions that wait for an operator.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { CodikaPipelineResult, CodikaPipelineState, CodikaPipelineStepState } from '../pipeline/pipeline-types';
import type { CodikaTriggerQuestion } from '../shared/execution-types';
import { codikaPipelineStateQuery } from '../workflows/codika-pipeline-workflow';
import { countItems } from '../workflows/pipeline-engine/pipeline-scheduling';
import type { CliOutput } from './context';
import { followRun } from './follow-run';

const MARKS: Record<CodikaPipelineStepState['status'], string> = {
  pending: '·',
  running: '…',
  succeeded: '✔',
  failed: '✖',
  skipped: '-',
  compensating: '↺',
  compensated: '↺',
  cancelled: '⊘',
};

/** One line per step, in dependency order. */
/** Follows a pipeline run live, step by step, until it ends; resolves with the exit code. */
export function followPipeline(handle: WorkflowHandle, io: CliOutput, json: boolean): Promise<number> {
  return followRun<CodikaPipelineState, CodikaPipelineResult>(
    handle,
    codikaPipelineStateQuery,
    describePipeline,
    (result) => `✔ pipeline succeeded\n${JSON.stringify(result.outputs, null, 2)}`,
    io,
    json,
  );
}

export function describePipeline(state: CodikaPipelineState): { text: string; active: boolean }[] {
  const width = Math.max(...state.order.map((id) => id.length));
  return state.order.map((id) => {
    const step = state.steps[id]!;
    const parts = [`${MARKS[step.status]} ${id.padEnd(width)}  ${step.status}`];
    if (step.items || step.itemCounts) {
      const c = step.itemCounts ?? countItems(step.items!);
      parts.push(`items ${c.done}/${c.total} done, ${c.running} running, ${c.failed} failed, ${c.left} left`);
    }
    const waiting = operatorQuestions(step).length;
    if (waiting > 0)
      parts.push(`${waiting === 1 ? 'waits' : `${waiting} wait`} for an operator (trigger outcome unknown)`);
    if (step.approval && !step.approval.answer && step.status === 'running') {
      const from = step.approval.approvers ? ` from ${step.approval.approvers.join(', ')}` : '';
      const until = step.approval.deadline ? ` until ${step.approval.deadline}` : '';
      parts.push(`waits for an approval${from}${until}: ${step.approval.prompt}`);
    }
    if (step.approval?.answer) {
      const a = step.approval.answer;
      parts.push(`${a.approved ? 'approved' : 'rejected'} by ${a.by}${a.comment ? ` (${a.comment})` : ''}`);
    }
    if (step.status === 'running' && step.startsAt && !step.executionId) parts.push(`starts at ${step.startsAt}`);
    if (step.executionId) parts.push(`execution ${step.executionId}`);
    if (step.attempts && step.attempts.length > 1) parts.push(`attempt ${step.attempts.length}`);
    if (step.polls > 0) parts.push(`${step.polls} checks`);
    if (step.error && (step.status === 'failed' || step.status === 'skipped')) parts.push(step.error);
    if (step.compensation) parts.push(`compensation ${step.compensation.status}`);
    return { text: parts.join(', '), active: step.status === 'running' || step.status === 'compensating' };
  });
}

/** The questions waiting for an operator in a step: its own, or its items'. */
export function operatorQuestions(step: CodikaPipelineStepState): { item?: number; question: CodikaTriggerQuestion }[] {
  const own = step.question ? [{ question: step.question }] : [];
  const items = (step.items ?? []).flatMap((item, i) => (item.question ? [{ item: i, question: item.question }] : []));
  return [...own, ...items];
}
