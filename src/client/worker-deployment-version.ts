/**
 * Makes a Worker Deployment Version current: from then on new runs, and the runs of the library's
 * workflows (auto-upgrade) at their next workflow task, go to that version's workers. The step that
 * finishes a deploy (docs/deploys.md); `codika-temporal deployment set-current` in a shell.
 */
import { isGrpcServiceError, type Connection } from '@temporalio/client';
import { validateId } from '../shared/validation';
import { CodikaValidationError } from '../shared/errors';

const GRPC_NOT_FOUND = 5;
const GRPC_FAILED_PRECONDITION = 9;

/** Options of {@link setCurrentCodikaVersion}. */
export interface CurrentVersionOptions {
  /** @default 'default' */
  namespace?: string;
  /** The Worker Deployment's name (`TEMPORAL_DEPLOYMENT_NAME` of its workers). */
  deploymentName: string;
  /** The build to make current (`TEMPORAL_WORKER_BUILD_ID` of its workers). */
  buildId: string;
  /**
   * A version exists once one of its workers has polled: how long to wait for that.
   * @default 60000
   */
  waitForWorkersMs?: number;
}

/** What {@link setCurrentCodikaVersion} found and did. */
export interface CurrentVersionChange {
  /** The build that was current before, if any. */
  previousBuildId?: string;
  /** The build that is current now. */
  buildId: string;
}

/**
 * Sets the current version of a deployment, waiting until a worker of that version has polled.
 *
 * @throws CodikaValidationError on an unusable name, build id or wait.
 * @throws Error naming the deployment and build when no worker of it polls within `waitForWorkersMs`.
 */
export async function setCurrentCodikaVersion(
  connection: Pick<Connection, 'workflowService'>,
  options: CurrentVersionOptions,
): Promise<CurrentVersionChange> {
  const namespace = options.namespace ?? 'default';
  const deploymentName = validateId('deploymentName', options.deploymentName);
  const buildId = validateId('buildId', options.buildId);
  const waitMs = options.waitForWorkersMs ?? 60_000;
  if (!(Number.isFinite(waitMs) && waitMs >= 0)) {
    throw new CodikaValidationError('waitForWorkersMs', `must be a number of milliseconds, 0 or more; got ${waitMs}`);
  }
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const response = await connection.workflowService.setWorkerDeploymentCurrentVersion({
        namespace,
        deploymentName,
        buildId,
      });
      const previousBuildId = response.previousDeploymentVersion?.buildId || undefined;
      return { buildId, ...(previousBuildId ? { previousBuildId } : {}) };
    } catch (err) {
      // Until the version's workers poll, the server knows neither the deployment nor the version, or not all its queues.
      if (!notPolledYet(err)) throw err;
      if (Date.now() > deadline) {
        throw new Error(
          `no worker of deployment ${deploymentName}, build ${buildId} has polled namespace ${namespace} on ` +
            `every task queue it needs (the server said: ${(err as Error).message}): start one ` +
            '(TEMPORAL_DEPLOYMENT_NAME, TEMPORAL_WORKER_BUILD_ID) before making its version current',
          { cause: err },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * Whether the server refused because the version's workers have not polled yet, which waiting cures:
 * the deployment or the version is unknown to it, or the version does not serve yet every task queue
 * the current one does (its workers poll each queue shortly after they start). Its other
 * FAILED_PRECONDITION refusals are answers, thrown at once.
 */
export function notPolledYet(err: unknown): boolean {
  if (!isGrpcServiceError(err)) return false;
  if (err.code === GRPC_NOT_FOUND) return true;
  const waitable = /not found|no Worker Deployment found|missing active task queues/i;
  return err.code === GRPC_FAILED_PRECONDITION && waitable.test(err.details ?? err.message);
}
