/**
 * Load with faults: 1,000 runs while 10% of Codika's answers (trigger and status) fail at random
 * with a transient fault; on the trigger, a 500, 502, 504 or reset strikes after Codika created the
 * execution half of the time. Under each delivery mode, every run ends in its scripted result or a
 * typed failure, with the executions that mode allows. Reports how long the whole batch took and
 * which faults started a second execution.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CodikaTriggerDelivery } from '../../../src/shared/trigger-delivery';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { MockFault } from '../../../src/testing/mock-codika/mock-scripts';
import { seededRandom } from '../../../src/testing/mock-codika/seeded-random';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { startRunningTestbed } from '../../helpers/temporal';
import { recordFaultRow } from '../../helpers/fault-report';
import { tallyOutcomes, type ExpectedEnd, type Tally } from '../../helpers/fault-outcomes';

const API_KEY = 'ck_load_faults_key_63';
const RUNS = 1_000;
const FAULT_RATE = 0.1;
/** Starts in flight at once: what a busy client would do, without queuing 1,000 gRPC calls at once. */
const START_CONCURRENCY = 50;

interface LoadRun {
  tally: Tally;
  faulted: number;
  answered: number;
  /** Trigger faults that struck after acceptance, and the duplicates each kind caused. */
  afterAcceptance: Map<string, { faults: number; duplicates: number }>;
}

async function loadWithFaults(delivery: CodikaTriggerDelivery, honourIdempotencyKey: boolean): Promise<LoadRun> {
  const { env, mock, taskQueue, stop } = await startRunningTestbed(
    { apiKey: API_KEY, honourIdempotencyKey, randomFaults: { rate: FAULT_RATE, seed: 2026 } },
    `load-${delivery}`,
  );
  try {
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
    const handles = await startAll(env, taskQueue, ids, delivery);
    const allStartedMs = Date.now() - started;
    const tally = await tallyOutcomes(handles, expected, ids, mock, 600_000);
    const tookMs = Date.now() - started;

    const answered = mock.requests.filter((r) => r.endpoint !== 'other');
    const faulted = answered.filter((r) => r.fault).length;
    const afterAcceptance = duplicatesByFault(mock, ids);
    const mode = `${delivery}, Codika ${honourIdempotencyKey ? 'honours' : 'ignores'} Idempotency-Key`;
    recordFaultRow({
      scenario: `load: ${RUNS} runs, ${FAULT_RATE * 100}% of Codika answers fail at random (5xx, 429, reset; on the trigger half of 500/502/504/reset strike after acceptance), ${mode}`,
      runs: 1,
      executions: RUNS,
      lost: tally.lost,
      duplicates: tally.duplicates,
      outcomeUnknown: tally.outcomeUnknown,
      outcome:
        `${tally.succeeded} succeeded, ${tally.failedAsScripted} failed as scripted, ${tally.outcomeUnknown} outcome unknown ` +
        `(${tally.noExecution} runs started no execution), ` +
        `in ${(tookMs / 1000).toFixed(0)} s (all started after ${(allStartedMs / 1000).toFixed(0)} s); ` +
        `${faulted} of ${answered.length} calls faulted; after acceptance: ${describeByFault(afterAcceptance)}`,
    });
    return { tally, faulted, answered: answered.length, afterAcceptance };
  } finally {
    await stop();
  }
}

async function startAll(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  ids: string[],
  triggerDelivery: CodikaTriggerDelivery,
): Promise<WorkflowHandle[]> {
  const handles: WorkflowHandle[] = [];
  for (let from = 0; from < ids.length; from += START_CONCURRENCY) {
    handles.push(
      ...(await Promise.all(
        ids.slice(from, from + START_CONCURRENCY).map((id) =>
          env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
            taskQueue,
            workflowId: `${taskQueue}-${id}`,
            args: [{ processInstanceId: 'pi_load', workflowId: id, triggerDelivery }],
          }),
        ),
      )),
    );
  }
  return handles;
}

/** Per fault kind that struck a trigger after acceptance: how often, and how many second executions followed. */
function duplicatesByFault(mock: MockCodikaServer, ids: string[]): Map<string, { faults: number; duplicates: number }> {
  const byFault = new Map<string, { faults: number; duplicates: number }>();
  for (const id of ids) {
    const after = mock
      .requestsTo('trigger', id)
      .filter((r) => r.fault && 'strikes' in r.fault && r.fault.strikes === 'after')
      .map((r) => label(r.fault!));
    const duplicates = Math.max(mock.executionsOf(id).length - 1, 0);
    after.forEach((kind, i) => {
      const entry = byFault.get(kind) ?? { faults: 0, duplicates: 0 };
      entry.faults += 1;
      // A run's second execution follows its first after-acceptance fault.
      if (i < duplicates) entry.duplicates += 1;
      byFault.set(kind, entry);
    });
  }
  return byFault;
}

function label(fault: MockFault): string {
  return fault.kind === 'http' ? String(fault.status) : fault.kind === 'drop' ? 'reset' : fault.kind;
}

function describeByFault(byFault: Map<string, { faults: number; duplicates: number }>): string {
  const kinds = [...byFault.entries()].sort(([a], [b]) => a.localeCompare(b));
  return kinds.map(([kind, { faults, duplicates }]) => `${kind} ×${faults} → ${duplicates} duplicates`).join(', ');
}

function expectFaultsAtTheRateAskedFor(run: LoadRun): void {
  expect(run.faulted / run.answered).toBeGreaterThan(FAULT_RATE / 2);
  expect(run.faulted / run.answered).toBeLessThan(FAULT_RATE * 2);
  expect([...run.afterAcceptance.values()].reduce((n, e) => n + e.faults, 0)).toBeGreaterThan(10);
}

test(`at-most-once: ${RUNS} runs under ${FAULT_RATE * 100}% random faults end as scripted or typed, never with two executions`, async () => {
  const run = await loadWithFaults('at-most-once', false);
  const { tally } = run;

  expect(tally.problems).toEqual([]);
  expect(tally.lost).toBe(0);
  expect(tally.duplicates).toBe(0);
  expect(tally.outcomeUnknown).toBeGreaterThan(0);
  expect(tally.succeeded + tally.failedAsScripted + tally.outcomeUnknown).toBe(RUNS);
  expectFaultsAtTheRateAskedFor(run);
}, 900_000);

test(`at-least-once, key ignored: every run ends as scripted; each trigger fault after acceptance starts a second execution`, async () => {
  const run = await loadWithFaults('at-least-once', false);
  const { tally } = run;

  expect(tally.problems).toEqual([]);
  expect(tally.lost).toBe(0);
  expect(tally.outcomeUnknown).toBe(0);
  expect(tally.succeeded).toBe(RUNS - RUNS / 10);
  expect(tally.failedAsScripted).toBe(RUNS / 10);
  expect(tally.duplicates).toBe([...run.afterAcceptance.values()].reduce((n, e) => n + e.faults, 0));
  expectFaultsAtTheRateAskedFor(run);
}, 900_000);

test(`at-least-once, key honoured: every run ends as scripted, once`, async () => {
  const run = await loadWithFaults('at-least-once', true);
  const { tally } = run;

  expect(tally.problems).toEqual([]);
  expect(tally.lost).toBe(0);
  expect(tally.succeeded).toBe(RUNS - RUNS / 10);
  expect(tally.failedAsScripted).toBe(RUNS / 10);
  expect(tally.duplicates).toBe(0);
  expectFaultsAtTheRateAskedFor(run);
}, 900_000);
