import { writeFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, DefaultLogger, Runtime } from '@temporalio/worker';
import { LocalTemporalServer } from './src/testing/local-temporal-server';
import { MockCodikaServer } from './src/testing/mock-codika/mock-codika-server';
import { createCodikaWorker } from './src/worker-setup/create-codika-worker';
import { startCodikaExecution } from './src/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
Runtime.install({ logger: new DefaultLogger('ERROR') });
(async () => {
  const server = await LocalTemporalServer.start({ log: () => {} });
  const mock = new MockCodikaServer({ apiKey: 'k' });
  await mock.start();
  mock.script('wf-a', { durationMs: 3000, resultData: {} });
  const conn = await Connection.connect({ address: server.address });
  const client = new Client({ connection: conn });
  const nc = await NativeConnection.connect({ address: server.address });
  const worker = await createCodikaWorker({ connection: nc, taskQueue: 'rec', codika: { baseUrl: mock.url, apiKey: 'k' }, workerOptions: { workflowsPath: require.resolve('./bench/shared/workflows'), shutdownGraceTime: '1 second' } });
  await worker.runUntil(async () => {
    const lib = await startCodikaExecution(client, { processInstanceId: 'pi', workflowId: 'wf-a' }, { taskQueue: 'rec', poll: { strategy: 'auto' } });
    const bare = await client.workflow.start('bareAutoPoll', { taskQueue: 'rec', workflowId: 'bare-1', args: [{ processInstanceId: 'pi', workflowId: 'wf-a' }] });
    await lib.result(); await bare.result();
    writeFileSync('/tmp/hist-library.json', historyToJSON(await lib.fetchHistory()));
    writeFileSync('/tmp/hist-bare.json', historyToJSON(await bare.fetchHistory()));
  });
  await nc.close(); await conn.close(); await mock.stop(); await server.stop();
})().catch((e) => { console.error(e); process.exit(1); });
