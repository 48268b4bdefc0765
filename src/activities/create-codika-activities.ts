import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { CodikaClient } from '../codika/client';
import type { CodikaExecutionStatus, CodikaTriggerResult } from '../codika/types';
import type { GetCodikaExecutionStatusInput, TriggerCodikaExecutionInput } from '../common/execution-types';
import { allSecrets, credentialResolver, type CodikaCredentials } from './credentials';
import { createPollingActivities, type CodikaPollingActivities } from './polling-activities';
import { toApplicationFailure } from './to-application-failure';

/** Options of {@link createCodikaActivities}: where Codika is and the worker's credentials. */
export interface CodikaActivitiesOptions extends CodikaCredentials {
  /** @default 'https://api.codika.io' */
  baseUrl?: string;
  /** Per-request HTTP timeout in milliseconds. @default 30000 */
  requestTimeoutMs?: number;
}

/** Activities registered on a worker; workflows reach them through `proxyActivities`. */
export interface CodikaActivities extends CodikaPollingActivities {
  triggerCodikaExecution(input: TriggerCodikaExecutionInput): Promise<CodikaTriggerResult>;
  getCodikaExecutionStatus(input: GetCodikaExecutionStatusInput): Promise<CodikaExecutionStatus>;
}

/** While a request is in flight, heartbeats let the server deliver a cancellation to the activity. */
const HEARTBEAT_EVERY_MS = 1000;

/**
 * Builds the trigger and status activities around one Codika client. Credentials are checked now,
 * so a misconfigured worker fails at start rather than on the first execution.
 *
 * @throws CodikaValidationError when the base URL or the credentials are unusable.
 */
export function createCodikaActivities(options: CodikaActivitiesOptions): CodikaActivities {
  const client = new CodikaClient({
    baseUrl: options.baseUrl,
    auth: credentialResolver(options),
    timeoutMs: options.requestTimeoutMs,
  });
  const secrets = allSecrets(options);

  async function call<T>(request: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const context = Context.current();
    const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      return await request(context.cancellationSignal);
    } catch (err) {
      throw toApplicationFailure(err, secrets);
    } finally {
      clearInterval(heartbeat);
    }
  }

  return {
    ...createPollingActivities((input, signal) => client.getStatus(input, { signal }), secrets),
    async triggerCodikaExecution(input) {
      const idempotencyKey = idempotencyKeyFor(Context.current().info);
      return call((signal) => client.trigger({ ...input, idempotencyKey }, { signal }));
    },
    async getCodikaExecutionStatus(input) {
      return call((signal) => client.getStatus(input, { signal }));
    },
  };
}

/**
 * Same workflow run and same activity: same key, however many attempts or workers it takes.
 * Hashed so user-chosen workflow ids never put odd characters (or data) into a header.
 */
function idempotencyKeyFor(info: Context['info']): string {
  // A standalone activity (no workflow) is keyed by its own id alone.
  const { workflowId, runId } = info.workflowExecution ?? { workflowId: '', runId: '' };
  const digest = createHash('sha256').update(`${workflowId}\n${runId}\n${info.activityId}`).digest('hex');
  return `codika-temporal-${digest.slice(0, 40)}`;
}
