import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkerProcessConfig } from './worker-process-main';

const READY_TIMEOUT_MS = 60_000;

/** A worker running in a child process (worker-process-main.ts), that a test can kill outright. */
export class WorkerProcess {
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Forks a worker and resolves once it runs. @throws Error when it exits or is not ready in 60 s. */
  static async start(config: Omit<WorkerProcessConfig, 'workflowBundlePath'>): Promise<WorkerProcess> {
    const workflowBundlePath = process.env.CODIKA_TEST_WORKFLOW_BUNDLE;
    if (!workflowBundlePath) throw new Error('CODIKA_TEST_WORKFLOW_BUNDLE is not set: run with jest (globalSetup)');
    const logFile = join(process.env.CODIKA_TEST_DIR ?? tmpdir(), `worker-${config.taskQueue}.log`);
    const log = openSync(logFile, 'a');
    const child = fork(join(__dirname, 'worker-process-main.ts'), [JSON.stringify({ ...config, workflowBundlePath })], {
      execArgv: ['--import', 'tsx'],
      // The SDK logs every retried call while the server is away: kept out of the test's output.
      stdio: ['ignore', log, log, 'ipc'],
    });
    closeSync(log);
    const worker = new WorkerProcess(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the worker process was not ready in 60 s')), READY_TIMEOUT_MS);
      child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the worker process exited before it was ready (${signal ?? code}); see ${logFile}`));
      });
    });
    return worker;
  }

  /** Whether the process is still alive (a worker that lost its server may have exited on its own). */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL: no shutdown, no flush, nothing reported to the server. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Graceful shutdown (SIGTERM), then SIGKILL after 15 s. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}
