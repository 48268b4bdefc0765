import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';

const HISTORIES = join(__dirname, '..', '..', 'fixtures', 'histories');
const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));
const load = (file: string) => historyFromJSON(JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')));
const quietLogger = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };

test('recorded histories cover success, failure, retries, timeout, continue-as-new, pipelines, search attributes, trigger delivery and continued pipelines', () => {
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
    ]),
  );
});

test.each(files)('current workflow code replays %s without nondeterminism', async (file) => {
  const codePath = process.env.CODIKA_TEST_WORKFLOW_BUNDLE!;
  await expect(
    Worker.runReplayHistory({ workflowBundle: { codePath } }, load(file), `replay-${file}`),
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
