/** What a redrive keeps, polls and runs again, and what it refuses, decided from an old run's seed alone. */
import { CodikaRedriveRefusedError, redriveArgs } from '../../../src/client/redrive-codika-pipeline';
import type {
  CodikaPipelineItemState,
  CodikaPipelineRedriveSeed,
  CodikaPipelineStepState,
} from '../../../src/pipeline/pipeline-types';

const RESULT = (id: string) => ({ executionId: id, resultData: { id }, polls: 1, startedAt: '', completedAt: '' });

function seed(steps: Record<string, CodikaPipelineStepState>, finished = [{ stepId: 'a', result: RESULT('e-a') }]) {
  const value: CodikaPipelineRedriveSeed = {
    pipeline: { processInstanceId: 'pi', steps: Object.keys(steps).map((id) => ({ id, workflowId: `wf-${id}` })) },
    input: { x: 1 },
    state: { phase: 'failed', order: Object.keys(steps), steps, leftRunning: [] },
    finished,
  };
  return value;
}
const step = (status: CodikaPipelineStepState['status'], extra: Partial<CodikaPipelineStepState> = {}) => ({
  status,
  workflowId: 'wf',
  polls: 0,
  ...extra,
});
const item = (status: CodikaPipelineItemState['status'], extra: Partial<CodikaPipelineItemState> = {}) => ({
  status,
  polls: 0,
  ...extra,
});

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(CodikaRedriveRefusedError);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

test('keeps what succeeded with its results, polls what ran, runs the rest', () => {
  const { args, plan } = redriveArgs(
    'old',
    'run-1',
    seed({
      a: step('succeeded', { executionId: 'e-a' }),
      b: step('running', { executionId: 'e-b' }),
      c: step('failed', { executionId: 'e-c', failureType: 'CodikaExecutionFailed' }),
      d: step('failed', { executionId: 'e-d', failureType: 'CodikaExecutionTimedOut' }),
      e: step('skipped'),
      f: step('pending'),
    }),
  );
  expect(plan).toEqual({ kept: ['a'], attached: { b: 'e-b', d: 'e-d' }, rerun: ['c', 'e', 'f'] });
  expect(args.redrive).toEqual({
    of: { workflowId: 'old', runId: 'run-1' },
    succeeded: { a: step('succeeded', { executionId: 'e-a' }) },
    finished: [{ stepId: 'a', result: RESULT('e-a') }],
  });
  expect(args.attach).toEqual({ b: 'e-b', d: 'e-d' });
  expect(args.input).toEqual({ x: 1 });
});

test('a forEach step that did not succeed: its succeeded and running items are polled, the rest run', () => {
  const { plan, args } = redriveArgs(
    'old',
    'r',
    seed({
      send: step('failed', {
        items: [
          item('succeeded', { executionId: 'e0' }),
          item('failed', { executionId: 'e1', failureType: 'CodikaExecutionFailed' }),
          item('running', { executionId: 'e2' }),
          item('skipped'),
        ],
      }),
    }),
  );
  expect(plan.attached).toEqual({ 'send[0]': 'e0', 'send[2]': 'e2' });
  expect(plan.rerun).toEqual(['send[1]', 'send[3]']);
  expect(args.redrive!.succeeded).toEqual({});
});

test('refuses an unknown trigger outcome until the operator settles it, naming each', () => {
  const old = seed({
    a: step('succeeded'),
    b: step('failed', { failureType: 'CodikaTriggerOutcomeUnknown' }),
    c: step('running'),
  });
  const message = refusal(() => redriveArgs('old', 'r', old));
  expect(message).toContain("b: its trigger's outcome is unknown");
  expect(message).toContain("c: its trigger's outcome is unknown");
  const { plan } = redriveArgs('old', 'r', old, { attach: { b: 'e-b' }, notStarted: ['c'] });
  expect(plan).toEqual({ kept: ['a'], attached: { b: 'e-b' }, rerun: ['c'] });
});

test('refuses a run whose saga compensated, naming the steps and items undone', () => {
  const message = refusal(() =>
    redriveArgs(
      'old',
      'r',
      seed({
        a: step('compensated'),
        send: step('succeeded', { items: [item('compensated'), item('succeeded')] }),
        b: step('failed'),
      }),
    ),
  );
  expect(message).toMatch(/its saga compensated a, send \(their outputs were undone\)/);
});

test('refuses an operator answer for a step the run does not have, or one that succeeded', () => {
  const old = seed({ a: step('succeeded'), b: step('failed') });
  expect(refusal(() => redriveArgs('old', 'r', old, { attach: { nope: 'e' } }))).toContain('nope: no step or item');
  expect(refusal(() => redriveArgs('old', 'r', old, { notStarted: ['a'] }))).toContain('a: no step or item');
});

test('an approval step that was waiting runs again: it has no side effect in Codika', () => {
  const { plan } = redriveArgs('old', 'r', seed({ a: step('succeeded'), ok: { status: 'running', polls: 0 } }));
  expect(plan.rerun).toEqual(['ok']);
});

test("only Codika's own 'failed' runs an execution again: any other end of a known execution is polled", () => {
  const { plan } = redriveArgs(
    'old',
    'r',
    seed({
      a: step('succeeded'),
      big: step('failed', { executionId: 'e-big', failureType: 'CodikaResultTooLarge' }),
      gone: step('failed', { executionId: 'e-gone', failureType: 'CodikaNotFoundError' }),
      backoff: step('cancelled', {
        executionId: 'e-failed',
        attempts: [{ status: 'failed', executionId: 'e-failed', error: 'no' }],
      }),
    }),
  );
  expect(plan.attached).toEqual({ big: 'e-big', gone: 'e-gone' });
  // Stopped in a retry's backoff: the execution it holds failed, so the next attempt triggers.
  expect(plan.rerun).toEqual(['backoff']);
});

test('a saga caught mid-way is refused; a kept step whose compensation failed can be compensated again', () => {
  expect(refusal(() => redriveArgs('old', 'r', seed({ a: step('compensating'), b: step('failed') })))).toContain(
    'its saga compensated a',
  );
  const { args } = redriveArgs(
    'old',
    'r',
    seed({ a: step('succeeded', { compensation: { status: 'failed', error: 'undo refused' } }), b: step('failed') }),
  );
  expect(args.redrive!.succeeded.a).toEqual(step('succeeded'));
});
