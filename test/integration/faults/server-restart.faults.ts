/**
 * The Temporal server (the dev server on a SQLite file) stopped, or killed, with 50 runs in flight,
 * and started again on the same file a few seconds later: the same worker and client carry on and
 * every run completes, with one Codika execution each.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { freePort, LocalTemporalServer } from '../../../src/testing/local-temporal-server';
import { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { uniqueTaskQueue } from '../../helpers/temporal';
import { recordFaultRow } from '../../helpers/fault-report';
import { tallyOutcomes, type ExpectedEnd } from '../../helpers/fault-outcomes';
import { sleep, waitUntil } from '../../helpers/wait';
import { WorkerProcess } from '../../helpers/worker-process';

const API_KEY = 'ck_server_restart_key_14';
const RUNS = 50;
const DOWN_MS = 5_000;
const durationOf = (i: number) => 15_000 + ((i * 2_711) % 15_000);

async function restartMidRun(how: 'stop' | 'kill') {
  const dir = mkdtempSync(join(tmpdir(), 'codika-restart-'));
  const port = await freePort();
  const serverOptions = { port, dbFilename: join(dir, 'temporal.db'), logFile: join(dir, 'server.log'), log: () => {} };
  let server = await LocalTemporalServer.start(serverOptions);
  const mock = new MockCodikaServer({ apiKey: API_KEY });
  await mock.start();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const taskQueue = uniqueTaskQueue(`restart-${how}`);
  const worker = await WorkerProcess.start({ address: server.address, taskQueue, baseUrl: mock.url, apiKey: API_KEY });
  try {
    const ids = Array.from({ length: RUNS }, (_, i) => `restart-${how}-${i}`);
    ids.forEach((id, i) => mock.script(id, { durationMs: durationOf(i), resultData: { id } }));
    const expected: ExpectedEnd[] = ids.map((id) => ({ resultData: { id } }));
    const handles: WorkflowHandle[] = await Promise.all(
      ids.map((id, i) =>
        client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
          taskQueue,
          workflowId: `${taskQueue}-${id}`,
          args: [{ processInstanceId: 'pi_restart', workflowId: id, poll: i % 2 ? { strategy: 'timer' } : {} }],
        }),
      ),
    );
    await waitUntil(
      () => mock.executions.size === RUNS && mock.requestsTo('status').length >= RUNS,
      'every run polling',
    );

    const downAt = Date.now();
    await (how === 'stop' ? server.stop() : server.kill());
    await sleep(DOWN_MS);
    server = await LocalTemporalServer.start(serverOptions);
    const backAfterMs = Date.now() - downAt;

    const tally = await tallyOutcomes(handles, expected, ids, mock, 180_000);
    const workerSurvived = worker.alive;
    recordFaultRow({
      scenario: `Temporal server ${how === 'stop' ? 'stopped (SIGTERM)' : 'killed (SIGKILL)'} mid-run, back after ${(backAfterMs / 1000).toFixed(0)} s on its SQLite file`,
      runs: 1,
      executions: RUNS,
      lost: tally.lost,
      duplicates: tally.duplicates,
      outcomeUnknown: tally.outcomeUnknown,
      outcome: `all ${tally.succeeded} succeeded once it was back; the same worker${workerSurvived ? '' : ' (NOT: it exited)'} and client carried on`,
    });
    return { tally, workerSurvived };
  } finally {
    await worker.stop();
    await connection.close();
    await mock.stop();
    await server.stop();
  }
}

test.each([
  ['stopped', 'stop'],
  ['killed', 'kill'],
] as const)(
  'the Temporal server is %s with 50 runs in flight and restarted: every run completes',
  async (_label, how) => {
    const { tally, workerSurvived } = await restartMidRun(how);
    expect(tally.problems).toEqual([]);
    expect(tally.succeeded).toBe(RUNS);
    expect(tally.duplicates).toBe(0);
    expect(workerSurvived).toBe(true);
  },
  400_000,
);
