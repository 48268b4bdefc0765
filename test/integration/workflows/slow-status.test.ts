/**
 * Codika taking 15 s to answer status calls (the worker's request timeout is 30 s): under every
 * strategy the run succeeds, and no status call of an execution starts while another is in flight,
 * because every activity heartbeats while its request runs.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CodikaPollOptions } from '../../../src/shared/poll-options';
import type { MockCodikaServer, MockRequestRecord } from '../../../src/testing/mock-codika/mock-codika-server';
import type { MockFault } from '../../../src/testing/mock-codika/mock-scripts';
import type { codikaExecutionWorkflow } from '../../../src/workflows/codika-execution-workflow';
import { AUTO_SCHEDULE } from '../../../src/workflows/execution/polling-strategies';
import { startRunningTestbed } from '../../helpers/temporal';

const API_KEY = 'ck_slow_status_key_15';
const SLOW: MockFault = { kind: 'delay', ms: 15_000, times: 2 };
const FIXED = { firstPollAfter: 500, backoffCoefficient: 1, maxPollInterval: 500 } as const;

interface Case {
  name: string;
  poll: CodikaPollOptions;
  durationMs: number;
  /** When to slow the status answers down, from the start (auto: once its retry phase begins). */
  slowFromMs: number;
}
const CASES: Case[] = [
  { name: 'timer', poll: { strategy: 'timer', ...FIXED }, durationMs: 20_000, slowFromMs: 0 },
  { name: 'activity', poll: { strategy: 'activity', ...FIXED }, durationMs: 20_000, slowFromMs: 0 },
  { name: 'retry', poll: { strategy: 'retry', ...FIXED }, durationMs: 20_000, slowFromMs: 0 },
  // After the activity loop of its first phase, `auto` checks with retries: slow those.
  {
    name: 'auto',
    poll: {},
    durationMs: AUTO_SCHEDULE.activityPhaseMs + 20_000,
    slowFromMs: AUTO_SCHEDULE.activityPhaseMs + 1_000,
  },
];

let env: TestWorkflowEnvironment;
let mock: MockCodikaServer;
let taskQueue: string;
let stop: () => Promise<void>;
const ends = new Map<string, { ok: boolean; error?: string }>();

beforeAll(async () => {
  ({ env, mock, taskQueue, stop } = await startRunningTestbed({ apiKey: API_KEY }, 'slow-status'));
  await Promise.all(
    CASES.map(async (c) => {
      const workflowId = `slow-${c.name}`;
      mock.script(workflowId, { durationMs: c.durationMs, faults: c.slowFromMs === 0 ? { status: [SLOW] } : {} });
      if (c.slowFromMs > 0) setTimeout(() => mock.injectFaults(workflowId, { status: [SLOW] }), c.slowFromMs);
      const end = await env.client.workflow
        .execute<typeof codikaExecutionWorkflow>('codikaExecutionWorkflow', {
          taskQueue,
          workflowId: `${taskQueue}-${c.name}`,
          args: [{ processInstanceId: 'pi_slow', workflowId, poll: { ...c.poll, deadline: '5 minutes' } }],
        })
        .then(
          () => ({ ok: true }),
          (err: unknown) => ({ ok: false, error: String((err as Error).cause ?? err) }),
        );
      ends.set(c.name, end);
    }),
  );
}, 240_000);
afterAll(() => stop?.());

/** Pairs of status calls of one execution whose times overlap. */
function overlapping(requests: MockRequestRecord[]): string[] {
  const sorted = [...requests].sort((a, b) => a.at - b.at);
  return sorted.slice(1).flatMap((request, i) => {
    const before = sorted[i]!;
    return request.at < before.endedAt! ? [`a call at +${request.at - before.at} ms while one was in flight`] : [];
  });
}

test.each(CASES.map((c) => [c.name, c] as const))(
  '%s: the run succeeds, and status calls of the execution never overlap',
  (_name, c) => {
    const calls = mock.requestsTo('status', `slow-${c.name}`);

    expect(ends.get(c.name)).toEqual({ ok: true });
    // The slow answers really were given, and waited for.
    expect(calls.filter((r) => r.fault?.kind === 'delay' && r.outcome === 200).length).toBeGreaterThanOrEqual(1);
    expect(overlapping(calls)).toEqual([]);
  },
);
