import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** One line of the combined fault table that `npm run test:faults` prints (and docs/faults.md shows). */
export interface FaultRow {
  scenario: string;
  runs: number;
  executions: number;
  /** Executions that did not reach the terminal state they should have. Must be 0. */
  lost: number;
  /** Codika executions started beyond one per workflow run. */
  duplicates: number;
  /** Runs that ended `CodikaTriggerOutcomeUnknown` (at-most-once: Codika may have started it; never sent twice). */
  outcomeUnknown: number;
  outcome: string;
}

const HEADER = [
  '| scenario | runs | executions | lost | duplicates | CodikaTriggerOutcomeUnknown | outcome |',
  '| --- | --: | --: | --: | --: | --: | --- |',
];

/** Adds a row to the run's report (a file named by the faults globalSetup, shared by every test file). */
export function recordFaultRow(row: FaultRow): void {
  const file = process.env.CODIKA_FAULT_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify(row)}\n`);
}

/** The rows recorded so far, as a Markdown table; empty when none were. */
export function faultTable(file: string): string {
  if (!existsSync(file)) return '';
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as FaultRow);
  if (rows.length === 0) return '';
  return [
    ...HEADER,
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.runs} | ${r.executions} | ${r.lost} | ${r.duplicates} | ${r.outcomeUnknown} | ${r.outcome} |`,
    ),
  ].join('\n');
}
