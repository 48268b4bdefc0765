/**
 * The errors of the workflow-safe layer, and every `ApplicationFailure.type` the library produces.
 *
 * These `type` strings are wire identifiers: they end up in workflow histories and in users'
 * `nonRetryableErrorTypes` and `catch` blocks, so none is ever renamed. Which error becomes which type:
 *
 * | thrown (where)                                   | failure `type`                      |
 * | ------------------------------------------------ | ----------------------------------- |
 * | `CodikaError` (HTTP client), by its `kind`        | `CODIKA_FAILURE_TYPES[kind]`        |
 * | `CodikaValidationError` (here; client, workflows) | `CodikaValidationError`             |
 * | `CodikaCredentialsMissingError` (activities)      | `CodikaCredentialsMissingError`     |
 * | a request timeout that cannot fit (activities)    | `CodikaConfigurationError`          |
 * | a trigger whose outcome is unknown (workflows)    | `CodikaTriggerOutcomeUnknown`       |
 * | Codika said `failed` (workflows)                  | `CodikaExecutionFailed`             |
 * | the step's deadline passed (workflows)            | `CodikaExecutionTimedOut`           |
 * | still pending, `retry` strategy (activities)      | `CodikaExecutionPending` (benign)   |
 * | a pipeline that fails its checks (workflows)      | `CodikaPipelineInvalid`             |
 * | `TemplateError` (pipeline), when a step starts    | `CodikaTemplateError`               |
 * | an approval step answered `approved: false`        | `CodikaApprovalRejected`            |
 * | an approval step unanswered in time (`fail`)       | `CodikaApprovalTimedOut`            |
 * | a step result over 2 MB (forEach)                  | `CodikaResultTooLarge`              |
 * | a forEach step stopped by another step's failure   | `CodikaStepStopped`                 |
 * | a forEach item whose batch ended without a report | `CodikaBatchLost`                   |
 * | a payload breaking its workflow's contract         | `CodikaPayloadInvalid`              |
 * | a `success` result breaking the contract           | `CodikaResultInvalid`               |
 *
 * Outside Temporal, `startCodikaPipeline` throws `CodikaPipelineValidationError` (client) for what the
 * workflow would fail with `CodikaPipelineInvalid`; the CLI's own errors live in `src/cli/errors.ts`.
 */
/** What went wrong talking to Codika; decides whether a retry can help. */
export type CodikaErrorKind =
  'auth' | 'not_found' | 'bad_request' | 'conflict' | 'rate_limited' | 'server' | 'network' | 'timeout' | 'protocol';

/**
 * What a failed trigger says about Codika's side, for deciding whether sending it again is safe:
 * - `not_accepted`: the request provably started nothing (it never left, or Codika refused it:
 *   `408`, `409`, `429`, `503`, and the final refusals `3xx`, `400`, `401`, `403`, `404`, `413`, `422`…);
 * - `outcome_unknown`: it may have reached Codika and started an execution whose answer was lost
 *   (a reset or timeout after sending, `500`, `502`, `504`, any other `5xx`, a `2xx` the client cannot read).
 */
export type CodikaTriggerOutcome = 'not_accepted' | 'outcome_unknown';

/**
 * `ApplicationFailure.type` per kind of Codika HTTP failure. These are wire identifiers: they end
 * up in workflow histories and in users' `nonRetryableErrorTypes`, so never rename one.
 */
export const CODIKA_FAILURE_TYPES: Readonly<Record<CodikaErrorKind, string>> = {
  auth: 'CodikaAuthError',
  not_found: 'CodikaNotFoundError',
  bad_request: 'CodikaBadRequestError',
  conflict: 'CodikaConflictError',
  rate_limited: 'CodikaRateLimitedError',
  server: 'CodikaServerError',
  network: 'CodikaNetworkError',
  timeout: 'CodikaTimeoutError',
  protocol: 'CodikaProtocolError',
};

/**
 * Two settings cannot work together, e.g. the worker's request timeout does not fit the step's
 * `activityTimeout`; the message names both, details carry their values.
 */
export const CODIKA_CONFIGURATION_ERROR = 'CodikaConfigurationError';
/** An input failed validation before any request; details carry `{ field }`. */
export const CODIKA_VALIDATION_FAILURE = 'CodikaValidationError';
/** The worker has no credential for the process instance; details carry `{ processInstanceId }`. */
export const CODIKA_CREDENTIALS_MISSING = 'CodikaCredentialsMissingError';
/**
 * `triggerDelivery: 'at-most-once'` (the default): a trigger may have reached Codika, but no usable
 * answer came back (a `5xx` other than `503`, a reset or timeout after sending, an unreadable `2xx`,
 * a worker that died mid-request), so it is not sent again. Details carry `attempt`, `sentAt`,
 * `idempotencyKey` and what was seen, to look the execution up in Codika.
 */
export const CODIKA_TRIGGER_OUTCOME_UNKNOWN = 'CodikaTriggerOutcomeUnknown';
/** Codika reported the execution `failed`; the message is Codika's, details carry the ids. */
export const CODIKA_EXECUTION_FAILED = 'CodikaExecutionFailed';
/** The execution did not finish before the step's deadline; it may still run in Codika. */
export const CODIKA_EXECUTION_TIMED_OUT = 'CodikaExecutionTimedOut';
/**
 * `retry` strategy: the status check found the execution still running. Benign: it drives the
 * retry loop and is not an error worth an alert.
 */
export const CODIKA_EXECUTION_PENDING = 'CodikaExecutionPending';
/**
 * A polling loop ended its attempt so that its retry is the next status check: under the task
 * queue's rate limits, each check is then a task matching dispatches within them. Benign.
 */
export const CODIKA_CHECK_THROUGH_TASK_QUEUE = 'CodikaCheckThroughTaskQueue';
/** A pipeline definition failed its checks; the message lists every problem, details carry `{ problems }`. */
export const CODIKA_PIPELINE_INVALID = 'CodikaPipelineInvalid';
/** A step's payload template read a value that is not there when the step started. */
export const CODIKA_TEMPLATE_ERROR = 'CodikaTemplateError';
/** A pipeline's approval step was answered with a rejection; details carry `{ stepId, by, at }`. */
export const CODIKA_APPROVAL_REJECTED = 'CodikaApprovalRejected';
/** A pipeline's approval step got no answer within its `timeout` (and `onTimeout` is `fail`). */
export const CODIKA_APPROVAL_TIMED_OUT = 'CodikaApprovalTimedOut';
/**
 * A step stopped because another step failed the pipeline: a forEach step that stopped starting items
 * (details carry its counts), or a step that only waited (a delay, a retry's backoff, an approval).
 */
export const CODIKA_STEP_STOPPED = 'CodikaStepStopped';
/**
 * A forEach item whose batch child workflow ended without reporting it (cancelled, terminated or timed
 * out by hand): its Codika execution may have run. Details carry the batch's workflow id.
 */
export const CODIKA_BATCH_LOST = 'CodikaBatchLost';
/** A pipeline step's result does not fit in one Temporal payload (2 MB); details carry its size. */
export const CODIKA_RESULT_TOO_LARGE = 'CodikaResultTooLarge';
/**
 * A payload breaks the contract registered for its Codika workflow (`defineCodikaWorkflow`): found by
 * the trigger activity before any request, so nothing reached Codika. Details carry
 * `{ workflowId, processInstanceId, problems: [{ path, message }] }`.
 */
export const CODIKA_PAYLOAD_INVALID = 'CodikaPayloadInvalid';
/**
 * Codika said `success`, but its `resultData` breaks the contract registered for the workflow. Details
 * carry `{ workflowId, executionId, problems: [{ path, message }] }`; no result value is in the message.
 */
export const CODIKA_RESULT_INVALID = 'CodikaResultInvalid';

/**
 * Thrown before any request when an input is unusable (an id with `/`, an empty id, a payload
 * that is not an object). `field` names the input; the message says how to fix it.
 */
export class CodikaValidationError extends Error {
  /** Also the failure `type` it becomes in a workflow (`CODIKA_VALIDATION_FAILURE`). */
  override readonly name = 'CodikaValidationError';
  constructor(
    /** The unusable input, e.g. `workflowId` or `baseUrl`. */
    readonly field: string,
    /** What is wrong and how to fix it, without the field name (for callers that report their own path). */
    readonly reason: string,
  ) {
    super(`Invalid ${field}: ${reason}`);
  }
}
