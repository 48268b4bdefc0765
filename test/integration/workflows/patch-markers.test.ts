import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { History } from '@temporalio/common/lib/proto-utils';
import type { WorkflowHandle } from '@temporalio/client';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { CodikaPipelineDefinition } from '../../../src/pipeline/definition';
import { LIBRARY_PATCHES_2026_12 } from '../../../src/workflows/library-patches';
import { startRunningTestbed } from '../../helpers/temporal';

/**
 * Issue 30: a run on today's code answers the library's patches with one marker, so it pays two
 * history events (the marker and the server's `TemporalChangeVersion` update) once, not per patch.
 * That older histories still replay through the patches' own markers is the replay test's to show.
 */
const API_KEY = 'ck_patch_markers_30';

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(async () => ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'markers')));
afterAll(() => stop());

type HistoryEvent = NonNullable<History['events']>[number];

/** The patch ids of a run's markers, in order. */
function patchMarkers(events: HistoryEvent[]): string[] {
  return events
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
    .map((e) => {
      const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
      return (JSON.parse(Buffer.from(data ?? []).toString('utf8')) as { id: string }).id;
    });
}

/** The run's updates of `TemporalChangeVersion`, which the server bills as search attribute updates. */
function changeVersionUpdates(events: HistoryEvent[]): number {
  return events.filter(
    (e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion,
  ).length;
}

async function historyOf(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

test('a default execution (auto, delivery, run index, status answers) records one patch marker', async () => {
  mock.script('markers-default', { durationMs: 1_500, resultData: { ok: true } });
  const handle = await env.client.workflow.start('codikaExecutionWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-default`,
    args: [{ processInstanceId: 'pi_markers', workflowId: 'markers-default' }],
  });
  await expect(handle.result()).resolves.toMatchObject({ resultData: { ok: true } });
  const events = await historyOf(handle);

  expect(patchMarkers(events)).toEqual([LIBRARY_PATCHES_2026_12]);
  expect(changeVersionUpdates(events)).toBe(1);
  // The run did take the patched ways: auto's polling loop, and the run index's memo.
  const activities = events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
  expect(activities).toEqual(['triggerCodikaExecution', 'pollCodikaExecution']);
  expect(events.some((e) => e.workflowPropertiesModifiedEventAttributes?.upsertedMemo)).toBe(true);
});

test('a cancelled execution records the execution it left running under the same one marker', async () => {
  mock.script('markers-forever', { durationMs: Infinity });
  const handle = await env.client.workflow.start('codikaExecutionWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-cancelled`,
    args: [{ processInstanceId: 'pi_markers', workflowId: 'markers-forever' }],
  });
  const deadline = Date.now() + 20_000;
  while (mock.requestsTo('status', 'markers-forever').length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await handle.cancel();
  await expect(handle.result()).rejects.toThrow();
  const events = await historyOf(handle);

  expect(patchMarkers(events)).toEqual([LIBRARY_PATCHES_2026_12]);
  const memos = events.map((e) => e.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields).filter(Boolean);
  expect(memos.some((fields) => fields && 'codikaLeftRunning' in fields)).toBe(true);
});

test('a pipeline run with a forEach records one marker for its own patches and its steps', async () => {
  mock.script('markers-item', { durationMs: 300 });
  const pipeline: CodikaPipelineDefinition = {
    processInstanceId: 'pi_markers',
    steps: [{ id: 'send', workflowId: 'markers-item', forEach: { items: [1, 2, 3], concurrency: 3 } }],
  };
  const handle = await env.client.workflow.start('codikaPipelineWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-pipeline`,
    args: [{ pipeline }],
  });
  await handle.result();
  const events = await historyOf(handle);

  expect(patchMarkers(events)).toEqual([LIBRARY_PATCHES_2026_12]);
  expect(changeVersionUpdates(events)).toBe(1);
  expect(mock.executionsOf('markers-item')).toHaveLength(3);
});
