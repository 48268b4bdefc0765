/**
 * Every failure `type` the library raises, with when it happens and whether it is retried: the one
 * source of the failure tables in README.md and docs/faults.md (`npm run reference` writes both;
 * test/unit/docs/failure-table.test.ts fails when a type in `./errors` has no row here, or a table
 * differs from what this writes). Data only, since this folder is bundled into workflows.
 *
 * Cells are Markdown. Links are written from the repository root (`docs/polling.md`); the generator
 * rewrites them for the file each table sits in.
 */
import {
  CODIKA_APPROVAL_REJECTED,
  CODIKA_APPROVAL_TIMED_OUT,
  CODIKA_BATCH_LOST,
  CODIKA_CHECK_THROUGH_TASK_QUEUE,
  CODIKA_CONFIGURATION_ERROR,
  CODIKA_CREDENTIALS_MISSING,
  CODIKA_EXECUTION_FAILED,
  CODIKA_EXECUTION_PENDING,
  CODIKA_EXECUTION_TIMED_OUT,
  CODIKA_FAILURE_TYPES,
  CODIKA_PAYLOAD_INVALID,
  CODIKA_PIPELINE_INVALID,
  CODIKA_RESULT_INVALID,
  CODIKA_RESULT_TOO_LARGE,
  CODIKA_STEP_STOPPED,
  CODIKA_TEMPLATE_ERROR,
  CODIKA_TRIGGER_OUTCOME_UNKNOWN,
  CODIKA_VALIDATION_FAILURE,
} from './errors';

/** One row of the failure tables: failure types that share a cause and a retry behaviour. */
export interface FailureCatalogRow {
  /** The `ApplicationFailure.type`s of the row, constants of `./errors` (wire identifiers). */
  readonly types: readonly string[];
  /** When it happens, in a line: the README's column. */
  readonly when: string;
  /** When it happens, with its edge cases and the fields of its details: docs/faults.md's column. */
  readonly detail: string;
  /** Whether a retry follows, and of which call. */
  readonly retried: string;
  /**
   * Drives a retry loop and never reaches your workflow, so nobody matches on it: docs/faults.md lists
   * it (it shows in the UI's pending activities), the README does not.
   */
  readonly benign?: true;
}

/**
 * The failure types the library raises, one row per cause, in the order the tables show them: the
 * step's own outcomes, what the worker refuses (input, settings, contracts, sizes), Codika's HTTP
 * failures, a pipeline's own, then the benign ones.
 */
export const FAILURE_CATALOG: readonly FailureCatalogRow[] = [
  {
    types: [CODIKA_EXECUTION_FAILED],
    when: "Codika reported `failed`; the details carry Codika's message (`codikaMessage`) and the `executionId`",
    detail:
      "Codika reported `failed`. The message includes Codika's `errorDetails.message`; the details carry it verbatim (`codikaMessage`) with the `executionId`.",
    retried: 'no',
  },
  {
    types: [CODIKA_EXECUTION_TIMED_OUT],
    when: "the step's `deadline` passed; the execution may still be running in Codika",
    detail:
      'the deadline passed, including while calls were still being retried, or a `Retry-After` asked for a wait longer than the time left. The execution may still be running in Codika.',
    retried: 'no',
  },
  {
    types: [CODIKA_TRIGGER_OUTCOME_UNKNOWN],
    when: "`at-most-once` (the default): a trigger may have started an execution, but no usable answer came back (or ask an operator: `onTriggerOutcomeUnknown: 'ask'`)",
    detail:
      "`at-most-once` (the default): a trigger may have started an execution but no usable answer came back. Details: `attempt`, `sentAt`, `idempotencyKey`, `seen`. With `onTriggerOutcomeUnknown: 'ask'`, only once an operator abandons it (`answer`) or none answers within `operatorTimeout` (`operatorTimedOut`) ([docs/trigger-delivery.md](docs/trigger-delivery.md))",
    retried: 'no',
  },
  {
    types: [CODIKA_VALIDATION_FAILURE],
    when: 'bad input or options, caught before any request; the details name the `field`',
    detail: 'bad input or options, caught before any request. Details name the `field`.',
    retried: 'no',
  },
  {
    types: [CODIKA_CREDENTIALS_MISSING],
    when: 'the worker has no key for this `processInstanceId`',
    detail: 'the worker has no key for this `processInstanceId`; the details carry it',
    retried: 'no',
  },
  {
    types: [CODIKA_CONFIGURATION_ERROR],
    when: "the worker's request timeout does not fit the call's `poll.activityTimeout`",
    detail:
      "the worker's request timeout (`CODIKA_REQUEST_TIMEOUT_MS`) does not fit the call's `poll.activityTimeout` (it must be at least 1 s shorter); the message names both settings, the details carry their values",
    retried: 'no',
  },
  {
    types: [CODIKA_PAYLOAD_INVALID, CODIKA_RESULT_INVALID],
    when: "a payload breaks its workflow's contract (nothing is sent); a `success` result breaks it ([docs/contracts.md](docs/contracts.md))",
    detail:
      '`CodikaPayloadInvalid`: the payload breaks the contract registered on the worker for its Codika workflow ([docs/contracts.md](docs/contracts.md)), found before any request: nothing reached Codika. Details: `workflowId`, `processInstanceId`, `problems` (a path and a message each). `CodikaResultInvalid`: Codika said `success` (the execution ran), but its `resultData` breaks the contract. Details: `workflowId`, `executionId`, `problems`; the message holds no result value',
    retried: 'no',
  },
  {
    types: [CODIKA_RESULT_TOO_LARGE],
    when: "a result over `result.maxBytes` (1.5 MB; keep a part with `result.select`), or a forEach step's results or a pipeline's outputs over 2 MB",
    detail:
      "a `success` result over `result.maxBytes` (1,500,000 bytes by default; `result.select` keeps a part), found in the status activity before it reaches history (details: `executionId`, `workflowId`, `sizeBytes`, `limitBytes`); or a forEach step's results, a batch's report or a pipeline's outputs take more than Temporal's 2 MB payload limit (a run would be stuck; details: `bytes`, `limitBytes`); a pipeline fails and its saga runs",
    retried: 'no',
  },
  {
    types: [CODIKA_FAILURE_TYPES.auth, CODIKA_FAILURE_TYPES.not_found, CODIKA_FAILURE_TYPES.bad_request],
    when: '401/403, 404 (a status check: past `poll.notFoundGrace`, 2 min after acceptance), other 4xx',
    detail:
      '401/403, 404, other 4xx (and redirects, which are never followed); a status 404 only past `poll.notFoundGrace` (2 minutes after the trigger was accepted, or the step attached)',
    retried: 'no',
  },
  {
    types: [CODIKA_FAILURE_TYPES.rate_limited, CODIKA_FAILURE_TYPES.conflict],
    when: '429, 409',
    detail: '429, 409; the retry waits as long as `Retry-After` says (seconds or an HTTP date)',
    retried: 'yes, after `Retry-After`',
  },
  {
    types: [CODIKA_FAILURE_TYPES.server, CODIKA_FAILURE_TYPES.network, CODIKA_FAILURE_TYPES.timeout],
    when: '5xx, a connection error, no answer within 30 s',
    detail:
      "5xx, a connection error, no answer within the worker's request timeout (30 s, `CODIKA_REQUEST_TIMEOUT_MS`) or a 408. A trigger is retried only when nothing can have started (503, 408, a refused connection) or under `at-least-once`; otherwise it is an unknown outcome ([docs/trigger-delivery.md](docs/trigger-delivery.md))",
    retried: 'status: yes; trigger: only if nothing can have started, or `at-least-once`',
  },
  {
    types: [CODIKA_FAILURE_TYPES.protocol],
    when: 'a response that breaks the API',
    detail:
      'a response that breaks the API: retried for status checks; a trigger answered 2xx that cannot be read is an unknown outcome',
    retried: 'status: yes; trigger: an unknown outcome',
  },
  {
    types: [CODIKA_PIPELINE_INVALID],
    when: 'a pipeline failed its checks; every problem is listed with its path',
    detail:
      'a pipeline definition failed its checks; the message lists every problem with its path, the details carry `problems`',
    retried: 'no',
  },
  {
    types: [CODIKA_TEMPLATE_ERROR],
    when: "a pipeline step's template read a value that is not there",
    detail: "a step's payload template read a value that is not there when the step started",
    retried: 'no',
  },
  {
    types: [CODIKA_APPROVAL_REJECTED, CODIKA_APPROVAL_TIMED_OUT],
    when: "a pipeline's approval step was rejected, or got no answer within its `timeout`",
    detail:
      "`CodikaApprovalRejected`: a pipeline's approval step was answered `approved: false` (the message names who, with their comment; details: `stepId`, `by`, `at`). `CodikaApprovalTimedOut`: it got no answer within its `timeout` and its `onTimeout` is `fail`, the default (details: `stepId`, `deadline`)",
    retried: 'no',
  },
  {
    types: [CODIKA_STEP_STOPPED],
    when: 'a pipeline step stopped because another step failed the pipeline',
    detail:
      'a pipeline step stopped because another step failed the pipeline: a forEach step that stopped starting items (details: its counts), or a step that only waited (a delay, a retry backoff, an approval)',
    retried: 'no',
  },
  {
    types: [CODIKA_BATCH_LOST],
    when: 'a forEach item whose batch child workflow ended without reporting it; its Codika execution may have run',
    detail:
      'a forEach item whose batch child workflow ended without reporting it (cancelled, terminated or timed out by hand), which its message names; its Codika execution may have run, so a redrive is refused until you say whether it did ([docs/runbooks.md](docs/runbooks.md))',
    retried: 'no',
  },
  {
    types: [CODIKA_EXECUTION_PENDING],
    when: '`retry` strategy only: the status activity found the execution still pending',
    detail:
      "`retry` strategy only: the status activity found the execution still pending. It drives the activity's retries and never reaches your workflow",
    retried: '(the loop)',
    benign: true,
  },
  {
    types: [CODIKA_CHECK_THROUGH_TASK_QUEUE],
    when: "a polling loop under the task queue's rate limits handed its next status check to a retry",
    detail:
      "under the task queue's rate limits ([docs/flow-control.md](docs/flow-control.md)), a polling loop (`activity`, `auto`'s first phase) ends its attempt so that its retry is the next status check, a task the server dispatches within the limits. It drives the activity's retries and never reaches your workflow",
    retried: '(the loop)',
    benign: true,
  },
];
