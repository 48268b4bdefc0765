/**
 * Load with faults: 1,000 runs while 10% of Codika's answers (trigger and status) fail at random
 * with a transient fault. Every run reaches the terminal state its script gives it, and Codika
 * starts each execution once. Reports how long the whole batch took.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MockCodikaServer } from '../../src/testing/mock-codika-server';
import { seededRandom } from '../../src/testing/seeded-random';
import type { codikaExecutionWorkflow } from '../../src/workflows/codika-execution-workflow';
import { startRunningTestbed } from '../helpers/temporal';
import { recordFaultRow } from './fault-report';
import { tallyOutcomes, type ExpectedEnd } from './outcomes';

const API_KEY = 'ck_load_faults_key_63';
const RUNS = 1_000;
const FAULT_RATE = 0.1;
/** Starts in flight at once: what a busy client would do, without queuing 1,000 gRPC calls at once. */
const START_CONCURRENCY = 50;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(
  async () =>
    ({ env, mock, taskQueue, stop } = await startRunningTestbed(
      { apiKey: API_KEY, randomFaults: { rate: FAULT_RATE, seed: 2026 } },
      'load',
    )),
);
afterAll(() => stop?.());

test(`${RUNS} runs with ${FAULT_RATE * 100}% of Codika answers failing at random: every one ends right, once`, async () => {
  const random = seededRandom(11);
  const ids = Array.from({ length: RUNS }, (_, i) => `load-${i}`);
  const fails = (i: number) => i % 10 === 3;
  ids.forEach((id, i) =>
    mock.script(id, {
      durationMs: Math.round(random() * 10_000),
      resultData: { id },
      failWith: fails(i) ? `${id} refused` : undefined,
    }),
  );
  const expected: ExpectedEnd[] = ids.map((id, i) =>
    fails(i) ? { failedWith: `${id} refused` } : { resultData: { id } },
  );

  const started = Date.now();
  const handles: WorkflowHandle[] = [];
  for (let from = 0; from < RUNS; from += START_CONCURRENCY) {
    handles.push(
      ...(await Promise.all(
        ids.slice(from, from + START_CONCURRENCY).map((id) =>
          env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
            taskQueue,
            workflowId: `${taskQueue}-${id}`,
            args: [{ processInstanceId: 'pi_load', workflowId: id }],
          }),
        ),
      )),
    );
  }
  const allStartedMs = Date.now() - started;
  const tally = await tallyOutcomes(handles, expected, ids, mock, 600_000);
  const tookMs = Date.now() - started;

  const answered = mock.requests.filter((r) => r.endpoint !== 'other');
  const faulted = answered.filter((r) => r.fault).length;
  recordFaultRow({
    scenario: `load: ${RUNS} runs, ${FAULT_RATE * 100}% of Codika answers fail at random (5xx, 429, reset, lost trigger answer)`,
    runs: 1,
    executions: RUNS,
    lost: tally.lost,
    duplicates: tally.duplicates,
    outcome:
      `${tally.succeeded} succeeded, ${tally.failedAsScripted} failed as scripted, in ${(tookMs / 1000).toFixed(0)} s ` +
      `(all started after ${(allStartedMs / 1000).toFixed(0)} s); ${faulted} of ${answered.length} calls faulted`,
  });

  expect(tally.problems).toEqual([]);
  expect(tally.lost).toBe(0);
  expect(tally.succeeded).toBe(RUNS - RUNS / 10);
  expect(tally.failedAsScripted).toBe(RUNS / 10);
  expect(tally.duplicates).toBe(0);
  // The faults really happened, at about the rate asked for.
  expect(faulted / answered.length).toBeGreaterThan(FAULT_RATE / 2);
  expect(faulted / answered.length).toBeLessThan(FAULT_RATE * 2);
}, 900_000);
