/**
 * `codika-temporal worker`, the bundled worker run from the CLI, in a process of its own as a user
 * starts it: configured by the environment (the mock Codika's URL and key) and `--task-queue`, it
 * serves executions that `codika-temporal run` starts, and SIGTERM or SIGINT stop it cleanly (exit 0),
 * leaving a run in progress to the next worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import { runCli, type CliRun } from '../../helpers/cli-process';
import { quickDemoScripts, startTestbed, stopTestbed, uniqueTaskQueue } from '../../helpers/temporal';
import { sleep } from '../../helpers/wait';

const API_KEY = 'ck_worker_command_29';
const ROOT = join(__dirname, '..', '..', '..');
// Bundling the workflows at start takes a while on a busy machine.
const READY_TIMEOUT_MS = 90_000;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
const taskQueue = uniqueTaskQueue('cli-worker');
const started: WorkerCli[] = [];

beforeAll(async () => {
  ({ env, mock } = await startTestbed({ apiKey: API_KEY, scripts: quickDemoScripts() }));
  mock.script('long-report', { durationMs: 4_000, resultData: { rows: 7 } });
}, 60_000);

afterAll(async () => {
  await Promise.all(started.map((worker) => worker.stop('SIGKILL')));
  await stopTestbed({ env, mock });
});

/** `codika-temporal worker` in its own process, and how it ended. */
interface WorkerCli {
  output(): string;
  /** Sends `signal` and resolves with how the process exited. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `codika-temporal worker --task-queue <this file's>` with only the variables a user would set
 * (and no Temporal config file of this machine's); resolves once it says it runs.
 */
async function startWorkerCli(): Promise<WorkerCli> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'worker', '--task-queue', taskQueue],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
        TEMPORAL_ADDRESS: env.address,
        CODIKA_BASE_URL: mock.url,
        CODIKA_API_KEY: API_KEY,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const worker: WorkerCli = {
    output: () => output,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  started.push(worker);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!output.includes('codika-temporal worker:')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the worker did not start:\n${output}`);
    await sleep(100);
  }
  return worker;
}

/** The real CLI against the test server, on this file's task queue. */
function cli(...args: string[]): Promise<CliRun> {
  return runCli(args, { CODIKA_TASK_QUEUE: taskQueue });
}

test('serves an execution started with codika-temporal run, then stops on SIGTERM with exit 0', async () => {
  const worker = await startWorkerCli();
  expect(worker.output()).toContain(`task queue "${taskQueue}" on ${env.address} (default)`);

  const { code, stdout, stderr } = await cli(
    'run',
    'pi_demo',
    'summarize',
    '--payload',
    '{"text": "one two three", "language": "en"}',
    '--json',
  );
  expect({ code, stderr }).toMatchObject({ code: 0 });
  expect(JSON.parse(stdout)).toMatchObject({
    status: 'succeeded',
    result: { resultData: { summary: '[en] one two three…', language: 'en' } },
  });
  expect(mock.requestsTo('trigger', 'summarize')).toHaveLength(1);

  expect(await worker.stop('SIGTERM')).toEqual({ code: 0, signal: null });
}, 180_000);

test('SIGINT mid-run: the worker exits 0 and the next worker finishes the run, triggering nothing again', async () => {
  const first = await startWorkerCli();
  const detached = await cli('run', 'pi_demo', 'long-report', '--detach', '--json');
  expect({ code: detached.code, stderr: detached.stderr }).toMatchObject({ code: 0 });
  const { workflowId } = JSON.parse(detached.stdout) as { workflowId: string };

  expect(await first.stop('SIGINT')).toEqual({ code: 0, signal: null });

  const second = await startWorkerCli();
  const result = (await env.client.workflow.getHandle(workflowId).result()) as { resultData: unknown };
  expect(result.resultData).toEqual({ rows: 7 });
  expect(mock.requestsTo('trigger', 'long-report')).toHaveLength(1);
  expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
}, 240_000);
