import type { Summary } from '../shared/stats';
import type { ScaleSecond } from './sampling';

/** CPU use in percent of one core (100 = one core busy), mean and peak over one-second samples. */
export interface CpuUse {
  mean: number | null;
  peak: number | null;
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
