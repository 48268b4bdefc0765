/**
 * What the flow-control workflows hold now: per key, the permits in use and who waits, and a `429`'s
 * back-off. Read from the running `codikaFlowControlWorkflow`s, one query each.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  FLOW_CONTROL_STATE_QUERY,
  FLOW_CONTROL_WORKFLOW_TYPE,
  flowControlWorkflowId,
  type FlowControlState,
} from '../../shared/flow-control';

/** The most keys `listCodikaFlowControl` reads by default. */
const DEFAULT_MAX_KEYS = 100;

/**
 * The state of every running flow-control workflow (at most `maxKeys`), keys in id order.
 *
 * @throws ServiceError from the server (visibility or query).
 */
export async function listCodikaFlowControl(
  client: Client,
  { maxKeys = DEFAULT_MAX_KEYS }: { maxKeys?: number } = {},
): Promise<FlowControlState[]> {
  const ids: string[] = [];
  const query = `WorkflowType = '${FLOW_CONTROL_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;
  for await (const run of client.workflow.list({ query })) {
    ids.push(run.workflowId);
    if (ids.length >= maxKeys) break;
  }
  const states = await Promise.all(
    ids.sort().map(async (id) => {
      try {
        return await client.workflow.getHandle(id).query<FlowControlState>(FLOW_CONTROL_STATE_QUERY);
      } catch (err) {
        // Ended between the list and the query: it holds nothing.
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      }
    }),
  );
  return states.filter((state): state is FlowControlState => state !== undefined);
}

/**
 * The state of one key's flow-control workflow; `undefined` when the key has none running (it holds
 * no permit and no back-off then).
 */
export async function codikaFlowControlState(client: Client, key: string): Promise<FlowControlState | undefined> {
  try {
    const handle = client.workflow.getHandle(flowControlWorkflowId(key));
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') return undefined;
    return await handle.query<FlowControlState>(FLOW_CONTROL_STATE_QUERY);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}
