/**
 * `npm run cluster`: Temporal in the production shape, in the foreground: PostgreSQL, the schema, the
 * four Temporal services as separate processes, the `default` namespace with the Codika search
 * attributes, two bundled workers on the `codika` task queue and the UI. Ctrl+C stops it all; the
 * next run reuses the binaries (built once from Go modules) and the data in `.cluster/`.
 *
 * The workers talk to a mock Codika unless CODIKA_BASE_URL (and CODIKA_API_KEY…) are set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { DEMO_SCRIPTS } from '../src/testing/mock-codika/demo-scripts';
import { MockCodikaServer } from '../src/testing/mock-codika/mock-codika-server';
import { LocalCluster } from '../src/testing/local-cluster/local-cluster';
import { stopProcess } from '../src/testing/local-cluster/child-processes';

const ROOT = join(__dirname, '..');
const DEMO_KEY = 'ck_demo_key';
const log = (line: string) => console.log(line);
/** Each stops the cluster cleanly: Ctrl+C, a service manager, a closed terminal. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

async function main(): Promise<void> {
  const started = Date.now();
  // Ctrl+C while it starts: stop what is up once the start settles, rather than orphan it.
  let stopRequested = false;
  const requestStop = () => (stopRequested = true);
  for (const signal of STOP_SIGNALS) process.on(signal, requestStop);
  log('Starting a local Temporal cluster (the first run builds the server, its SQL tool and the UI: minutes)…');
  const cluster = await LocalCluster.start({ dir: join(ROOT, '.cluster'), log });
  if (stopRequested) {
    await cluster.stop();
    return;
  }
  const mock = process.env.CODIKA_BASE_URL
    ? undefined
    : new MockCodikaServer({ apiKey: DEMO_KEY, scripts: DEMO_SCRIPTS });
  await mock?.start();
  const codikaEnv = mock ? { CODIKA_BASE_URL: mock.url, CODIKA_API_KEY: DEMO_KEY } : pick(process.env, /^CODIKA_/);
  const workers: ChildProcess[] = [];
  for (let i = 1; i <= cluster.settings.workers; i++) {
    workers.push(
      startWorker(i, {
        ...codikaEnv,
        TEMPORAL_ADDRESS: cluster.address,
        TEMPORAL_NAMESPACE: cluster.settings.namespace.name,
      }),
    );
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log('\nStopping: workers, UI, Temporal services, PostgreSQL…');
    await Promise.all(workers.map((worker) => stopProcess(worker)));
    await mock?.stop();
    await cluster.stop();
    log('Stopped.');
    process.exit(0);
  };
  for (const signal of STOP_SIGNALS) {
    process.off(signal, requestStop);
    process.on(signal, () =>
      stop().catch((err: unknown) => {
        console.error(`stopping failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      }),
    );
  }
  if (stopRequested) await stop();

  log(`
Cluster up in ${Math.round((Date.now() - started) / 1000)} s:
  Temporal frontend  ${cluster.address}   (history ${cluster.ports.historyGrpc}, matching ${cluster.ports.matchingGrpc}, worker ${cluster.ports.workerGrpc})
  Temporal UI        ${cluster.uiUrl}
  PostgreSQL         127.0.0.1:${cluster.ports.postgres}   (databases ${cluster.settings.databases.temporal}, ${cluster.settings.databases.visibility}; data and logs in .cluster/)
  Codika             ${mock ? `mock at ${mock.url}` : process.env.CODIKA_BASE_URL}
  Workers            ${workers.length} bundled workers on task queue "codika"

Point the CLI at it, its links at this UI (not the dev server's :8233):
  export TEMPORAL_ADDRESS=${cluster.address} TEMPORAL_UI_URL=${cluster.uiUrl}
  npm run cli -- run pi_demo text-summarizer
Run the demo on it:    npm run demo -- --address ${cluster.address} --ui-url ${cluster.uiUrl}
Press Ctrl+C to stop everything.`);
}

/** A bundled worker (`src/worker.ts`) in a process of its own, its output prefixed with its number. */
function startWorker(n: number, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'worker.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter(Boolean)
      .forEach((line) => log(`[worker ${n}] ${line}`));
  child.stdout!.on('data', prefix);
  child.stderr!.on('data', prefix);
  return child;
}

function pick(env: NodeJS.ProcessEnv, pattern: RegExp): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k, v]) => pattern.test(k) && v !== undefined)) as Record<
    string,
    string
  >;
}

main().catch((err: unknown) => {
  console.error(`cluster failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
