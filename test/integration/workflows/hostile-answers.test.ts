/**
 * The answers a real Codika-like service gives that the happy path never meets, against the mock:
 * a status `404` for an execution its webhook just accepted (transient within the grace window, typed
 * past it), a result too large for history (typed, and `result.select` makes it fit), and a cancelled
 * run whose polling must stop within about a second, in every strategy.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CodikaPollOptions } from '../../../src/shared/poll-options';
import type { MockCodikaServer } from '../../../src/testing/mock-codika/mock-codika-server';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { codikaExecutionStateQuery } from '../../../src/workflows/codika-execution-workflow';
import { failureOf, startRunningTestbed } from '../../helpers/temporal';
import { sleep, waitUntil } from '../../helpers/wait';

const API_KEY = 'ck_hostile_answers_key_26';
const PI = 'pi_hostile';
const FIXED = { firstPollAfter: 300, backoffCoefficient: 1, maxPollInterval: 300 } as const;
const STRATEGIES: [string, CodikaPollOptions][] = [
  ['timer', { strategy: 'timer', ...FIXED }],
  ['activity', { strategy: 'activity', ...FIXED }],
  ['retry', { strategy: 'retry', ...FIXED }],
  ['auto', {}],
];
const MIB = 1024 * 1024;

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
beforeAll(async () => ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'hostile')));
afterAll(() => stop());

let counter = 0;
function start(
  workflowId: string,
  extra: Partial<Parameters<typeof codikaExecutionWorkflow>[0]> = {},
): Promise<WorkflowHandle<typeof codikaExecutionWorkflow>> {
  counter += 1;
  return env.client.workflow.start<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
    taskQueue,
    workflowId: `${taskQueue}-${counter}`,
    args: [{ processInstanceId: PI, workflowId, ...extra }],
  });
}

describe('a status 404 for an execution Codika just accepted', () => {
  test.each(STRATEGIES)(
    '%s: within the grace it is "not found yet", and the run succeeds',
    async (name, poll) => {
      const workflowId = `not-found-yet-${name}`;
      mock.script(workflowId, { notFoundChecks: 2, durationMs: 0, resultData: { ok: name } });
      const handle = await start(workflowId, { poll });
      const result = await handle.result();
      expect(result.resultData).toEqual({ ok: name });
      const [execution] = mock.executionsOf(workflowId);
      // Two 404s, then the answer: each counted as a check that found nothing yet.
      expect(execution!.statusChecks).toBeGreaterThanOrEqual(3);
      expect(mock.requestsTo('status', workflowId).filter((r) => r.outcome === 404)).toHaveLength(2);
      expect(mock.requestsTo('trigger', workflowId)).toHaveLength(1);
    },
    60_000,
  );

  test('past the grace it fails CodikaNotFoundError, saying how long it waited', async () => {
    const workflowId = 'never-visible';
    mock.script(workflowId, { notFoundChecks: Infinity, durationMs: 0 });
    const handle = await start(workflowId, { poll: { strategy: 'timer', ...FIXED, notFoundGrace: '2 seconds' } });
    const failure = await failureOf(handle);
    expect(failure.type).toBe('CodikaNotFoundError');
    expect(failure.message).toMatch(/still answers 404 for execution \S+ 2(\.\d+)? s after it was accepted/);
    expect(failure.message).toContain('past the grace of 2 s (poll.notFoundGrace)');
    // It kept asking through the grace, then stopped: one trigger, a handful of checks.
    expect(mock.requestsTo('status', workflowId).length).toBeGreaterThanOrEqual(3);
    expect(mock.requestsTo('trigger', workflowId)).toHaveLength(1);
  }, 60_000);

  test('a bad notFoundGrace is refused before anything is sent, naming the field', async () => {
    const handle = await start('bad-grace', { poll: { notFoundGrace: 'soon' } });
    const failure = await failureOf(handle);
    expect(failure.type).toBe('CodikaValidationError');
    expect(failure.message).toContain('poll.notFoundGrace');
    expect(mock.requestsTo('trigger', 'bad-grace')).toHaveLength(0);
  });
});

describe('a result too large for history', () => {
  test('3 MiB fails CodikaResultTooLarge in the status activity, naming the execution, the size and the limit', async () => {
    const workflowId = 'three-mib';
    mock.script(workflowId, { resultBytes: 3 * MIB });
    const handle = await start(workflowId, { poll: { strategy: 'timer', ...FIXED } });
    const failure = await failureOf(handle);
    const [execution] = mock.executionsOf(workflowId);
    expect(failure.type).toBe('CodikaResultTooLarge');
    expect(failure.message).toContain(execution!.executionId);
    expect(failure.message).toContain(String(3 * MIB));
    expect(failure.message).toContain('1500000');
    expect(failure.message).toContain('result.select');
    expect(failure.details?.[0]).toMatchObject({
      executionId: execution!.executionId,
      sizeBytes: 3 * MIB,
      limitBytes: 1_500_000,
    });
    // Non-retryable: one status answer with the result, not a retry loop fetching 3 MiB again and again.
    expect(mock.requestsTo('status', workflowId).filter((r) => r.outcome === 200)).toHaveLength(1);
    // Nothing of the result reached history.
    const history = JSON.stringify(await handle.fetchHistory());
    expect(history).not.toContain('xxxxxxxxxxxxxxxx');
  }, 60_000);

  test.each(STRATEGIES)(
    '%s: result.select keeps what the workflow needs, and the run succeeds',
    async (name, poll) => {
      const workflowId = `three-mib-selected-${name}`;
      mock.script(workflowId, { resultBytes: 3 * MIB });
      const handle = await start(workflowId, { poll, result: { select: ['/summary'] } });
      const result = await handle.result();
      expect(result.resultData).toEqual({ summary: { ok: true, bytes: 3 * MIB } });
    },
    60_000,
  );

  test('a lower maxBytes is honoured; a bad pointer is refused before the trigger, naming the field', async () => {
    mock.script('small-limit', { resultData: { text: 'y'.repeat(200) } });
    const limited = await start('small-limit', { poll: { strategy: 'timer', ...FIXED }, result: { maxBytes: 100 } });
    expect((await failureOf(limited)).type).toBe('CodikaResultTooLarge');

    const bad = await start('bad-pointer', { result: { select: ['/ok', 'summary'] } });
    const failure = await failureOf(bad);
    expect(failure.type).toBe('CodikaValidationError');
    expect(failure.message).toContain('input.result.select[1]');
    expect(mock.requestsTo('trigger', 'bad-pointer')).toHaveLength(0);
  }, 60_000);
});

describe('a cancelled run', () => {
  /** How late a status check may still reach Codika after the cancel: "about a second", with room for a loaded machine. */
  const LATEST_CHECK_AFTER_CANCEL_MS = 1_500;

  test.each(STRATEGIES)(
    '%s: no status check reaches Codika more than about a second after the cancel',
    async (name, poll) => {
      const workflowId = `cancelled-${name}`;
      mock.script(workflowId, { durationMs: Infinity });
      const handle = await start(workflowId, { poll });
      // Polling for a while: the retry strategy waits its first interval, auto checks every second.
      await waitUntil(() => mock.requestsTo('status', workflowId).length >= 3, 'three status checks', {
        timeoutMs: 30_000,
      });
      const cancelledAt = Date.now();
      await handle.cancel();
      await handle.result().catch(() => undefined);
      // Long enough for any loop that missed the cancel to check again several times.
      await sleep(4_000);
      const [execution] = mock.executionsOf(workflowId);
      const times = mock.requestTimes('status', execution!.executionId);
      const latest = Math.max(...times) - cancelledAt;
      expect(latest).toBeLessThan(LATEST_CHECK_AFTER_CANCEL_MS);
      const { phase } = await handle.query(codikaExecutionStateQuery).catch(() => ({ phase: 'closed' }));
      expect(phase).not.toBe('succeeded');
    },
    60_000,
  );
});
