/**
 * `CodikaPlugin`: the library as one Temporal plugin, for `Worker.create({ plugins })` and
 * `new Client({ plugins })`. On a worker it adds the Codika activities (the user's own, under the
 * same names, win), the activity slots polling needs, and with a codec the encrypted data converter
 * (payloads and failure messages), and the Nexus service `codika`; on a client, the same data converter.
 *
 * It leaves the workflows to the user: a worker with a `workflowsPath` of its own re-exports the
 * Codika workflows from it (`export * from 'codika-temporal/workflows'`). The namespace's search
 * attributes and the runtime's telemetry stay separate steps (docs/operations.md).
 */
import type { PayloadCodec } from '@temporalio/common';
import { SimplePlugin } from '@temporalio/plugin';
import { Runtime, type WorkerOptions } from '@temporalio/worker';
import { createCodikaActivities, type CodikaActivitiesOptions } from '../activities/create-codika-activities';
import { REPORT_MARGIN_MS, requestFits } from '../activities/request-timeout-fit';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../codika/client';
import { HEARTBEAT_THROTTLE_MS } from '../activities/polling-activities';
import { ENCODED_FAILURE_CONVERTER_PATH } from '../codec/codec-data-converter';
import { DEFAULT_POLL_SETTINGS } from '../shared/poll-options';
import { codikaNexusServiceHandler } from './codika-nexus-handler';
import { workerDeploymentOptions, type CodikaWorkerDeployment } from './worker-deployment';

/** Options of {@link CodikaPlugin}. */
export interface CodikaPluginOptions {
  /**
   * Codika's base URL and the worker's credentials: the plugin then adds the Codika activities (a
   * worker needs them; a client does not). Its `searchAttributes` say which Codika search attributes
   * the namespace has; without them, runs set none (`createCodikaWorker` asks the server).
   */
  codika?: CodikaActivitiesOptions;
  /** Encrypts payloads and failure messages, on workers and clients alike (`AesGcmPayloadCodec`). */
  codec?: PayloadCodec;
  /**
   * Serve the Nexus service `codika` (operation `runExecution`) on a worker, so other namespaces run
   * Codika executions through a Nexus endpoint that targets this worker's task queue
   * (docs/nexus.md). Only with `codika`. @default true
   */
  nexus?: boolean;
  /**
   * Worker Deployment Versioning: the deployment and build this worker belongs to (docs/deploys.md).
   * No version gets new runs until it is made current (`setCurrentCodikaVersion`,
   * `codika-temporal deployment set-current`). A `workerDeploymentOptions` of your own wins.
   */
  deployment?: CodikaWorkerDeployment;
}

/**
 * Activity slots when the caller sets neither `maxConcurrentActivityTaskExecutions` nor a `tuner`.
 * The `auto` and `activity` strategies hold a slot per execution while they poll, idle most of the
 * time (the status-check cap, not the slots, bounds the load). With the SDK's default of 100, the
 * 101st execution's trigger would wait until some other execution finished.
 */
export const DEFAULT_ACTIVITY_SLOTS = 10_000;

/** The library as one plugin for workers and clients; see the module comment. */
export class CodikaPlugin extends SimplePlugin {
  /** The worker's deployment options, set in `configureWorker` unless the worker has its own. */
  private readonly deployment: NonNullable<WorkerOptions['workerDeploymentOptions']> | undefined;

  /**
   * @throws CodikaValidationError when the Codika options or the deployment are unusable (checked here, before any worker exists).
   */
  constructor(options: CodikaPluginOptions = {}) {
    const deployment = options.deployment ? workerDeploymentOptions(options.deployment) : undefined;
    const activities = options.codika ? createCodikaActivities(options.codika) : undefined;
    if (options.codika) warnWhenRequestsOutlastCalls(options.codika.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
    const { codec } = options;
    super({
      name: 'codika-temporal',
      // The user's activities of the same name win, as they did with createCodikaWorker.
      activities: activities ? (existing: object | undefined) => ({ ...activities, ...existing }) : undefined,
      nexusServices: activities && options.nexus !== false ? [codikaNexusServiceHandler()] : undefined,
      dataConverter: codec
        ? (existing) => ({
            ...existing,
            payloadCodecs: [...(existing?.payloadCodecs ?? []), codec],
            failureConverterPath: existing?.failureConverterPath ?? ENCODED_FAILURE_CONVERTER_PATH,
          })
        : undefined,
    });
    this.deployment = deployment;
  }

  override configureWorker(options: WorkerOptions): WorkerOptions {
    const configured = super.configureWorker(options);
    const slotsChosen = configured.tuner !== undefined || configured.maxConcurrentActivityTaskExecutions !== undefined;
    return {
      ...configured,
      ...(slotsChosen ? {} : { maxConcurrentActivityTaskExecutions: DEFAULT_ACTIVITY_SLOTS }),
      // A cancellation reaches a polling loop only in a heartbeat's answer; the SDK's default throttle
      // (0.8 × the 30 s heartbeat timeout) would let a cancelled run keep checking for 24 s.
      maxHeartbeatThrottleInterval: configured.maxHeartbeatThrottleInterval ?? HEARTBEAT_THROTTLE_MS,
      ...(this.deployment && !configured.workerDeploymentOptions ? { workerDeploymentOptions: this.deployment } : {}),
      dataConverter: withEncodedFailures(configured.dataConverter),
    };
  }
}

/**
 * With a payload codec and no failure converter of the caller's, failure messages are encoded (and
 * so encrypted) too: otherwise Codika's messages, which hold personal data, stay in clear in history.
 */
function withEncodedFailures(dataConverter: WorkerOptions['dataConverter']): WorkerOptions['dataConverter'] {
  if (!dataConverter?.payloadCodecs?.length || dataConverter.failureConverterPath) return dataConverter;
  return { ...dataConverter, failureConverterPath: ENCODED_FAILURE_CONVERTER_PATH };
}

/**
 * The worker cannot know each run's `poll.activityTimeout`, only the default: say at start that runs
 * keeping it would have every call refused (each such call fails with `CodikaConfigurationError`).
 */
function warnWhenRequestsOutlastCalls(requestTimeoutMs: number): void {
  const activityTimeoutMs = DEFAULT_POLL_SETTINGS.activityTimeoutMs;
  if (requestFits(requestTimeoutMs, activityTimeoutMs)) return;
  Runtime.instance().logger.warn(
    `codika-temporal: the request timeout (requestTimeoutMs, CODIKA_REQUEST_TIMEOUT_MS: ${requestTimeoutMs} ms) ` +
      `does not fit the default poll.activityTimeout (${activityTimeoutMs} ms): runs that keep the default fail ` +
      `with CodikaConfigurationError before any request. Set poll.activityTimeout to at least ` +
      `${requestTimeoutMs + REPORT_MARGIN_MS} ms in every run, or lower the request timeout.`,
    { requestTimeoutMs, activityTimeoutMs },
  );
}
