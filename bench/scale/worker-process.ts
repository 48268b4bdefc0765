import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ScaleWorkerConfig, ScaleWorkerMessage, ScaleWorkerSample } from './worker-protocol';

/** The scale worker's child process, as the harness sees it. */
export interface ScaleWorkerProcess {
  child: ChildProcess;
  /** Highest RSS and JavaScript heap the worker reported, in bytes; null before its first sample. */
  peak: { rss: number; heap: number } | null;
  /** The worker's most recent sample. */
  latest?: ScaleWorkerSample;
  /** Asks the worker to shut down and waits for it to exit; kills it if it has not after 20 s. */
  stop(): Promise<void>;
}

const WORKER_READY_TIMEOUT_MS = 180_000;
const WORKER_EXIT_TIMEOUT_MS = 20_000;

/**
 * Forks scale-worker.ts (through tsx, with a `heapMb` V8 heap and any `BENCH_WORKER_NODE_ARGS`) and
 * waits until it is polling; from then on it records the worker's samples.
 *
 * @throws Error when the worker fails, exits or is not ready within 180 s (it is stopped first).
 */
export async function startScaleWorker(
  config: ScaleWorkerConfig,
  heapMb: number,
  log: (message: string) => void,
): Promise<ScaleWorkerProcess> {
  const child = fork(join(__dirname, 'scale-worker.ts'), [JSON.stringify(config)], {
    // The project root, where `--import tsx` resolves.
    cwd: join(__dirname, '..', '..'),
    execArgv: [
      '--import',
      'tsx',
      `--max-old-space-size=${heapMb}`,
      ...(process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const state: ScaleWorkerProcess = {
    child,
    peak: null,
    latest: undefined,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        if (child.connected) child.send({ type: 'stop' });
        const timer = setTimeout(() => child.kill('SIGKILL'), WORKER_EXIT_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the scale worker was not ready in ${WORKER_READY_TIMEOUT_MS / 1000} s`)),
        WORKER_READY_TIMEOUT_MS,
      );
      child.on('message', (message: ScaleWorkerMessage) => {
        if (message.type === 'sample') {
          state.latest = message;
          state.peak = {
            rss: Math.max(state.peak?.rss ?? 0, message.rss),
            heap: Math.max(state.peak?.heap ?? 0, message.heapUsed),
          };
        } else if (message.type === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (message.type === 'error') {
          log(`scale worker: ${message.message}`);
          clearTimeout(timer);
          reject(new Error(`the scale worker failed: ${message.message}`));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the scale worker exited (code ${code}) before it was ready`));
      });
    });
  } catch (err) {
    await state.stop();
    throw err;
  }
  return state;
}
