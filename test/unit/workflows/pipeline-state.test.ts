/**
 * The pure transitions of a pipeline run's state (src/workflows/pipeline-engine/pipeline-state.ts),
 * and how a large forEach step is cut into batches: no Temporal server needed.
 */
import type { CodikaExecutionResult } from '../../../src/shared/execution-types';
import type { CodikaPipelineStepState } from '../../../src/pipeline/pipeline-types';
import {
  firstFailedItem,
  forEachResultData,
  pollingToResume,
  restoreResults,
} from '../../../src/workflows/pipeline-engine/pipeline-state';
import {
  BATCH_PAYLOAD_BYTES,
  nextWindowMove,
  planBatchesBySize,
} from '../../../src/workflows/pipeline-engine/for-each-batches';
import type { CodikaPipelineBatchState } from '../../../src/pipeline/pipeline-types';

const result = (resultData: unknown): CodikaExecutionResult => ({
  executionId: 'e',
  resultData,
  polls: 1,
  startedAt: '2026-12-06T00:00:00.000Z',
  completedAt: '2026-12-06T00:00:01.000Z',
});
const progress = { executionId: 'e1', polls: 2, startedAtMs: 0, deadlineAtMs: 1, nextIntervalMs: 400 };

test('firstFailedItem finds the first item that failed on its own, with its type, and ignores stopped ones', () => {
  expect(firstFailedItem([{ status: 'succeeded', polls: 1 }])).toBeUndefined();
  const found = firstFailedItem([
    { status: 'failed', polls: 0, failureType: 'CodikaStepStopped', error: 'stopped' },
    { status: 'succeeded', polls: 1 },
    { status: 'failed', polls: 2, failureType: 'CodikaExecutionFailed', error: 'refused' },
    { status: 'failed', polls: 2, failureType: 'CodikaExecutionTimedOut', error: 'late' },
  ]);
  expect(found?.index).toBe(2);
  expect(found?.error).toMatchObject({ type: 'CodikaExecutionFailed', message: 'refused', nonRetryable: true });
});

test('restoreResults gives every succeeded forEach step its result, an empty or all-failed one included (one state only)', () => {
  const steps: Record<string, CodikaPipelineStepState> = {
    a: { status: 'succeeded', polls: 1 },
    empty: { status: 'succeeded', polls: 0, items: [] },
    failedAll: { status: 'succeeded', polls: 0, items: [{ status: 'failed', polls: 1 }] },
    some: {
      status: 'succeeded',
      polls: 0,
      items: [
        { status: 'failed', polls: 1 },
        { status: 'succeeded', polls: 1 },
      ],
    },
    running: {
      status: 'running',
      polls: 0,
      items: [
        { status: 'succeeded', polls: 1 },
        { status: 'running', polls: 1 },
      ],
    },
  };
  const finished = [
    { stepId: 'a', result: result('A') },
    { stepId: 'some', index: 1, result: result('S1') },
    { stepId: 'running', index: 0, result: result('R0') },
  ];

  const restored = restoreResults({ finished }, steps, true);

  expect(Object.fromEntries([...restored.results].map(([id, r]) => [id, r.resultData]))).toEqual({
    a: 'A',
    empty: [],
    failedAll: [null],
    some: [null, 'S1'],
  });
  expect(restored.finished).toEqual([{ stepId: 'a' }, { stepId: 'some', index: 1 }, { stepId: 'running', index: 0 }]);
  expect(restored.itemResults.get('running')?.[0]?.resultData).toBe('R0');
  // What runs before one state restored: nothing for a forEach step without a succeeded item.
  expect([...restoreResults({ finished }, steps, false).results.keys()].sort()).toEqual(['a', 'some']);
});

test('forEachResultData is the results in item order, null where an item has none', () => {
  const state: CodikaPipelineStepState = {
    status: 'succeeded',
    polls: 0,
    items: [1, 2, 3].map(() => ({ status: 'succeeded', polls: 1 })),
  };
  expect(forEachResultData([result('x'), undefined, result(undefined)], state)).toEqual(['x', null, null]);
});

test('pollingToResume keeps the executions whose step or item still polls, and drops those that ended or wait for an attempt', () => {
  const steps: Record<string, CodikaPipelineStepState> = {
    polling: { status: 'running', polls: 1 },
    done: { status: 'succeeded', polls: 3 },
    waiting: { status: 'running', polls: 1, nextAttemptAt: '2026-12-06T00:01:00.000Z' },
    items: {
      status: 'running',
      polls: 0,
      items: [
        { status: 'running', polls: 1 },
        { status: 'succeeded', polls: 2 },
        { status: 'running', polls: 1, nextAttemptAt: '2026-12-06T00:01:00.000Z' },
      ],
    },
  };
  const polling = Object.fromEntries(
    ['polling', 'done', 'waiting', 'items[0]', 'items[1]', 'items[2]', 'gone'].map((key) => [key, progress]),
  );

  expect(Object.keys(pollingToResume(polling, steps))).toEqual(['polling', 'items[0]']);
});

test('batches hold at most their size in items and 512 KiB of payloads; a larger payload goes alone', () => {
  const id = (n: number) => `batch-${n}`;
  const small = Array(7).fill(100);
  expect(planBatchesBySize(small, 3, id).map((b) => [b.from, b.to])).toEqual([
    [0, 3],
    [3, 6],
    [6, 7],
  ]);
  const half = BATCH_PAYLOAD_BYTES / 2;
  const sizes = [half, half, 1, BATCH_PAYLOAD_BYTES * 2, 10, 10];
  const batches = planBatchesBySize(sizes, 200, id);
  expect(batches.map((b) => [b.from, b.to])).toEqual([
    [0, 2],
    [2, 3],
    [3, 4],
    [4, 6],
  ]);
  expect(batches.map((b) => b.workflowId)).toEqual(['batch-0', 'batch-1', 'batch-2', 'batch-3']);
  expect(batches.every((b) => b.status === 'pending')).toBe(true);
  expect(planBatchesBySize([], 200, id)).toEqual([]);
});

describe("nextWindowMove: the sliding window over a step's batches", () => {
  const plan = (from: number, to: number, extra: Partial<CodikaPipelineBatchState> = {}): CodikaPipelineBatchState => ({
    workflowId: `b-${from}`,
    from,
    to,
    status: 'pending',
    ...extra,
  });
  const now = Date.parse('2026-12-06T00:00:00.000Z');

  test('the first batch starts with the whole room, never more than it has items', () => {
    expect(nextWindowMove([plan(0, 3), plan(3, 6)], 10, now)).toEqual({ kind: 'start', batch: 0, slots: 3 });
    expect(nextWindowMove([plan(0, 200), plan(200, 400)], 10, now)).toEqual({ kind: 'start', batch: 0, slots: 10 });
  });

  test('while a batch still starts items and holds all the room, nothing moves', () => {
    expect(nextWindowMove([plan(0, 200, { status: 'running', slots: 10 }), plan(200, 400)], 10, now)).toEqual({
      kind: 'wait',
    });
  });

  test('room a draining batch frees goes to the next batch, then raises it while it still starts items', () => {
    const draining = plan(0, 200, { status: 'running', slots: 4, draining: true });
    expect(nextWindowMove([draining, plan(200, 400)], 10, now)).toEqual({ kind: 'start', batch: 1, slots: 6 });
    const starting = plan(200, 400, { status: 'running', slots: 6 });
    expect(nextWindowMove([{ ...draining, slots: 1 }, starting, plan(400, 600)], 10, now)).toEqual({
      kind: 'raise',
      batch: 1,
      slots: 9,
    });
  });

  test('a batch holding as much room as it has items lets the next one start; done batches hold none', () => {
    const full = plan(0, 3, { status: 'running', slots: 3 });
    expect(nextWindowMove([full, plan(3, 6)], 5, now)).toEqual({ kind: 'start', batch: 1, slots: 2 });
    const done = plan(0, 3, { status: 'done', slots: 3 });
    expect(nextWindowMove([done, plan(3, 6)], 5, now)).toEqual({ kind: 'start', batch: 1, slots: 3 });
  });

  test('a batch run again after a backoff waits until it is due; with nothing to start, the window waits', () => {
    const later = plan(0, 3, { startsAt: new Date(now + 1_000).toISOString(), attempt: 2 });
    expect(nextWindowMove([later], 5, now)).toEqual({ kind: 'wait' });
    expect(nextWindowMove([later], 5, now + 1_000)).toEqual({ kind: 'start', batch: 0, slots: 3 });
    expect(nextWindowMove([plan(0, 3, { status: 'done' })], 5, now)).toEqual({ kind: 'wait' });
  });
});
