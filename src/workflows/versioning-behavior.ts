import { setWorkflowOptions, workflowInfo } from '@temporalio/workflow';

/**
 * Declares how runs of `workflow` move between Worker Deployment Versions (docs/deploys.md), on
 * versioned workers only: a worker without deployment options refuses every workflow task that
 * carries a behaviour, so the same bundle must also run unversioned. The SDK asks once per run, as the
 * run starts on a worker (or is replayed into its cache), and `currentDeploymentVersion` then names
 * the version of the worker that handles the task (an unversioned worker has a build id, but no
 * deployment name).
 */
export function setVersioningBehavior<A extends unknown[], R>(
  behavior: 'PINNED' | 'AUTO_UPGRADE',
  workflow: (...args: A) => Promise<R>,
): void {
  setWorkflowOptions(
    () => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: behavior } : {}),
    workflow,
  );
}
