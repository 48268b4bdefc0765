/**
 * The corpus again, on servers that suggest continuing as new, while the worker process is killed
 * (SIGKILL: a crash) at seeded random moments and replaced. Nothing may be lost: every run ends. No
 * Codika execution may start more often than in the reference: under the default at-most-once
 * delivery, a worker that died mid-trigger ends its step with CodikaTriggerOutcomeUnknown instead of
 * sending it again, so a run either ends as its reference or fails with that type (or, when the trigger
 * cut off was a compensation's, ends as its reference with that compensation failed: the saga goes on;
 * or, when it was an item's of a step that goes on past failures, ends with that item failed so).
 */
import { createHash } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { CORPUS } from './corpus';

/** A redrive starts from a query the old run's worker answers: killed, none may be there to. */
const KILLABLE = CORPUS.filter((kase) => !kase.redrive);
import { startFuzzBedWithKills } from './fuzz-bed';
import { canonical, hasItemWithUnknownTrigger, withUnknownCompensationsDone, type FuzzRun } from './fuzz-run';
import { runAll, runReferences } from './references';
import { sleep } from '../helpers/wait';

const THRESHOLDS = [9, 20];
const BASE_SEED = Number(process.env.FUZZ_SEED ?? 1);
/** Kills per server, each 1.5 to 5 s after the worker (re)started. */
const KILLS = 4;

/** A number from 0 to 1 drawn from `seed` and `n`: the same kill schedule for the same seed. */
function draw(seed: number, n: number): number {
  return createHash('sha256').update(`${seed} kill ${n}`).digest().readUInt32BE(0) / 2 ** 32;
}

test('killed workers lose no run and trigger no Codika execution twice; each run ends as its reference or with an unknown trigger outcome', async () => {
  const startedAt = Date.now();
  const reference = await runReferences(BASE_SEED);
  const problems: string[] = [];
  const outcomes: Record<string, number> = {
    'as its reference': 0,
    CodikaTriggerOutcomeUnknown: 0,
    'as its reference, a compensation with an unknown trigger outcome': 0,
    'an item with an unknown trigger outcome, its step gone on': 0,
  };
  const histories: FuzzRun['histories'] = [];
  let kills = 0;

  for (const threshold of THRESHOLDS) {
    const seed = BASE_SEED * 7_919 + threshold;
    const bed = await startFuzzBedWithKills(threshold);
    let done = false;
    const killing = (async () => {
      for (let n = 0; n < KILLS && !done; n += 1) {
        await sleep(1_500 + draw(seed, n) * 3_500);
        if (done) break;
        await bed.killWorker();
        kills += 1;
      }
    })();
    const runs = await runAll(
      bed,
      KILLABLE.map((kase) => ({ kase, seed })),
    ).finally(async () => {
      done = true;
      await killing;
      await bed.stop();
    });
    for (const run of runs) {
      histories.push(...run.histories);
      const where = `${run.kase} at ${threshold} (seed ${seed})`;
      const expected = reference.outcomes.get(run.kase)!;
      if (run.outcome.status === 'did not end') problems.push(`${where}: did not end`);
      for (const [key, count] of Object.entries(run.outcome.executions)) {
        if (count > (expected.executions[key] ?? 1)) problems.push(`${where}: ${key} started ${count} times`);
      }
      if (canonical(run.outcome) === reference.expected.get(run.kase)) outcomes['as its reference']! += 1;
      else if (run.outcome.failureType === 'CodikaTriggerOutcomeUnknown') outcomes.CodikaTriggerOutcomeUnknown! += 1;
      // A compensation cut off mid-trigger fails unknown under at-most-once (the saga records it and goes on).
      else if (
        canonical(withUnknownCompensationsDone(run.outcome)) === canonical(withUnknownCompensationsDone(expected))
      )
        outcomes['as its reference, a compensation with an unknown trigger outcome']! += 1;
      else if (hasItemWithUnknownTrigger(run.outcome))
        outcomes['an item with an unknown trigger outcome, its step gone on']! += 1;
      else problems.push(`${where}: ended otherwise: ${canonical(run.outcome)}`);
    }
  }

  const replayFailures: string[] = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: { codePath: process.env.CODIKA_TEST_WORKFLOW_BUNDLE! } },
    histories,
  )) {
    if (result.error) replayFailures.push(`${result.workflowId} ${result.runId}: ${result.error.message}`);
  }
  process.stdout.write(
    `\nWorker kills (seed ${BASE_SEED}): ${KILLABLE.length} pipelines × ${THRESHOLDS.length} thresholds, ${kills} SIGKILLs,` +
      ` ${histories.length} histories replayed, ${Math.round((Date.now() - startedAt) / 1000)} s\n` +
      Object.entries(outcomes)
        .map(([how, count]) => `  ${how}: ${count}\n`)
        .join('') +
      `problems: ${problems.length}, replay failures: ${replayFailures.length}\n` +
      [...problems, ...replayFailures].map((p) => `  ${p}\n`).join(''),
  );
  expect(problems).toEqual([]);
  expect(replayFailures).toEqual([]);
}, 600_000);
