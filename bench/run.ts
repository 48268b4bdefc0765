/**
 * The benchmark (`npm run bench [-- --quick] [-- --strategies=timer,activity]`): the library
 * against the seed's fetch loop on one machine, one Temporal dev server and one mock Codika.
 * Prints a markdown table and writes JSON and an SVG chart to `bench/results/`. Everything it
 * starts is stopped at the end, also on failure, on Ctrl+C, or when the run exceeds its time budget.
 *
 * `--scale[=1000,5000]` runs the scale scenario alone instead (bench/scale/; default 1000
 * executions), writing `bench/results/scale-*.json` and no chart; `--overhead[=30]` the overhead
 * scenario alone with more samples, writing `bench/results/overhead-*.json`; `--fanout[=1000,10000]` one
 * forEach step's history per item and pace, writing `bench/results/fanout-latest.json`. See bench/README.md.
 */
import { cpus, totalmem } from 'node:os';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../src/testing/local-temporal-server';
import { writeChart } from './chart/write-chart';
import { measureCost } from './cost/measure-cost';
import { measureDetection } from './detection/measure-detection';
import { fanoutFlag, fanoutReport, measureFanout } from './fanout/measure-fanout';
import { measureOverhead } from './overhead/measure-overhead';
import { writeResults, type BenchResults } from './report/bench-results';
import { markdownReport } from './report/markdown-report';
import { measureScale } from './scale/measure-scale';
import { startBenchEnv, type BenchEnv } from './shared/bench-env';
import { overheadFlag, scaleChoicesFlags, scaleFlag, strategiesFlag } from './shared/flags';
import { benchPlan, overheadPlan, scalePlan } from './shared/plan';
import { abortOnBudgetOrSignal, windDown } from './shared/run-budget';

/** Cleanup gets this long after an abort before the process exits regardless. */
const CLEANUP_GRACE_MS = 30_000;
/** The scale scenario stops itself on abort (terminating what is in flight); after this long it is abandoned. */
const SCALE_WIND_DOWN_MS = 120_000;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const scaleCounts = scaleFlag(args);
  const scaleChoices = scaleChoicesFlags(args, scaleCounts !== undefined);
  const overheadCount = overheadFlag(args);
  if (scaleCounts && overheadCount !== undefined) throw new Error('--scale and --overhead each run alone: choose one');
  const plan = scaleCounts
    ? scalePlan({ counts: scaleCounts, ...scaleChoices })
    : overheadCount !== undefined
      ? overheadPlan(overheadCount)
      : benchPlan(args.includes('--quick'), strategiesFlag(args));
  const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
  // The failing runs of an unavailable strategy would otherwise print a warning each.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const fanoutCounts = fanoutFlag(args);
  if (fanoutCounts !== undefined) {
    const result = await measureFanout(fanoutCounts, log);
    process.stdout.write(fanoutReport(result));
    return 0;
  }

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
        if (plan.scale) {
          // Each batch starts (and stops) a server of its own.
          results.temporal = { ...results.temporal, address: 'a fresh server per batch', source: plan.scale.server };
          results.scale = { machineCpus: cpus().length, batches: [] };
          await measureScale(plan.scale, log, abort.signal, results.scale);
          if (abort.signal.aborted) throw abort.signal.reason;
          return;
        }
        const env = (started.env = await startBenchEnv(log));
        results.temporal = { ...results.temporal, address: env.server.address, source: env.server.source };
        log(
          `overhead: ${plan.overhead.durationsMs.length} durations × ${plan.overhead.perDuration} at once` +
            `${(plan.overhead.rounds ?? 1) > 1 ? ` × ${plan.overhead.rounds} rounds` : ''}: baseline, bare loop, library…`,
        );
        results.overhead = await measureOverhead(env, plan);
        if (plan.mode === 'overhead') return;
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
  if (plan.mode === 'scale' || plan.mode === 'overhead') return results.error ? 1 : 0;
  try {
    log(`chart written to ${await writeChart(results)}`);
  } catch (err) {
    log(`could not render the chart (the results are kept): ${err instanceof Error ? err.message : String(err)}`);
  }
  return results.error ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
