/**
 * The worker killed with SIGKILL five times while 50 executions are in flight (during triggers
 * Codika accepted but had not answered, during a status call, between polls, and twice at random):
 * a new worker ends every run. Under `at-most-once` (the default) the runs whose trigger a kill cut
 * off end `CodikaTriggerOutcomeUnknown` and no run has two executions; under `at-least-once` they
 * are sent again, which starts a second execution unless Codika honours `Idempotency-Key`.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CodikaTriggerDelivery } from '../../../src/shared/trigger-delivery';
import { MockCodikaServer, type MockRequestRecord } from '../../../src/testing/mock-codika/mock-codika-server';
import { seededRandom } from '../../../src/testing/mock-codika/seeded-random';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { connectTestEnv, uniqueTaskQueue } from '../../helpers/temporal';
import { recordFaultRow } from '../../helpers/fault-report';
import { tallyOutcomes, type ExpectedEnd } from '../../helpers/fault-outcomes';
import { sleep, waitUntil } from '../../helpers/wait';
import { WorkerProcess } from '../../helpers/worker-process';

const API_KEY = 'ck_worker_kill_key_90';
const RUNS = 50;
/** Long enough that every run is still going through all five kills and restarts. */
const durationOf = (i: number) => 30_000 + ((i * 3_517) % 20_000);
const failsScripted = (i: number) => i % 10 === 9;

interface Kill {
  moment: string;
  /** Resolves at the moment to kill. */
  when(mock: MockCodikaServer, random: () => number): Promise<void>;
}

const inFlight = (mock: MockCodikaServer, endpoint: MockRequestRecord['endpoint'], fault?: 'slow') =>
  mock.requests.filter((r) => r.endpoint === endpoint && r.outcome === 0 && (!fault || r.fault?.kind === 'delay'))
    .length;

const KILLS: Kill[] = [
  {
    moment: 'during triggers (accepted by Codika, answer not yet back)',
    when: (mock) => waitUntil(() => inFlight(mock, 'trigger', 'slow') >= 10, 'ten triggers in flight'),
  },
  {
    moment: 'during status calls',
    when: (mock) => waitUntil(() => inFlight(mock, 'status', 'slow') >= 3, 'three slow status calls in flight'),
  },
  {
    moment: 'between polls (no request in flight)',
    when: async (mock) => {
      const polled = mock.requestsTo('status').length;
      await waitUntil(() => mock.requestsTo('status').length >= polled + 20, 'twenty more status calls');
      await waitUntil(
        () => inFlight(mock, 'trigger') + inFlight(mock, 'status') === 0,
        'a moment with no call in flight',
        {
          everyMs: 1,
        },
      );
    },
  },
  { moment: 'at a random moment', when: (_mock, random) => sleep(500 + random() * 3_000) },
  { moment: 'at a random moment', when: (_mock, random) => sleep(500 + random() * 3_000) },
];

let env: TestWorkflowEnvironment;
beforeAll(async () => (env = await connectTestEnv()));
afterAll(() => env?.teardown());

async function killFiveTimes(triggerDelivery: CodikaTriggerDelivery, honourIdempotencyKey: boolean) {
  const mock = new MockCodikaServer({ apiKey: API_KEY, honourIdempotencyKey });
  await mock.start();
  const taskQueue = uniqueTaskQueue(`kill-${triggerDelivery}-${honourIdempotencyKey ? 'key' : 'nokey'}`);
  const startWorker = () =>
    WorkerProcess.start({ address: env.address, taskQueue, baseUrl: mock.url, apiKey: API_KEY });
  const random = seededRandom(honourIdempotencyKey ? 5 : triggerDelivery === 'at-most-once' ? 7 : 6);
  const killLog: string[] = [];
  let worker = await startWorker();
  try {
    const ids = Array.from({ length: RUNS }, (_, i) => `kill-${i}`);
    const expected: ExpectedEnd[] = ids.map((id, i) =>
      failsScripted(i) ? { failedWith: `${id} refused` } : { resultData: { id } },
    );
    ids.forEach((id, i) =>
      mock.script(id, {
        durationMs: durationOf(i),
        resultData: { id },
        failWith: failsScripted(i) ? `${id} refused` : undefined,
        faults: {
          trigger: [{ kind: 'delay', ms: 2_000, strikes: 'after' }],
          status: i % 3 === 0 ? [{ kind: 'delay', ms: 2_000, times: 4 }] : [],
        },
      }),
    );
    const handles: WorkflowHandle[] = await Promise.all(
      ids.map((id, i) =>
        env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
          taskQueue,
          workflowId: `${taskQueue}-${id}`,
          // Half poll with workflow timers, half with the default (auto): kills land in both loops.
          args: [
            {
              processInstanceId: 'pi_kill',
              workflowId: id,
              triggerDelivery,
              poll: i % 2 ? { strategy: 'timer', firstPollAfter: 500 } : {},
            },
          ],
        }),
      ),
    );

    for (const kill of KILLS) {
      await kill.when(mock, random);
      const triggers = inFlight(mock, 'trigger');
      const statuses = inFlight(mock, 'status');
      await worker.kill();
      killLog.push(`${kill.moment}: ${triggers} triggers and ${statuses} status calls in flight`);
      worker = await startWorker();
    }

    const tally = await tallyOutcomes(handles, expected, ids, mock, 180_000);
    const triggerCalls = mock.requestsTo('trigger').length;
    const mode = `${triggerDelivery}, Codika ${honourIdempotencyKey ? 'honours' : 'ignores'} Idempotency-Key`;
    recordFaultRow({
      scenario: `worker SIGKILL ×5 mid-run (one during accepted triggers), ${mode}`,
      runs: 1,
      executions: RUNS,
      lost: tally.lost,
      duplicates: tally.duplicates,
      outcomeUnknown: tally.outcomeUnknown,
      outcome:
        `a new worker ended all: ${tally.succeeded} succeeded, ${tally.failedAsScripted} failed as scripted, ` +
        `${tally.outcomeUnknown} outcome unknown (${tally.noExecution} runs started no execution); ${triggerCalls} trigger calls`,
    });
    console.log([`worker kills (${mode}):`, ...killLog].join('\n  '));
    return tally;
  } finally {
    await worker.stop();
    await mock.stop();
  }
}

test('at-most-once (the default): five SIGKILLs with 50 runs in flight, every run ends right or typed, never two executions', async () => {
  const tally = await killFiveTimes('at-most-once', false);
  expect(tally.problems).toEqual([]);
  expect(tally.lost).toBe(0);
  expect(tally.duplicates).toBe(0);
  // The kill during triggers cut off at least ten accepted ones: each ends with its unknown outcome.
  expect(tally.outcomeUnknown).toBeGreaterThanOrEqual(10);
  expect(tally.succeeded + tally.failedAsScripted + tally.outcomeUnknown).toBe(RUNS);
}, 400_000);

test('at-least-once against a Codika that ignores Idempotency-Key: runs end right, triggers cut off by a kill run twice', async () => {
  const tally = await killFiveTimes('at-least-once', false);
  expect(tally.problems).toEqual([]);
  expect(tally.lost).toBe(0);
  expect(tally.outcomeUnknown).toBe(0);
  expect(tally.duplicates).toBeGreaterThanOrEqual(10);
}, 400_000);

test('at-least-once against a Codika that honours Idempotency-Key: every run ends right, one execution each', async () => {
  const tally = await killFiveTimes('at-least-once', true);
  expect(tally.problems).toEqual([]);
  expect(tally.lost).toBe(0);
  expect(tally.succeeded + tally.failedAsScripted).toBe(RUNS);
  expect(tally.duplicates).toBe(0);
}, 400_000);
