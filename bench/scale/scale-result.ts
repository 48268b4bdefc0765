import type { Summary } from '../shared/stats';
import type { HistoryTimings } from './history-timings';
import type { ScaleSecond } from './sampling';

/** CPU use in percent of one core (100 = one core busy), mean and peak over one-second samples. */
export interface CpuUse {
  mean: number | null;
  peak: number | null;
}

/** What runs the executions: the library's workflow, or the bare floor beside it. */
/**
 * `library`: the library's execution workflow; `bare`: the bare Temporal floor; `limited`: the library
 * under a per-key rate limit held by the server (`ensureCodikaRateLimits`), for the limiter's cost.
 */
export type ScaleRunner = 'library' | 'bare' | 'limited';
/** The Temporal server a batch ran on: the dev server, or the PostgreSQL-backed local cluster. */
export type ScaleServerKind = 'dev' | 'cluster';

/** One batch of the scale scenario: `count` executions at once, one runner, on a fresh server. */
export interface ScaleRun {
  count: number;
  runner: ScaleRunner;
  server: ScaleServerKind;
  /** Worker processes sharing the batch's task queue. */
  workers: number;
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
  /** The highest of any one worker process. */
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
  /** The calls of the batch's one process instance the mock saw: the most in any one second, and the limit if one was set. */
  perKey?: { limitPerSecond: number | null; mostCallsInOneSecond: number };
  /**
   * While executions were in flight (first start to last end). `worker` adds up every worker
   * process; `server` is the Temporal processes plus PostgreSQL's on the cluster.
   */
  cpu: { worker: CpuUse; server: CpuUse; harness: CpuUse; machine: CpuUse };
  /**
   * CPU per execution, in ms: every worker process's, and the Temporal server's, from the batch's
   * first start to its last result, divided by the executions started. Unlike latencies under
   * saturation, it holds still from run to run. Null when a reading was missing.
   */
  cpuMsPerExecution: { worker: number | null; server: number | null };
  /** Where start → trigger went, from a sample of the runs' histories. */
  historyTimings: HistoryTimings;
  timeline: ScaleSecond[];
}

/** What the scale scenario measured. */
export interface ScaleResult {
  machineCpus: number;
  batches: ScaleRun[];
}

/** One runner's headline figures at one count, as `scale-latest.json`'s `runs` hold them. */
export interface ScaleFigures {
  startToTriggerP50Ms: number | null;
  startToTriggerP95Ms: number | null;
  completionsPerSecond: number | null;
  detectionP50Ms: number | null;
  workerPeakRssMb: number | null;
  /** Worker and server CPU per execution, in ms (see `ScaleRun.cpuMsPerExecution`). */
  workerCpuMsPerExecution?: number | null;
  serverCpuMsPerExecution?: number | null;
  /** Failed, stuck, or never started: every execution that did not end with Codika's answer. */
  lost: number;
  triggerOutcomeUnknown: number;
  /** False when the batch's time cap (or a signal) stopped it first. */
  complete: boolean;
  /** Still in flight, or never started, when the cap stopped the batch (not lost: cut short). */
  unfinished: number;
}

/** The library and the bare floor at one count on one kind of server. */
export interface ScaleComparison {
  executions: number;
  server: ScaleServerKind;
  /** When the run that measured it started (ISO 8601). */
  measuredAt: string;
  /** Worker options the run set on top of the defaults (`BENCH_WORKER_OPTIONS`), when it set any. */
  workerOptions?: Record<string, number | boolean>;
  library: ScaleFigures | null;
  bare: ScaleFigures | null;
  /** The library under the per-key limit, when the run measured it (`--runners=library,limited`). */
  limited?: ScaleFigures | null;
  /**
   * When the count was measured more than once in the run (`--scale=1000,1000,1000`): worker CPU per
   * execution, library ÷ bare, round by round (the figures above are the last round's), and the
   * largest less the smallest.
   */
  workerCpuRatioByRound?: (number | null)[];
  workerCpuRatioSpread?: number | null;
}
