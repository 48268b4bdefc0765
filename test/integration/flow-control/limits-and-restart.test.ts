/**
 * `codika-temporal limits set|show` as an operator runs them (the rates, then each key's permits and
 * who waits), and a key's flow-control workflow that outlives a restart of the Temporal server: the
 * permit held across it is given back, and the run that waited in line gets it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort, LocalTemporalServer } from '../../../src/testing/local-temporal-server';
import { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { CodikaExecutionState } from '../../../src/shared/execution-types';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { runCli } from '../../helpers/cli-process';
import { uniqueTaskQueue } from '../../helpers/temporal';
import { sleep, waitUntil, waitUntilAsync } from '../../helpers/wait';
import { WorkerProcess } from '../../helpers/worker-process';

const API_KEY = 'ck_limits_restart_key_28';
const FAST = { strategy: 'timer', firstPollAfter: 200, backoffCoefficient: 1, maxPollInterval: 200 } as const;

test('limits set and show through the CLI; refused input names the fix', async () => {
  const taskQueue = uniqueTaskQueue('limits-cli');
  const env = { CODIKA_TASK_QUEUE: taskQueue };
  const set = await runCli(['limits', 'set', '--per-key', '5', '--queue', '50', '--reason', 'quota 4411'], env);
  expect(set.stderr).toBe('');
  expect(set.code).toBe(0);
  expect(set.stdout).toContain('per process instance: 5/s');
  expect(set.stdout).toContain('whole queue:          50/s');

  const show = await runCli(['limits', 'show', '--json'], env);
  expect(show.code).toBe(0);
  const shown = JSON.parse(show.stdout) as { rates: Record<string, unknown>; keys: unknown[] };
  expect(shown.rates).toMatchObject({ taskQueue, perKeyPerSecond: 5, queuePerSecond: 50, reason: 'quota 4411' });

  const removed = await runCli(['limits', 'set', '--per-key', 'none'], env);
  expect(removed.code).toBe(0);
  expect(removed.stdout).toContain('per process instance: none');
  expect(removed.stdout).toContain('whole queue:          50/s');

  const bad = await runCli(['limits', 'set', '--per-key', 'fast'], env);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('expected calls per second (0 or more, e.g. 5) or "none"; got "fast"');
  const nothing = await runCli(['limits', 'set'], env);
  expect(nothing.code).toBe(2);
  expect(nothing.stderr).toContain('give --per-key, --queue or both');
});

test('a key flow-control workflow outlives a server restart: the held permit comes back, the waiting run gets it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codika-flow-restart-'));
  const serverOptions = {
    port: await freePort(),
    dbFilename: join(dir, 'temporal.db'),
    logFile: join(dir, 'server.log'),
    log: () => {},
  };
  let server = await LocalTemporalServer.start(serverOptions);
  const mock = new MockCodikaServer({ apiKey: API_KEY });
  await mock.start();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const taskQueue = uniqueTaskQueue('flow-restart');
  const config = { address: server.address, taskQueue, baseUrl: mock.url, apiKey: API_KEY };
  const worker = await WorkerProcess.start(config);
  try {
    mock.script('restart-holder', { durationMs: 12_000 });
    mock.script('restart-next', { durationMs: 0 });
    const concurrency = { key: 'restart-key', limit: 1 };
    const holder = await client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
      taskQueue,
      workflowId: `${taskQueue}-holder`,
      args: [{ processInstanceId: 'pi_restart', workflowId: 'restart-holder', concurrency, poll: FAST }],
    });
    await waitUntil(() => mock.executionsOf('restart-holder').length === 1, 'the holder triggered');
    const next = await client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
      taskQueue,
      workflowId: `${taskQueue}-next`,
      args: [{ processInstanceId: 'pi_restart', workflowId: 'restart-next', concurrency, poll: FAST }],
    });
    await waitUntilAsync(
      async () => (await next.query<CodikaExecutionState>('codikaExecutionState')).phase === 'waiting_for_permit',
      'the second run in line',
    );
    const shown = await runCli(['limits', 'show'], { TEMPORAL_ADDRESS: server.address, CODIKA_TASK_QUEUE: taskQueue });
    expect(shown.stdout).toContain('restart-key: 1/1 permits in use, 1 waiting');

    await server.stop();
    await sleep(2_000);
    server = await LocalTemporalServer.start(serverOptions);

    await holder.result();
    await next.result();
    const [held] = mock.executionsOf('restart-holder');
    const [waited] = mock.executionsOf('restart-next');
    // The second execution started only once the first had ended: the limit held across the restart.
    expect(waited!.createdAt).toBeGreaterThanOrEqual(held!.finishesAt);
    expect(mock.executionsOf('restart-next')).toHaveLength(1);
  } finally {
    await worker.stop();
    await connection.close();
    await mock.stop();
    await server.stop();
  }
}, 120_000);
