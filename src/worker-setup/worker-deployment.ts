/**
 * Worker Deployment Versioning for Codika workers: which deployment and build a worker belongs to,
 * and how its workflows move between versions. The library's workflows declare `AUTO_UPGRADE`
 * themselves; this is the worker's side (docs/deploys.md).
 */
import type { WorkerOptions } from '@temporalio/worker';
import { CodikaValidationError } from '../shared/errors';

/** A worker's place in a Worker Deployment. */
export interface CodikaWorkerDeployment {
  /** The deployment (one per worker fleet and task queue set), e.g. `codika`. */
  name: string;
  /** This build's id: a release tag or image digest; a new build id for each code change. */
  buildId: string;
  /**
   * How workflows that declare no behaviour of their own move between versions. The library's
   * workflows declare `AUTO_UPGRADE`; a workflow of yours that declares nothing is pinned to the
   * version that started it. @default 'PINNED'
   */
  defaultVersioningBehavior?: 'PINNED' | 'AUTO_UPGRADE';
}

/** Temporal's names, which its Kubernetes worker controller sets on every worker it runs. */
export const DEPLOYMENT_NAME_VARIABLE = 'TEMPORAL_DEPLOYMENT_NAME';
export const BUILD_ID_VARIABLE = 'TEMPORAL_WORKER_BUILD_ID';

/**
 * The deployment named by the environment, or none when neither variable is set.
 *
 * @throws CodikaValidationError when only one of the two is set.
 */
export function deploymentFromEnv(env: NodeJS.ProcessEnv): CodikaWorkerDeployment | undefined {
  const name = env[DEPLOYMENT_NAME_VARIABLE]?.trim();
  const buildId = env[BUILD_ID_VARIABLE]?.trim();
  if (!name && !buildId) return undefined;
  if (!name || !buildId) {
    const missing = name ? BUILD_ID_VARIABLE : DEPLOYMENT_NAME_VARIABLE;
    throw new CodikaValidationError(
      missing,
      `is missing: Worker Deployment Versioning needs both ${DEPLOYMENT_NAME_VARIABLE} and ${BUILD_ID_VARIABLE} (or neither, for an unversioned worker)`,
    );
  }
  return { name, buildId };
}

/** The `workerDeploymentOptions` of a worker in `deployment`. */
export function workerDeploymentOptions(
  deployment: CodikaWorkerDeployment,
): NonNullable<WorkerOptions['workerDeploymentOptions']> {
  // The server joins them as `<name>.<buildId>` in older APIs, and refuses a name holding a dot.
  if (typeof deployment.name !== 'string' || deployment.name.trim() === '' || deployment.name.includes('.')) {
    throw new CodikaValidationError('deployment.name', 'must be a non-empty string without "."');
  }
  if (typeof deployment.buildId !== 'string' || deployment.buildId.trim() === '') {
    throw new CodikaValidationError('deployment.buildId', 'must be a non-empty string');
  }
  return {
    version: { deploymentName: deployment.name, buildId: deployment.buildId },
    useWorkerVersioning: true,
    defaultVersioningBehavior: deployment.defaultVersioningBehavior ?? 'PINNED',
  };
}
