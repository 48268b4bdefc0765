/**
 * The declarative pipeline format: a JSON document of Codika steps joined by `dependsOn`. Pure
 * (zod only): the CLI validates a file with it before starting anything, and the pipeline workflow
 * validates its input with it again before the first trigger.
 */
import { z } from 'zod';
import { CodikaValidationError } from '../shared/errors';
import { validateId } from '../shared/validation';
import { pollOptionsSchema } from '../shared/poll-options-schema';
import { TRIGGER_DELIVERIES } from '../shared/trigger-delivery';

/** Whether a trigger that may have reached Codika is sent again; see `CodikaTriggerDelivery`. */
const triggerDelivery = z.enum(TRIGGER_DELIVERIES);

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

/**
 * A payload template: a JSON object whose values may hold `{"$ref": "<path>"}` (replaced by the
 * value at that path) and `${<path>}` inside strings (replaced by its text); see `templates.ts`.
 */
const template = z.record(z.string(), z.json());

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

export const pipelineStepSchema = z
  .object({
    /** Unique in the pipeline: `dependsOn`, templates (`steps.<id>.resultData`) and the results name the step by it. */
    id: stepId,
    /** The Codika workflowTemplateId to trigger. */
    workflowId: codikaId,
    /** @default the pipeline's `processInstanceId` */
    processInstanceId: codikaId.optional(),
    /**
     * Input of the Codika workflow: a template whose `{"$ref": "<path>"}` values and `${<path>}` strings read
     * `input.…` or `steps.<id>.resultData` / `steps.<id>.executionId` of a step upstream. @default {}
     */
    payload: template.optional(),
    /** Steps that must succeed before this one starts. @default [] */
    dependsOn: z.array(z.string()).optional(),
    /** @default the pipeline's `triggerDelivery` */
    triggerDelivery: triggerDelivery.optional(),
    /** Overrides the pipeline's poll options for this step (merged key by key). */
    poll: pollOptionsSchema.optional(),
    /** What a failure of this step does: fail the pipeline, or let independent steps go on. @default 'fail' */
    onFailure: z.enum(['fail', 'continue']).optional(),
    /** What undoes this step once it succeeded, run when a later step fails the pipeline. */
    compensate: compensationSchema.optional(),
  })
  .strict();

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
    /** Poll options of every step; a step's own `poll` overrides them key by key. */
    poll: pollOptionsSchema.optional(),
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
/**
 * One step of a pipeline: a Codika execution, the steps it waits for, and what its failure does.
 *
 * @interface
 */
export type CodikaPipelineStep = z.infer<typeof pipelineStepSchema>;
/**
 * The Codika execution that undoes a step, run when a later step fails (saga).
 *
 * @interface
 */
export type CodikaPipelineCompensation = z.infer<typeof compensationSchema>;
