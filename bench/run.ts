/**
 * The benchmark (`npm run bench [-- --quick] [-- --strategies=timer,activity]`): the library
 * against the seed's fetch loop on one machine, one Temporal dev server and one mock Codika.
 * Prints a markdown table and writes JSON and an SVG chart to `bench/results/`. Everything it
 * starts is stopped at the end, also on failure, on Ctrl+C, or when the run exceeds its time budget.
 */
import { cpus, totalmem } from 'node:os';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../src/testing/local-temporal-server';
import { startBenchEnv, type BenchEnv } from './bench-env';
import { writeChart } from './chart';
import { measureCost } from './cost';
import { measureDetection } from './detection';
import { measureOverhead } from './overhead';
import { benchPlan, DEFAULT_STRATEGIES } from './plan';
import { markdownReport, writeResults, type BenchResults } from './report';

/** Cleanup gets this long after an abort before the process exits regardless. */
const CLEANUP_GRACE_MS = 30_000;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const plan = benchPlan(args.includes('--quick'), strategiesArg(args));
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
      abort.aborted,
      (async () => {
        const env = (started.env = await startBenchEnv(log));
        results.temporal = { ...results.temporal, address: env.server.address, source: env.server.source };
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

/** A promise that rejects when the budget runs out or on Ctrl+C / SIGTERM, and a way to disarm it. */
function abortOnBudgetOrSignal(budgetMs: number): { aborted: Promise<never>; clear(): void } {
  let onSignal: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const aborted = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the run exceeded its ${budgetMs / 1000} s budget`)), budgetMs);
    onSignal = () => reject(new Error('interrupted'));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  return {
    aborted,
    clear() {
      clearTimeout(timer);
      if (onSignal) {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
    },
  };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
