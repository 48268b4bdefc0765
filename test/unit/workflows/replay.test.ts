import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';

const HISTORIES = join(__dirname, '..', '..', 'fixtures', 'histories');
const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));
const load = (file: string) => historyFromJSON(JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')));
const quietLogger = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };

test('recorded histories cover success, failure, retries, timeout, continue-as-new, pipelines, search attributes, trigger delivery, continued pipelines, every pipeline step kind, a cancelled run, operator answers, attach, redrive and the one patch marker', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      'success.json',
      'codika-failed.json',
      'transient-errors.json',
      'timed-out.json',
      'continue-as-new.json',
      'continue-as-new-run2.json',
      'strategy-activity.json',
      'strategy-retry.json',
      'default-options-before-auto.json',
      'default-options.json',
      'pipeline-success.json',
      'pipeline-saga.json',
      'indexed.json',
      'indexed-continue-as-new-run2.json',
      'trigger-lost-answer-before-delivery.json',
      'trigger-refused-then-accepted.json',
      'trigger-outcome-unknown.json',
      'trigger-at-least-once-lost-answer.json',
      'pipeline-continue-as-new.json',
      'pipeline-continue-as-new-run2.json',
      // Issue 16's step kinds and options, and their continue-as-new.
      'pipeline-conditions.json',
      'pipeline-retry.json',
      'pipeline-for-each.json',
      'pipeline-approval.json',
      'pipeline-continue-as-new-for-each-run2.json',
      'pipeline-continue-as-new-waits-run2.json',
      'pipeline-for-each-batches.json',
      'pipeline-for-each-batches-batch0.json',
      'pipeline-for-each-batches-batch0-last.json',
      // Issue 17: a run cancelled while Codika runs records the execution it leaves running.
      'cancelled-left-running.json',
      // Issue 26: 404s then a selected result, an operator's answers both ways, attach, an item that
      // asked, and a redrive.
      'status-answers.json',
      'ask-operator-started.json',
      'ask-operator-not-started.json',
      'attach.json',
      'pipeline-ask-item.json',
      'pipeline-redrive.json',
      // Issue 28: permits of a key's flow-control workflow (granted at once, and in line), and a debounce.
      'concurrency.json',
      'pipeline-concurrency.json',
      'flow-control-concurrency.json',
      'flow-control-pipeline-concurrency.json',
      'debounce.json',
      // Issue 30: the library's patches answered by one marker, and auto's second phase in its activity.
      'one-marker-default.json',
      'one-marker-auto-second-phase.json',
      'one-marker-cancelled.json',
      'pipeline-one-marker.json',
      'pipeline-one-marker-run2.json',
      'pipeline-one-marker-batch0.json',
    ]),
  );
});

/** The flow-control workflows recorded beside a scenario, and their keys. */
const FLOW_CONTROL_KEYS: Record<string, string> = {
  'flow-control-concurrency.json': 'rec-conc-exec',
  'flow-control-pipeline-concurrency.json': 'rec-conc-pipeline',
};

/**
 * The workflow id the recorder gave the scenario (scripts/record-history.ts): a pipeline names its
 * batch children after its own id, so its history replays only under that id.
 */
function recordedWorkflowId(file: string): string {
  // A key's flow-control workflow is named after its key (the scenario's, in scripts/record-history.ts).
  const flowControlKey = FLOW_CONTROL_KEYS[file];
  if (flowControlKey) return `codika-flow:${flowControlKey}`;
  return `record-${file
    .replace(/\.json$/, '')
    .replace(/-run\d+$/, '')
    .replace(/-batch\d+(-last)?$/, '')}`;
}

test.each(files)('current workflow code replays %s without nondeterminism', async (file) => {
  const codePath = process.env.CODIKA_TEST_WORKFLOW_BUNDLE!;
  await expect(
    Worker.runReplayHistory({ workflowBundle: { codePath } }, load(file), recordedWorkflowId(file)),
  ).resolves.toBeUndefined();
});

test('an incompatible change to the workflow is caught by replay', async () => {
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../fixtures/changed-workflows'),
    logger: quietLogger,
  });
  await expect(
    Worker.runReplayHistory({ workflowBundle: bundle }, load('success.json'), 'replay-changed'),
  ).rejects.toBeInstanceOf(DeterminismViolationError);
});
