/**
 * A trigger waiting to be sent again (Codika answered 503 or 429) as a continued pipeline carries it:
 * the pure parts of `src/workflows/pipeline-engine/pipeline-state.ts` and the check of `resume.triggering`.
 * No Temporal server needed.
 */
import type { CodikaExecutionState, CodikaTriggerProgress } from '../../../src/shared/execution-types';
import type { CodikaPipelineResume } from '../../../src/pipeline/pipeline-types';
import type { CodikaPipelineDefinition } from '../../../src/pipeline/definition';
import {
  executionMovedOn,
  isTriggerProgress,
  pollingToResume,
  triggerProgressOf,
} from '../../../src/workflows/pipeline-engine/pipeline-state';
import { validateResume } from '../../../src/workflows/pipeline-engine/pipeline-run';

const waiting: CodikaExecutionState = {
  phase: 'triggering',
  processInstanceId: 'pi',
  workflowId: 'wf',
  polls: 0,
  startedAt: '2026-12-06T00:00:00.000Z',
  deadlineAt: '2026-12-06T01:00:00.000Z',
  triggerWait: {
    nextAttemptAt: '2026-12-06T00:00:07.000Z',
    attempt: 3,
    backoffMs: 4_000,
    idempotencyKey: 'codika-temporal-k1',
  },
};
const carried: CodikaTriggerProgress = {
  idempotencyKey: 'codika-temporal-k1',
  attempt: 3,
  backoffMs: 4_000,
  nextAttemptAtMs: Date.parse('2026-12-06T00:00:07.000Z'),
  startedAtMs: Date.parse('2026-12-06T00:00:00.000Z'),
  deadlineAtMs: Date.parse('2026-12-06T01:00:00.000Z'),
};
const polling = { executionId: 'e1', polls: 2, startedAtMs: 0, deadlineAtMs: 1, nextIntervalMs: 400 };

test('triggerProgressOf carries the key, the next attempt and when it is due, the backoff and the step deadline', () => {
  expect(triggerProgressOf(waiting)).toEqual(carried);
});

test('isTriggerProgress tells a carried trigger wait from a polling progress', () => {
  expect(isTriggerProgress(carried)).toBe(true);
  expect(isTriggerProgress(polling)).toBe(false);
});

describe('executionMovedOn', () => {
  test('a trigger wait taken up as it was carried is no progress; its attempt sent, or waiting for a later one, is', () => {
    expect(executionMovedOn(waiting, { triggering: carried })).toBe(false);
    expect(executionMovedOn({ ...waiting, triggerWait: undefined }, { triggering: carried })).toBe(true);
    const later = { ...waiting, triggerWait: { ...waiting.triggerWait!, attempt: 4 } };
    expect(executionMovedOn(later, { triggering: carried })).toBe(true);
  });

  test('an execution the run started itself has moved on, waiting or not; a resumed one once a check was answered', () => {
    expect(executionMovedOn(waiting, {})).toBe(true);
    const checked = { ...waiting, phase: 'polling' as const, executionId: 'e1', triggerWait: undefined };
    expect(executionMovedOn({ ...checked, polls: 2 }, { polling })).toBe(false);
    expect(executionMovedOn({ ...checked, polls: 3 }, { polling })).toBe(true);
  });
});

test('pollingToResume keeps a carried trigger wait only while its item still runs', () => {
  const steps = {
    send: {
      status: 'running' as const,
      polls: 0,
      items: [
        { status: 'running' as const, polls: 0 },
        { status: 'failed' as const, polls: 0 },
      ],
    },
  };
  expect(pollingToResume({ 'send[0]': carried, 'send[1]': carried }, steps)).toEqual({ 'send[0]': carried });
});

describe('validateResume of resume.triggering', () => {
  const pipeline = { processInstanceId: 'pi', steps: [{ id: 'send', workflowId: 'wf' }] } as CodikaPipelineDefinition;
  const resume = (triggering: unknown): CodikaPipelineResume =>
    ({ steps: {}, finished: [], polling: {}, triggering }) as CodikaPipelineResume;

  test("accepts none (a run from before it), and a wait keyed by a step or an item of this pipeline's steps", () => {
    expect(() => validateResume({ steps: {}, finished: [], polling: {} }, pipeline)).not.toThrow();
    expect(() => validateResume(resume({ send: carried, 'send[3]': carried }), pipeline)).not.toThrow();
  });

  test('refuses an unknown step, a key that cannot be a header, an attempt before 2 and figures that are not numbers', () => {
    expect(() => validateResume(resume({ other: carried }), pipeline)).toThrow(/input\.resume/);
    expect(() => validateResume(resume(null), pipeline)).toThrow(/input\.resume/);
    expect(() => validateResume(resume({ send: { ...carried, idempotencyKey: 'a b' } }), pipeline)).toThrow(
      /input\.resume\.triggering\.send\.idempotencyKey/,
    );
    expect(() => validateResume(resume({ send: { ...carried, attempt: 1 } }), pipeline)).toThrow(
      /input\.resume\.triggering\.send\.attempt/,
    );
    expect(() => validateResume(resume({ send: { ...carried, nextAttemptAtMs: 'soon' } }), pipeline)).toThrow(
      /input\.resume\.triggering\.send\.nextAttemptAtMs/,
    );
  });
});
