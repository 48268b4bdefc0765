/**
 * The fan-out scenario (`npm run bench -- --fanout[=1000]`): one pipeline step over N items beside
 * the same job written by hand, in one run, each runner on a Temporal server of its own, with the
 * same executions (1 s each, `auto` polling, concurrency 20):
 *
 * - `batched`: the library's forEach over N items (past 200, they run in batch child workflows);
 * - `bare`: the same N items by hand (bare-fanout-workflows.ts): the library's activities, lanes,
 *   batch children past 200, nothing else: the floor;
 * - `inline`: 200 items, the most a step runs in the pipeline's own history;
 * - `single`: the same executions as separate `codikaExecutionWorkflow` runs, 20 at a time, the
 *   history an item costs without any pipeline around it.
 *
 * For each: history events per item (every run of the pipeline and of its batches), the wall time
 * beside the ideal (⌈items / concurrency⌉ × execution time), the most executions in flight, CPU per
 * item of this process (worker, mock, client) and of the server, and this process's peak RSS.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { CodikaPipelineResult } from '../../src/pipeline/pipeline-types';
import type { MockCodikaServer } from '../../src/testing/mock-codika/mock-codika-server';
import { RESULTS_DIR } from '../report/bench-results';
import { harnessCpuUs, serverTicks, TICKS_PER_SECOND } from '../scale/cpu-time';
import { BENCH_INSTANCE, startBenchEnv, type BenchEnv } from '../shared/bench-env';
import { fetchHistoryChain } from '../shared/history-cost';
import { ratio, round } from '../shared/stats';
import { addWorkflowTaskWakeUps, eventKind } from './workflow-task-wake-ups';

const CONCURRENCY = 20;
const EXECUTION_MS = 1_000;
const INLINE_ITEMS = 200;

/** One runner's figures. */
export interface FanoutRow {
  runner: 'batched' | 'bare' | 'inline' | 'single';
  items: number;
  /** History events of every run involved (pipeline, its batches, or each single run). */
  events: number;
  eventsPerItem: number;
  /** The same per item by kind (`activityTaskScheduled`, `workflowExecutionSignaled`…), most first. */
  eventsPerItemByKind: Record<string, number>;
  /** Workflow tasks per item by what woke them (`activityTaskCompleted`, `activityTaskCompleted+timerFired`…), most first. */
  workflowTasksPerItemByWakeUp: Record<string, number>;
  wallMs: number;
  /** ⌈items / concurrency⌉ × the execution's duration: no orchestration at all. */
  idealMs: number;
  /** wallMs / idealMs. */
  wallToIdeal: number | null;
  /** The most executions in flight at once (trigger to the status check that saw the end). */
  peakInFlight: number;
  /** CPU of this process (the worker, the mock and the client) per item, in ms. */
  benchCpuMsPerItem: number;
  /** CPU of the Temporal server's processes per item, in ms; null off Linux. */
  serverCpuMsPerItem: number | null;
  /** This process's largest RSS while the runner ran, sampled every 250 ms. */
  peakRssMb: number;
}

/** The library's forEach (`batched`) ÷ the hand-written fan-out (`bare`), figure by figure. */
export interface FanoutComparison {
  wall: number | null;
  eventsPerItem: number | null;
  benchCpuPerItem: number | null;
  serverCpuPerItem: number | null;
  peakRss: number | null;
}

export interface FanoutResult {
  measuredAt: string;
  concurrency: number;
  executionMs: number;
  rows: FanoutRow[];
  /** One comparison per item count asked for, in the order asked. */
  libraryToBare: (FanoutComparison & { items: number })[];
}

/**
 * `--fanout` or `--fanout=1000,10000`: the item counts of the batched and bare runners
 * (`--fanout` alone: 1,000).
 *
 * @throws Error when a count is not a whole number from 201 to 10,000.
 */
export function fanoutFlag(args: string[]): number[] | undefined {
  const flag = args.find((a) => a === '--fanout' || a.startsWith('--fanout='));
  if (flag === undefined) return undefined;
  if (flag === '--fanout') return [1_000];
  const counts = flag.slice('--fanout='.length).split(',').map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 201 || n > 10_000)) {
    throw new Error(
      `--fanout takes item counts from 201 (past the inline limit) to 10000, comma-separated; got "${flag}"`,
    );
  }
  return counts;
}

/**
 * Runs forEach and the bare fan-out at each count, then the inline and single runners once, one
 * after the other, each on a fresh server, and writes `bench/results/fanout-<measuredAt>.json` and
 * `fanout-latest.json`.
 */
export async function measureFanout(counts: number[], log: (message: string) => void): Promise<FanoutResult> {
  const rows: FanoutRow[] = [];
  const libraryToBare: FanoutResult['libraryToBare'] = [];
  for (const items of counts) {
    const library = await measureRunner('batched', items, log);
    const bare = await measureRunner('bare', items, log);
    rows.push(library, bare);
    libraryToBare.push({ items, ...compare(library, bare) });
  }
  for (const runner of ['inline', 'single'] as const) rows.push(await measureRunner(runner, INLINE_ITEMS, log));
  const result: FanoutResult = {
    measuredAt: new Date().toISOString(),
    concurrency: CONCURRENCY,
    executionMs: EXECUTION_MS,
    rows,
    libraryToBare,
  };
  const json = `${JSON.stringify(result, null, 2)}\n`;
  writeFileSync(join(RESULTS_DIR, `fanout-${result.measuredAt.replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(join(RESULTS_DIR, 'fanout-latest.json'), json);
  return result;
}

function compare(library: FanoutRow, bare: FanoutRow): FanoutComparison {
  return {
    wall: ratio(library.wallMs, bare.wallMs),
    eventsPerItem: ratio(library.eventsPerItem, bare.eventsPerItem),
    benchCpuPerItem: ratio(library.benchCpuMsPerItem, bare.benchCpuMsPerItem),
    serverCpuPerItem: ratio(library.serverCpuMsPerItem, bare.serverCpuMsPerItem),
    peakRss: ratio(library.peakRssMb, bare.peakRssMb),
  };
}

/** One runner on a server of its own: nothing of another runner's history, cache or backlog is left. */
async function measureRunner(runner: FanoutRow['runner'], count: number, log: (message: string) => void) {
  const env = await startBenchEnv(log);
  try {
    const workflowId = `fanout-${runner}-${Date.now().toString(36)}`;
    const codikaWorkflow = `fanout-${runner}`;
    env.mock.script(codikaWorkflow, { durationMs: EXECUTION_MS, resultData: { sent: true } });
    log(`${runner}: ${count} items, ${CONCURRENCY} at a time…`);
    const rss = sampleRss();
    const [cpuBefore, serverBefore] = [harnessCpuUs(), serverTicks([])];
    const startedAt = Date.now();
    const { kinds, wakeUps } = await runOne(env, runner, codikaWorkflow, count, workflowId);
    const events = [...kinds.values()].reduce((sum, n) => sum + n, 0);
    const wallMs = Date.now() - startedAt;
    const [cpuAfter, serverAfter] = [harnessCpuUs(), serverTicks([])];
    const idealMs = Math.ceil(count / CONCURRENCY) * EXECUTION_MS;
    return {
      runner,
      items: count,
      events,
      eventsPerItem: round(events / count, 2),
      eventsPerItemByKind: perItem(kinds, count),
      workflowTasksPerItemByWakeUp: perItem(wakeUps, count),
      wallMs,
      idealMs,
      wallToIdeal: ratio(wallMs, idealMs),
      peakInFlight: peakInFlight(env.mock, codikaWorkflow),
      benchCpuMsPerItem: round((cpuAfter - cpuBefore) / 1000 / count, 2),
      serverCpuMsPerItem:
        serverBefore === undefined || serverAfter === undefined
          ? null
          : round((((serverAfter - serverBefore) / TICKS_PER_SECOND) * 1000) / count, 2),
      peakRssMb: rss.stop(),
    };
  } finally {
    await env.stop();
  }
}

/** Counts per item, most first. */
function perItem(counts: Map<string, number>, items: number): Record<string, number> {
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).map(([key, n]) => [key, round(n / items, 2)]));
}

function runOne(env: BenchEnv, runner: FanoutRow['runner'], codikaWorkflow: string, count: number, workflowId: string) {
  if (runner === 'single') return runSingles(env.client, env.taskQueue, codikaWorkflow, count, workflowId);
  if (runner === 'bare') return runBare(env.client, env.taskQueue, codikaWorkflow, count, workflowId);
  return runPipeline(env.client, env.taskQueue, codikaWorkflow, count, workflowId);
}

/** This process's RSS every 250 ms; `stop` ends the sampling and gives the largest, in MB. */
function sampleRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 250);
  return {
    stop: () => {
      clearInterval(timer);
      return round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024, 0);
    },
  };
}

/** The hand-written fan-out: its run and each of its batch children. */
async function runBare(
  client: Client,
  taskQueue: string,
  codikaWorkflow: string,
  count: number,
  workflowId: string,
): Promise<EventTally> {
  const handle = await client.workflow.start('bareFanout', {
    taskQueue,
    workflowId,
    args: [
      {
        processInstanceId: BENCH_INSTANCE,
        workflowId: codikaWorkflow,
        items: Array.from({ length: count }, (_, i) => i),
        concurrency: CONCURRENCY,
      },
    ],
  });
  const { executionIds } = (await handle.result()) as { executionIds: string[] };
  if (executionIds.length !== count) throw new Error(`bare fan-out: ${executionIds.length} of ${count} items ran`);
  const batches = count > INLINE_ITEMS ? Math.ceil(count / INLINE_ITEMS) : 0;
  const batchIds = Array.from({ length: batches }, (_, batch) => `${workflowId}/batch-${batch}`);
  return runAndBatchesEvents(client, workflowId, handle.firstExecutionRunId, batchIds);
}

async function runPipeline(
  client: Client,
  taskQueue: string,
  codikaWorkflow: string,
  count: number,
  workflowId: string,
): Promise<EventTally> {
  const handle = await client.workflow.start('codikaPipelineWorkflow', {
    taskQueue,
    workflowId,
    args: [
      {
        pipeline: {
          processInstanceId: BENCH_INSTANCE,
          steps: [
            {
              id: 'send',
              workflowId: codikaWorkflow,
              forEach: { items: { $ref: 'input.items' }, concurrency: CONCURRENCY },
              payload: { n: { $ref: 'item' } },
            },
          ],
        },
        input: { items: Array.from({ length: count }, (_, i) => i) },
      },
    ],
  });
  const result = (await handle.result()) as CodikaPipelineResult;
  const batchIds = (result.steps.send?.batches ?? []).map((batch) => batch.workflowId);
  return runAndBatchesEvents(client, workflowId, handle.firstExecutionRunId, batchIds);
}

/** The same executions as separate runs, at most `CONCURRENCY` at once, as a client would pace them. */
async function runSingles(
  client: Client,
  taskQueue: string,
  codikaWorkflow: string,
  count: number,
  prefix: string,
): Promise<EventTally> {
  let next = 0;
  const events = emptyTally();
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const handle = await client.workflow.start('codikaExecutionWorkflow', {
        taskQueue,
        workflowId: `${prefix}-${i}`,
        args: [{ processInstanceId: BENCH_INSTANCE, workflowId: codikaWorkflow, payload: { n: i } }],
      });
      await handle.result();
      await countChainEvents(client, handle.workflowId, handle.firstExecutionRunId, events);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return events;
}

/** History events by kind (the event's attributes, less `EventAttributes`), and workflow tasks by what woke them. */
interface EventTally {
  kinds: Map<string, number>;
  wakeUps: Map<string, number>;
}

function emptyTally(): EventTally {
  return { kinds: new Map(), wakeUps: new Map() };
}

/** History events of a fan-out's run chain and of each of its batch children's chains. */
async function runAndBatchesEvents(
  client: Client,
  workflowId: string,
  firstRunId: string,
  batchWorkflowIds: string[],
): Promise<EventTally> {
  const events = emptyTally();
  await countChainEvents(client, workflowId, firstRunId, events);
  for (const batchWorkflowId of batchWorkflowIds) {
    const described = await client.workflow.getHandle(batchWorkflowId).describe();
    const firstRun = described.raw.workflowExecutionInfo?.firstRunId ?? described.runId;
    await countChainEvents(client, batchWorkflowId, firstRun, events);
  }
  return events;
}

async function countChainEvents(client: Client, workflowId: string, firstRunId: string, into: EventTally) {
  for (const history of await fetchHistoryChain(client, workflowId, firstRunId)) {
    for (const event of history.events ?? []) {
      const kind = eventKind(event);
      into.kinds.set(kind, (into.kinds.get(kind) ?? 0) + 1);
    }
    addWorkflowTaskWakeUps(history, into.wakeUps);
  }
}

function peakInFlight(mock: MockCodikaServer, codikaWorkflow: string): number {
  const lastCheck = new Map<string, number>();
  for (const r of mock.requestsTo('status', codikaWorkflow)) {
    lastCheck.set(r.executionId!, Math.max(lastCheck.get(r.executionId!) ?? 0, r.at));
  }
  const edges = mock.executionsOf(codikaWorkflow).flatMap((e) => [
    { at: e.createdAt, delta: 1 },
    { at: lastCheck.get(e.executionId) ?? e.finishesAt, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let peak = 0;
  for (const { delta } of edges) peak = Math.max(peak, (now += delta));
  return peak;
}

/** The result as a markdown table. */
export function fanoutReport(result: FanoutResult): string {
  const lines = [
    `## Fan-out: one forEach step (${result.concurrency} at a time, ${result.executionMs / 1000} s executions, auto polling)`,
    '',
    '| runner | items | events | events per item | wall time | ideal | wall / ideal | peak in flight | bench CPU per item | server CPU per item | peak RSS |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...result.rows.map(
      (r) =>
        `| ${r.runner} | ${r.items} | ${r.events} | ${r.eventsPerItem} | ${(r.wallMs / 1000).toFixed(1)} s | ${(r.idealMs / 1000).toFixed(0)} s | ${r.wallToIdeal ?? '–'} | ${r.peakInFlight} | ${r.benchCpuMsPerItem} ms | ${r.serverCpuMsPerItem ?? '–'} ms | ${r.peakRssMb} MB |`,
    ),
    '',
    ...result.libraryToBare.flatMap((c) => {
      const [library, bare] = ['batched', 'bare'].map((runner) =>
        result.rows.find((r) => r.runner === runner && r.items === c.items),
      );
      return [
        `forEach ÷ bare at ${c.items} items: wall ${c.wall ?? '–'}×, events per item ${c.eventsPerItem ?? '–'}×, bench CPU per item ${c.benchCpuPerItem ?? '–'}×, server CPU per item ${c.serverCpuPerItem ?? '–'}×, peak RSS ${c.peakRss ?? '–'}×.`,
        '',
        `Events per item the forEach writes beyond the bare fan-out at ${c.items} items, by kind: ${extraEventKinds(library!, bare!)}.`,
        '',
        `Workflow tasks per item by what woke them at ${c.items} items, forEach / bare: ${wakeUpsSideBySide(library!, bare!)}.`,
        '',
      ];
    }),
    `Measured ${result.measuredAt}.`,
    '',
  ];
  return lines.join('\n');
}

/** The kinds of event where `library` writes more per item than `bare`, largest first (`none`). */
function extraEventKinds(library: FanoutRow, bare: FanoutRow): string {
  const extra = Object.entries(library.eventsPerItemByKind)
    .map(([kind, perItem]) => [kind, round(perItem - (bare.eventsPerItemByKind[kind] ?? 0), 2)] as const)
    .filter(([, more]) => more > 0)
    .sort((a, b) => b[1] - a[1]);
  return extra.length === 0 ? 'none' : extra.map(([kind, more]) => `${kind} +${more}`).join(', ');
}

/** Each wake-up's workflow tasks per item, forEach / bare, most first by the forEach's. */
function wakeUpsSideBySide(library: FanoutRow, bare: FanoutRow): string {
  const wakeUps = [
    ...new Set([
      ...Object.keys(library.workflowTasksPerItemByWakeUp),
      ...Object.keys(bare.workflowTasksPerItemByWakeUp),
    ]),
  ];
  const of = (row: FanoutRow, wakeUp: string) => row.workflowTasksPerItemByWakeUp[wakeUp] ?? 0;
  return wakeUps
    .sort((x, y) => of(library, y) - of(library, x))
    .map((wakeUp) => `${wakeUp} ${of(library, wakeUp)} / ${of(bare, wakeUp)}`)
    .join(', ');
}
