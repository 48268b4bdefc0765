/**
 * The cancel watch of the standalone activity: a describe every `cancelCheckInterval` (give or take
 * 20 %), each with one interval to answer, its first failure in an attempt logged once. A real activity
 * context (MockActivityEnvironment) around a fake client whose describe the test scripts.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { cancelCheckDelayMs, SparseHeartbeats } from '../../../src/activities/sparse-heartbeats';
import { sleep } from '../../helpers/wait';

const RUN = { activityId: 'sa-watch', activityRunId: '0190aaaa-bbbb-7ccc-8ddd-000000000001', inWorkflow: false };
const RUNNING = { status: 'RUNNING', runState: 'STARTED', attempt: 1 };
const CANCELLING = { status: 'RUNNING', runState: 'CANCEL_REQUESTED', attempt: 1 };

type Describe = () => Promise<typeof RUNNING>;

/** Watches for `ms` with a describe scripted by `describe`; returns when each describe began, the heartbeats and the warnings. */
async function watch(
  describe: Describe,
  ms: number,
  intervalMs = 1_000,
): Promise<{ describedAt: number[]; beats: number; warnings: string[] }> {
  const describedAt: number[] = [];
  const warnings: string[] = [];
  const logger: Logger = {
    log() {},
    trace() {},
    debug() {},
    info() {},
    warn: (message) => void warnings.push(message),
    error() {},
  };
  const client = {
    activity: {
      getHandle: () => ({
        describe: () => {
          describedAt.push(Date.now());
          return describe();
        },
      }),
    },
    withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn(),
    withAbortSignal: (_signal: AbortSignal, fn: () => Promise<unknown>) => fn(),
  } as unknown as Client;
  const env = new MockActivityEnvironment(RUN, { client, logger });
  let beats = 0;
  env.on('heartbeat', () => beats++);
  const startedAt = Date.now();
  await env.run(async () => {
    const heartbeats = new SparseHeartbeats(Context.current(), () => ({}), intervalMs).start();
    await sleep(ms);
    heartbeats.stop();
  });
  return { describedAt: describedAt.map((at) => at - startedAt), beats, warnings };
}

afterEach(() => jest.restoreAllMocks());

test('a describe that never answers does not stop the watch: the next one finds the cancel', async () => {
  jest.spyOn(Math, 'random').mockReturnValue(0.5); // no jitter
  let calls = 0;
  const { describedAt, beats } = await watch(
    () => (++calls === 1 ? new Promise<never>(() => undefined) : Promise.resolve(CANCELLING)),
    3_600,
  );

  // The first look at 1 s hangs; it is given up at 2 s and the next look starts at 3 s.
  expect(describedAt.length).toBeGreaterThanOrEqual(2);
  expect(beats).toBe(1);
});

test('the first failed describe of an attempt is logged once, saying a cancel then waits for the keep-alive', async () => {
  jest.spyOn(Math, 'random').mockReturnValue(0.5);
  const { describedAt, warnings } = await watch(() => Promise.reject(new Error('UNAVAILABLE: no server')), 3_300);

  expect(describedAt.length).toBeGreaterThanOrEqual(3);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain('keep-alive');
});

test('each wait strays from the interval by up to 20 %, so starts in a burst drift apart', async () => {
  jest.spyOn(Math, 'random').mockReturnValue(0);
  const { describedAt } = await watch(() => Promise.resolve(RUNNING), 1_700);

  // 800 ms and 1600 ms with the lowest draw; 1000 ms and 2000 ms without jitter.
  expect(describedAt).toHaveLength(2);
  expect(describedAt[0]).toBeGreaterThanOrEqual(780);
  expect(describedAt[0]).toBeLessThan(950);
});

test('the jittered wait stays within ±20 % of the interval', () => {
  expect(cancelCheckDelayMs(2_000, () => 0)).toBe(1_600);
  expect(cancelCheckDelayMs(2_000, () => 0.5)).toBe(2_000);
  expect(cancelCheckDelayMs(2_000, () => 0.999_999)).toBe(2_400);
});

test('once the cancellation has arrived, the watch stops: no more describes, no more heartbeats', async () => {
  const describedAt: number[] = [];
  const client = {
    activity: {
      getHandle: () => ({
        describe: () => {
          describedAt.push(Date.now());
          return Promise.resolve(CANCELLING);
        },
      }),
    },
    withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn(),
    withAbortSignal: (_signal: AbortSignal, fn: () => Promise<unknown>) => fn(),
  } as unknown as Client;
  const env = new MockActivityEnvironment(RUN, { client });
  let beats = 0;
  env.on('heartbeat', () => beats++);
  env.cancel('CANCELLED');
  await env.run(async () => {
    // As while a trigger request that is never cut short is still out: the attempt has not ended yet.
    const heartbeats = new SparseHeartbeats(Context.current(), () => ({}), 1_000).start();
    await sleep(3_500);
    heartbeats.stop();
  });
  expect(describedAt).toEqual([]);
  expect(beats).toBe(0);
}, 10_000);
