import { startCodikaExecution } from '../../src/client';
import { seededRandom } from '../../src/testing/mock-codika/seeded-random';
import { DEFAULT_ACTIVITY_SLOTS } from '../../src/worker-setup/create-codika-worker';
import { BENCH_INSTANCE } from '../shared/bench-env';
import { mostInAnySecond } from '../../src/testing/mock-codika/request-rates';
import { describeError } from '../shared/describe-error';
import { MAX_SCALE_COUNT, SCALE_PER_KEY_PER_SECOND, type ScalePlan } from '../shared/plan';
import { ensureCodikaRateLimits } from '../../src/client/flow-control/rate-limits';
import { historyTimings } from './history-timings';
import { inPool } from './in-pool';
import { Sampler } from './sampling';
import type { ScaleExecution } from './scale-execution';
import type { ScaleRun, ScaleRunner } from './scale-result';
import type { ScaleEnv } from './scale-server';
import { summarizeBatch } from './summarize-batch';
import { watchUntilClosed } from './watch-executions';
import { startScaleWorker, type ScaleWorkerProcess } from './worker-process';

const TERMINATE_CONCURRENCY = 50;

/**
 * One batch: scripts `count` mock executions with seeded durations (the same for every runner),
 * starts `plan.workers` fresh worker children on a task queue of their own, starts every execution
 * with the runner's workflow (at most `plan.startConcurrency` starts in flight) while sampling once
 * a second, and waits until all have closed, stalled or been stopped by `signal`. Whatever is left
 * open is terminated and the workers stopped, also on failure.
 *
 * @throws Error when `count` is out of range or a worker does not start.
 */
export async function runScaleBatch(
  env: ScaleEnv,
  plan: ScalePlan,
  count: number,
  runner: ScaleRunner,
  workflowBundlePath: string,
  log: (message: string) => void,
  signal: AbortSignal,
): Promise<ScaleRun> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SCALE_COUNT) {
    throw new Error(`scale counts must be whole numbers from 1 to ${MAX_SCALE_COUNT}; got ${count}`);
  }
  const random = seededRandom(plan.seed + count);
  const executions: ScaleExecution[] = Array.from({ length: count }, (_, index) => ({
    index,
    durationMs: Math.round(plan.minDurationMs + random() * (plan.maxDurationMs - plan.minDurationMs)),
  }));
  const prefix = `bench-scale-${count}-`;
  for (const e of executions) env.mock.script(`${prefix}${e.index}`, { durationMs: e.durationMs, resultData: {} });
  env.mock.requests.splice(0);

  const activitySlots = DEFAULT_ACTIVITY_SLOTS;
  const taskQueue = `codika-scale-${count}-${runner}-${Date.now().toString(36)}`;
  const workers: ScaleWorkerProcess[] = [];
  // Set before the workers start, so they start under it (no eager activities, checks as tasks).
  const limitPerSecond = runner === 'limited' ? SCALE_PER_KEY_PER_SECOND : null;
  if (limitPerSecond !== null) {
    await ensureCodikaRateLimits(env.client, { taskQueue, perKeyPerSecond: limitPerSecond, reason: 'scale benchmark' });
  }
  try {
    for (let i = 0; i < plan.workers; i++) {
      workers.push(
        await startScaleWorker(
          {
            address: env.address,
            namespace: env.namespace,
            taskQueue,
            baseUrl: env.target.baseUrl,
            apiKey: env.target.apiKey,
            workflowBundlePath,
            workerOptions: plan.workerOptions,
          },
          plan.workerHeapMb,
          log,
        ),
      );
    }
  } catch (err) {
    await Promise.all(workers.map((w) => w.stop()));
    throw err;
  }
  const sampler = new Sampler(env.mock, workers);
  let firstStartMs = 0;
  let startWallMs = 0;
  let terminated = 0;
  try {
    sampler.start();
    firstStartMs = Date.now();
    sampler.origin = firstStartMs;
    let starting = true;
    const watching = watchUntilClosed(env, executions, {
      taskQueue,
      stallAfterMs: plan.stallAfterMs,
      stillStarting: () => starting,
      signal,
      sampler,
    });
    await inPool(executions, plan.startConcurrency, async (e) => {
      if (signal.aborted) return;
      e.startedAtMs = Date.now();
      const execution = { processInstanceId: BENCH_INSTANCE, workflowId: `${prefix}${e.index}` };
      try {
        e.handle =
          runner !== 'bare'
            ? await startCodikaExecution(env.client, execution, { taskQueue, poll: { strategy: 'auto' } })
            : await env.client.workflow.start('bareAutoPoll', {
                taskQueue,
                workflowId: `bare-${execution.workflowId}`,
                args: [execution],
              });
      } catch (err) {
        e.outcome = 'start-failed';
        e.error = describeError(err);
        return;
      }
      sampler.started += 1;
    });
    starting = false;
    startWallMs = Date.now() - firstStartMs;
    log(`scale: ${sampler.started} started in ${(startWallMs / 1000).toFixed(1)} s; waiting for results…`);
    await watching;
  } finally {
    sampler.stop();
    const unfinished = executions.filter((e) => e.handle && (e.outcome === 'stuck' || e.outcome === 'aborted'));
    if (unfinished.length > 0) log(`scale: terminating ${unfinished.length} unfinished executions…`);
    await inPool(unfinished, TERMINATE_CONCURRENCY, async (e) => {
      const done = await e
        .handle!.terminate('scale benchmark: stuck or stopped')
        .then(() => true)
        .catch(() => false);
      if (done) terminated += 1;
    });
    await Promise.all(workers.map((w) => w.stop()));
  }
  const lastEndMs = Math.max(firstStartMs, ...executions.map((e) => e.endedAtMs ?? 0));
  // Read once every run has ended and the workers are gone, so the reading perturbs nothing measured.
  const timings = await historyTimings(executions.flatMap((e) => (e.outcome === 'ok' && e.handle ? [e.handle] : [])));
  // The sampler took the calls out of the mock second by second; the last second's are still there.
  const mostCallsInOneSecond = mostInAnySecond([...sampler.callTimes, ...env.mock.requests.map((r) => r.at)]);
  forgetMockExecutions(env, prefix);
  const run = summarizeBatch({
    count,
    runner,
    server: env.server,
    workers: plan.workers,
    activitySlots,
    executions,
    sampler,
    firstStartMs,
    startWallMs,
    lastEndMs,
    terminated,
    peak: highestPeak(workers),
    timings,
  });
  return { ...run, perKey: { limitPerSecond, mostCallsInOneSecond } };
}

/** The highest RSS and heap any one worker reported, or null when none did. */
function highestPeak(workers: ScaleWorkerProcess[]): { rss: number; heap: number } | null {
  const peaks = workers.flatMap((w) => (w.peak ? [w.peak] : []));
  if (peaks.length === 0) return null;
  return { rss: Math.max(...peaks.map((p) => p.rss)), heap: Math.max(...peaks.map((p) => p.heap)) };
}

/** Drops the batch's executions from the mock, so the next batch starts with a small map. */
function forgetMockExecutions(env: ScaleEnv, prefix: string): void {
  for (const [id, execution] of env.mock.executions) {
    if (execution.workflowId.startsWith(prefix)) env.mock.executions.delete(id);
  }
}
