import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode } from '@temporalio/worker';
import { DEFAULT_STATUS_CHECKS_PER_SECOND } from '../src/activities/check-pacer';
import { startCodikaExecution } from '../src/client';
import { seededRandom } from '../src/testing/mock-codika/seeded-random';
import { DEFAULT_ACTIVITY_SLOTS } from '../src/worker-setup/create-codika-worker';
import type { CodikaExecutionResult } from '../src/shared/execution-types';
import { CODIKA_TRIGGER_OUTCOME_UNKNOWN } from '../src/shared/errors';
import { BENCH_API_KEY, BENCH_INSTANCE, type BenchEnv } from './bench-env';
import { MAX_SCALE_COUNT, type ScalePlan } from './plan';
import type { ScaleWorkerConfig, ScaleWorkerMessage } from './scale-worker';
import { summarize, type Summary } from './stats';

/** CPU use in percent of one core (100 = one core busy), mean and peak over one-second samples. */
export interface CpuUse {
  mean: number | null;
  peak: number | null;
}

/** One second of a scale batch. CPU in percent of one core. */
export interface ScaleSecond {
  /** Seconds since the first start. */
  t: number;
  started: number;
  completed: number;
  statusPolls: number;
  workerRssMb: number | null;
  cpu: { worker: number | null; server: number | null; harness: number; machine: number | null };
}

/** One batch of the scale scenario: `count` executions at once on one worker. */
export interface ScaleRun {
  count: number;
  /** False when the run's budget or a signal stopped the batch before every execution ended. */
  complete: boolean;
  activitySlots: number;
  /** From the first start until every execution ended (or was given up on). */
  wallMs: number;
  start: { wallMs: number; perSecond: number; failed: number };
  completed: number;
  completionsPerSecond: { overall: number | null; peak5s: number };
  statusPolls: {
    total: number;
    perSecondMean: number | null;
    perSecondPeak: number;
    perExecutionMedian: number | null;
  };
  /** The mock marks the execution finished → result in the harness's hands. */
  detection: Summary;
  /** Start call → the mock saw the trigger (the mock's clock for the duration starts there). */
  triggerLag: Summary;
  workerPeakRssMb: number | null;
  /** The JavaScript heap's part of it (the rest: the SDK's native core, buffers, code). */
  workerPeakHeapMb: number | null;
  /** Ended, but not successfully (nor with an unknown trigger outcome). */
  failed: number;
  /** Ended `CodikaTriggerOutcomeUnknown`: a trigger whose answer was lost, not sent again (at-most-once). */
  outcomeUnknown: number;
  /** Still open when nothing had closed for `stallAfterMs` (terminated afterwards). */
  stuck: number;
  /** Never ran: the batch was stopped before or during its start. */
  notStarted: number;
  /** Still in flight when the batch was stopped (terminated). */
  stopped: number;
  terminated: number;
  errors: string[];
  /** While executions were in flight (first start to last end). */
  cpu: { worker: CpuUse; server: CpuUse; harness: CpuUse; machine: CpuUse };
  timeline: ScaleSecond[];
}

/** What the scale scenario measured. */
export interface ScaleResult {
  machineCpus: number;
  runs: ScaleRun[];
}

interface Execution {
  index: number;
  durationMs: number;
  startedAtMs?: number;
  handle?: WorkflowHandle;
  outcome?: 'ok' | 'failed' | 'outcome-unknown' | 'stuck' | 'aborted' | 'start-failed';
  endedAtMs?: number;
  detectionMs?: number;
  triggerLagMs?: number;
  polls?: number;
  error?: string;
}

const WORKER_READY_TIMEOUT_MS = 180_000;
const WORKER_EXIT_TIMEOUT_MS = 20_000;
const TERMINATE_CONCURRENCY = 50;
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * Per count, `count` executions of `codikaExecutionWorkflow` with the `auto` strategy started at
 * once (bounded start concurrency) against one worker in a child process, mock durations spread
 * uniformly and deterministically over the plan's range. Stops early, and reports the batch as
 * incomplete, when `signal` fires.
 */
export async function measureScale(
  env: BenchEnv,
  plan: ScalePlan,
  log: (message: string) => void,
  signal: AbortSignal,
): Promise<ScaleResult> {
  const result: ScaleResult = { machineCpus: cpus().length, runs: [] };
  log('scale: bundling the workflows…');
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../src/workflows'), logger: quiet });
  const dir = mkdtempSync(join(tmpdir(), 'codika-scale-'));
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  try {
    for (const count of plan.counts) {
      if (signal.aborted) break;
      log(`scale: ${count} executions at once…`);
      const run = await scaleRun(env, plan, count, bundlePath, log, signal);
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

async function scaleRun(
  env: BenchEnv,
  plan: ScalePlan,
  count: number,
  workflowBundlePath: string,
  log: (message: string) => void,
  signal: AbortSignal,
): Promise<ScaleRun> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SCALE_COUNT) {
    throw new Error(`scale counts must be whole numbers from 1 to ${MAX_SCALE_COUNT}; got ${count}`);
  }
  const random = seededRandom(plan.seed + count);
  const executions: Execution[] = Array.from({ length: count }, (_, index) => ({
    index,
    durationMs: Math.round(plan.minDurationMs + random() * (plan.maxDurationMs - plan.minDurationMs)),
  }));
  const prefix = `bench-scale-${count}-`;
  for (const e of executions) env.mock.script(`${prefix}${e.index}`, { durationMs: e.durationMs, resultData: {} });
  env.mock.requests.splice(0);

  const activitySlots = DEFAULT_ACTIVITY_SLOTS;
  const taskQueue = `codika-scale-${count}-${Date.now().toString(36)}`;
  const worker = await startScaleWorker(
    {
      address: env.server.address,
      taskQueue,
      baseUrl: env.target.baseUrl,
      apiKey: BENCH_API_KEY,
      workflowBundlePath,
    },
    plan.workerHeapMb,
    log,
  );
  const sampler = new Sampler(env, worker);
  let firstStartMs = 0;
  let startWallMs = 0;
  let terminated = 0;
  try {
    sampler.start();
    firstStartMs = Date.now();
    sampler.origin = firstStartMs;
    let starting = true;
    const watching = watchUntilClosed(env, taskQueue, executions, plan.stallAfterMs, () => starting, signal, sampler);
    await inPool(executions, plan.startConcurrency, async (e) => {
      if (signal.aborted) return;
      e.startedAtMs = Date.now();
      try {
        e.handle = await startCodikaExecution(
          env.client,
          { processInstanceId: BENCH_INSTANCE, workflowId: `${prefix}${e.index}` },
          { taskQueue, poll: { strategy: 'auto' } },
        );
      } catch (err) {
        e.outcome = 'start-failed';
        e.error = describe(err);
        return;
      }
      sampler.started += 1;
    });
    starting = false;
    startWallMs = Date.now() - firstStartMs;
    log(`scale: ${sampler.started} started in ${(startWallMs / 1000).toFixed(1)} s; waiting for results…`);
    await watching;
  } finally {
    sampler.stop();
    const unfinished = executions.filter((e) => e.handle && (e.outcome === 'stuck' || e.outcome === 'aborted'));
    if (unfinished.length > 0) log(`scale: terminating ${unfinished.length} unfinished executions…`);
    await inPool(unfinished, TERMINATE_CONCURRENCY, async (e) => {
      const done = await e
        .handle!.terminate('scale benchmark: stuck or stopped')
        .then(() => true)
        .catch(() => false);
      if (done) terminated += 1;
    });
    await worker.stop();
  }
  const lastEndMs = Math.max(firstStartMs, ...executions.map((e) => e.endedAtMs ?? 0));
  forgetMockExecutions(env, prefix);
  return summarizeRun(
    count,
    activitySlots,
    executions,
    sampler,
    firstStartMs,
    startWallMs,
    lastEndMs,
    terminated,
    worker.peak,
  );
}

/** How often the harness lists the executions that closed. */
const WATCH_EVERY_MS = 1_000;
/** Results fetched at once for executions that closed (each returns at once: the run is over). */
const RESULT_FETCH_CONCURRENCY = 20;

/**
 * Waits for every started execution to close, until its deadline or the abort; never throws.
 * Thousands of result long-polls held open at once would load the server as much as the
 * executions themselves, so the harness lists closed runs (visibility) once a second and then
 * fetches each result, which returns at once. An execution's end is the server's close time.
 */
async function watchUntilClosed(
  env: BenchEnv,
  taskQueue: string,
  executions: Execution[],
  stallAfterMs: number,
  stillStarting: () => boolean,
  signal: AbortSignal,
  sampler: Sampler,
): Promise<void> {
  const byWorkflowId = new Map(executions.filter((e) => e.handle).map((e) => [e.handle!.workflowId, e]));
  const open = () => executions.filter((e) => e.handle && e.outcome === undefined);
  let since = new Date(Date.now() - 60_000).toISOString();
  const fetching: Promise<void>[] = [];
  let lastCloseAtMs = Date.now();
  for (;;) {
    for (const e of executions)
      if (e.handle && !byWorkflowId.has(e.handle.workflowId)) byWorkflowId.set(e.handle.workflowId, e);
    const listedAt = Date.now();
    const closed: Execution[] = [];
    const failed: Execution[] = [];
    try {
      const query = `TaskQueue = '${taskQueue}' AND ExecutionStatus != 'Running' AND CloseTime >= '${since}'`;
      for await (const info of env.client.workflow.list({ query })) {
        const e = byWorkflowId.get(info.workflowId);
        if (!e || e.outcome !== undefined || e.endedAtMs !== undefined) continue;
        e.endedAtMs = info.closeTime?.getTime() ?? listedAt;
        if (info.status.name === 'COMPLETED') closed.push(e);
        else {
          e.outcome = 'failed';
          e.error = `closed as ${info.status.name}`;
          if (info.status.name === 'FAILED') failed.push(e);
        }
      }
      // Visibility may lag a little behind the close: look back a few seconds each time.
      since = new Date(listedAt - 10_000).toISOString();
    } catch (err) {
      sampler.errors.add(describe(err));
    }
    fetching.push(inPool(closed, RESULT_FETCH_CONCURRENCY, (e) => readResult(env, e, sampler)));
    fetching.push(inPool(failed, RESULT_FETCH_CONCURRENCY, (e) => readFailure(e)));
    const now = Date.now();
    if (closed.length > 0 || stillStarting()) lastCloseAtMs = now;
    if (now - lastCloseAtMs > stallAfterMs) {
      for (const e of open()) if (e.endedAtMs === undefined) e.outcome = 'stuck';
    }
    if (signal.aborted) {
      for (const e of open()) if (e.endedAtMs === undefined) e.outcome = 'aborted';
    }
    if (!stillStarting() && open().every((e) => e.endedAtMs !== undefined)) break;
    await new Promise((resolve) => setTimeout(resolve, WATCH_EVERY_MS));
  }
  await Promise.all(fetching);
}

/** Reads the result of an execution that completed, for its poll count and the mock's timings. */
async function readResult(env: BenchEnv, e: Execution, sampler: Sampler): Promise<void> {
  try {
    const result = (await e.handle!.result()) as CodikaExecutionResult;
    e.outcome = 'ok';
    e.polls = result.polls;
    sampler.completed += 1;
    const mocked = env.mock.executions.get(result.executionId);
    if (mocked) {
      e.detectionMs = e.endedAtMs! - mocked.finishesAt;
      e.triggerLagMs = mocked.createdAt - e.startedAtMs!;
    }
  } catch (err) {
    e.outcome = 'failed';
    e.error = describe(err);
  }
}

/** Tells an unknown trigger outcome (a typed end that at-most-once delivery allows) from other failures. */
async function readFailure(e: Execution): Promise<void> {
  const cause = await e.handle!.result().then(
    () => undefined,
    (err: unknown) => (err instanceof WorkflowFailedError ? err.cause : undefined),
  );
  if (cause instanceof ApplicationFailure && cause.type === CODIKA_TRIGGER_OUTCOME_UNKNOWN) {
    e.outcome = 'outcome-unknown';
    e.error = undefined;
  }
}

function summarizeRun(
  count: number,
  activitySlots: number,
  executions: Execution[],
  sampler: Sampler,
  firstStartMs: number,
  startWallMs: number,
  lastEndMs: number,
  terminated: number,
  peak: { rss: number; heap: number } | null,
): ScaleRun {
  const ok = executions.filter((e) => e.outcome === 'ok');
  const started = executions.filter((e) => e.handle).length;
  const ends = ok.map((e) => e.endedAtMs!).sort((a, b) => a - b);
  const wallMs = lastEndMs - firstStartMs;
  const inFlight = sampler.seconds.filter((s) => s.t * 1000 <= wallMs + 1000);
  const pollCounts = inFlight.map((s) => s.statusPolls);
  const totalPolls = sampler.seconds.reduce((sum, s) => sum + s.statusPolls, 0);
  const polls = ok.flatMap((e) => (e.polls === undefined ? [] : [e.polls]));
  return {
    count,
    complete: !executions.some((e) => e.outcome === 'aborted' || e.outcome === undefined),
    activitySlots,
    wallMs,
    start: {
      wallMs: startWallMs,
      perSecond: startWallMs > 0 ? round((started / startWallMs) * 1000) : 0,
      failed: executions.filter((e) => e.outcome === 'start-failed').length,
    },
    completed: ok.length,
    completionsPerSecond: {
      overall: wallMs > 0 && ends.length > 0 ? round((ok.length / wallMs) * 1000) : null,
      peak5s: round(peakInWindow(ends, 5_000) / 5),
    },
    statusPolls: {
      total: totalPolls,
      perSecondMean: wallMs > 0 ? round((totalPolls / wallMs) * 1000) : null,
      perSecondPeak: Math.max(0, ...pollCounts),
      perExecutionMedian: summarize(polls).median,
    },
    detection: summarize(ok.flatMap((e) => (e.detectionMs === undefined ? [] : [e.detectionMs]))),
    triggerLag: summarize(ok.flatMap((e) => (e.triggerLagMs === undefined ? [] : [e.triggerLagMs]))),
    workerPeakRssMb: peak === null ? null : Math.round(peak.rss / 2 ** 20),
    workerPeakHeapMb: peak === null ? null : Math.round(peak.heap / 2 ** 20),
    failed: executions.filter((e) => e.outcome === 'failed' || e.outcome === 'start-failed').length,
    outcomeUnknown: executions.filter((e) => e.outcome === 'outcome-unknown').length,
    stuck: executions.filter((e) => e.outcome === 'stuck').length,
    notStarted: executions.filter((e) => e.outcome === undefined || (e.outcome === 'aborted' && !e.handle)).length,
    stopped: executions.filter((e) => e.outcome === 'aborted' && e.handle).length,
    terminated,
    errors: [
      ...new Set([...sampler.errors, ...executions.flatMap((e) => (e.error === undefined ? [] : [e.error]))]),
    ].slice(0, 5),
    cpu: {
      worker: cpuUse(inFlight.map((s) => s.cpu.worker)),
      server: cpuUse(inFlight.map((s) => s.cpu.server)),
      harness: cpuUse(inFlight.map((s) => s.cpu.harness)),
      machine: cpuUse(inFlight.map((s) => s.cpu.machine)),
    },
    timeline: sampler.seconds,
  };
}

/** The scale scenario as markdown. */
export function scaleSection(scale: ScaleResult, plan: ScalePlan): string[] {
  const pct = (use: CpuUse) => (use.mean === null ? '—' : `${use.mean}% / ${use.peak}%`);
  const lines = [
    `### Scale: executions in flight at once on one worker (\`auto\`, mock durations uniform over ` +
      `${plan.minDurationMs / 1000}–${plan.maxDurationMs / 1000} s, ${plan.startConcurrency} starts in flight)`,
    '',
    '| executions | starts/s | start → trigger (p50 / p95) | completions/s (overall / peak 5 s) | status polls/s (mean / peak) | polls per execution (p50) | detection p50 | detection p95 | worker peak RSS | lost or stuck | CodikaTriggerOutcomeUnknown | wall |',
    '| --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    ...scale.runs.map((r) =>
      row([
        String(r.count) + (r.complete ? '' : ' (incomplete)'),
        String(r.start.perSecond),
        `${ms(r.triggerLag.median)} / ${ms(r.triggerLag.p95)}`,
        `${r.completionsPerSecond.overall ?? '—'} / ${r.completionsPerSecond.peak5s}`,
        `${r.statusPolls.perSecondMean ?? '—'} / ${r.statusPolls.perSecondPeak}`,
        String(r.statusPolls.perExecutionMedian ?? '—'),
        ms(r.detection.median),
        ms(r.detection.p95),
        r.workerPeakRssMb === null ? '—' : `${r.workerPeakRssMb} MB (heap ${r.workerPeakHeapMb} MB)`,
        `${r.failed + r.stuck}${r.stopped ? ` (+${r.stopped} stopped)` : ''}${r.notStarted ? ` (+${r.notStarted} not started)` : ''}`,
        String(r.outcomeUnknown),
        `${(r.wallMs / 1000).toFixed(1)} s`,
      ]),
    ),
    '',
    `CPU while in flight, mean / peak of one-second samples, in % of one core (${scale.machineCpus} cores):`,
    '',
    '| executions | worker | Temporal server | harness + mock | whole machine |',
    '| --: | --: | --: | --: | --: |',
    ...scale.runs.map((r) =>
      row([String(r.count), pct(r.cpu.worker), pct(r.cpu.server), pct(r.cpu.harness), pct(r.cpu.machine)]),
    ),
    '',
    `One worker in a child process (workflow bundle prebuilt by the harness, so webpack is not in its RSS) with ` +
      `the options \`createCodikaWorker\` defaults to (${DEFAULT_ACTIVITY_SLOTS} activity slots, at most ` +
      `${DEFAULT_STATUS_CHECKS_PER_SECOND} status checks/s) and a ${plan.workerHeapMb} MB V8 heap ` +
      `(\`--max-old-space-size\`; the SDK sizes its workflow cache from it). Completions per second are bounded by the spread of durations ` +
      `(about executions / ${(plan.maxDurationMs - plan.minDurationMs) / 1000} s when nothing lags). Detection is measured from the ` +
      `mock's finish time, which counts from the trigger, to the server's close time of the run; start → trigger is ` +
      `the lag before that. Lost or stuck: failed, or still open when no execution had closed for ` +
      `${plan.stallAfterMs / 1000} s or the run's budget ended (terminated at the end).`,
  ];
  const errors = [...new Set(scale.runs.flatMap((r) => r.errors))];
  if (errors.length > 0) lines.push('', `Errors seen: ${errors.join('; ')}`);
  return lines;
}

/** The worker child: started, ready, sampled, stopped. */
async function startScaleWorker(
  config: ScaleWorkerConfig,
  heapMb: number,
  log: (message: string) => void,
): Promise<{
  child: ChildProcess;
  peak: { rss: number; heap: number } | null;
  latest?: ScaleWorkerSample;
  stop(): Promise<void>;
}> {
  const child = fork(join(__dirname, 'scale-worker.ts'), [JSON.stringify(config)], {
    cwd: join(__dirname, '..'),
    execArgv: [
      '--import',
      'tsx',
      `--max-old-space-size=${heapMb}`,
      ...(process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const state = {
    child,
    peak: null as { rss: number; heap: number } | null,
    latest: undefined as ScaleWorkerSample | undefined,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        if (child.connected) child.send({ type: 'stop' });
        const timer = setTimeout(() => child.kill('SIGKILL'), WORKER_EXIT_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the scale worker was not ready in ${WORKER_READY_TIMEOUT_MS / 1000} s`)),
        WORKER_READY_TIMEOUT_MS,
      );
      child.on('message', (message: ScaleWorkerMessage) => {
        if (message.type === 'sample') {
          state.latest = message;
          state.peak = {
            rss: Math.max(state.peak?.rss ?? 0, message.rss),
            heap: Math.max(state.peak?.heap ?? 0, message.heapUsed),
          };
        } else if (message.type === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (message.type === 'error') {
          log(`scale worker: ${message.message}`);
          clearTimeout(timer);
          reject(new Error(`the scale worker failed: ${message.message}`));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the scale worker exited (code ${code}) before it was ready`));
      });
    });
  } catch (err) {
    await state.stop();
    throw err;
  }
  return state;
}

type ScaleWorkerSample = Extract<ScaleWorkerMessage, { type: 'sample' }>;

/** Once a second: status polls the mock saw, completions, worker RSS and CPU of each process. */
class Sampler {
  readonly seconds: ScaleSecond[] = [];
  origin = Date.now();
  started = 0;
  completed = 0;
  /** Harness-side failures (listing closed runs), reported with the executions' errors. */
  readonly errors = new Set<string>();
  private timer?: NodeJS.Timeout;
  private previous?: { at: number; harnessUs: number; workerUs?: number; serverTicks?: number; machine?: CpuTicks };

  constructor(
    private readonly env: BenchEnv,
    private readonly worker: { child: ChildProcess; latest?: ScaleWorkerSample },
  ) {}

  start(): void {
    this.previous = this.snapshot().now;
    this.timer = setInterval(() => this.tick(), 1_000);
  }

  stop(): void {
    clearInterval(this.timer);
    this.tick();
  }

  private snapshot() {
    const worker = this.worker.latest;
    const now = {
      at: Date.now(),
      harnessUs: harnessCpuUs(),
      workerUs: worker?.cpuUs,
      serverTicks: serverTicks(this.worker.child.pid),
      machine: machineTicks(),
    };
    return { now, worker };
  }

  private tick(): void {
    const { now, worker } = this.snapshot();
    const before = this.previous!;
    this.previous = now;
    const seconds = (now.at - before.at) / 1000;
    if (seconds <= 0) return;
    // The mock records every request; count the status checks since the last tick and forget them.
    const requests = this.env.mock.requests.splice(0);
    const perCore = (delta: number | undefined) => (delta === undefined ? null : round((delta / seconds) * 100));
    this.seconds.push({
      t: Math.round((now.at - this.origin) / 1000),
      started: this.started,
      completed: this.completed,
      statusPolls: requests.filter((r) => r.endpoint === 'status').length,
      workerRssMb: worker ? Math.round(worker.rss / 2 ** 20) : null,
      cpu: {
        worker: perCore(
          now.workerUs !== undefined && before.workerUs !== undefined
            ? (now.workerUs - before.workerUs) / 1e6
            : undefined,
        ),
        server: perCore(
          now.serverTicks !== undefined && before.serverTicks !== undefined
            ? (now.serverTicks - before.serverTicks) / TICKS_PER_SECOND
            : undefined,
        ),
        harness: perCore((now.harnessUs - before.harnessUs) / 1e6)!,
        machine:
          now.machine && before.machine
            ? round(
                ((now.machine.busy - before.machine.busy) / Math.max(1, now.machine.total - before.machine.total)) *
                  cpus().length *
                  100,
              )
            : null,
      },
    });
  }
}

function harnessCpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

interface CpuTicks {
  busy: number;
  total: number;
}

/** Busy and total ticks of the whole machine, from /proc/stat; undefined off Linux. */
function machineTicks(): CpuTicks | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, v) => sum + v, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** User + system ticks of this process's children other than the worker: the Temporal dev server. */
function serverTicks(workerPid: number | undefined): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  let ticks: number | undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === workerPid) continue;
    const stat = procStat(Number(entry));
    if (!stat || stat.ppid !== process.pid || !/temporal/i.test(stat.comm)) continue;
    ticks = (ticks ?? 0) + stat.ticks;
  }
  return ticks;
}

function procStat(pid: number): { comm: string; ppid: number; ticks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text
      .slice(close + 2)
      .split(' ')
      .map(Number);
    // After the command: state, ppid, … utime is the 14th field of the line, stime the 15th.
    return { comm, ppid: fields[1], ticks: fields[11] + fields[12] };
  } catch {
    return undefined;
  }
}

function cpuUse(values: (number | null)[]): CpuUse {
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return { mean: null, peak: null };
  return { mean: round(known.reduce((s, v) => s + v, 0) / known.length, 0), peak: round(Math.max(...known), 0) };
}

/** Most events within any window of `windowMs`, of a sorted list of times. */
function peakInWindow(sortedMs: number[], windowMs: number): number {
  let peak = 0;
  let from = 0;
  for (let to = 0; to < sortedMs.length; to += 1) {
    while (sortedMs[to] - sortedMs[from] >= windowMs) from += 1;
    peak = Math.max(peak, to - from + 1);
  }
  return peak;
}

/** Runs `task` over the items with at most `concurrency` at a time. */
async function inPool<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}

/** Drops the batch's executions from the mock, so the next batch starts with a small map. */
function forgetMockExecutions(env: BenchEnv, prefix: string): void {
  for (const [id, execution] of env.mock.executions) {
    if (execution.workflowId.startsWith(prefix)) env.mock.executions.delete(id);
  }
}

function describe(err: unknown): string {
  if (err instanceof WorkflowFailedError && err.cause) return `${err.cause.name}: ${err.cause.message}`;
  return err instanceof Error ? err.message : String(err);
}

function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}

function row(cells: string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${value.toFixed(0)} ms`;
}
