/**
 * The `codikaPipelineApprove` validator's rules, as a pure function of the pipeline's state: what it
 * refuses, and the reason each refusal gives (the CLI prints it as it is).
 */
import type { CodikaPipelineStepState } from '../../../src/pipeline/pipeline-types';
import { approvalRequestProblem } from '../../../src/workflows/pipeline-engine/pipeline-approval';

const waiting: CodikaPipelineStepState = {
  status: 'running',
  polls: 0,
  approval: { prompt: 'Ship?', waitingSince: '2026-11-30T10:00:00.000Z', onTimeout: 'fail', approvers: ['ada', 'bob'] },
};
const steps: Record<string, CodikaPipelineStepState> = {
  ship: { status: 'pending', polls: 0, workflowId: 'create-shipment', processInstanceId: 'pi' },
  approve: waiting,
  later: { status: 'pending', polls: 0 },
  delayed: { status: 'running', polls: 0, startsAt: '2026-11-30T11:00:00.000Z' },
  done: {
    ...waiting,
    status: 'succeeded',
    approval: { ...waiting.approval!, answer: { approved: false, by: 'bob', at: '2026-11-30T10:05:00.000Z' } },
  },
};
const approvals = new Set(['approve', 'later', 'delayed', 'done']);
const problem = (request: unknown) => approvalRequestProblem(request, steps, approvals);

test('an answer from an approver to a step that waits passes', () => {
  expect(problem({ stepId: 'approve', approved: true, by: 'ada' })).toBeUndefined();
  expect(problem({ stepId: 'approve', approved: false, by: ' bob ', comment: 'no stock' })).toBeUndefined();
});

test.each([
  [null, 'expected { stepId, approved, by, comment? }'],
  [{ approved: true, by: 'ada' }, 'stepId: the id of the approval step to answer'],
  [{ stepId: 'approve', approved: 'yes', by: 'ada' }, 'approved: true to approve, false to reject'],
  [{ stepId: 'approve', approved: true }, 'by: who answers (a name or an email, 200 characters at most)'],
  [
    { stepId: 'approve', approved: true, by: 'x'.repeat(201) },
    'by: who answers (a name or an email, 200 characters at most)',
  ],
  [{ stepId: 'approve', approved: true, by: 'ada', comment: 7 }, 'comment: text of 2000 characters at most'],
  [
    { stepId: 'aprove', approved: true, by: 'ada' },
    'no step "aprove" in this pipeline; its approval steps: approve, later, delayed, done',
  ],
  [
    { stepId: 'ship', approved: true, by: 'ada' },
    'step "ship" runs a Codika execution; only approval steps take an answer',
  ],
  [{ stepId: 'approve', approved: true, by: 'eve' }, '"eve" may not answer step "approve": its approvers are ada, bob'],
  [
    { stepId: 'later', approved: true, by: 'ada' },
    'step "later" is not waiting for an answer: it has not started (it waits for the steps it depends on)',
  ],
  [
    { stepId: 'delayed', approved: true, by: 'ada' },
    'step "delayed" is not waiting for an answer: it starts asking at 2026-11-30T11:00:00.000Z',
  ],
  [
    { stepId: 'done', approved: true, by: 'ada' },
    'step "done" was already answered: rejected by bob at 2026-11-30T10:05:00.000Z',
  ],
])('refuses %j: %s', (request, reason) => {
  expect(problem(request)).toBe(reason);
});
