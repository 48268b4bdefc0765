import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { BenchEnv } from '../shared/bench-env';
import type { ScalePlan } from '../shared/plan';
import { runScaleBatch } from './scale-batch';
import type { ScaleResult } from './scale-result';

/**
 * Per count, `count` executions of `codikaExecutionWorkflow` with the `auto` strategy started at
 * once (bounded start concurrency) against one worker in a child process, mock durations spread
 * uniformly and deterministically over the plan's range. Stops early, and reports the batch as
 * incomplete, when `signal` fires.
 *
 * @throws Error when the workflows do not bundle or a batch's worker does not start.
 */
export async function measureScale(
  env: BenchEnv,
  plan: ScalePlan,
  log: (message: string) => void,
  signal: AbortSignal,
): Promise<ScaleResult> {
  const result: ScaleResult = { machineCpus: cpus().length, runs: [] };
  log('scale: bundling the workflows…');
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quiet });
  // Bundled once here, so every batch's worker loads it instead of running webpack in its own memory.
  const dir = mkdtempSync(join(tmpdir(), 'codika-scale-'));
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  try {
    for (const count of plan.counts) {
      if (signal.aborted) break;
      log(`scale: ${count} executions at once…`);
      const run = await runScaleBatch(env, plan, count, bundlePath, log, signal);
      result.runs.push(run);
      log(
        `scale: ${count}: ${run.completed} completed, ${run.failed} failed, ${run.outcomeUnknown} outcome unknown, ${run.stuck} stuck, ` +
          `${run.notStarted} not started, in ${(run.wallMs / 1000).toFixed(1)} s`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error() {} };
