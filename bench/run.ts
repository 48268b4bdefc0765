/**
 * The benchmark (`npm run bench [-- --quick] [-- --strategies=timer,activity]`): the library
 * against the seed's fetch loop on one machine, one Temporal dev server and one mock Codika.
 * Prints a markdown table and writes JSON and an SVG chart to `bench/results/`. Everything it
 * starts is stopped at the end, also on failure, on Ctrl+C, or when the run exceeds its time budget.
 *
 * `--scale[=1000,5000]` runs the scale scenario alone instead (bench/scale.ts; default 1000
 * executions), writing `bench/results/scale-*.json` and no chart.
 */
import { cpus, totalmem } from 'node:os';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../src/testing/local-temporal-server';
import { startBenchEnv, type BenchEnv } from './bench-env';
import { writeChart } from './chart';
import { measureCost } from './cost';
import { measureDetection } from './detection';
import { measureOverhead } from './overhead';
import { benchPlan, DEFAULT_STRATEGIES, MAX_SCALE_COUNT, scalePlan } from './plan';
import { markdownReport, writeResults, type BenchResults } from './report';
import { measureScale } from './scale';

/** Cleanup gets this long after an abort before the process exits regardless. */
const CLEANUP_GRACE_MS = 30_000;
/** The scale scenario stops itself on abort (terminating what is in flight); after this long it is abandoned. */
const SCALE_WIND_DOWN_MS = 120_000;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const scaleCounts = scaleArg(args);
  const plan = scaleCounts ? scalePlan(scaleCounts) : benchPlan(args.includes('--quick'), strategiesArg(args));
  const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
  // The failing runs of an unavailable strategy would otherwise print a warning each.
  Runtime.install({ logger: new DefaultLogger('ERROR') });

  const startedAtMs = Date.now();
  const abort = abortOnBudgetOrSignal(plan.budgetMs);
  const started: { env?: BenchEnv } = {};
  const results: BenchResults = {
    startedAt: new Date(startedAtMs).toISOString(),
    elapsedMs: 0,
    plan,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    temporal: { address: '', source: '', dynamicConfig: DEV_SERVER_DYNAMIC_CONFIG },
  };
  try {
    await Promise.race([
      plan.scale ? windDown(abort.aborted, SCALE_WIND_DOWN_MS) : abort.aborted,
      (async () => {
        const env = (started.env = await startBenchEnv(log, { worker: !plan.scale }));
        results.temporal = { ...results.temporal, address: env.server.address, source: env.server.source };
        if (plan.scale) {
          results.scale = await measureScale(env, plan.scale, log, abort.signal);
          if (abort.signal.aborted) throw abort.signal.reason;
          return;
        }
        log(
          `overhead: ${plan.overhead.durationsMs.length} durations × ${plan.overhead.perDuration}, baseline then library…`,
        );
        results.overhead = await measureOverhead(env, plan);
        log(`detection latency: strategies ${plan.strategies.join(', ')}…`);
        results.detection = await measureDetection(env, plan);
        log('cost: history events and actions…');
        results.cost = await measureCost(env, plan);
      })(),
    ]);
  } catch (err) {
    results.error = err instanceof Error ? err.message : String(err);
    log(`stopped early: ${results.error}`);
  } finally {
    abort.clear();
    const hardStop = setTimeout(() => process.exit(3), CLEANUP_GRACE_MS);
    hardStop.unref();
    log('stopping the worker, the mock and the Temporal server…');
    await started.env?.stop();
  }
  results.elapsedMs = Date.now() - startedAtMs;
  process.stdout.write(markdownReport(results));
  log(`results written to ${writeResults(results)}`);
  if (plan.scale) return results.error ? 1 : 0;
  try {
    log(`chart written to ${await writeChart(results)}`);
  } catch (err) {
    log(`could not render the chart (the results are kept): ${err instanceof Error ? err.message : String(err)}`);
  }
  return results.error ? 1 : 0;
}

function strategiesArg(args: string[]): string[] {
  const value = args.find((a) => a.startsWith('--strategies='))?.slice('--strategies='.length);
  if (value === undefined) return DEFAULT_STRATEGIES;
  const strategies = value.split(',').filter(Boolean);
  if (strategies.length === 0 || strategies.some((s) => !/^[a-z][a-z-]*$/.test(s))) {
    throw new Error(`--strategies takes a comma-separated list such as timer,activity,retry; got "${value}"`);
  }
  return strategies;
}

/** `--scale` or `--scale=1000,5000`: the counts to run, or undefined without the flag. */
function scaleArg(args: string[]): number[] | undefined {
  const flag = args.find((a) => a === '--scale' || a.startsWith('--scale='));
  if (flag === undefined) return undefined;
  if (flag === '--scale') return [1_000];
  const value = flag.slice('--scale='.length);
  const counts = value.split(',').filter(Boolean).map(Number);
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_SCALE_COUNT)) {
    throw new Error(`--scale takes a comma-separated list of counts from 1 to ${MAX_SCALE_COUNT}; got "${value}"`);
  }
  return counts;
}

/**
 * A promise that rejects when the budget runs out or on Ctrl+C / SIGTERM, an AbortSignal fired at
 * the same moment, and a way to disarm both.
 */
function abortOnBudgetOrSignal(budgetMs: number): { aborted: Promise<never>; signal: AbortSignal; clear(): void } {
  let onSignal: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const controller = new AbortController();
  const aborted = new Promise<never>((_, reject) => {
    const fail = (err: Error) => {
      controller.abort(err);
      reject(err);
    };
    timer = setTimeout(() => fail(new Error(`the run exceeded its ${budgetMs / 1000} s budget`)), budgetMs);
    onSignal = () => fail(new Error('interrupted'));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  return {
    aborted,
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      if (onSignal) {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
    },
  };
}

/** Rejects like `aborted`, but `graceMs` later: time for a scenario that honours the signal to wind down. */
function windDown(aborted: Promise<never>, graceMs: number): Promise<never> {
  return aborted.catch(async (err: unknown) => {
    await new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    throw err;
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
