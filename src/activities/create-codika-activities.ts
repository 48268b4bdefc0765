import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { CodikaClient, DEFAULT_REQUEST_TIMEOUT_MS } from '../codika/client';
import { CodikaValidationError } from '../shared/errors';
import type { CodikaExecutionStatus } from '../codika/types';
import type {
  CodikaTriggeredExecution,
  GetCodikaExecutionStatusInput,
  TriggerCodikaExecutionInput,
} from '../shared/activity-types';
import { logCallFailure, recordCodikaResponse } from './activity-telemetry';
import { CheckPacer, DEFAULT_STATUS_CHECKS_PER_SECOND } from './check-pacer';
import { heartbeatWhile, REQUEST_HEARTBEAT_EVERY_MS } from './heartbeats';
import { allSecrets, credentialResolver, type CodikaCredentials } from './credentials';
import { createPollingActivities, type CodikaPollingActivities } from './polling-activities';
import { assertRequestFits } from './request-timeout-fit';
import { toApplicationFailure } from './to-application-failure';
import { repeatedAttemptRefused } from './repeated-attempt-refused';
import { ContractChecks } from './contract-checks';
import { withinNotFoundGrace } from './not-found-grace';
import { shapeResult } from './result-shaping';
import { createCodikaExecutionActivity, type CodikaExecutionActivity } from './codika-execution-activity';
import { createFlowControlActivities, type CodikaFlowControlActivities } from './flow-control-activities';
import { TemporalSharedBackoff } from './shared-backoff';
import type { AnyCodikaWorkflowContract } from '../shared/contracts';

/** Options of {@link createCodikaActivities}: where Codika is and the worker's credentials. */
export interface CodikaActivitiesOptions extends CodikaCredentials {
  /** @default 'https://api.codika.io' */
  baseUrl?: string;
  /** Per-request HTTP timeout in milliseconds. @default 30000 */
  requestTimeoutMs?: number;
  /**
   * The most status checks this worker sends to Codika per second, all executions together. Polling
   * loops (`activity` and `auto`'s first phase) wait their turn above it; single checks (`timer`,
   * `retry`, wake-ups) are paced by Temporal and only counted. `Infinity` turns the cap off.
   * @default 200
   */
  maxStatusChecksPerSecond?: number;
  /**
   * The Codika search attributes (`CodikaExecutionId`, `CodikaWorkflowId`, `CodikaStatus`) the
   * namespace has; runs set only these. `createCodikaWorker` asks the server for them.
   * @default none
   */
  searchAttributes?: readonly string[];
  /**
   * Contracts of Codika workflows (`defineCodikaWorkflow`): the trigger checks each payload against
   * its workflow's contract before any request (`CodikaPayloadInvalid`), and a `success` result is
   * checked too (`CodikaResultInvalid`). Workflows without a contract are not checked.
   * @default none
   */
  contracts?: readonly AnyCodikaWorkflowContract[];
  /**
   * Whether the task queue has rate limits now (`ensureCodikaRateLimits`): polling loops then send one
   * status check per attempt, so matching dispatches every check within the limits. `createCodikaWorker`
   * reads the limits from the server and keeps this current; give it yourself on a worker of your own.
   * @default never
   */
  checksThroughTaskQueue?: () => boolean;
  /**
   * When Codika answers `429` with `Retry-After`, every worker holds back its calls of that process
   * instance until then (through the instance's flow-control workflow), not only the call that got it.
   * @default true
   */
  sharedBackoff?: boolean;
}

/**
 * Activities registered on a worker; workflows reach them through `proxyActivities`, and clients start
 * `codikaExecution` on its own (a standalone activity: `startCodikaActivity`).
 */
export interface CodikaActivities
  extends CodikaPollingActivities, CodikaExecutionActivity, CodikaFlowControlActivities {
  /**
   * Sends the trigger once, with the input's `Idempotency-Key`. Under `at-most-once`, an attempt after
   * the first sends nothing and fails with `CodikaTriggerOutcomeUnknown`.
   *
   * @throws ApplicationFailure typed `CODIKA_FAILURE_TYPES[kind]` (its details say whether Codika may have
   *   started an execution), `CodikaTriggerOutcomeUnknown`, `CodikaPayloadInvalid` (nothing sent),
   *   `CodikaValidationError`, `CodikaCredentialsMissingError` or `CodikaConfigurationError`.
   */
  triggerCodikaExecution(input: TriggerCodikaExecutionInput): Promise<CodikaTriggeredExecution>;
  /**
   * Asks Codika once for the execution's state; `pending` is an answer, not a failure.
   *
   * @throws ApplicationFailure typed `CODIKA_FAILURE_TYPES[kind]`, `CodikaValidationError`,
   *   `CodikaCredentialsMissingError`, `CodikaConfigurationError`, `CodikaResultInvalid` or `CodikaResultTooLarge`.
   */
  getCodikaExecutionStatus(input: GetCodikaExecutionStatusInput): Promise<CodikaExecutionStatus>;
}

/**
 * Builds the trigger and status activities around one Codika client. Credentials are checked now,
 * so a misconfigured worker fails at start rather than on the first execution.
 *
 * @throws CodikaValidationError when the base URL, the credentials, `maxStatusChecksPerSecond` or the contracts
 *   are unusable.
 */
export function createCodikaActivities(options: CodikaActivitiesOptions): CodikaActivities {
  const client = new CodikaClient({
    baseUrl: options.baseUrl,
    auth: credentialResolver(options),
    timeoutMs: options.requestTimeoutMs,
    onResponse: recordCodikaResponse,
    ...(options.sharedBackoff === false ? {} : { backoff: new TemporalSharedBackoff() }),
  });
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const secrets = allSecrets(options);
  const pacer = new CheckPacer(checksPerSecond(options.maxStatusChecksPerSecond));
  const searchAttributes = [...(options.searchAttributes ?? [])];
  const contracts = new ContractChecks(options.contracts);
  // Every status activity reads a 404 with the step's grace, sees a `success` through the contract of
  // the execution's workflow, then keeps only what the step asked for, within the size history takes.
  const getStatus = async (input: GetCodikaExecutionStatusInput, signal: AbortSignal) => {
    const status = await client.getStatus(input, { signal }).catch((err: unknown) => {
      return withinNotFoundGrace(err, input, Date.now());
    });
    const checked = await contracts.status(input, status);
    // Without result options, a run from before them: its results enter history whole, as they did.
    if (checked.status !== 'success' || input.result === undefined) return checked;
    return { ...checked, resultData: shapeResult(checked.resultData, input.result, input) };
  };

  async function call<T>(
    request: (signal: AbortSignal) => Promise<T>,
    toFailure: (err: unknown) => unknown,
    executionId?: string,
  ): Promise<T> {
    const context = Context.current();
    assertRequestFits(context.info, requestTimeoutMs);
    try {
      return await heartbeatWhile(
        () => context.heartbeat(),
        REQUEST_HEARTBEAT_EVERY_MS,
        request(context.cancellationSignal),
      );
    } catch (err) {
      const failure = toFailure(err);
      logCallFailure(failure, executionId);
      throw failure;
    }
  }

  return {
    ...createPollingActivities(getStatus, {
      secrets,
      pacer,
      requestTimeoutMs,
      checksThroughTaskQueue: options.checksThroughTaskQueue ?? (() => false),
    }),
    ...createFlowControlActivities(),
    ...createCodikaExecutionActivity({
      trigger: (request, signal) => client.trigger(request, { signal }),
      getStatus,
      contracts,
      pacer,
      secrets,
    }),
    async triggerCodikaExecution(input) {
      const { info } = Context.current();
      const { triggerDelivery: delivery, idempotencyKey: given, ...request } = input;
      // Before anything is sent: a payload that breaks its contract never reaches Codika.
      request.payload = await contracts.payload(request);
      const idempotencyKey = given ?? idempotencyKeyFor(info);
      if (delivery === 'at-most-once' && info.attempt > 1) throw repeatedAttemptRefused(info.attempt, idempotencyKey);
      const sentAt = new Date().toISOString();
      const triggered: CodikaTriggeredExecution = await call(
        (signal) => client.trigger({ ...request, idempotencyKey }, { signal }),
        (err) => toApplicationFailure(err, secrets, { delivery, idempotencyKey, sentAt, searchAttributes }),
      );
      triggered.runIndex = { searchAttributes };
      return triggered;
    },
    async getCodikaExecutionStatus(input) {
      pacer.reserve();
      return call(
        (signal) => getStatus(input, signal),
        (err) => toApplicationFailure(err, secrets),
        input.executionId,
      );
    },
  };
}

function checksPerSecond(value: number | undefined): number {
  if (value === undefined) return DEFAULT_STATUS_CHECKS_PER_SECOND;
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new CodikaValidationError(
      'maxStatusChecksPerSecond',
      `must be a positive number of checks per second (or Infinity for no cap); got ${String(value)}`,
    );
  }
  return value;
}

/**
 * For runs that predate the step drawing its own key: same workflow run and same activity, same key,
 * however many attempts or workers it takes. Hashed so user-chosen workflow ids never put odd
 * characters (or data) into a header.
 */
function idempotencyKeyFor(info: Context['info']): string {
  // A standalone activity (no workflow) is keyed by its own id alone.
  const { workflowId, runId } = info.workflowExecution ?? { workflowId: '', runId: '' };
  const digest = createHash('sha256').update(`${workflowId}\n${runId}\n${info.activityId}`).digest('hex');
  return `codika-temporal-${digest.slice(0, 40)}`;
}
