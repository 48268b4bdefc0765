import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CostRow } from './cost';
import type { DetectionResult } from './detection';
import { HEARTBEATS_ESTIMATED } from './history-cost';
import type { OverheadResult, OverheadSample } from './overhead';
import type { BenchPlan } from './plan';
import { scaleSection, type ScaleResult } from './scale';
import { median, summarize } from './stats';

/** Everything one benchmark run measured, as written to `bench/results/`. */
export interface BenchResults {
  startedAt: string;
  elapsedMs: number;
  plan: BenchPlan;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  temporal: { address: string; source: string; dynamicConfig: Readonly<Record<string, unknown>> };
  overhead?: OverheadResult;
  detection?: DetectionResult;
  cost?: CostRow[];
  /** Only in `--scale` mode. */
  scale?: ScaleResult;
  /** Set when the run stopped early; the sections measured so far are kept. */
  error?: string;
}

/**
 * Writes `bench/results/<timestamp>.json` and `bench/results/latest.json` (a scale run:
 * `scale-<timestamp>.json` and `scale-latest.json`, leaving the main results alone); returns the first path.
 */
export function writeResults(results: BenchResults, dir = join(__dirname, 'results')): string {
  mkdirSync(dir, { recursive: true });
  const prefix = results.plan.mode === 'scale' ? 'scale-' : '';
  const file = join(dir, `${prefix}${results.startedAt.replace(/[:.]/g, '-')}.json`);
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(file, json);
  writeFileSync(join(dir, `${prefix}latest.json`), json);
  return file;
}

/** The results as markdown: one table per scenario, then what to keep in mind reading them. */
export function markdownReport(results: BenchResults): string {
  const { plan, machine } = results;
  const lines = [
    `## codika-temporal benchmark (${plan.mode})`,
    '',
    `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}; Temporal dev server ` +
      `(${results.temporal.source}); run took ${seconds(results.elapsedMs)}.`,
  ];
  if (results.overhead) lines.push('', ...overheadSection(results.overhead, plan));
  if (results.detection) lines.push('', ...detectionSection(results.detection, results.overhead, plan));
  if (results.cost) lines.push('', ...costSection(results.cost, plan));
  if (results.scale && plan.scale) lines.push('', ...scaleSection(results.scale, plan.scale));
  if (results.error) lines.push('', `**The run stopped early:** ${results.error}`);
  return `${lines.join('\n')}\n`;
}

function overheadSection(overhead: OverheadResult, plan: BenchPlan): string[] {
  const perPoll = median(overhead.rows.flatMap((r) => (r.perPollOverheadMs === null ? [] : [r.perPollOverheadMs])));
  const phase = (values: number[]) => ms(median(values));
  const { phases } = overhead;
  return [
    `### Overhead: fixed ${seconds(plan.overhead.pollIntervalMs)} polling, start to result in hand ` +
      `(${plan.overhead.perDuration} concurrent executions per duration)`,
    '',
    '| execution | baseline median | baseline p95 | bare Temporal loop median | library median | library p95 | polls (baseline / library) | per-poll overhead: library (bare loop) | failed |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: |',
    ...overhead.rows.map((r) =>
      row([
        seconds(r.durationMs),
        ms(r.baseline.median),
        ms(r.baseline.p95),
        ms(r.bare?.median ?? null),
        ms(r.library.median),
        ms(r.library.p95),
        `${r.baselinePolls ?? '—'} / ${r.libraryPolls ?? '—'}${r.baselinePolls !== r.libraryPolls ? ' ⚠' : ''}`,
        `${ms(r.perPollOverheadMs, 1)} (${ms(r.perPollFloorMs ?? null, 1)})`,
        String(r.failures),
      ]),
    ),
    '',
    `Per-poll overhead of the library (timer strategy) against the baseline: ${ms(perPoll, 1)} median over ` +
      'durations (goal ≤ 10 ms). The bare Temporal loop (bench/workflows.ts: trigger, then a timer and the same ' +
      'status activity, nothing else) shows the floor any timer-and-activity poll pays on this server: ' +
      `${ms(median(overhead.rows.flatMap((r) => (r.perPollFloorMs == null ? [] : [r.perPollFloorMs]))), 1)} median. ` +
      '⚠ marks a duration where the two needed different numbers of polls. ' +
      (overhead.fit
        ? `Split by a least-squares fit over the durations: ${ms(overhead.fit.fixedMs)} per execution plus ` +
          `${ms(overhead.fit.perPollMs, 1)} per poll. `
        : '') +
      `The worker's first ${overhead.coldStartMs.length} executions (warm-up, not measured) took ` +
      `${ms(median(overhead.coldStartMs))} (median) for a 0 ms execution polled after 100 ms. ` +
      `Each library poll, from the server's event times (medians over ${phases.timerLateness.length} polls): ` +
      `timer fired ${phase(phases.timerLateness)} late (max ${ms(summarize(phases.timerLateness).max)}), ` +
      `workflow task to schedule the check ${phase(phases.workflowTaskAfterTimer)}, activity dispatch ` +
      `${phase(phases.activityDispatch)}, activity run ${phase(phases.activityRun)}, workflow task after it ` +
      `${phase(phases.workflowTaskAfterActivity)}.`,
  ];
}

function detectionSection(detection: DetectionResult, overhead: OverheadResult | undefined, plan: BenchPlan): string[] {
  const { durationsMs, perDuration } = plan.detection;
  const fixed = (runner: OverheadSample['runner'], label: string) => {
    const samples = (overhead?.samples ?? []).filter((s) => s.runner === runner && s.detectionMs !== undefined);
    const stats = summarize(samples.map((s) => s.detectionMs!));
    return row([label, ms(stats.median), ms(stats.p95), ...durationsMs.map(() => '—'), '0', 'overhead runs']);
  };
  return [
    `### Detection latency: the mock marks the execution finished → result in hand ` +
      `(library default poll schedule, ${perDuration} per duration, all at once per strategy)`,
    '',
    `| strategy | p50 | p95 | ${durationsMs.map((d) => `${seconds(d)} (p50)`).join(' | ')} | failed | note |`,
    `| --- | --: | --: | ${durationsMs.map(() => '--:').join(' | ')} | --: | --- |`,
    ...detection.rows.map((r) =>
      r.available
        ? row([
            r.strategy,
            ms(r.overall.median),
            ms(r.overall.p95),
            ...durationsMs.map((d) => ms(r.medianByDurationMs[d] ?? null)),
            String(r.failures),
            r.errors[0] ?? '',
          ])
        : row([r.strategy, '—', '—', ...durationsMs.map(() => '—'), '—', 'not available (Invalid poll.strategy)']),
    ),
    ...(overhead
      ? [
          fixed('baseline', `baseline, fixed ${seconds(plan.overhead.pollIntervalMs)}`),
          fixed('library', `timer, fixed ${seconds(plan.overhead.pollIntervalMs)}`),
        ]
      : []),
  ];
}

function costSection(cost: CostRow[], plan: BenchPlan): string[] {
  const { scale, durationsMs } = plan.cost;
  const scaled =
    scale === 1
      ? 'run at full length with the default poll schedule'
      : `**scaled down ${scale}×**: ${durationsMs.map(seconds).join(' and ')} executions were run with the poll ` +
        `schedule also divided by ${scale} (so as many checks as at full length), reported as ` +
        durationsMs.map((d) => seconds(d * scale)).join(' and ');
  return [
    `### Cost per execution: history events and estimated Temporal Cloud actions (${scaled})`,
    '',
    '| strategy | execution | polls | history events | actions | starts + continue-as-new | timers | activities | activity retries | signals | search attribute upserts | heartbeats (est.) |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    ...cost.map((r) =>
      r.available
        ? row([
            r.strategy,
            seconds(r.durationMs),
            num(r.polls),
            num(r.events),
            num(r.actions),
            num(r.byKind?.workflowStarts),
            num(r.byKind?.timers),
            num(r.byKind?.activities),
            num(r.byKind?.activityRetries),
            num(r.byKind?.signals),
            num(r.byKind?.searchAttributeUpserts),
            num(r.byKind?.heartbeats) + (r.failures ? ` (${r.failures} failed: ${r.errors[0]})` : ''),
          ])
        : row([r.strategy, seconds(r.durationMs), 'not available', '', '', '', '', '', '', '', '', '']),
    ),
    '',
    `Actions: workflow start and each continue-as-new, each timer, each activity scheduled and each retry ` +
      `attempt, each signal, each heartbeat; ${HEARTBEATS_ESTIMATED}.`,
  ];
}

function row(cells: string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

function ms(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined ? '—' : `${value.toFixed(digits)} ms`;
}

function num(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : String(value);
}

function seconds(valueMs: number): string {
  return `${Number((valueMs / 1000).toFixed(1))} s`;
}
