/**
 * An upgrade in place: a cluster's data folder made by the oldest supported server, runs in flight on
 * it, then the same folder started with the current server (its SQL tool's `update-schema` migrates
 * both databases on start). Every run in flight ends as scripted, with one Codika execution each.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { TEMPORAL_SERVER_VERSION } from '../../../src/provisioning/cluster-binaries';
import { OLDEST_SUPPORTED_SERVER_VERSION } from '../../../src/shared/server-versions';
import { LocalCluster } from '../../../src/testing/local-cluster/local-cluster';
import { serverVersionAt } from '../../../src/testing/local-temporal-server';
import { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { freeClusterPorts } from '../../helpers/cluster-ports';
import { uniqueTaskQueue } from '../../helpers/temporal';
import { waitUntil } from '../../helpers/wait';
import { WorkerProcess } from '../../helpers/worker-process';

const API_KEY = 'ck_cluster_upgrade';
const PI = 'pi_upgrade';
const RUNS = 12;

test(`a data folder of server ${OLDEST_SUPPORTED_SERVER_VERSION} upgraded to ${TEMPORAL_SERVER_VERSION} with runs in flight: all finish, once each`, async () => {
  const ports = await freeClusterPorts();
  // PostgreSQL runs as the postgres user when the tests run as root: its folder must be reachable.
  const dir = mkdtempSync(join(tmpdir(), 'codika-upgrade-'));
  chmodSync(dir, 0o755);
  const mock = new MockCodikaServer({ apiKey: API_KEY });
  await mock.start();
  const taskQueue = uniqueTaskQueue('cluster-upgrade');
  let cluster = await LocalCluster.start({
    dir,
    ports,
    ui: false,
    log: () => {},
    serverVersion: OLDEST_SUPPORTED_SERVER_VERSION,
  });
  let worker: WorkerProcess | undefined;
  let connection: Connection | undefined;
  try {
    expect(await serverVersionAt(cluster.address)).toBe(OLDEST_SUPPORTED_SERVER_VERSION);
    worker = await WorkerProcess.start({ address: cluster.address, taskQueue, baseUrl: mock.url, apiKey: API_KEY });
    connection = await Connection.connect({ address: cluster.address });
    const client = new Client({ connection });
    const ids = Array.from({ length: RUNS }, (_, i) => `${taskQueue}-${i}`);
    // Long enough to outlast the stop, the migration and the new start (about 20 s here).
    ids.forEach((id, i) => mock.script(id, { durationMs: 40_000 + i * 500, resultData: { id } }));
    await Promise.all(
      ids.map((id, i) =>
        client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
          taskQueue,
          workflowId: id,
          args: [{ processInstanceId: PI, workflowId: id, poll: i % 2 ? { strategy: 'timer' } : {} }],
        }),
      ),
    );
    await waitUntil(() => ids.every((id) => mock.requestsTo('status', id).length > 0), 'every run polling', {
      timeoutMs: 120_000,
    });

    // The upgrade: the worker and the old cluster stop, the new server starts on the same folder.
    await worker.stop();
    await connection.close();
    await cluster.stop();
    cluster = await LocalCluster.start({ dir, ports, ui: false, log: () => {} });
    expect(await serverVersionAt(cluster.address)).toBe(TEMPORAL_SERVER_VERSION);
    worker = await WorkerProcess.start({ address: cluster.address, taskQueue, baseUrl: mock.url, apiKey: API_KEY });
    connection = await Connection.connect({ address: cluster.address });
    const upgraded = new Client({ connection });

    const results = await Promise.all(
      ids.map((id) => (upgraded.workflow.getHandle(id) as WorkflowHandle<typeof codikaExecutionWorkflow>).result()),
    );
    expect(results.map((result) => result.resultData)).toEqual(ids.map((id) => ({ id })));
    expect(ids.map((id) => mock.executionsOf(id).length)).toEqual(ids.map(() => 1));
  } finally {
    await worker?.stop();
    await connection?.close();
    await cluster.stop();
    await mock.stop();
  }
}, 600_000);
