/**
 * A rolling deploy under Worker Deployment Versioning on the real server: version A runs 50
 * executions (25 codikaExecutionWorkflow runs, 25 runs of a user workflow with Codika steps),
 * version B (whose user workflow has a new step behind `patched()`) becomes current, A stops, and
 * every run finishes on B: none lost, none triggered twice, no workflow task failed.
 */
import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startCodikaExecution } from '../../../src/client';
import { setCurrentCodikaVersion } from '../../../src/client/worker-deployment-version';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { CodikaPlugin } from '../../../src/worker-setup/codika-plugin';
import type { followUpWorkflow } from '../../fixtures/rolling-deploy-workflows';
import { startTestbed, stopTestbed, uniqueTaskQueue } from '../../helpers/temporal';
import { waitUntil } from '../../helpers/wait';

const API_KEY = 'ck_deploy_key_88';
const RUNS_OF_EACH = 25;
/** Follow-ups that pass, on version A, the point where version B changes the workflow. */
const PAST_THE_CHANGE = 10;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let versionB: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  ({ env, mock } = await startTestbed({
    apiKey: API_KEY,
    // Nothing ends until the test says so (finishAll): every run is in flight when B takes over.
    scripts: {
      single: { durationMs: Infinity },
      collect: { durationMs: Infinity },
      'summarize-follow-up': { durationMs: 200 },
      notify: { durationMs: Infinity },
    },
  }));
  versionB = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../fixtures/workflows-version-b'),
    logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
  });
}, 120_000);
afterAll(() => stopTestbed({ env, mock }));

test('version A runs 50 executions, B becomes current, A stops: all 50 finish on B, 0 lost, 0 triggered twice, no nondeterminism', async () => {
  const deploymentName = `codika-deploy-${randomBytes(3).toString('hex')}`;
  const taskQueue = uniqueTaskQueue('rolling-deploy');
  const worker = (buildId: string, workflowBundle: Parameters<typeof Worker.create>[0]['workflowBundle']) =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle,
      plugins: [
        new CodikaPlugin({
          codika: { baseUrl: mock.url, apiKey: API_KEY },
          deployment: { name: deploymentName, buildId },
        }),
      ],
    });

  const workerA = await worker('A', { codePath: process.env.CODIKA_TEST_WORKFLOW_BUNDLE! });
  const runningA = workerA.run();
  expect(await setCurrentCodikaVersion(env.connection, { deploymentName, buildId: 'A' })).toEqual({ buildId: 'A' });

  const singles: WorkflowHandle[] = [];
  const followUps: WorkflowHandle<typeof followUpWorkflow>[] = [];
  for (let i = 0; i < RUNS_OF_EACH; i++) {
    singles.push(
      await startCodikaExecution(
        env.client,
        { processInstanceId: 'pi_deploy', workflowId: 'single' },
        { taskQueue, poll: { strategy: 'timer', firstPollAfter: 200, maxPollInterval: 400 } },
      ),
    );
    followUps.push(
      await env.client.workflow.start<typeof followUpWorkflow>('followUpWorkflow', {
        taskQueue,
        workflowId: `${taskQueue}-follow-up-${i}`,
        args: ['pi_deploy'],
      }),
    );
  }
  // Every run is past its first trigger on A; ten follow-ups are past the point B changes.
  await waitUntil(
    () => triggers('single') === RUNS_OF_EACH && triggers('collect') === RUNS_OF_EACH,
    'version A to trigger all 50',
  );
  for (const execution of mock.executionsOf('collect').slice(0, PAST_THE_CHANGE)) mock.finishNow(execution.executionId);
  await waitUntil(() => triggers('notify') === PAST_THE_CHANGE, 'ten follow-ups to reach their last step on A');

  const workerB = await worker('B', versionB);
  const runningB = workerB.run();
  expect(await setCurrentCodikaVersion(env.connection, { deploymentName, buildId: 'B' })).toEqual({
    buildId: 'B',
    previousBuildId: 'A',
  });
  workerA.shutdown();
  await runningA;

  const finishing = setInterval(finishAll, 100);
  const results = await Promise.allSettled([...singles, ...followUps].map((h) => h.result()));
  clearInterval(finishing);
  workerB.shutdown();
  await runningB;
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);

  // Each run was worked by A, then by B, and never failed a workflow task (a nondeterminism error would).
  for (const handle of [...singles, ...followUps]) {
    const { events } = await handle.fetchHistory();
    const builds = new Set(
      events!.flatMap((e) => e.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId ?? []),
    );
    expect({ id: handle.workflowId, builds: [...builds].sort() }).toEqual({
      id: handle.workflowId,
      builds: ['A', 'B'],
    });
    expect(events!.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
    const described = await handle.describe();
    expect(described.raw.workflowExecutionInfo?.versioningInfo).toMatchObject({
      deploymentVersion: { buildId: 'B' },
      // Declared by the workflows (the workers' default is PINNED, which would have kept them on A).
      behavior: temporal.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
    });
  }

  // B's new step ran in the runs that reached it after the switch; the ten past it kept A's path.
  const paths = results.slice(RUNS_OF_EACH).map((r) => (r as PromiseFulfilledResult<{ path: string }>).value.path);
  const onB = paths.filter((path) => path === 'B').length;
  expect(onB).toBe(RUNS_OF_EACH - PAST_THE_CHANGE);
  expect({ single: triggers('single'), collect: triggers('collect'), notify: triggers('notify') }).toEqual({
    single: RUNS_OF_EACH,
    collect: RUNS_OF_EACH,
    notify: RUNS_OF_EACH,
  });
  expect(triggers('summarize-follow-up')).toBe(onB);
});

/** Lets every execution still running end now. */
function finishAll(): void {
  for (const workflowId of ['single', 'collect', 'notify']) {
    for (const execution of mock.executionsOf(workflowId)) {
      if (execution.finishesAt === Infinity) mock.finishNow(execution.executionId);
    }
  }
}

function triggers(workflowId: string): number {
  return mock.requestsTo('trigger', workflowId).length;
}
