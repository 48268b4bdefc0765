/**
 * Creates (or points again) the Nexus endpoint other namespaces call to reach the `codika` service:
 * the one operator step between a caller's `createNexusServiceClient({ endpoint })` and a Codika
 * worker. The same as `temporal operator nexus endpoint create`, but idempotent, so a setup script,
 * the demo and the tests run it every time.
 */
import type { Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { DEFAULT_CODIKA_NEXUS_ENDPOINT } from '../shared/nexus-service';
import { DEFAULT_TASK_QUEUE } from '../shared/task-queue';
import { validateId } from '../shared/validation';

/** Options of {@link ensureCodikaNexusEndpoint}. */
export interface CodikaNexusEndpointOptions {
  /** The endpoint's name, which callers put in `createNexusServiceClient`. @default 'codika' */
  name?: string;
  /** The namespace where the Codika worker runs (the handler's). */
  targetNamespace: string;
  /** The task queue the Codika worker serves. @default 'codika' */
  targetTaskQueue?: string;
}

/** What {@link ensureCodikaNexusEndpoint} did. */
export interface CodikaNexusEndpoint {
  /** The endpoint's name. */
  name: string;
  /** The server's id of the endpoint. */
  id: string;
  /** `created`, `updated` (it targeted elsewhere) or `unchanged`. */
  outcome: 'created' | 'updated' | 'unchanged';
}

/**
 * Makes the endpoint `name` target the Codika worker's namespace and task queue. Endpoints belong to
 * the cluster, not to a namespace; a caller namespace may use any endpoint unless the server's
 * allow-lists say otherwise.
 *
 * @throws CodikaValidationError on an unusable name, namespace or task queue.
 */
export async function ensureCodikaNexusEndpoint(
  connection: Pick<Connection | NativeConnection, 'operatorService'>,
  options: CodikaNexusEndpointOptions,
): Promise<CodikaNexusEndpoint> {
  const name = validateId('name', options.name ?? DEFAULT_CODIKA_NEXUS_ENDPOINT);
  const namespace = validateId('targetNamespace', options.targetNamespace);
  const taskQueue = validateId('targetTaskQueue', options.targetTaskQueue ?? DEFAULT_TASK_QUEUE);
  const spec = {
    name,
    target: { worker: { namespace, taskQueue } },
  };
  const { endpoints } = await connection.operatorService.listNexusEndpoints({ name, pageSize: 1 });
  const existing = endpoints?.find((endpoint) => endpoint.spec?.name === name);
  if (!existing) {
    const { endpoint } = await connection.operatorService.createNexusEndpoint({ spec });
    return { name, id: endpoint?.id ?? '', outcome: 'created' };
  }
  const worker = existing.spec?.target?.worker;
  if (worker?.namespace === namespace && worker.taskQueue === taskQueue) {
    return { name, id: existing.id ?? '', outcome: 'unchanged' };
  }
  await connection.operatorService.updateNexusEndpoint({ id: existing.id, version: existing.version, spec });
  return { name, id: existing.id ?? '', outcome: 'updated' };
}
