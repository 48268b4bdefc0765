/**
 * The declarative pipeline format: a JSON document of Codika steps joined by `dependsOn`. Pure
 * (zod only): the CLI validates a file with it before starting anything, and the pipeline workflow
 * validates its input with it again before the first trigger.
 */
import { z } from 'zod';
import { CodikaValidationError } from '../shared/errors';
import { utf8Length, validateId } from '../shared/validation';
import { MAX_FAIRNESS_KEY_BYTES } from '../shared/priority';
import { isFlowKey, MAX_CONCURRENCY_LIMIT } from '../shared/flow-control';
import { durationSchema, pollOptionsSchema } from '../shared/poll-options-schema';
import type { CodikaPipelineCondition } from './conditions';
import { ON_TRIGGER_OUTCOME_UNKNOWN, TRIGGER_DELIVERIES } from '../shared/trigger-delivery';
import { validateResultOptions } from '../shared/result-options';

/** Whether a trigger that may have reached Codika is sent again; see `CodikaTriggerDelivery`. */
const triggerDelivery = z.enum(TRIGGER_DELIVERIES);

/** Whether a trigger whose outcome is unknown fails its step or asks an operator; see `CodikaOnTriggerOutcomeUnknown`. */
const onTriggerOutcomeUnknown = z.enum(ON_TRIGGER_OUTCOME_UNKNOWN);

/** A step id: short, and safe inside a Temporal workflow id and a template path. */
const stepId = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_-]{0,63}$/,
    'must start with a letter and hold only letters, digits, "_" and "-" (64 at most)',
  );

/** A Codika id, checked as the client checks it before any request (no `/`, `..`, control characters…). */
const codikaId = z.string().superRefine((value, ctx) => {
  try {
    validateId('id', value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof CodikaValidationError ? err.reason : String(err) });
  }
});

/** Any JSON value (one definition in the JSON Schema, however many fields use it). */
const jsonValue = z.json().meta({ id: 'jsonValue' });

/**
 * A payload template: a JSON object whose values may hold `{"$ref": "<path>"}` (replaced by the
 * value at that path) and `${<path>}` inside strings (replaced by its text); see `templates.ts`.
 */
const template = z.record(z.string(), jsonValue);

/** Where a step's executions stand in a backlog: Temporal's task priority and fairness (`CodikaPriority`). */
const prioritySchema = z
  .object({
    /** 1 goes first; the server's default is 3 of 1–5. */
    priorityKey: z.number().int().min(1).optional(),
    /** Backlogged tasks are shared between keys by weight. At most 64 bytes. @default the processInstanceId */
    fairnessKey: z
      .string()
      .min(1)
      .refine((key) => utf8Length(key) <= MAX_FAIRNESS_KEY_BYTES, `at most ${MAX_FAIRNESS_KEY_BYTES} bytes`)
      .optional(),
    /** This key's share against the others'. @default 1 */
    fairnessWeight: z.number().min(0.001).max(1000).optional(),
  })
  .strict();

/**
 * At most `limit` Codika executions of `key` at once, across every worker and workflow
 * (`CodikaConcurrency`); not `forEach.concurrency`, which bounds one step's items in flight.
 */
const concurrencySchema = z
  .object({
    /** The executions that share the limit. @default the step's processInstanceId */
    key: z.string().min(1).max(200).refine(isFlowKey, 'no control characters').optional(),
    /** How many may run between trigger and final status at once. */
    limit: z.number().int().min(1).max(MAX_CONCURRENCY_LIMIT),
  })
  .strict();

/**
 * What of a step's `success` result may enter history (`CodikaResultOptions`): the shape for editors,
 * the rules the worker applies (JSON pointers, a positive byte count) checked by the same function.
 */
const resultOptionsSchema = z
  .object({
    /** RFC 6901 JSON pointers: only these parts of `resultData` are kept, in their place. */
    select: z.array(z.string()).optional(),
    /** Largest `resultData` (JSON bytes, after `select`) that may enter history. @default 1500000 */
    maxBytes: z.number().int().positive().optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    try {
      validateResultOptions(value, 'result');
    } catch (err) {
      if (!(err instanceof CodikaValidationError)) throw err;
      // `result.select[1]` → path ['select', 1], so the problem names the field as the schema's own do.
      const path = err.field
        .replace(/^result\.?/, '')
        .split(/[.[\]]/)
        .filter(Boolean)
        .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
      ctx.addIssue({ code: 'custom', path, message: err.reason });
    }
  });

/** The Codika execution that undoes a step, run when a later step fails (saga). */
export const compensationSchema = z
  .object({
    /** The Codika workflowTemplateId to trigger. */
    workflowId: codikaId,
    /** @default the step's `processInstanceId` */
    processInstanceId: codikaId.optional(),
    /** A payload template, like a step's; it may read the same paths. @default {} */
    payload: template.optional(),
    /** @default the step's `triggerDelivery` */
    triggerDelivery: triggerDelivery.optional(),
  })
  .strict();

/**
 * A `when` condition (see `conditions.ts`). The schema gives editors the shape; `checkPipeline`
 * checks conditions with its own messages, which name the operator and the operand at fault.
 */
const operand = jsonValue;
const pair = z.tuple([operand, operand]);
export const conditionSchema: z.ZodType<CodikaPipelineCondition> = z
  .lazy(() =>
    z.union([
      z.boolean(),
      z.object({ $ref: z.string() }).strict(),
      z.object({ equals: pair }).strict(),
      z.object({ notEquals: pair }).strict(),
      z.object({ in: pair }).strict(),
      z.object({ greaterThan: pair }).strict(),
      z.object({ lessThan: pair }).strict(),
      z.object({ and: z.array(conditionSchema).min(1) }).strict(),
      z.object({ or: z.array(conditionSchema).min(1) }).strict(),
      z.object({ not: conditionSchema }).strict(),
      z.object({ exists: z.string() }).strict(),
    ]),
  )
  .meta({
    id: 'condition',
    description:
      'A condition: {"$ref": path}, true/false, or one operator of equals, notEquals, in, greaterThan, lessThan, and, or, not, exists',
  }) as z.ZodType<CodikaPipelineCondition>;

/** What every kind of step has: its id, what it waits for, whether and when it starts, what its failure does. */
const stepBase = {
  /** Unique in the pipeline: `dependsOn`, templates (`steps.<id>.resultData`) and the results name the step by it. */
  id: stepId,
  /** Steps that must succeed before this one starts. @default [] */
  dependsOn: z.array(z.string()).optional(),
  /**
   * Runs the step only when this holds once its dependencies are done; otherwise it is `skipped`, and so are
   * the steps that depend on it (unless they set `runIfSkipped`). Reads what templates read.
   */
  when: conditionSchema.optional(),
  /**
   * Starts this step even when a step it depends on was skipped by a condition (never when one failed).
   * @default false
   */
  runIfSkipped: z.boolean().optional(),
  /** Waits this long (a durable timer) once the step may start, before it does. */
  startAfter: durationSchema.optional(),
  /** What a failure of this step does: fail the pipeline, or let independent steps go on. @default 'fail' */
  onFailure: z.enum(['fail', 'continue']).optional(),
};

/** Retries of a Codika execution that reports `failed`: each attempt is a new execution, with its side effects. */
export const executionRetrySchema = z
  .object({
    /** Executions in all, the first included (2 or more to retry at all). */
    maximumAttempts: z.number().int().min(1).max(100),
    /** Wait before the second attempt. @default '30 seconds' */
    initialInterval: durationSchema.optional(),
    /** Each wait is the previous one times this. @default 2 */
    backoffCoefficient: z.number().min(1).optional(),
    /** Longest wait between two attempts. @default 100 × initialInterval */
    maximumInterval: durationSchema.optional(),
  })
  .strict();

/** Runs the step once per item of an array, at most `concurrency` at a time. */
export const forEachSchema = z
  .object({
    /** The items: `{"$ref": "<path>"}` to an array (of the input or of an upstream result), or an array. */
    items: z.union([
      z
        .object({
          /** A path to an array: `input.<…>` or `steps.<id>.resultData.<…>` of a step upstream. */
          $ref: z.string(),
        })
        .strict(),
      z.array(jsonValue),
    ]),
    /** Items in flight at once (each a Codika execution). @default 10 */
    concurrency: z.number().int().min(1).max(100).optional(),
    /**
     * Items per batch child workflow: a forEach of more items runs them in batches, each a child
     * workflow with a history of its own (docs/pipelines.md); fewer when their payloads are large. @default 200
     */
    batchSize: z.number().int().min(1).max(200).optional(),
  })
  .strict();

/** A step that runs a Codika execution (or one per item, with `forEach`). */
export const executionStepSchema = z
  .object({
    ...stepBase,
    /** The Codika workflowTemplateId to trigger. */
    workflowId: codikaId,
    /** @default the pipeline's `processInstanceId` */
    processInstanceId: codikaId.optional(),
    /**
     * Input of the Codika workflow: a template whose `{"$ref": "<path>"}` values and `${<path>}` strings read
     * `input.…` or `steps.<id>.resultData` / `steps.<id>.executionId` of a step upstream (and `item`, `index`
     * with `forEach`). @default {}
     */
    payload: template.optional(),
    /** @default the pipeline's `triggerDelivery` */
    triggerDelivery: triggerDelivery.optional(),
    /** Overrides the pipeline's poll options for this step (merged key by key). */
    poll: pollOptionsSchema.optional(),
    /** What undoes this step once it succeeded (once per succeeded item with `forEach`), run when a later step fails the pipeline. */
    compensate: compensationSchema.optional(),
    /** Runs the execution again when Codika reports it `failed` (opt-in: each attempt repeats its side effects). */
    retry: executionRetrySchema.optional(),
    /** Runs the execution once per item; the step's `resultData` is the array of the items' results, in item order. */
    forEach: forEachSchema.optional(),
    /** Overrides the pipeline's priority for this step's executions (merged field by field). */
    priority: prioritySchema.optional(),
    /** Overrides the pipeline's `concurrency` for this step's executions (forEach items included). */
    concurrency: concurrencySchema.optional(),
    /**
     * Attach to an execution already running in Codika: the step polls it to its end and triggers
     * nothing (no `payload`, `forEach` or `retry`).
     */
    executionId: codikaId.optional(),
    /** What of the step's `success` result may enter history: `select` (JSON pointers) and `maxBytes`. */
    result: resultOptionsSchema.optional(),
    /** @default the pipeline's `onTriggerOutcomeUnknown` */
    onTriggerOutcomeUnknown: onTriggerOutcomeUnknown.optional(),
    /** @default the pipeline's `operatorTimeout` */
    operatorTimeout: durationSchema.optional(),
  })
  .strict();

/** Waits for a person's answer, given through the `codikaPipelineApprove` update (`pipeline approve` in the CLI). */
export const approvalSchema = z
  .object({
    /** What the person is asked; a template string (`${input.orderId}`), shown in the state and the UI. */
    prompt: z.string().min(1),
    /** How long to wait for an answer. @default no limit */
    timeout: durationSchema.optional(),
    /** What happens when the timeout passes unanswered. @default 'fail' */
    onTimeout: z.enum(['fail', 'approve']).optional(),
    /**
     * Who may answer (compared with the answer's `by`), shown with what waits; anyone when absent.
     * A check against typos and mix-ups, not authentication: Temporal's own access control says who may send updates.
     */
    approvers: z.array(z.string().trim().min(1).max(200)).min(1).optional(),
  })
  .strict();

/** A step that waits for a person: no Codika call. Its `resultData` is `{ approved, by, comment, at }`. */
export const approvalStepSchema = z
  .object({
    ...stepBase,
    /** What to ask, how long to wait, and what no answer does. */
    approval: approvalSchema,
  })
  .strict();

/** One step, of one of the kinds: a Codika execution (`workflowId`), or an approval (`approval`). */
export const pipelineStepSchema = z.union([executionStepSchema, approvalStepSchema]);

export const pipelineSchema = z
  .object({
    /** Where editors find this format's JSON Schema; ignored by the pipeline. */
    $schema: z.string().optional(),
    /** A name for people (UI, CLI); not used to identify anything. */
    name: z.string().min(1).optional(),
    /** Free text for people; not used by the pipeline. */
    description: z.string().optional(),
    /** The process instance of every step without its own. */
    processInstanceId: codikaId.optional(),
    /** What a trigger whose outcome is unknown does, for every step without its own. @default 'at-most-once' */
    triggerDelivery: triggerDelivery.optional(),
    /**
     * Under `at-most-once`, whether a trigger whose outcome is unknown fails its step or waits for an
     * operator's answer (`codikaResolveTrigger`, `codika-temporal resolve`), for every step without its own. @default 'fail'
     */
    onTriggerOutcomeUnknown: onTriggerOutcomeUnknown.optional(),
    /** How long a step that asks waits for an operator, then fails, for every step without its own. @default '1 day' */
    operatorTimeout: durationSchema.optional(),
    /** Poll options of every step; a step's own `poll` overrides them key by key. */
    poll: pollOptionsSchema.optional(),
    /**
     * The run's priority, which its steps inherit: the client helpers start the workflow with it (its
     * fairness key defaulting to the pipeline's `processInstanceId`).
     */
    priority: prioritySchema.optional(),
    /**
     * A limit on the Codika executions of every step at once, across workers and workflows, per key
     * (default: the step's processInstanceId); a step's own `concurrency` replaces it.
     */
    concurrency: concurrencySchema.optional(),
    /** At least one; each starts once every step in its `dependsOn` succeeded. */
    steps: z.array(pipelineStepSchema).min(1, 'a pipeline needs at least one step'),
  })
  .strict();

/**
 * A pipeline file: Codika steps joined by `dependsOn`, and options every step shares. Check one with
 * {@link checkPipeline}; its JSON Schema is {@link pipelineJsonSchema}.
 *
 * @interface
 */
export type CodikaPipelineDefinition = z.infer<typeof pipelineSchema>;
/** One step of a pipeline, of either kind. */
export type CodikaPipelineStep = CodikaPipelineExecutionStep | CodikaPipelineApprovalStep;
/**
 * A step that runs a Codika execution (one per item with `forEach`): the steps it waits for, whether it
 * runs, and what its failure does.
 *
 * @interface
 */
export type CodikaPipelineExecutionStep = z.infer<typeof executionStepSchema>;
/**
 * A step that waits for a person's answer.
 *
 * @interface
 */
export type CodikaPipelineApprovalStep = z.infer<typeof approvalStepSchema>;

/**
 * The Codika execution that undoes a step, run when a later step fails (saga).
 *
 * @interface
 */
export type CodikaPipelineCompensation = z.infer<typeof compensationSchema>;
