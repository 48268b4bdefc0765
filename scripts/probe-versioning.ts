import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { LocalTemporalServer } from '../src/testing/local-temporal-server';
import { MockCodikaServer } from '../src/testing/mock-codika/mock-codika-server';
import { CodikaPlugin } from '../src/worker-setup/codika-plugin';

const behavior = (process.argv[2] ?? 'AUTO_UPGRADE') as 'AUTO_UPGRADE' | 'PINNED';
async function main() {
  const server = await LocalTemporalServer.start({});
  const mock = new MockCodikaServer({ apiKey: 'k', scripts: { long: { durationMs: 6000 } } });
  await mock.start();
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection });
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../src/workflows'), logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never });
  const mk = (buildId: string) =>
    Worker.create({
      connection: native,
      taskQueue: 'tq',
      workflowBundle: bundle,
      workerDeploymentOptions: { version: { deploymentName: 'codika', buildId }, useWorkerVersioning: true, defaultVersioningBehavior: behavior },
      plugins: [new CodikaPlugin({ codika: { baseUrl: mock.url, apiKey: 'k' } })],
    });
  const a = await mk('A');
  const aRun = a.run();
  const setCurrent = async (buildId: string) => {
    for (let i = 0; i < 50; i++) {
      try {
        await connection.workflowService.setWorkerDeploymentCurrentVersion({ namespace: 'default', deploymentName: 'codika', buildId });
        console.log('current', buildId);
        return;
      } catch (e) { if (i % 10 === 0) console.log('retry set current', String(e).slice(0, 150)); await new Promise((r) => setTimeout(r, 300)); }
    }
    throw new Error('never current');
  };
  await setCurrent('A');
  const handles = [];
  for (let i = 0; i < 3; i++) handles.push(await client.workflow.start('codikaExecutionWorkflow', { taskQueue: 'tq', workflowId: `wf-${i}`, args: [{ processInstanceId: 'pi', workflowId: 'long', poll: { strategy: 'timer', firstPollAfter: 300, maxPollInterval: 500 }, continueAsNewAfterPolls: i === 0 ? 3 : undefined }] }));
  await new Promise((r) => setTimeout(r, 1500));
  const b = await mk('B');
  const bRun = b.run();
  await setCurrent('B');
  await new Promise((r) => setTimeout(r, 500));
  if (behavior === 'AUTO_UPGRADE') { a.shutdown(); await aRun; console.log('A stopped'); }
  const results = await Promise.allSettled(handles.map((h) => client.workflow.getHandle(h.workflowId).result()));
  console.log(results.map((r) => r.status));
  for (const h of handles) {
    const d = await client.workflow.getHandle(h.workflowId).describe();
    const hist = await client.workflow.getHandle(h.workflowId).fetchHistory();
    const builds = hist.events!.filter((e) => e.workflowTaskCompletedEventAttributes).map((e) => { const x = e.workflowTaskCompletedEventAttributes!; return `${x.deploymentVersion?.buildId ?? x.workerVersion?.buildId ?? '?'}/${x.versioningBehavior}`; });
    console.log(h.workflowId, d.status.name, d.runId === h.firstExecutionRunId ? 'same run' : 'continued', JSON.stringify(d.raw.workflowExecutionInfo?.versioningInfo), builds.join(' '));
  }
  if (behavior !== 'AUTO_UPGRADE') { a.shutdown(); await aRun; }
  b.shutdown(); await bRun;
  await native.close(); await connection.close(); await mock.stop(); await server.stop();
}
main().catch((e) => { console.error(e); process.exit(1); });
