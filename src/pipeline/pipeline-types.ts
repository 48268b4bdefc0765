import type { CodikaPipelineDefinition } from './definition';
import type {
  CodikaExecutionResult,
  CodikaStepProgress,
  CodikaTriggerAnswer,
  CodikaTriggerProgress,
  CodikaTriggerQuestion,
} from '../shared/execution-types';

/** Input of `codikaPipelineWorkflow`. */
export interface CodikaPipelineInput {
  /** The definition to run; checked again before the first trigger. */
  pipeline: CodikaPipelineDefinition;
  /** What templates read as `input`. @default {} */
  input?: unknown;
  /** Set by the workflow itself when it continues as new: where every step was. */
  resume?: CodikaPipelineResume;
  /**
   * Set by `redriveCodikaPipeline`: the run this one redrives, and what of it is not run again (the
   * steps that succeeded there, with their results).
   */
  redrive?: CodikaPipelineRedrive;
  /**
   * Executions to poll to their end instead of triggering, by step id or `<step id>[<index>]` for a
   * forEach item: set by a redrive (what was running, or what an operator named), passed on to batches.
   */
  attach?: Record<string, string>;
  /**
   * Set by a pipeline on the batch child workflows of a large forEach step (see
   * `src/workflows/pipeline-engine/for-each-batches.ts`): which step of which pipeline this run is a batch of.
   */
  batchOf?: {
    /** The pipeline's workflow id, which every run of its chain shares: where the batch reports. */
    parentWorkflowId: string;
    /** The forEach step of that pipeline. */
    stepId: string;
    /** The batch's number, from 0. */
    batch: number;
    /** The step's index of the batch's first item. */
    firstIndex: number;
  };
}

/**
 * What a redriven pipeline starts from: the run it redrives, and the steps that succeeded there, whose
 * results it keeps instead of running them again.
 */
export interface CodikaPipelineRedrive {
  /** The run redriven (its last run, for a chain continued as new). */
  of: {
    /** Its workflow id. */
    workflowId: string;
    /** Its run id. */
    runId: string;
  };
  /** The state of each step that succeeded there, by step id. */
  succeeded: Record<string, CodikaPipelineStepState>;
  /** Their results (each item's, for a forEach step), in the order they finished. */
  finished: CodikaPipelineResume['finished'];
}

/** What `codikaPipelineRedriveSeed` answers: a run's state and its results so far, for a redrive. */
export interface CodikaPipelineRedriveSeed {
  /** The definition the run ran. */
  pipeline: CodikaPipelineDefinition;
  /** What its templates read as `input`. */
  input: unknown;
  /** Set when the run is a batch of a large forEach step: a redrive goes through its pipeline. */
  batchOf?: CodikaPipelineInput['batchOf'];
  /** The state, as `codikaPipelineState` shows it. */
  state: CodikaPipelineState;
  /** The succeeded steps and items with their results, in the order they finished. */
  finished: CodikaPipelineResume['finished'];
}

/**
 * What a pipeline carries into its next run when its history grows long: every step's state, the
 * results so far, and where each step that was polling stands (it resumes from its executionId,
 * never triggering again).
 * @inline
 */
export interface CodikaPipelineResume {
  /** Every step's state, by step id. */
  steps: Record<string, CodikaPipelineStepState>;
  /**
   * `resultData` and executionId of each succeeded step (each succeeded item of a forEach step, with its
   * `index`), in the order they finished.
   */
  finished: {
    /** The step that succeeded (or whose item did). */
    stepId: string;
    /** The item's index, for an item of a forEach step. */
    index?: number;
    /** Its result, as the step returned it. */
    result: CodikaExecutionResult;
  }[];
  /** Executions that were polling, and where: by step id, or `<step id>[<index>]` for a forEach item. */
  polling: Record<string, CodikaStepProgress>;
  /**
   * Triggers that were waiting to be sent again (Codika answered `503` or `429`), and where, keyed as
   * `polling`: the next run sends each with the same `Idempotency-Key` when its wait is over.
   */
  triggering?: Record<string, CodikaTriggerProgress>;
  /**
   * The failure that stopped the pipeline, when a step failed while the run was stopping its steps to
   * continue as new: the next run starts nothing, lets what runs end, and runs the saga.
   */
  failure?: CodikaPipelineFailure;
}

/** The failure that stops a pipeline: its step, and the failure's type and message. */
export interface CodikaPipelineFailure {
  /** The step that failed. */
  stepId: string;
  /** The failure's type (`CodikaExecutionFailed`…), which the pipeline fails with. */
  type: string;
  /** Its message, without the step's prefix. */
  message: string;
  /** Its details, so a continued run fails with them too. */
  details?: unknown[];
  /** Set when no step failed: the pipeline's result was too large to return (`CodikaResultTooLarge`). */
  ofPipeline?: boolean;
}

/**
 * Where a step is. `skipped`: its `when` was false, a step it depends on did not succeed (see
 * `skippedBy`), or an earlier failure stopped the pipeline before it started. `cancelled`: the pipeline was cancelled while it ran (its Codika
 * execution may still be running: Codika has no cancel endpoint).
 */
export type CodikaPipelineStepStatus =
  'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'compensating' | 'compensated' | 'cancelled';

/** One Codika execution of a step that retries failed executions. */
export interface CodikaPipelineAttempt {
  /** Where this attempt is. */
  status: 'running' | 'succeeded' | 'failed';
  /** Codika's id of this attempt's execution, once triggered. */
  executionId?: string;
  /** Why it failed. */
  error?: string;
}

/** One item of a forEach step. */
export interface CodikaPipelineItemState {
  /** `skipped`: not started, because an item failed (`onFailure: 'fail'`) or the pipeline stopped. */
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'compensating' | 'compensated' | 'cancelled';
  /** Codika's id of its (last) execution, once triggered. */
  executionId?: string;
  /** Status checks made so far. */
  polls: number;
  /** Why it failed. */
  error?: string;
  /** The failure's type (`CodikaExecutionFailed`…), so a batch's pipeline fails with the same type. */
  failureType?: string;
  /** The last status Codika reported. */
  lastStatus?: string;
  /** Every execution of the item, when the step retries failed executions. */
  attempts?: CodikaPipelineAttempt[];
  /** ISO time the next attempt starts, while waiting for it. */
  nextAttemptAt?: string;
  /** While its execution waits for an operator (`onTriggerOutcomeUnknown: 'ask'`): the trigger in question. */
  question?: CodikaTriggerQuestion;
  /** Once an operator answered about its trigger: who, when, what. */
  answer?: CodikaTriggerAnswer;
  /** Its compensation, once one ran. */
  compensation?: {
    /** Where the compensation is. */
    status: 'running' | 'succeeded' | 'failed';
    /** Codika's id of the compensation's execution. */
    executionId?: string;
    /** Why it failed. */
    error?: string;
  };
}

/** One batch child workflow of a large forEach step. */
export interface CodikaPipelineBatchState {
  /** The child's workflow id: query it with `codikaPipelineState` to see its items live. */
  workflowId: string;
  /** Its first item's index. */
  from: number;
  /** One past its last item's index. */
  to: number;
  /** `done` once it reported its items. */
  status: 'pending' | 'running' | 'done';
  /** Set once the pipeline failed and told the batch to start no more items. */
  stopRequested?: boolean;
  /** ISO time the pipeline next looks whether the batch still runs, while it has not reported. */
  nextCheckAt?: string;
  /**
   * The items it may have in flight: its share of the step's `concurrency`, which the pipeline raises
   * while the batch still starts items and lowers to what it still runs once it starts no more.
   */
  slots?: number;
  /** Set once the batch starts no more items (all started, or it stopped): `slots` is then what it still runs. */
  draining?: boolean;
  /** Set once the batch said one of its items failed (under `onFailure: 'fail'` the step stops). */
  itemFailed?: boolean;
  /** Its attempt: 2 and more when a lost batch runs again under the step's `retry`. */
  attempt?: number;
  /** ISO time a batch run again starts, after the step's `retry` backoff. */
  startsAt?: string;
  /** Set when its results were too large to report (bytes as JSON): the step fails `CodikaResultTooLarge`. */
  resultsTooLarge?: number;
}

/** How many items of a forEach step are where. */
export interface CodikaPipelineItemCounts {
  /** All items. */
  total: number;
  /** Succeeded. */
  done: number;
  /** Started, not ended. */
  running: number;
  /** Failed or cancelled. */
  failed: number;
  /** Not started yet (or never, once the step stopped). */
  left: number;
}

/** The answer an approval step got. */
export interface CodikaPipelineApprovalAnswer {
  /** `true` approved; `false` rejected. */
  approved: boolean;
  /** Who answered; `onTimeout` when the timeout approved it. */
  by: string;
  /** Why, as the person wrote it. */
  comment?: string;
  /** ISO time of the answer. */
  at: string;
}

/** An approval step: what it asks, since when, until when, and its answer. */
export interface CodikaPipelineApprovalState {
  /** The prompt, its templates rendered. */
  prompt: string;
  /** ISO time it started waiting. */
  waitingSince: string;
  /** ISO time its timeout passes, if it has one. */
  deadline?: string;
  /** What the timeout does. */
  onTimeout: 'fail' | 'approve';
  /** Who may answer; anyone when absent. */
  approvers?: string[];
  /** Once answered (or timed out). */
  answer?: CodikaPipelineApprovalAnswer & {
    /** Set when no answer came in time and `onTimeout` approved it. */
    timedOut?: boolean;
  };
}

/** One step as the state query and the result show it: ids, counts, times, no payload. */
export interface CodikaPipelineStepState {
  /** See {@link CodikaPipelineStepStatus}. */
  status: CodikaPipelineStepStatus;
  /** The Codika workflowTemplateId the step triggers; none for an approval step. */
  workflowId?: string;
  /** The process instance it runs in: its own, or the pipeline's; none for an approval step. */
  processInstanceId?: string;
  /** Codika's id of its execution, once triggered. */
  executionId?: string;
  /** Status checks made so far. */
  polls: number;
  /** The last status Codika reported. */
  lastStatus?: string;
  /** ISO time the step started. */
  startedAt?: string;
  /** ISO time the step ended. */
  endedAt?: string;
  /** Why it failed or was skipped. */
  error?: string;
  /** Its compensation, once one ran. */
  compensation?: { status: 'running' | 'succeeded' | 'failed'; executionId?: string; error?: string };
  /**
   * Why a skipped step was skipped: `condition` when its `when` was false or every step that stopped it
   * was skipped by a condition (`runIfSkipped` lets a step run then), `failure` otherwise.
   */
  skippedBy?: 'condition' | 'failure';
  /** ISO time a step with `startAfter` starts (or started). */
  startsAt?: string;
  /** Every execution, when the step retries failed executions. */
  attempts?: CodikaPipelineAttempt[];
  /** ISO time the next attempt starts, while waiting for it. */
  nextAttemptAt?: string;
  /** A forEach step's items, in item order. */
  items?: CodikaPipelineItemState[];
  /** A forEach step's counts. */
  itemCounts?: CodikaPipelineItemCounts;
  /** A large forEach step's batch child workflows. */
  batches?: CodikaPipelineBatchState[];
  /** A batch's forEach step: the items it may have in flight, once its pipeline raised its share. */
  concurrency?: number;
  /** An approval step: what it asks and its answer. */
  approval?: CodikaPipelineApprovalState;
  /** The failure's type, once it failed (`CodikaExecutionFailed`…): a redrive tells a lost trigger from it. */
  failureType?: string;
  /** While its execution waits for an operator (`onTriggerOutcomeUnknown: 'ask'`): the trigger in question. */
  question?: CodikaTriggerQuestion;
  /** Once an operator answered about its trigger: who, when, what. */
  answer?: CodikaTriggerAnswer;
}

/** The pipeline as the `codikaPipelineState` query returns it. */
export interface CodikaPipelineState {
  /** `compensating` while the compensations of succeeded steps run after a failure. */
  phase: 'running' | 'compensating' | 'succeeded' | 'failed' | 'cancelled';
  /** Step ids in an order that respects `dependsOn`. */
  order: string[];
  /** Each step's state, by step id. */
  steps: Record<string, CodikaPipelineStepState>;
  /** Codika executions still running when the pipeline was cancelled. */
  leftRunning: { stepId: string; executionId: string }[];
  /** The failure that stopped the pipeline, once a step failed and `onFailure` did not let it go on. */
  failure?: CodikaPipelineFailure;
}

/** What a pipeline returns: each succeeded step's `resultData`, and every step's final state. */
export interface CodikaPipelineResult {
  /** Each succeeded step's `resultData`, by step id. */
  outputs: Record<string, unknown>;
  /** Every step's final state, by step id. */
  steps: Record<string, CodikaPipelineStepState>;
}
