import { startCodikaExecution } from '../../src/client';
import { seededRandom } from '../../src/testing/mock-codika/seeded-random';
import { DEFAULT_ACTIVITY_SLOTS } from '../../src/worker-setup/create-codika-worker';
import { BENCH_API_KEY, BENCH_INSTANCE, type BenchEnv } from '../shared/bench-env';
import { describeError } from '../shared/describe-error';
import { MAX_SCALE_COUNT, type ScalePlan } from '../shared/plan';
import { inPool } from './in-pool';
import { Sampler } from './sampling';
import type { ScaleExecution } from './scale-execution';
import type { ScaleRun } from './scale-result';
import { summarizeBatch } from './summarize-batch';
import { watchUntilClosed } from './watch-executions';
import { startScaleWorker } from './worker-process';

const TERMINATE_CONCURRENCY = 50;

/**
 * One batch: scripts `count` mock executions with seeded durations, starts a fresh worker child on
 * a task queue of its own, starts every execution (at most `plan.startConcurrency` starts in
 * flight) while sampling once a second, and waits until all have closed, stalled or been stopped
 * by `signal`. Whatever is left open is terminated and the worker stopped, also on failure.
 *
 * @throws Error when `count` is out of range or the worker does not start.
 */
export async function runScaleBatch(
  env: BenchEnv,
  plan: ScalePlan,
  count: number,
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
  const taskQueue = `codika-scale-${count}-${Date.now().toString(36)}`;
  const worker = await startScaleWorker(
    {
      address: env.server.address,
      taskQueue,
      baseUrl: env.target.baseUrl,
      apiKey: BENCH_API_KEY,
      workflowBundlePath,
    },
    plan.workerHeapMb,
    log,
  );
  const sampler = new Sampler(env, worker);
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
      try {
        e.handle = await startCodikaExecution(
          env.client,
          { processInstanceId: BENCH_INSTANCE, workflowId: `${prefix}${e.index}` },
          { taskQueue, poll: { strategy: 'auto' } },
        );
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
    await worker.stop();
  }
  const lastEndMs = Math.max(firstStartMs, ...executions.map((e) => e.endedAtMs ?? 0));
  forgetMockExecutions(env, prefix);
  return summarizeBatch({
    count,
    activitySlots,
    executions,
    sampler,
    firstStartMs,
    startWallMs,
    lastEndMs,
    terminated,
    peak: worker.peak,
  });
}

/** Drops the batch's executions from the mock, so the next batch starts with a small map. */
function forgetMockExecutions(env: BenchEnv, prefix: string): void {
  for (const [id, execution] of env.mock.executions) {
    if (execution.workflowId.startsWith(prefix)) env.mock.executions.delete(id);
  }
}
