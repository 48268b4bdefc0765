/**
 * Typed contracts of Codika workflows: the shape of a workflow's payload and of its `resultData`, in
 * any Standard Schema library (zod 4, valibot 1, arktype 2…). Workflow code imports a contract for its
 * types and its workflowId only; the schemas run on the worker, in the activities, where a contract
 * may change without any recorded history failing on replay (docs/contracts.md).
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { CodikaValidationError } from './errors';
import { validateId } from './validation';

/** What marks an object as a contract (a plain object crosses module and bundle boundaries; a class would not). */
const CONTRACT_MARK = '~codikaContract';

/**
 * One Codika workflow's contract: its id, the schema of its payload and the schema of its result.
 * `Payload` is what callers pass (the schema's input type); `Result` what the step returns.
 */
export interface CodikaWorkflowContract<Payload = Record<string, unknown>, Result = unknown> {
  /** Marks the object as a contract. */
  readonly [CONTRACT_MARK]: 1;
  /** The Codika workflowTemplateId. */
  readonly workflowId: string;
  /** Checks the payload before the trigger; what it returns is what Codika receives. */
  readonly input: StandardSchemaV1<Payload, unknown>;
  /** Checks `resultData` when Codika says `success`; what it returns is the step's `resultData`. */
  readonly result: StandardSchemaV1<unknown, Result>;
}

/**
 * Any contract, whatever its types: what the step helper and the activities accept. (`any`, because a
 * contract's payload type sits in both an input and an output position of its schema.)
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCodikaWorkflowContract = CodikaWorkflowContract<any, unknown>;

/** The payload type a contract takes. */
export type CodikaPayloadOf<C> = C extends CodikaWorkflowContract<infer P, unknown> ? P : never;
/** The `resultData` type a contract gives. */
export type CodikaResultOf<C> = C extends CodikaWorkflowContract<Record<string, unknown>, infer R> ? R : never;

/**
 * Declares the contract of the Codika workflow `workflowId`. Register it on the worker
 * (`createCodikaActivities({ contracts })`, `CODIKA_CONTRACTS_MODULE`) so the activities check
 * payloads and results; import it in workflow code to get the types
 * (`runCodikaExecution(contract, { processInstanceId, payload })`).
 *
 * @throws CodikaValidationError when the id is unusable or a schema is not a Standard Schema.
 */
export function defineCodikaWorkflow<
  Input extends StandardSchemaV1<Record<string, unknown>, unknown>,
  Result extends StandardSchemaV1,
>(
  workflowId: string,
  schemas: { input: Input; result: Result },
): CodikaWorkflowContract<StandardSchemaV1.InferInput<Input>, StandardSchemaV1.InferOutput<Result>> {
  const id = validateId('workflowId', workflowId);
  for (const key of ['input', 'result'] as const) {
    const standard = (schemas?.[key] as Partial<StandardSchemaV1> | undefined)?.['~standard'];
    if (typeof standard?.validate !== 'function') {
      throw new CodikaValidationError(
        `${id}.${key}`,
        'expected a Standard Schema (zod 4, valibot 1, arktype 2 or any library that implements standardschema.dev)',
      );
    }
  }
  return {
    [CONTRACT_MARK]: 1,
    workflowId: id,
    input: schemas.input as StandardSchemaV1<StandardSchemaV1.InferInput<Input>, unknown>,
    result: schemas.result as StandardSchemaV1<unknown, StandardSchemaV1.InferOutput<Result>>,
  };
}

/** Whether `value` is a contract made by {@link defineCodikaWorkflow}. */
export function isCodikaWorkflowContract(value: unknown): value is AnyCodikaWorkflowContract {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[CONTRACT_MARK] === 1;
}

/** One thing a schema found wrong: where (`phone`, `items[2].sku`, or `(root)`) and what. */
export interface CodikaContractProblem {
  /** Where in the payload or result, e.g. `items[2].sku`; `(root)` for the value itself. */
  path: string;
  /** What the schema said, as its library words it. */
  message: string;
}

/** The problems of a failed validation, paths written as in templates (`a.b[2]`). */
export function contractProblems(issues: readonly StandardSchemaV1.Issue[]): CodikaContractProblem[] {
  return issues.map((issue) => ({ path: issuePath(issue), message: issue.message }));
}

function issuePath(issue: StandardSchemaV1.Issue): string {
  let path = '';
  for (const segment of issue.path ?? []) {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
    if (typeof key === 'number') path += `[${key}]`;
    else path += path ? `.${String(key)}` : String(key);
  }
  return path || '(root)';
}
