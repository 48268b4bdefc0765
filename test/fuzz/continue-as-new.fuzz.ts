/**
 * The continue-as-new fuzz suite (`npm run test:fuzz`): every pipeline of the corpus runs once as the
 * reference, on a server that never suggests continuing as new, then on servers that suggest it after
 * each threshold of history events, with Codika's delays drawn from a seed. Each run must end as its
 * reference: the same Codika executions (workflow and payload, counted), status, failure type,
 * outputs, step and item statuses and compensations. Every history of every chain must replay with
 * the current bundle. `FUZZ_SEED` changes the delays; a divergence prints its case, threshold and seed,
 * which go into REGRESSIONS once fixed.
 */
import { Worker } from '@temporalio/worker';
import { CORPUS, type FuzzCase } from './corpus';
import { NEVER, startFuzzBed, type FuzzBed } from './fuzz-bed';
import { canonical, runCase, type FuzzRun } from './fuzz-run';

/** From a handful of events (a run continues at almost every task) to a few hundred. */
const THRESHOLDS = process.env.FUZZ_THRESHOLDS
  ? process.env.FUZZ_THRESHOLDS.split(',').map(Number)
  : [6, 8, 10, 12, 14, 17, 20, 24, 28, 33, 40, 48, 57, 68, 80, 100, 125, 160, 220, 320];
/** Servers running at once: each runs the whole corpus side by side. */
const SERVERS_AT_ONCE = 3;
const BASE_SEED = Number(process.env.FUZZ_SEED ?? 1);

/** Runs a fuzz found diverging once, each run again at its threshold with its seed. */
const REGRESSIONS: { kase: string; threshold: number; seed: number }[] = [];

interface Divergence {
  kase: string;
  threshold: number;
  seed: number;
  expected: string;
  actual: string;
}

const seedOf = (threshold: number, kase: string) =>
  BASE_SEED * 100_003 + threshold * 101 + CORPUS.findIndex((k) => k.name === kase);

async function runAll(
  bed: FuzzBed,
  cases: { kase: FuzzCase; seed: number }[],
): Promise<(FuzzRun & { seed: number; kase: string })[]> {
  return Promise.all(
    cases.map(async ({ kase, seed }) => ({ ...(await runCase(bed, kase, seed)), seed, kase: kase.name })),
  );
}

test('pipelines end as their reference at every continue-as-new threshold, and every history replays', async () => {
  const startedAt = Date.now();
  const reference = await startFuzzBed(NEVER);
  const expected = new Map<string, string>();
  const referenceRuns = await runAll(
    reference,
    CORPUS.map((kase) => ({ kase, seed: BASE_SEED })),
  ).finally(() => reference.stop());
  for (const run of referenceRuns) {
    expect(run.histories).toHaveLength(1); // the reference never continues
    expect(run.outcome.status).not.toBe('did not end');
    expected.set(run.kase, canonical(run.outcome));
  }

  const divergences: Divergence[] = [];
  const chainLengths = new Map<string, number>();
  const histories: FuzzRun['histories'] = referenceRuns.flatMap((run) => run.histories);
  const plan = [
    ...THRESHOLDS.map((threshold) => ({
      threshold,
      cases: CORPUS.map((kase) => ({ kase, seed: seedOf(threshold, kase.name) })),
    })),
    ...REGRESSIONS.map(({ kase, threshold, seed }) => ({
      threshold,
      cases: [{ kase: CORPUS.find((k) => k.name === kase)!, seed }],
    })),
  ];
  for (let i = 0; i < plan.length; i += SERVERS_AT_ONCE) {
    await Promise.all(
      plan.slice(i, i + SERVERS_AT_ONCE).map(async ({ threshold, cases }) => {
        const bed = await startFuzzBed(threshold);
        const runs = await runAll(bed, cases).finally(() => bed.stop());
        for (const run of runs) {
          histories.push(...run.histories);
          chainLengths.set(`${run.kase} ${threshold}`, run.histories.length);
          const actual = canonical(run.outcome);
          if (actual !== expected.get(run.kase))
            divergences.push({ kase: run.kase, threshold, seed: run.seed, expected: expected.get(run.kase)!, actual });
        }
      }),
    );
  }

  const replayFailures: string[] = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: { codePath: process.env.CODIKA_TEST_WORKFLOW_BUNDLE! } },
    histories,
  )) {
    if (result.error) replayFailures.push(`${result.workflowId} ${result.runId}: ${result.error.message}`);
  }

  const runs = plan.reduce((sum, { cases }) => sum + cases.length, 0);
  process.stdout.write(
    `\nContinue-as-new fuzz (seed ${BASE_SEED}): ${CORPUS.length} pipelines × ${THRESHOLDS.length} thresholds` +
      ` (+ ${REGRESSIONS.length} regression runs) = ${runs} runs against ${CORPUS.length} references,` +
      ` ${histories.length} histories replayed, ${Math.round((Date.now() - startedAt) / 1000)} s\n` +
      table(chainLengths) +
      `divergences: ${divergences.length}, replay failures: ${replayFailures.length}\n` +
      divergences
        .map(
          (d) =>
            `  ${d.kase} at ${d.threshold} (seed ${d.seed})\n    expected ${d.expected}\n    actual   ${d.actual}\n`,
        )
        .join('') +
      replayFailures.map((f) => `  replay: ${f}\n`).join(''),
  );
  expect(divergences.map(({ kase, threshold, seed }) => ({ kase, threshold, seed }))).toEqual([]);
  expect(replayFailures).toEqual([]);
}, 600_000);

/** Runs in each chain, a row per pipeline and a column per threshold. */
function table(chainLengths: Map<string, number>): string {
  const head = ['pipeline'.padEnd(16), ...THRESHOLDS.map((t) => String(t).padStart(4))].join('');
  const rows = CORPUS.map((kase) =>
    [
      kase.name.padEnd(16),
      ...THRESHOLDS.map((t) => String(chainLengths.get(`${kase.name} ${t}`) ?? '-').padStart(4)),
    ].join(''),
  );
  return `runs per chain:\n${head}\n${rows.join('\n')}\n`;
}
