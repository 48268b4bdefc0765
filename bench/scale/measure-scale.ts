import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { ScalePlan } from '../shared/plan';
import { runScaleBatch } from './scale-batch';
import type { ScaleResult, ScaleRunner } from './scale-result';
import { startScaleEnv } from './scale-server';

/**
 * Per count and runner, `count` executions started at once (bounded start concurrency) against
 * the plan's workers in child processes, on a server of the plan's kind that no batch used before;
 * mock durations spread uniformly and deterministically over the plan's range, the same for both
 * runners. The library's runs use `codikaExecutionWorkflow` with `auto`; the bare floor
 * `bareAutoPoll`. A batch past its cap is stopped and reported incomplete; `signal` stops the run.
 *
 * @throws Error when the workflows do not bundle, or a server or a worker does not start.
 */
export async function measureScale(
  plan: ScalePlan,
  log: (message: string) => void,
  signal: AbortSignal,
  /** Filled batch by batch, so a run stopped later still reports what it finished. */
  result: ScaleResult = { machineCpus: cpus().length, batches: [] },
): Promise<ScaleResult> {
  log('scale: bundling the workflows…');
  // Bundled once here, so every batch's worker loads one instead of running webpack in its own memory.
  // Each runner gets what its users would deploy: the library's workflows as createCodikaWorker bundles
  // them, or the bare floor alone.
  const dir = mkdtempSync(join(tmpdir(), 'codika-scale-'));
  const bundlePaths: Record<ScaleRunner, string> = {
    library: join(dir, 'library-bundle.js'),
    bare: join(dir, 'bare-bundle.js'),
    limited: join(dir, 'limited-bundle.js'),
  };
  const entries: Record<ScaleRunner, string> = {
    library: require.resolve('../../src/workflows'),
    bare: require.resolve('../shared/bare-workflows'),
    limited: require.resolve('../../src/workflows'),
  };
  for (const runner of plan.runners) {
    const { code } = await bundleWorkflowCode({ workflowsPath: entries[runner], logger: quiet });
    writeFileSync(bundlePaths[runner], code);
  }
  try {
    for (const [i, count] of plan.counts.entries()) {
      for (const runner of alternate(plan.runners, i)) {
        if (signal.aborted) break;
        const env = await startScaleEnv(plan.server, log);
        try {
          const capMs = plan.batchCapMs[count];
          log(
            `scale: ${count} executions at once, ${runner}, ${plan.workers} worker${plan.workers === 1 ? '' : 's'}, cap ${(capMs / 60_000).toFixed(1)} min…`,
          );
          const batchSignal = AbortSignal.any([signal, AbortSignal.timeout(capMs)]);
          const run = await runScaleBatch(env, plan, count, runner, bundlePaths[runner], log, batchSignal);
          result.batches.push(run);
          log(
            `scale: ${count} ${runner}: ${run.completed} completed, ${run.failed} failed, ${run.outcomeUnknown} outcome unknown, ` +
              `${run.stuck} stuck, ${run.stopped} stopped at the cap, ${run.notStarted} not started, in ${(run.wallMs / 1000).toFixed(1)} s`,
          );
        } finally {
          await env.stop();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

/** The runners in order for even counts and reversed for odd ones, so neither always goes first. */
function alternate(runners: ScaleRunner[], index: number): ScaleRunner[] {
  return index % 2 === 0 ? runners : [...runners].reverse();
}

const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error() {} };
