import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { sleep } from './wait';

/** The bundled worker (`src/worker.ts`, what `npm run worker` and the Docker image run) in a process of its own. */
export interface BundledWorker {
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  /** SIGTERM, and waits for it to exit. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 90_000;

/**
 * Starts the bundled worker with only `env` (plus PATH and HOME, and no Temporal config file of this
 * machine's) and resolves once it says it runs.
 *
 * @throws Error with its output when it exits or is not ready in 90 s.
 */
export async function startBundledWorker(env: Record<string, string>): Promise<BundledWorker> {
  const worker: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'worker.ts')],
    {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  worker.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!output.includes('codika-temporal worker:')) {
    if (worker.exitCode !== null || Date.now() > deadline) throw new Error(`the worker did not start:\n${output}`);
    await sleep(100);
  }
  return {
    output: () => output,
    async stop() {
      if (worker.exitCode !== null) return;
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}
