/** The reference of each corpus pipeline: one run on a server that never suggests continuing as new. */
import { CORPUS, type FuzzCase } from './corpus';
import { NEVER, startFuzzBed, startFuzzBedOn, type FuzzBed } from './fuzz-bed';
import type { LocalTemporalServer } from '../../src/testing/local-temporal-server';
import { canonical, runCase, type FuzzOutcome, type FuzzRun } from './fuzz-run';

export interface FuzzReference {
  /** Each pipeline's outcome, canonical JSON, by case name. */
  expected: Map<string, string>;
  outcomes: Map<string, FuzzOutcome>;
  /** The references' own histories (one run each), to replay with the rest. */
  histories: FuzzRun['histories'];
}

/** Runs `cases` side by side on `bed`, each with its seed. */
export async function runAll(
  bed: FuzzBed,
  cases: { kase: FuzzCase; seed: number }[],
): Promise<(FuzzRun & { seed: number; kase: string })[]> {
  return Promise.all(
    cases.map(async ({ kase, seed }) => ({ ...(await runCase(bed, kase, seed)), seed, kase: kase.name })),
  );
}

export async function runReferences(seed: number, server?: LocalTemporalServer): Promise<FuzzReference> {
  const bed = server ? await startFuzzBedOn(server, NEVER) : await startFuzzBed(NEVER);
  const runs = await runAll(
    bed,
    CORPUS.map((kase) => ({ kase, seed })),
  ).finally(() => bed.stop());
  const reference: FuzzReference = { expected: new Map(), outcomes: new Map(), histories: [] };
  for (const run of runs) {
    if (run.runs !== 1) throw new Error(`the reference of ${run.kase} continued as new`);
    if (run.outcome.status === 'did not end') throw new Error(`the reference of ${run.kase} did not end`);
    reference.expected.set(run.kase, canonical(run.outcome));
    reference.outcomes.set(run.kase, run.outcome);
    reference.histories.push(...run.histories);
  }
  return reference;
}
