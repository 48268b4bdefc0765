import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { LocalCluster } from '../../src/testing/local-cluster/local-cluster';
import { LocalTemporalServer } from '../../src/testing/local-temporal-server';
import { MockCodikaServer } from '../../src/testing/mock-codika/mock-codika-server';
import { BENCH_API_KEY } from '../shared/bench-env';
import type { ScaleServerKind } from './scale-result';

/** What one scale batch talks to: a fresh Temporal server of one kind, a fresh mock Codika, a client. */
export interface ScaleEnv {
  server: ScaleServerKind;
  /** The frontend's `host:port`, for the workers. */
  address: string;
  namespace: string;
  client: Client;
  mock: MockCodikaServer;
  /** Where the workers send their requests: the mock, with the key it accepts. */
  target: { baseUrl: string; apiKey: string };
  /** Stops the client, the mock and the server, and deletes the cluster's data. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a server nobody has used yet, so a batch inherits neither the database nor the task
 * backlog of the one before it: a dev server (in-memory), or the local cluster on an empty
 * PostgreSQL data directory (its ports from `cluster/cluster.json`, no UI).
 *
 * @throws Error when a piece does not start; whatever started is stopped first.
 */
export async function startScaleEnv(server: ScaleServerKind, log: (message: string) => void): Promise<ScaleEnv> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stops.splice(0).reverse()) {
      await stopOne().catch((err: unknown) => log(`while stopping: ${String(err)}`));
    }
  };
  try {
    let address: string;
    let namespace = 'default';
    if (server === 'cluster') {
      const dir = mkdtempSync(join(tmpdir(), 'codika-scale-cluster-'));
      // PostgreSQL runs as its own user when we are root, and must be able to enter the folder.
      chmodSync(dir, 0o755);
      stops.push(async () => rmSync(dir, { recursive: true, force: true }));
      log(`scale: starting a fresh local cluster in ${dir}…`);
      const cluster = await LocalCluster.start({ dir, ui: false, log: (line) => log(`cluster: ${line}`) });
      stops.push(() => cluster.stop());
      address = cluster.address;
      namespace = cluster.settings.namespace.name;
    } else {
      log('scale: starting a fresh Temporal dev server…');
      const dev = await LocalTemporalServer.start({ log });
      stops.push(() => dev.stop());
      address = dev.address;
    }
    const mock = new MockCodikaServer({ apiKey: BENCH_API_KEY });
    await mock.start();
    stops.push(() => mock.stop());
    const connection = await Connection.connect({ address });
    stops.push(() => connection.close());
    return {
      server,
      address,
      namespace,
      client: new Client({ connection, namespace }),
      mock,
      target: { baseUrl: mock.url, apiKey: BENCH_API_KEY },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
