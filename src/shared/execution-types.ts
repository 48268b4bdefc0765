/** The public types of one Codika execution run as a Temporal step: what you pass, what you get back, what the state query shows. */
import type { Duration } from './durations';
import type { CodikaPriority } from './priority';
import type { CodikaConcurrency } from './flow-control';
import type { CodikaResultOptions } from './result-options';
import type { CodikaTriggerDelivery, ON_TRIGGER_OUTCOME_UNKNOWN } from './trigger-delivery';

/** One Codika execution to run: what a workflow passes, never a credential. */
export interface CodikaExecutionInput {
  /** The Codika process instance; the worker picks its API key. */
  processInstanceId: string;
  /**
   * The Codika workflow to trigger (its workflowTemplateId, the second part of the trigger URL), e.g.
   * `http-direct-messaging`. Not a Temporal workflow id: that one is an option of the start.
   */
  workflowId: string;
  /** Input fields for the Codika workflow. @default {} */
  payload?: Record<string, unknown>;
  /** Whether a trigger whose outcome is unknown is sent again. @default 'at-most-once' */
  triggerDelivery?: CodikaTriggerDelivery;
  /**
   * Where the execution stands in a backlog (task priority and fairness). The client helpers give it
   * to the workflow they start; the step gives it to its activities. @default inherited from the
   * workflow; the fairness key defaults to `processInstanceId`
   */
  priority?: CodikaPriority;
  /**
   * At most `limit` Codika executions of `key` between trigger and final status at once, across every
   * worker and workflow; a step over the limit waits its turn before triggering (phase
   * `waiting_for_permit`), and its deadline starts once it has its permit. @default no limit; the key
   * defaults to `processInstanceId`
   */
  concurrency?: CodikaConcurrency;
  /**
   * Attach to an execution that is already running in Codika (started elsewhere, or found by its
   * `Idempotency-Key` after a trigger whose answer was lost): the step polls it to its end and
   * triggers nothing. A payload is then refused: it would never be sent.
   */
  executionId?: string;
  /**
   * What of a `success` result may enter history: `select` keeps only the parts named by JSON
   * pointers, and a result over `maxBytes` fails `CodikaResultTooLarge`. Both apply on the worker,
   * in the status activity, before the result reaches the workflow.
   */
  result?: CodikaResultOptions;
  /**
   * What an `at-most-once` trigger whose outcome is unknown does: `fail` with
   * `CodikaTriggerOutcomeUnknown`, or `ask` an operator (the `codikaResolveTrigger` update, the CLI's
   * `resolve`) whether Codika started it, and wait for the answer. @default 'fail'
   */
  onTriggerOutcomeUnknown?: CodikaOnTriggerOutcomeUnknown;
  /**
   * How long `ask` waits for an operator, then fails as `fail` would. Once an operator answers, the
   * step's `poll.deadline` starts again (the wait is not the execution's). @default '1 day'
   */
  operatorTimeout?: Duration;
}

/** See {@link CodikaExecutionInput.onTriggerOutcomeUnknown}. */
export type CodikaOnTriggerOutcomeUnknown = (typeof ON_TRIGGER_OUTCOME_UNKNOWN)[number];

/** Who answers a step waiting for an operator, and what: see `codikaResolveTrigger`. */
export type CodikaTriggerResolution = 'started' | 'not-started' | 'abandon';

/** What a step waiting for an operator asks: the trigger attempt whose outcome is unknown. */
export interface CodikaTriggerQuestion {
  /** The `Idempotency-Key` the attempt carried: look for the execution with it in Codika. */
  idempotencyKey: string;
  /** ISO time the request went out (or, when the worker could not say, was scheduled). */
  sentAt: string;
  /** The attempt's number. */
  attempt: number;
  /** What the attempt saw (a 502, a timeout…). */
  seen: string;
  /** ISO time the step started waiting. */
  askedAt: string;
  /** ISO time the step stops waiting and fails. */
  timeoutAt: string;
}

/** The answer a step waiting for an operator got, kept in its state (and the update in history). */
export interface CodikaTriggerAnswer {
  /** `started`: the step polls `executionId`; `not-started`: it triggers again with the same key; `abandon`: it fails. */
  resolution: CodikaTriggerResolution;
  /** With `started`: the execution Codika started. */
  executionId?: string;
  /** Who answered. */
  by: string;
  /** ISO time of the answer. */
  at: string;
}

/** The `codikaResolveTrigger` update's argument. */
export interface CodikaResolveTriggerRequest {
  /** See {@link CodikaTriggerResolution}. */
  resolution: CodikaTriggerResolution;
  /** Required with `started`; refused otherwise. */
  executionId?: string;
  /** Who answers (a name people recognise); kept in history and in the step's state. */
  by: string;
  /** A pipeline's step; needed when more than one step waits. */
  step?: string;
  /** A forEach item's index; needed when more than one item of the step waits. */
  item?: number;
}

/**
 * An input the step engine checked: the four fields every step has are set; the others stay
 * optional and absent unless given, so an input that does not use them checks to the same object
 * (and the same activity inputs in history) as before they existed.
 */
export type CheckedExecutionInput = Required<
  Pick<CodikaExecutionInput, 'processInstanceId' | 'workflowId' | 'payload' | 'triggerDelivery'>
> &
  Pick<
    CodikaExecutionInput,
    'priority' | 'concurrency' | 'executionId' | 'result' | 'onTriggerOutcomeUnknown' | 'operatorTimeout'
  >;

/** What a successful step returns. */
export interface CodikaExecutionResult<T = unknown> {
  /** Codika's id of the execution. */
  executionId: string;
  /** Codika's `execution.resultData`. */
  resultData: T;
  /** Status checks made, across continue-as-new. */
  polls: number;
  /** ISO time the step started (before the trigger). */
  startedAt: string;
  /** ISO time Codika was seen reporting success. */
  completedAt: string;
}

/** Where a step is. */
export type CodikaExecutionPhase =
  'waiting_for_permit' | 'triggering' | 'awaiting_operator' | 'polling' | 'succeeded' | 'failed' | 'timed_out';

/** The live state of a step, as the `codikaExecutionState` query returns it. No payload, no result, no secret. */
export interface CodikaExecutionState {
  /** What the step is doing, or how it ended. */
  phase: CodikaExecutionPhase;
  /** The Codika process instance. */
  processInstanceId: string;
  /** The Codika workflowTemplateId. */
  workflowId: string;
  /** Codika's id of the execution, once the trigger was accepted. */
  executionId?: string;
  /** Status checks made, across continue-as-new. */
  polls: number;
  /** The last status Codika reported (an unknown value is shown as reported). */
  lastStatus?: string;
  /** ISO time of the next status check while polling. */
  nextPollAt?: string;
  /** The wait between status checks that backoff has reached (`timer` strategy): a continued run goes on from it. */
  nextIntervalMs?: number;
  /** ISO time `auto` moves from its one-second checks to retries backing off; set once its first phase starts. */
  autoPhaseEndsAt?: string;
  /** Set while a trigger Codika refused for now (`503`, `429`) waits to be sent again: a continued run goes on from it. */
  triggerWait?: CodikaTriggerWait;
  /** ISO time the step started (before the trigger). */
  startedAt: string;
  /** ISO time the step gives up with `CodikaExecutionTimedOut`. */
  deadlineAt: string;
  /** ISO time Codika accepted the trigger (or the step attached): the status `404` grace counts from it. */
  acceptedAt?: string;
  /** While `awaiting_operator`: the trigger whose outcome is unknown, and until when the step waits. */
  question?: CodikaTriggerQuestion;
  /** Once an operator answered: who, when, what. */
  answer?: CodikaTriggerAnswer;
  /** With `concurrency`: the key's permits in use and its limit, this step's place in line while it waits. */
  permit?: CodikaPermitView;
}

/** A step's permit under `concurrency`, as its state shows it. */
export interface CodikaPermitView {
  /** The key (the process instance unless `concurrency.key` names another). */
  key: string;
  /** The key's limit when the step last asked. */
  limit: number;
  /** Permits of the key in use when the step last asked. */
  inUse: number;
  /** 1 for the next in line, while the step waits. */
  position?: number;
  /** True from the grant until the step gives it back. */
  held: boolean;
}

/** A trigger that Codika refused for now, waiting to be sent again. */
export interface CodikaTriggerWait {
  /** ISO time of the next attempt. */
  nextAttemptAt: string;
  /** The number of the next attempt (2 for the first one sent again). */
  attempt: number;
  /** The wait after the next refusal (without `Retry-After`), before it doubles again. */
  backoffMs: number;
  /** The `Idempotency-Key` every attempt of this trigger carries. */
  idempotencyKey: string;
}

/**
 * What a continued run carries forward for a trigger waiting to be sent again: the same key, the
 * same attempt count and backoff, only what is left of the wait, the same deadline.
 */
export interface CodikaTriggerProgress {
  /** The `Idempotency-Key` of every attempt so far. */
  idempotencyKey: string;
  /** The number of the next attempt. */
  attempt: number;
  /** The wait after the next refusal (without `Retry-After`). */
  backoffMs: number;
  /** When the next attempt is due, in epoch milliseconds. */
  nextAttemptAtMs: number;
  /** When the step started, in epoch milliseconds. */
  startedAtMs: number;
  /** When the step gives up, in epoch milliseconds. */
  deadlineAtMs: number;
}

/** Where a continued run resumes a step: polling its execution, or waiting to send its trigger again. */
export type CodikaStepResume = CodikaStepProgress | CodikaTriggerProgress;

/** What a continued run carries forward so polling resumes where it stopped, never re-triggering. */
export interface CodikaStepProgress {
  /** Codika's id of the execution being polled. */
  executionId: string;
  /** Status checks made so far. */
  polls: number;
  /** When the step started, in epoch milliseconds. */
  startedAtMs: number;
  /** When the step gives up, in epoch milliseconds. */
  deadlineAtMs: number;
  /** The wait before the next status check. */
  nextIntervalMs: number;
  /**
   * When the next status check is due, in epoch milliseconds (`timer` strategy): the continued run
   * waits only what is left of `nextIntervalMs`, then backs off from it.
   */
  nextPollAtMs?: number;
  /**
   * When `auto`'s first phase (checks every second) ends, in epoch milliseconds: a continued run goes
   * on with what is left of it, or with the retries once it is over, instead of starting it again.
   */
  autoPhaseEndsAtMs?: number;
  /** The last status Codika reported, so the state query still shows it after continuing. */
  lastStatus?: string;
  /** A `codikaPollNow` arrived after the last check: the continued run checks at once. */
  pollNowRequested?: boolean;
  /**
   * When Codika accepted the trigger (or the step attached), in epoch milliseconds: a status `404`
   * within `poll.notFoundGrace` of it counts as not visible yet. Absent in runs recorded before the grace.
   */
  acceptedAtMs?: number;
}
